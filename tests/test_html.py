"""The large-print HTML handout: its content and markup, then the PDF Chromium prints from it.

The plan's facts come from the JSON output of the same scenario, so these
tests check the handout against the plan, not against the renderer's own code.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from string import Template
from typing import Any

import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.i18n.words import Words, words_for
from kyphoprep.render.common import printed_citation
from kyphoprep.render.html import (
    BLANK_BRING_ROWS,
    BLANK_ROWS_WITHOUT_MEDICINES,
    FONTS,
    LONG_DAY_STEPS,
    QR_SIZE,
    css_string,
)
from tests.pdf_tools import (
    PAGE_MARGINS_PT,
    PrintedLine,
    body_lines,
    page_sizes,
    page_texts,
    print_to_pdf,
    squeeze,
)
from tests.scenarios import SCENARIOS

HOSTILE_FACILITY = '</style><script>alert(1)</script> "Quote" \\ Back'
HOSTILE_PATIENT = "<b>Ann</b>"
HANDOUT_CSS = Path(__file__).resolve().parent.parent / "kyphoprep" / "render" / "handout.css"


def with_option(args: list[str], option: str, value: str) -> list[str]:
    """*args* with *option* set to *value* (replaced if present, else added)."""
    if option in args:
        at = args.index(option)
        return [*args[: at + 1], value, *args[at + 2 :]]
    return [*args, option, value]


HOSTILE = with_option(
    with_option(SCENARIOS["us-chicago"], "--facility", HOSTILE_FACILITY), "--patient", HOSTILE_PATIENT
)
NO_MEDICINES = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-21"]
TITLE = words_for("en")("plan_title", procedure="kyphoplasty")
ISSUE_15_WARFARIN = [
    *("plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--med", "warfarin=5d"),
    *(
        "--patient",
        "Ann Lee",
        "--driver",
        "Tom Lee",
        "--facility",
        "Lakeside Spine Center",
        "--phone",
        "555-0100",
    ),
]
"""Issue 15's plan as a nurse prints it (with the clinic, patient and driver), made on time
(--today below) and too late (the day before the procedure)."""
ISSUE_15_FIVE = [
    *ISSUE_15_WARFARIN,
    *("--med", "metformin", "--med", "Ozempic", "--med", "insulin glargine", "--med", "ibuprofen"),
]
PLANS: dict[str, list[str]] = {
    **SCENARIOS,
    "hostile": HOSTILE,
    "no-medicines": NO_MEDICINES,
    "issue-warfarin": [*ISSUE_15_WARFARIN, "--today", "2026-11-20"],
    "issue-warfarin-late": [*ISSUE_15_WARFARIN, "--today", "2026-12-02"],
    "issue-five": [*ISSUE_15_FIVE, "--today", "2026-11-20"],
}

CHECKED = ["us-chicago", "too-late", "catalogue-mix", "spanish-los-angeles", "clinic-asa", "no-medicines"]
"""The plans whose whole content is checked in the HTML."""


def render(runner: CliRunner, name: str, output_format: str = "html") -> bytes:
    """The plan *name* in *output_format*, through the real CLI."""
    result = runner.invoke(app, [*PLANS[name], "--format", output_format])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def plan_data(runner: CliRunner, name: str) -> dict[str, Any]:
    """The plan as JSON: the facts the handout must show."""
    data: dict[str, Any] = json.loads(render(runner, name, "json"))
    return data


def words_of(data: dict[str, Any]) -> Words:
    return words_for(data["inputs"]["language"])


def step_line(words: Words, step: dict[str, Any], *, by_day: bool = False) -> str:
    """A step's time and title as the handout shows them: ``7:00 AM — Stop all food and milk``.

    A to-do whose time is only a reminder reads ``By this day — Check-up visit ...``, or only its
    title in a day of to-dos only (*by_day*), whose heading says ``By Thursday, November 26, 2026``.
    """
    if step["clock"] == "reminder":
        return step["title"] if by_day else f"{words('by_this_day')} — {step['title']}"
    return f"{words.time(datetime.fromisoformat(step['start']))} — {step['title']}"


def printed_start(words: Words, step: dict[str, Any], by_day: bool) -> str:
    """How a step's paragraph starts on paper (whitespace squeezed out): its line and first words."""
    line = step_line(words, step, by_day=by_day)
    line = line if line[-1:] in ".?!" else f"{line}."
    return squeeze(f"{line} {step['detail']}")[: len(squeeze(line)) + 20]


def call_heading(words: Words, data: dict[str, Any]) -> str:
    """The heading of the "call your doctor" box, with the clinic's phone in it when given."""
    phone = data["inputs"]["phone"]
    return words("heading_call_at", phone=phone) if phone else words("heading_call")


@dataclass
class DayGroup:
    heading: str
    steps: list[dict[str, Any]]
    after_care: bool
    by_day: bool
    """Only to-dos (past steps aside): the heading says "By <date>" and the steps show no time."""


def day_groups(data: dict[str, Any]) -> list[DayGroup]:
    """The days of the plan as the handout groups them: plan days first, then the after-care days."""
    words = words_of(data)
    groups = []
    for after_care in (False, True):
        steps = [s for s in data["steps"] if (s["category"] == "after-care") is after_care]
        for day, in_day in itertools.groupby(steps, key=lambda s: s["start"][:10]):
            group = list(in_day)
            by_day = all(s["clock"] == "reminder" for s in group if not s["past"])
            when = date.fromisoformat(day)
            heading = words("by_day_heading", date=words.date(when)) if by_day else words.heading_date(when)
            groups.append(DayGroup(heading, group, after_care, by_day))
    return groups


class _Text(HTMLParser):
    """The visible text of a page (no <style>, no <title>), and every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def parse(page: bytes) -> _Text:
    parser = _Text()
    parser.feed(page.decode("utf-8"))
    parser.close()
    return parser


def visible_text(page: bytes) -> str:
    """The text a reader sees, with runs of whitespace made single spaces."""
    return " ".join("".join(parse(page).parts).split())


def one_line(text: str) -> str:
    return " ".join(text.split())


def style_of(page: bytes) -> str:
    text = page.decode("utf-8")
    assert text.count("<style>") == 1
    return text.split("<style>", 1)[1].split("</style>", 1)[0]


def css_rules(css: str) -> dict[str, dict[str, str]]:
    """Declarations by selector of the innermost ``selector { ... }`` blocks (margin boxes, media rules too).

    A selector's blocks are merged in order, as the cascade does for one element.
    """
    rules: dict[str, dict[str, str]] = {}
    for selector, body in re.findall(r"([^{};]+)\{([^{}]*)\}", css):
        declarations = rules.setdefault(" ".join(selector.split()), {})
        for declaration in body.split(";"):
            if ":" in declaration:
                prop, value = declaration.split(":", 1)
                declarations[prop.strip()] = value.strip()
    return rules


def points(value: str) -> float:
    """A CSS length that must be in points."""
    match = re.fullmatch(r"([0-9.]+)pt", value)
    assert match, f"{value!r}: print sizes are given in pt"
    return float(match.group(1))


def read_css_string(text: str) -> str:
    """Decode one quoted CSS string (``"..."``) the way a browser does."""
    assert text[0] == '"'
    assert text[-1] == '"'
    inner, out, at = text[1:-1], [], 0
    while at < len(inner):
        char = inner[at]
        assert char not in '"\n', f"unescaped {char!r} ends the CSS string"
        if char != "\\":
            out.append(char)
            at += 1
            continue
        hexa = re.match(r"[0-9a-fA-F]{1,6} ?", inner[at + 1 :])
        if hexa:
            out.append(chr(int(hexa.group(0).strip(), 16)))
            at += 1 + len(hexa.group(0))
        else:
            out.append(inner[at + 1])
            at += 2
    return "".join(out)


def margin_box_content(page: bytes, box: str) -> str:
    """The quoted string that starts the ``content`` of the page-margin box ``@box``."""
    pattern = "@" + box + r'\s*\{[^}]*?content:\s*("(?:[^"\\]|\\.)*")'
    match = re.search(pattern, style_of(page))
    assert match, f"no @{box} content"
    return match.group(1)


def _shown(words: Words, step: dict[str, Any], *, by_day: bool = False) -> str:
    """A step's line as a reader sees it, with the PAST marker on a past step."""
    line = step_line(words, step, by_day=by_day)
    return one_line(line + (f" {words('past_marker')}" if step["past"] else ""))


def _inner(markup: str, tag: str, cls: str) -> list[str]:
    """The visible text of each ``<tag class="cls">`` in *markup*."""
    return [
        visible_text(found.encode()) for found in re.findall(rf'<{tag} class="{cls}">(.*?)</{tag}>', markup)
    ]


# --- The HTML itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHECKED)
def test_every_text_of_the_plan_appears(runner: CliRunner, name: str) -> None:
    """Each step's time, title, detail and items, each medicine, warning and warning sign is on the page."""
    data = plan_data(runner, name)
    words = words_of(data)
    text = visible_text(render(runner, name))
    # A step already past when the plan was made is one title in its day's "already past" line.
    current = [step for step in data["steps"] if not step["past"]]
    # A to-do's title: "By this day — " comes before it only in a day that also has times.
    expected = [step_line(words, step, by_day=step["clock"] == "reminder") for step in current]
    expected += [step["detail"] for step in current]
    expected += [item for step in current for item in step["items"]]
    expected += [step["title"] for step in data["steps"] if step["past"]]
    for medicine in data["inputs"]["medicines"]:
        expected += [medicine["name_in_language"], medicine["what_to_do"], medicine["last_dose_text"]]
    expected += [sign["text"] for level in ("call", "emergency") for sign in data["warning_signs"][level]]
    expected += [warning["message"] for warning in data["warnings"]]
    expected += [words("heading_bring"), words("heading_after_care"), call_heading(words, data)]
    expected += [words("heading_emergency"), words("heading_key_dates")]
    expected += [
        value for key in ("patient", "driver", "facility", "phone") if (value := data["inputs"][key])
    ]
    missing = [phrase for phrase in expected if one_line(phrase) not in text]
    assert missing == []
    # The calendar-import tip belongs with the calendar (the .ics, the README), not on paper.
    assert one_line(words("calendar_tip")) not in text


@pytest.mark.parametrize("name", CHECKED)
def test_days_are_grouped_and_after_care_is_set_apart(runner: CliRunner, name: str) -> None:
    """One section per day with its steps in order: plan days first, then the after-care days."""
    data = plan_data(runner, name)
    words = words_of(data)
    page = render(runner, name).decode("utf-8")
    before_after_care, after_care = page.split('<section class="after-care">')
    for part, in_after_care in ((before_after_care, False), (after_care, True)):
        sections = re.findall(r'<section class="day(?: long)?">(.*?)</section>', part, flags=re.DOTALL)
        found = [
            # The title runs into the detail ending in a full stop: compare without it.
            (
                _inner(section, "span", "day-heading")[0],
                [line.removesuffix(".") for line in _inner(section, "strong", "what")],
            )
            for section in sections
        ]
        expected = [
            (
                group.heading,
                [
                    _shown(words, step, by_day=group.by_day).removesuffix(".")
                    for step in group.steps
                    if not step["past"]
                ],
            )
            for group in day_groups(data)
            if group.after_care is in_after_care
        ]
        assert found == expected


def test_escaping_of_hostile_names(runner: CliRunner) -> None:
    """Names are HTML-escaped in the page and CSS-escaped in the footer; nothing ends the style early."""
    page = render(runner, "hostile")
    text = page.decode("utf-8")
    assert "<script" not in text.lower()
    assert text.count("</style>") == 1
    assert "<b>" not in text
    assert escape(HOSTILE_FACILITY, quote=False) in text
    assert escape(HOSTILE_PATIENT, quote=False) in text
    assert HOSTILE_FACILITY in visible_text(page)
    assert HOSTILE_PATIENT in visible_text(page)
    footer = margin_box_content(page, "bottom-left")
    assert re.fullmatch(r'"[ -~]*"', footer), "only printable ASCII in CSS"
    assert not set("<>&") & set(footer)
    assert read_css_string(footer) == HOSTILE_FACILITY
    assert read_css_string(margin_box_content(page, "top-right")) == f"{HOSTILE_PATIENT} · "


@pytest.mark.parametrize(
    "value",
    ["</style><script>alert(1)</script>", 'say "hi" \\ bye', "Jörg Müller · 555", "a\nb\tc", '\\\\"', ""],
)
def test_css_string_round_trips_and_stays_inside_the_style(value: str) -> None:
    """Any text becomes a CSS string of printable ASCII that a browser reads back as the same text."""
    quoted = css_string(value)
    assert re.fullmatch(r'"[ -~]*"', quoted)
    assert not set("<>&") & set(quoted)
    assert read_css_string(quoted) == value


@pytest.mark.parametrize("name", ["us-chicago", "spanish-los-angeles", "hostile"])
def test_self_contained(runner: CliRunner, name: str) -> None:
    """Nothing is fetched when the page is opened or printed: no links, scripts, images, fonts or URLs."""
    page = render(runner, name)
    text = page.decode("utf-8")
    lowered = text.lower()
    for fetches in ("<link", "<script", "<img", "<iframe", "<object", "<embed", "<base", "url(", "@import"):
        assert fetches not in lowered, fetches
    for tag, attrs in parse(page).tags:
        for attr, value in attrs.items():
            assert attr not in ("src", "href", "srcset", "action", "poster", "data"), (tag, attr)
            assert not re.search(r"(https?:|//)", value or ""), (tag, attr, value)
    assert not re.search(r"https?://", style_of(page))


def test_print_sizes_contrast_and_paper(runner: CliRunner) -> None:
    """Body text >= 14pt, headings >= 18pt, nothing under 14pt but the sources (>= 11pt), black on
    white, no fixed paper size."""
    page = render(runner, "us-chicago")
    rules = css_rules(style_of(page))
    assert points(rules["body"]["font-size"]) >= 14
    assert float(rules["body"]["line-height"]) >= 1.25
    used_headings = {tag for tag, _ in parse(page).tags if re.fullmatch(r"h[1-6]", tag)}
    assert used_headings, "the handout has headings"
    for heading in [*sorted(used_headings), ".day-heading"]:
        assert points(rules[heading]["font-size"]) >= 18, heading
    assert points(rules[".what"].get("font-size", rules["body"]["font-size"])) >= 14
    small = {".refs", ".sources", ".made-by"}
    sizes = {selector: points(rule["font-size"]) for selector, rule in rules.items() if "font-size" in rule}
    assert sizes
    assert {selector for selector, size in sizes.items() if size < 14} <= small
    assert all(size >= 11 for size in sizes.values())
    colours = re.findall(r"(?:^|[\s;{])(?:color|background):\s*([^;]+);", style_of(page))
    assert colours
    assert set(colours) <= {"#000", "#fff"}, "black on white only"
    assert "sans-serif" in rules["body"]["font-family"]
    assert not re.search(r"@page[^{]*\{[^}]*(?<![\w-])size\s*:", style_of(page)), (
        "the paper size is left to the printer"
    )
    assert 'class="day"' in page.decode("utf-8")
    assert "break-inside: avoid" in " ".join(f"{k}: {v}" for k, v in rules[".day"].items())


@pytest.mark.parametrize(("name", "language"), [("us-chicago", "en"), ("spanish-los-angeles", "es")])
def test_language_attribute(runner: CliRunner, name: str, language: str) -> None:
    """The page says its language, so screen readers and hyphenation use the right one."""
    assert f'<html lang="{language}">' in render(runner, name).decode("utf-8")


def test_spanish_plan_has_spanish_headings(runner: CliRunner) -> None:
    """Every heading of the Spanish handout is in Spanish."""
    text = visible_text(render(runner, "spanish-los-angeles"))
    spanish, english = words_for("es"), words_for("en")
    data = plan_data(runner, "spanish-los-angeles")
    for key in ("heading_plan", "heading_bring", "heading_after_care", "heading_emergency"):
        assert spanish(key) != english(key)
        assert one_line(spanish(key)) in text
        assert one_line(english(key)) not in text
    assert one_line(call_heading(spanish, data)) in text
    assert one_line(call_heading(english, data)) not in text
    assert "Día por día" in text


@pytest.mark.parametrize("name", CHECKED)
def test_checkboxes(runner: CliRunner, name: str) -> None:
    """A checkbox for each action, item, medicine and blank row, and the allergy line; none for the rest."""
    data = plan_data(runner, name)
    tags = parse(render(runner, name)).tags
    boxes = [attrs for tag, attrs in tags if tag == "input"]
    assert all(attrs.get("type") == "checkbox" for attrs in boxes)
    current = [step for step in data["steps"] if not step["past"]]  # past ones are one line, no box
    actions = sum(step["actionable"] for step in current)
    items = sum(len(step["items"]) for step in current)
    medicines = len(data["inputs"]["medicines"])
    blank_rows = sum(1 for tag, attrs in tags if tag == "li" and attrs.get("class") == "blank")
    assert blank_rows == (BLANK_BRING_ROWS if medicines else BLANK_ROWS_WITHOUT_MEDICINES)
    assert len(boxes) == actions + items + medicines + blank_rows + 1  # + "My allergies"
    names = {step["title"] for step in current if step["actionable"]}
    names |= {item for step in current for item in step["items"]}
    names |= {medicine["name_in_language"] for medicine in data["inputs"]["medicines"]}
    names.add(words_of(data)("bring_other"))
    names.add(words_of(data)("bring_allergies"))
    assert {attrs.get("aria-label") for attrs in boxes} == names, "each box is named by what it ticks off"
    assert actions < len(data["steps"]), "some steps are not actions"


def test_no_medicines_still_has_blank_rows(runner: CliRunner) -> None:
    """Without medicines the list says to write them all down, and has rows to write in."""
    page = render(runner, "no-medicines")
    assert one_line(words_for("en")("bring_none")) in visible_text(page)
    assert page.decode("utf-8").count('<li class="blank">') >= 4


def test_warnings_come_first(runner: CliRunner) -> None:
    """A plan with warnings opens with them, above the title; a plan without has no warnings box."""
    text = render(runner, "too-late").decode("utf-8")
    assert text.index('<section class="warnings"') < text.index("<h1>")
    assert "TOO LATE TO STOP WARFARIN ON TIME" in text.split("<h1>")[0]
    assert 'class="warnings"' not in render(runner, "us-chicago").decode("utf-8")


def test_past_steps_are_one_line_per_day(runner: CliRunner) -> None:
    """Steps already past when the plan was made are one line per day, naming them, with what to do."""
    data = plan_data(runner, "too-late")
    words = words_of(data)
    page = render(runner, "too-late").decode("utf-8")
    lines = _inner(page, "p", "past-line")
    expected = [
        one_line(words("past_collapsed", titles="; ".join(s["title"] for s in group.steps if s["past"])))
        for group in day_groups(data)
        if any(s["past"] for s in group.steps)
    ]
    assert lines == expected
    assert len(lines) >= 2
    assert words("past_marker") not in visible_text(page.encode())


@pytest.mark.parametrize(
    ("name", "left", "right"),
    [
        ("us-chicago", "Lakeside Spine Center", "Phone 555-0100"),
        ("catalogue-mix", TITLE, "Phone 555-0142"),
        ("south-sydney", "Harbour Day Hospital", ""),
        ("too-late", TITLE, ""),
        ("spanish-los-angeles", "Centro de Columna del Valle", "Teléfono 555-0142"),
    ],
)
def test_footer_names_the_clinic(runner: CliRunner, name: str, left: str, right: str) -> None:
    """The foot of each page gives the clinic (else the plan's title) and its phone when given."""
    page = render(runner, name)
    assert read_css_string(margin_box_content(page, "bottom-left")) == left
    assert read_css_string(margin_box_content(page, "bottom-right")) == right


@pytest.mark.parametrize(
    ("name", "left", "right", "top"),
    [
        ("spanish-los-angeles", "Centro de Columna del Valle", "Teléfono 555-0142", "María Gómez · "),
        ("kidney-too-late", TITLE, "", ""),
        ("hostile", HOSTILE_FACILITY, "Phone 555-0100", f"{HOSTILE_PATIENT} · "),
    ],
)
def test_style_is_handout_css_filled_in(
    runner: CliRunner, name: str, left: str, right: str, top: str
) -> None:
    """The <style> element holds exactly kyphoprep/render/handout.css, its placeholders filled with
    CSS strings (the HTML goldens leave the stylesheet out and rely on this test)."""
    css = HANDOUT_CSS.read_text(encoding="utf-8")
    assert "</" not in css
    assert css.endswith("}\n")
    filled = Template(css).substitute(  # raises on any other placeholder or a stray "$"
        footer_left=css_string(left),
        footer_right=css_string(right),
        header_right=css_string(top),
        fonts=FONTS,
        qr_size=QR_SIZE,
    )
    assert style_of(render(runner, name)) == "\n" + filled


def test_deterministic_utf8_lf(runner: CliRunner) -> None:
    """Same plan, same bytes: one HTML5 document, UTF-8, LF line endings, ending with a newline."""
    first = render(runner, "spanish-los-angeles")
    assert first == render(runner, "spanish-los-angeles")
    assert first.startswith(b"<!DOCTYPE html>\n")
    assert first.endswith(b"</html>\n")
    assert b"\r" not in first
    assert '<meta charset="utf-8">' in first.decode("utf-8")


def test_output_file_by_extension(runner: CliRunner, tmp_path: Path) -> None:
    """``-o plan.html`` writes the handout."""
    target = tmp_path / "plan.html"
    result = runner.invoke(app, [*SCENARIOS["us-chicago"], "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == render(runner, "us-chicago")


# --- Printed with Chromium ------------------------------------------------------------------------

EXPECTED_PAGES = {
    ("us-chicago", "letter"): 4,
    ("us-chicago", "A4"): 4,
}  # issue 15: 10 -> 9 (Letter) and 10 -> 8 (A4) with page 1's key dates and a compact day-by-day;
# 9 -> 7 and 8 -> 7 with the shorter protocol texts; 6 and 5 with run-in titles, long days that run
# on, the sources by name and the second text pass; Letter 5 with days of to-dos under "By <date>",
# the short table counting and tighter steps; 4 and 4 with the medicine list as a list, not a table
# (see docs/printing.md)
"""The fixed scenario's page count: a change means the layout changed. Look at the pages, then update."""
PAGE_RANGE = range(4, 25)
"""Any plan: large print takes pages, but a plan that runs past this has a layout fault."""

PRINTED = [
    (name, paper)
    for name in ("us-chicago", "catalogue-mix", "spanish-los-angeles", "issue-warfarin", "issue-five")
    for paper in ("letter", "A4")
]


@dataclass
class Printed:
    """Each plan printed once per paper size for the whole session (Chromium takes a second or two)."""

    root: Path
    pages: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    pdfs: dict[tuple[str, str], Path] = field(default_factory=dict)

    def get(self, runner: CliRunner, name: str, paper: str) -> list[str]:
        """The page texts (see ``pdf_tools.page_texts``) of plan *name* printed on *paper*."""
        if (name, paper) not in self.pages:
            pdf = print_to_pdf(render(runner, name), paper, self.root / f"{name}-{paper}")
            from tests.pdf_tools import PAPERS

            assert set(page_sizes(pdf)) == {PAPERS[paper]}, "printed on the paper asked for"
            self.pages[(name, paper)] = page_texts(pdf)
            self.pdfs[(name, paper)] = pdf
        return self.pages[(name, paper)]

    def lines(self, runner: CliRunner, name: str, paper: str) -> tuple[float, list[list[PrintedLine]]]:
        """The page height and each page's body lines (see ``pdf_tools.body_lines``)."""
        self.get(runner, name, paper)
        return body_lines(self.pdfs[(name, paper)])


@pytest.fixture(scope="session")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    return Printed(tmp_path_factory.mktemp("printed"))


@pytest.mark.parametrize(("name", "paper"), PRINTED)
def test_page_count(runner: CliRunner, printed: Printed, name: str, paper: str) -> None:
    """The handout takes a sensible number of pages, exactly as many as before for the fixed scenario."""
    pages = printed.get(runner, name, paper)
    if (name, paper) in EXPECTED_PAGES:
        assert len(pages) == EXPECTED_PAGES[(name, paper)], "the layout changed: look at the pages"
    assert len(pages) in PAGE_RANGE
    assert not any("file:" in page for page in pages), "no browser header or footer"


ISSUE_15_GOALS = [
    pytest.param(name, paper, pages)
    for name, pages in (("issue-warfarin", 4), ("issue-warfarin-late", 4), ("issue-five", 5))
    for paper in ("letter", "A4")
]
"""Issue 15: at most 4 pages for the warfarin plan (on time or too late), 5 with five medicines."""


@pytest.mark.parametrize(("name", "paper", "most"), ISSUE_15_GOALS)
def test_the_issue_plans_fit_their_page_goal(
    runner: CliRunner, printed: Printed, name: str, paper: str, most: int
) -> None:
    """Issue 15: the handout a nurse hands over is short, so the key facts are found at once."""
    assert len(printed.get(runner, name, paper)) <= most


def test_the_page_margins_are_the_ones_the_layout_tests_assume() -> None:
    """The layout tests tell body text from the header and footer by the stylesheet's page margins."""
    top, bottom = PAGE_MARGINS_PT
    css = (Path(__file__).parents[1] / "kyphoprep" / "render" / "handout.css").read_text(encoding="utf-8")
    assert f"margin: {top / 72:g}in 0.4in {bottom / 72:g}in;" in css


@pytest.mark.parametrize(("name", "paper"), PRINTED)
def test_no_page_but_the_last_is_less_than_half_full(
    runner: CliRunner, printed: Printed, name: str, paper: str
) -> None:
    """Issue 15: a page that ends less than half way down wastes paper and looks like the end."""
    height, pages = printed.lines(runner, name, paper)
    top, bottom = PAGE_MARGINS_PT
    body = height - top - bottom
    filled = [round((page[-1].bottom - top) / body, 2) for page in pages[:-1]]
    assert [f for f in filled if f < 0.5] == [], f"page fill (0 to 1): {filled}"


def _headings(runner: CliRunner, name: str) -> set[str]:
    """Every heading the handout of *name* prints: its sections and its days."""
    data = plan_data(runner, name)
    words = words_of(data)
    keys = ("heading_key_dates", "heading_plan", "heading_bring", "heading_after_care", "heading_sources")
    return {squeeze(words(key)) for key in keys} | {squeeze(group.heading) for group in day_groups(data)}


@pytest.mark.parametrize(("name", "paper"), PRINTED)
def test_no_heading_alone_at_the_foot_of_a_page(
    runner: CliRunner, printed: Printed, name: str, paper: str
) -> None:
    """A heading always has what it heads below it on the same page."""
    headings = _headings(runner, name)
    assert len(headings) > 6
    _, pages = printed.lines(runner, name, paper)
    alone = [(n, page[-1].text) for n, page in enumerate(pages[:-1], start=1) if page[-1].text in headings]
    assert alone == []


@pytest.mark.parametrize(("name", "paper"), PRINTED)
def test_a_table_is_never_split_from_its_heading(
    runner: CliRunner, printed: Printed, name: str, paper: str
) -> None:
    """The key dates and the "Bring this list" list start on their heading's page, with at least their
    first row below them (a long list may then run on)."""
    data = plan_data(runner, name)
    words = words_of(data)
    _, pages = printed.lines(runner, name, paper)
    medicines = data["inputs"]["medicines"]
    # The first thing each prints: the first key date's day, the first medicine (or the blank line).
    # (its first two words: a long date wraps in its cell)
    first_key = " ".join(_inner(render(runner, name).decode("utf-8"), "td", "when")[0].split()[:2])
    first_medicine = medicines[0]["name_in_language"] if medicines else words("bring_other")
    tables = ((words("heading_key_dates"), first_key), (words("heading_bring"), first_medicine))
    for heading, first in tables:
        found = [
            (n, i)
            for n, page in enumerate(pages)
            for i, line in enumerate(page)
            if line.text == squeeze(heading)
        ]
        assert len(found) == 1, f"{heading}: printed {len(found)} times"
        n, i = found[0]
        below = pages[n][i + 1 :]
        assert any(squeeze(first) in line.text for line in below[:4]), f"{heading}: no first row below it"


@pytest.mark.parametrize(("name", "paper"), PRINTED)
def test_clinic_patient_and_page_number_on_every_page(
    runner: CliRunner, printed: Printed, name: str, paper: str
) -> None:
    """Every printed page names the clinic and its phone, the patient, and its page number."""
    data = plan_data(runner, name)
    words = words_of(data)
    inputs = data["inputs"]
    clinic = inputs["facility"] or words("plan_title", procedure=data["procedure"]["name"].lower())
    footer = [squeeze(clinic), squeeze(f"{words('label_phone')} {inputs['phone']}")]
    pages = printed.get(runner, name, paper)
    for number, page in enumerate(pages, start=1):
        assert all(part in page for part in footer), f"page {number}"
        assert inputs["patient"] is None or squeeze(inputs["patient"]) in page, f"page {number}"
        assert re.search(rf"(?<!\d){number}/{len(pages)}(?!\d)", page), f"page {number}: no page number"


@pytest.mark.parametrize(("name", "paper"), PRINTED)
def test_no_page_break_inside_a_day(runner: CliRunner, printed: Printed, name: str, paper: str) -> None:
    """A short day is printed on one page with its heading. Only a long day (more than
    ``LONG_DAY_STEPS`` steps) may run on, between steps: at least one step under its heading at the
    foot of a page and two on the next, with its date heading at the top of each page it is on, so
    no step is read without its date.
    """
    data = plan_data(runner, name)
    words = words_of(data)
    pages = printed.get(runner, name, paper)
    groups = day_groups(data)
    one_page = 0
    for group in groups:
        # The title with the start of its text: a title alone is also on page 1 (the key dates).
        steps = [printed_start(words, step, group.by_day) for step in group.steps if not step["past"]]
        where = [[n for n, page in enumerate(pages) if line in page] for line in steps]
        assert all(len(found) == 1 for found in where), f"{group.heading}: a step printed {where}"
        on = [found[0] for found in where]
        assert on == sorted(on), f"{group.heading}: steps out of order over pages {on}"
        assert set(on) == set(range(on[0], on[-1] + 1)), f"{group.heading}: on pages {on}"
        for n in set(on):
            assert squeeze(group.heading) in pages[n], f"{group.heading}: page {n + 1} has no heading"
        if len(set(on)) == 1:
            one_page += 1
            continue
        assert len(steps) > LONG_DAY_STEPS, f"{group.heading}: a short day split over pages {on}"
        assert on.count(on[-1]) >= 2, f"{group.heading}: a lone step at the top of a page {on}"
    assert one_page >= len(groups) // 2, "most days fit on one page"


@pytest.mark.parametrize(("name", "paper"), PRINTED)
def test_lists_and_warning_signs_printed_whole(
    runner: CliRunner, printed: Printed, name: str, paper: str
) -> None:
    """The bring list with every medicine, and each warning-sign box whole on one page."""
    data = plan_data(runner, name)
    words = words_of(data)
    pages = printed.get(runner, name, paper)
    everything = "".join(pages)
    assert squeeze(words("heading_bring")) in everything
    for medicine in data["inputs"]["medicines"]:
        assert squeeze(medicine["name_in_language"]) in everything
    for level in ("call", "emergency"):
        heading = squeeze(call_heading(words, data) if level == "call" else words("heading_emergency"))
        signs = [squeeze(sign["text"]) for sign in data["warning_signs"][level]]
        with_heading = [page for page in pages if heading in page]
        assert len(with_heading) == 1, level
        assert all(sign in with_heading[0] for sign in signs), level


def test_hostile_names_print_literally(runner: CliRunner, printed: Printed) -> None:
    """The names print as typed, on every page, with nothing run as markup."""
    pages = printed.get(runner, "hostile", "letter")
    for page in pages:
        assert squeeze(HOSTILE_FACILITY) in page
        assert squeeze(HOSTILE_PATIENT) in page
    assert squeeze(f"{HOSTILE_PATIENT} · 1 / {len(pages)}") in pages[0]


@pytest.mark.parametrize(
    ("citation", "printed"),
    [
        (
            '"Kyphoplasty", consumer health article, medically reviewed November 2024 (seed 000)',
            '"Kyphoplasty", consumer health article, medically reviewed November 2024 (seed 000)',
        ),
        (
            (
                'American Society of Anesthesiologists, "Anesthesia & You": an adult stays 24 hours; '
                "no driving, alcohol or big decisions for 24 hours (clinical reference section 7, grade B)"
            ),
            'American Society of Anesthesiologists, "Anesthesia & You"',
        ),
        (
            (
                "Narouze S et al. Interventional spine procedures. Reg Anesth Pain Med 2018;43:225-262 "
                "(vertebral augmentation is high bleeding risk; stents: ask the cardiologist)"
            ),
            # A journal article: authors, journal, year, volume and pages, without its title.
            "Narouze S et al. Reg Anesth Pain Med 2018;43:225-262",
        ),
        (
            "Kindel TL et al. Multisociety guidance on GLP-1 receptor agonists, October 2024",
            "Kindel TL et al. Multisociety guidance on GLP-1 receptor agonists, October 2024",
        ),
        (
            "Midwest Radiology page: ice up to 15 minutes an hour (seed 005)",
            "Midwest Radiology page (seed 005)",
        ),
    ],
)
def test_the_printed_sources_are_their_names(citation: str, printed: str) -> None:
    """On paper a source is its name (and seed number); the summary after the colon and the remarks in
    brackets stay in the JSON, which keeps the citation whole."""
    assert printed_citation(citation) == printed


def test_every_source_of_the_plan_is_listed_on_paper(runner: CliRunner) -> None:
    """Each source a step cites is in the printed list, in its printed form, with its number."""
    data = plan_data(runner, "catalogue-mix")
    text = visible_text(render(runner, "catalogue-mix"))
    by_key: dict[str, set[str]] = {}
    for step in data["steps"]:
        for source in step["source"]:
            by_key.setdefault(source["key"], set()).add(one_line(printed_citation(source["citation"])))
    assert len(by_key) > 10
    # One entry per source; a source two files cite in their own words is listed in one of them.
    assert [key for key, names in by_key.items() if not any(name in text for name in names)] == []
