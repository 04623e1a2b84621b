"""The handout as PDF (``--format pdf``) and the day's print file (``batch --print-file``).

The facts each page must show come from the JSON of the same plan, so these tests check
the PDF against the plan. They need WeasyPrint and Pango: skipped without them, except
under ``CI=true``. The tests of a missing WeasyPrint and of the print file's pieces need neither.
"""

from __future__ import annotations

import builtins
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from kyphoprep.batch import print_file
from kyphoprep.cli.app import app
from kyphoprep.errors import InputError, MissingPartError, OutputError, RowsFailedError
from kyphoprep.i18n.words import words_for
from kyphoprep.render import pdf as pdf_module
from tests.pdf_tools import (
    page_sizes,
    page_texts,
    pdf_metadata,
    raw_page_texts,
    require_weasyprint,
    squeeze,
    unembedded_fonts,
)
from tests.scenarios import SCENARIOS
from tests.test_html import PLANS

TODAY = "2026-11-21"
LETTER = (612, 792)
A4 = (595, 842)
INSTALL_MESSAGE = (
    "Error: PDF output needs WeasyPrint, which is not installed: pip install 'kyphoprep[pdf]' (it also "
    "needs Pango from the system: on Debian or Ubuntu, apt-get install libpango-1.0-0 libpangoft2-1.0-0).\n"
)
PANGO_MESSAGE = (
    "Error: PDF output needs the Pango library, which WeasyPrint could not load: on Debian or Ubuntu, "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 (and pip install 'kyphoprep[pdf]').\n"
)


@pytest.fixture
def runner(runner: CliRunner) -> CliRunner:
    return CliRunner(env={**runner.env, "KYPHOPREP_CONFIG": None})


def invoke(runner: CliRunner, args: list[str]) -> Result:
    return runner.invoke(app, args)


def plan_pdf(runner: CliRunner, tmp_path: Path, name: str = "us-chicago", *extra: str) -> Path:
    target = tmp_path / f"{name}.pdf"
    result = invoke(runner, [*SCENARIOS[name], *extra, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote {target}\n"
    return target


def plan_json(runner: CliRunner, name: str = "us-chicago") -> dict[str, Any]:
    result = invoke(runner, [*SCENARIOS[name], "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def step(data: dict[str, Any], step_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["steps"] if s["id"] == step_id)
    return found


# --- one plan as PDF -----------------------------------------------------------------------------


def test_the_pdf_is_the_handout_on_letter_paper(runner: CliRunner, tmp_path: Path) -> None:
    """-o plan.pdf writes a PDF with as many Letter pages as WeasyPrint lays the HTML handout out on."""
    require_weasyprint()
    import weasyprint

    pdf = plan_pdf(runner, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF-")
    html = invoke(runner, [*SCENARIOS["us-chicago"], "--format", "html"]).stdout
    letter = html.replace("</head>", "<style>@page { size: letter; }</style></head>", 1)
    expected_pages = len(weasyprint.HTML(string=letter).render().pages)
    assert page_sizes(pdf) == [LETTER] * expected_pages
    assert expected_pages > 1  # so "every page" below means more than one


ISSUE_15_GOALS = [("issue-warfarin", 4), ("issue-warfarin-late", 4), ("issue-five", 5)]


@pytest.mark.parametrize(("name", "most"), ISSUE_15_GOALS)
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_issue_plans_fit_their_page_goal_as_pdf(
    runner: CliRunner, tmp_path: Path, name: str, most: int, paper: str
) -> None:
    """Issue 15's goals hold for --format pdf too: 4 pages for warfarin alone, 5 with five medicines."""
    require_weasyprint()
    target = tmp_path / f"{name}.pdf"
    result = invoke(runner, [*PLANS[name], "--paper", paper, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert len(page_sizes(target)) <= most


@pytest.mark.parametrize("day", ["2027-01-04", "2027-01-07", "2027-01-10"])  # Monday, Thursday, Sunday
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_five_medicine_plan_fits_five_pages_on_other_days(
    runner: CliRunner, tmp_path: Path, day: str, paper: str
) -> None:
    """Not only on the issue's date: a Monday's month grid has three weeks, and a weekend comes
    into the steps' days; the plan made two weeks before still prints on 5 pages."""
    require_weasyprint()
    target = tmp_path / "five.pdf"
    made = (datetime.fromisoformat(day) - timedelta(days=14)).date().isoformat()
    when = PLANS["issue-five"][1].replace("2026-12-03", day)
    args = [arg if arg != PLANS["issue-five"][1] else when for arg in PLANS["issue-five"]]
    args[args.index("--today") + 1] = made
    result = invoke(runner, [*args, "--paper", paper, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert len(page_sizes(target)) <= 5


def test_paper_a4_lays_the_pdf_out_on_a4(runner: CliRunner, tmp_path: Path) -> None:
    """--paper a4 (any case) gives every page the A4 size; the default stays Letter."""
    require_weasyprint()
    pdf = plan_pdf(runner, tmp_path, "us-chicago", "--paper", "A4")
    sizes = page_sizes(pdf)
    assert set(sizes) == {A4}
    assert len(sizes) > 1


def test_an_unknown_paper_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """--paper B5 is refused in one line, with exit 2, before anything is written."""
    target = tmp_path / "plan.pdf"
    result = invoke(runner, [*SCENARIOS["us-chicago"], "--paper", "B5", "-o", str(target)])
    assert result.exit_code == 2
    assert "Invalid value for '--paper': 'B5' is not one of 'letter', 'a4'." in result.stderr
    assert not target.exists()


def test_page_one_has_the_arrival_time(runner: CliRunner, tmp_path: Path) -> None:
    """Page 1 of the PDF says when to arrive (a key date, with its day) and when the procedure starts."""
    require_weasyprint()
    data = plan_json(runner)
    words = words_for("en")
    arrival = datetime.fromisoformat(data["procedure"]["arrival"])
    first = page_texts(plan_pdf(runner, tmp_path))[0]
    arrive = step(data, "arrive")["title"]
    assert squeeze(f"{words.date(arrival.date(), year=False)}, {words.time(arrival)}{arrive}") in first
    assert squeeze(data["procedure"]["start_text"]) in first


def test_page_one_has_the_last_doses_and_the_time_to_stop_eating(runner: CliRunner, tmp_path: Path) -> None:
    """Page 1 of the PDF holds the key dates: the last warfarin day and the time to stop eating."""
    require_weasyprint()
    data = plan_json(runner)
    words = words_for("en")
    first = page_texts(plan_pdf(runner, tmp_path))[0]
    warfarin = datetime.fromisoformat(step(data, "medicine-warfarin")["start"])
    assert squeeze(words.date(warfarin.date(), year=False)) in first
    stop_eating = step(data, "no-food-or-drink")
    assert squeeze(stop_eating["title"]) in first


def test_clinic_name_and_phone_on_every_page(runner: CliRunner, tmp_path: Path) -> None:
    """Every page of the PDF carries the clinic's name and phone, so a loose page says whom to call."""
    require_weasyprint()
    pages = page_texts(plan_pdf(runner, tmp_path))
    assert [squeeze("Lakeside Spine Center") in p and squeeze("Phone 555-0100") in p for p in pages] == [
        True
    ] * len(pages)


@pytest.mark.parametrize(
    ("name", "title", "author", "lang", "moment"),
    [
        (
            "us-chicago",
            "Your plan to get ready for kyphoplasty · Ann Lee",
            "Lakeside Spine Center",
            "en",
            "D:20261121060000Z",  # --today 2026-11-21, midnight in Chicago
        ),
        ("spanish-los-angeles", None, None, "es", None),
    ],
)
def test_metadata_comes_from_the_plan(
    runner: CliRunner,
    tmp_path: Path,
    name: str,
    title: str | None,
    author: str | None,
    lang: str,
    moment: str | None,
) -> None:
    """Title (the page's <title>), author (the clinic), language, dates (the plan's now); fonts embedded."""
    require_weasyprint()
    import re

    pdf = plan_pdf(runner, tmp_path, name)
    html = invoke(runner, [*SCENARIOS[name], "--format", "html"]).stdout
    html_title = re.search(r"<title>(.*?)</title>", html)
    assert html_title is not None
    info = pdf_metadata(pdf)
    expected_title = title if title is not None else html_title.group(1)
    assert info["/Title"] == expected_title == html_title.group(1)
    assert info["/Lang"] == lang
    assert info["/Creator"] == "kyphoprep"
    data = plan_json(runner, name)
    now = datetime.fromisoformat(data["inputs"]["today"])
    if moment is None:
        moment = "D:" + now.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")
    assert info["/CreationDate"] == info["/ModDate"] == moment
    if author is not None:
        assert info["/Author"] == author
    assert unembedded_fonts(pdf) == []


def test_same_input_same_bytes(runner: CliRunner, tmp_path: Path) -> None:
    """Two runs a moment apart give the same bytes: nothing in the PDF comes from the clock."""
    require_weasyprint()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = plan_pdf(runner, tmp_path / "a").read_bytes()
    assert plan_pdf(runner, tmp_path / "b").read_bytes() == first
    stdout = invoke(runner, [*SCENARIOS["us-chicago"], "--format", "pdf"]).stdout_bytes
    assert stdout == first


def test_the_pdf_is_refused_on_a_terminal(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """--format pdf to a terminal: exit 2 and a hint, nothing written, WeasyPrint not even needed."""
    from kyphoprep.cli import planning

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(planning, "sys", type("FakeSys", (), {"stdout": Terminal(), "stderr": sys.stderr}))
    result = invoke(runner, [*SCENARIOS["us-chicago"], "--format", "pdf"])
    assert result.exit_code == InputError.exit_code
    assert result.stderr == (
        "Error: --format pdf makes a file, not text for the screen. Give a file name, such as -o plan.pdf.\n"
    )


# --- WeasyPrint missing ----------------------------------------------------------------------------


@pytest.fixture
def no_weasyprint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``import weasyprint`` fails, as where the extra is not installed."""
    pdf_module.weasyprint.cache_clear()
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # None in sys.modules: ImportError
    yield
    pdf_module.weasyprint.cache_clear()


@pytest.fixture
def no_pango(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``import weasyprint`` raises OSError, as when cffi cannot load Pango."""
    real_import = builtins.__import__

    def failing(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object")
        return real_import(name, *args, **kwargs)

    pdf_module.weasyprint.cache_clear()
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", failing)
    yield
    pdf_module.weasyprint.cache_clear()


@pytest.mark.usefixtures("no_weasyprint")
def test_without_weasyprint_plan_says_how_to_install_it(runner: CliRunner, tmp_path: Path) -> None:
    """Without WeasyPrint, --format pdf is one line saying how to install the extra, exit 2."""
    target = tmp_path / "plan.pdf"
    result = invoke(runner, [*SCENARIOS["us-chicago"], "-o", str(target)])
    assert result.exit_code == MissingPartError.exit_code == 2
    assert result.stderr == INSTALL_MESSAGE
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("no_pango")
def test_without_pango_plan_says_which_packages(runner: CliRunner, tmp_path: Path) -> None:
    """With WeasyPrint but no Pango, the error names the Debian packages to install, exit 2."""
    result = invoke(runner, [*SCENARIOS["us-chicago"], "--format", "pdf", "-o", str(tmp_path / "p.pdf")])
    assert result.exit_code == 2
    assert result.stderr == PANGO_MESSAGE
    assert list(tmp_path.iterdir()) == []


ROSTER = """\
patient_id,name,when,tz,meds,driver,facility,phone
P-1,Ann Lee,2026-12-03 09:30,America/Chicago,warfarin=5d,Tom Lee,Lakeside Spine Center,555-0100
P-2,Bob Ray,2026-12-03 07:00,America/Chicago,metformin,Sue Ray,Hill Clinic,555-0199
P-3,Cy Day,2026-13-01 07:00,America/Chicago,,,,
P-4,Di Fox,2026-12-03 08:00,America/New_York,warfrin=5d,,,
P-5,Ed Orr,2026-12-03 08:00,America/Chicago,,,River Clinic,555-0123
"""
ORDER = [
    ("Bob Ray", "P-2", "Hill Clinic", "555-0199"),  # 7:00 in Chicago
    ("Ed Orr", "P-5", "River Clinic", "555-0123"),  # 8:00
    ("Ann Lee", "P-1", "Lakeside Spine Center", "555-0100"),  # 9:30
]
"""The planned rows in appointment order (name, id, clinic, phone); rows 4 (P-3) and 5 (P-4) fail."""
COVER_ROWS = [
    (4, "P-3", "the 'when' cell cannot be used"),
    (5, "P-4", "the 'meds' cell cannot be used"),
]


def batch(runner: CliRunner, tmp_path: Path, *args: str, roster: str = ROSTER) -> Result:
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    return invoke(
        runner,
        ["batch", str(tmp_path / "roster.csv"), "--out", str(tmp_path / "plans"), "--today", TODAY, *args],
    )


@pytest.mark.usefixtures("no_weasyprint")
@pytest.mark.parametrize(
    "args", [["--format", "pdf,ics"], ["--format", "ics", "--print-file", "{tmp}/day.pdf"]]
)
def test_without_weasyprint_batch_stops_before_any_row(
    runner: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    """A batch asked for PDFs without WeasyPrint stops before planning any row or making a folder."""
    result = batch(runner, tmp_path, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2
    assert result.stderr == INSTALL_MESSAGE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]


@pytest.mark.usefixtures("no_weasyprint")
def test_an_html_print_file_needs_no_weasyprint(runner: CliRunner, tmp_path: Path) -> None:
    """The HTML print file is made without WeasyPrint: only a PDF needs it."""
    result = batch(runner, tmp_path, "--format", "ics", "--print-file", str(tmp_path / "day.html"))
    assert result.exit_code == RowsFailedError.exit_code
    assert (tmp_path / "day.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>\n")


# --- the print file --------------------------------------------------------------------------------


def page_owners(pages: list[str]) -> list[str]:
    """Whose each page is, by the names on it ("cover" for the page that names no patient)."""
    owners = []
    for text in pages:
        names = [name for name, *_ in ORDER if squeeze(name) in text]
        owners.append(names[0] if len(names) == 1 else "cover" if not names else "+".join(names))
    return owners


def when_text(patient_id: str) -> str:
    words = words_for("en")
    starts = {
        "P-1": datetime.fromisoformat("2026-12-03T09:30:00-06:00"),
        "P-2": datetime.fromisoformat("2026-12-03T07:00:00-06:00"),
        "P-5": datetime.fromisoformat("2026-12-03T08:00:00-06:00"),
    }
    return words.moment(starts[patient_id])


def check_print_pages(pages: list[str], raw: list[str]) -> None:
    """Cover first, then each patient's pages together in appointment order, each page headed and
    footed with that patient's name, time, clinic and phone, and no other patient's."""
    owners = page_owners(pages)
    assert owners[0] == "cover"
    runs = [owners[0]]
    for owner in owners[1:]:
        if owner != runs[-1]:
            runs.append(owner)
    assert runs == ["cover", *[name for name, *_ in ORDER]]
    for text, lines, owner in zip(pages[1:], raw[1:], owners[1:], strict=True):
        name, patient_id, clinic, phone = next(o for o in ORDER if o[0] == owner)
        assert lines.splitlines()[-2].startswith(f"{name} · {when_text(patient_id)}")
        assert squeeze(clinic) in text
        assert squeeze(f"Phone {phone}") in text
        for other_name, _other_id, other_clinic, other_phone in ORDER:
            if other_name != name:
                assert squeeze(other_name) not in text
                assert squeeze(other_clinic) not in text
                assert squeeze(other_phone) not in text
    cover = pages[0]
    for row, patient_id, reason in COVER_ROWS:
        assert squeeze(f"{row} {patient_id} {reason}") in cover
    assert "warfrin" not in cover
    assert "2026-13-01" not in cover


def test_print_file_pdf(runner: CliRunner, tmp_path: Path) -> None:
    """The day's PDF print file holds every handout in appointment order, each with its own header."""
    require_weasyprint()
    day = tmp_path / "day.pdf"
    result = batch(runner, tmp_path, "--format", "pdf,ics", "--print-file", str(day))
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr.splitlines()[-3:] == [
        f"Wrote {day}: 3 handouts in appointment order; 2 failed rows listed on its cover.",
        f"Done: 3 of 5 rows planned, 6 files written to {tmp_path / 'plans'}. 2 failed.",
        "Error: 2 of 5 rows failed (see above); the other plans were written.",
    ]
    assert sorted(p.name for p in (tmp_path / "plans").iterdir()) == [
        ".kyphoprep-batch.json",  # the record of when each row was made (batch --skip-existing)
        "P-1.ics",
        "P-1.pdf",
        "P-2.ics",
        "P-2.pdf",
        "P-5.ics",
        "P-5.pdf",
    ]
    pages = page_texts(day)
    check_print_pages(pages, raw_page_texts(day))
    # Each patient's pages are that patient's whole handout, numbered on their own.
    singles = {pid: len(page_texts(tmp_path / "plans" / f"{pid}.pdf")) for _, pid, *_ in ORDER}
    assert len(pages) == 1 + sum(singles.values())
    assert page_sizes(day) == [LETTER] * len(pages)
    assert unembedded_fonts(day) == []
    info = pdf_metadata(day)
    assert info["/Title"] == "The day's handouts: 3 patients"
    assert info["/CreationDate"] == info["/ModDate"] == "D:20261121000000Z"  # --today, read in UTC
    assert info["/Lang"] == "en"
    assert "/Author" not in info  # the rows have different clinics; the batch names none


def test_print_file_html(runner: CliRunner, tmp_path: Path) -> None:
    """The HTML print file, laid out by a paged-media engine, has the same pages as the PDF one."""
    require_weasyprint()
    import weasyprint

    day = tmp_path / "day.html"
    result = batch(runner, tmp_path, "--format", "text", "--print-file", str(day))
    assert result.exit_code == RowsFailedError.exit_code
    pdf = tmp_path / "day-from-html.pdf"
    weasyprint.HTML(string=day.read_text(encoding="utf-8")).write_pdf(pdf)
    check_print_pages(page_texts(pdf), raw_page_texts(pdf))


def test_print_file_is_the_same_bytes_twice(runner: CliRunner, tmp_path: Path) -> None:
    """The same roster gives the same print file bytes, so a rerun can be compared."""
    require_weasyprint()
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    assert batch(runner, first, "--format", "ics", "--print-file", str(first / "day.pdf")).exit_code == 6
    assert batch(runner, second, "--format", "ics", "--print-file", str(second / "day.pdf")).exit_code == 6
    assert (first / "day.pdf").read_bytes() == (second / "day.pdf").read_bytes()


def test_print_file_on_a4(runner: CliRunner, tmp_path: Path) -> None:
    """batch --paper a4: the day's print file and each patient's PDF are on A4, cover included."""
    require_weasyprint()
    day = tmp_path / "day.pdf"
    result = batch(runner, tmp_path, "--format", "pdf", "--paper", "a4", "--print-file", str(day))
    assert result.exit_code == 6, result.output  # the roster has rows that fail: they are on the cover
    assert set(page_sizes(day)) == {A4}
    pdfs = sorted(tmp_path.glob("plans/*.pdf"))
    assert pdfs
    assert all(set(page_sizes(pdf)) == {A4} for pdf in pdfs)


def test_print_file_without_failures_has_no_cover(runner: CliRunner, tmp_path: Path) -> None:
    """A day with no failed rows starts with the first patient, not a cover page."""
    good = "".join(line + "\n" for line in ROSTER.splitlines() if not line.startswith(("P-3", "P-4")))
    day = tmp_path / "day.html"
    result = batch(runner, tmp_path, "--format", "json", "--print-file", str(day), roster=good)
    assert result.exit_code == 0, result.output
    text = day.read_text(encoding="utf-8")
    assert 'class="kp-cover"' not in text
    sections = [line for line in text.splitlines() if line.startswith('<section class="kp-patient')]
    assert sections == [
        '<section class="kp-patient kp-row-3" lang="en">',
        '<section class="kp-patient kp-row-4" lang="en">',
        '<section class="kp-patient kp-row-2" lang="en">',
    ]


@pytest.mark.parametrize("name", ["day.txt", "day.ics", "day"])
def test_print_file_bad_ending(runner: CliRunner, tmp_path: Path, name: str) -> None:
    """A print file whose name ends in neither .pdf nor .html is refused before anything is written."""
    result = batch(runner, tmp_path, "--print-file", str(tmp_path / name))
    assert result.exit_code == InputError.exit_code
    assert result.stderr == (
        f"Error: --print-file '{tmp_path / name}': the name must end in .pdf or .html, which say what to "
        "write (such as --print-file day.pdf).\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]


def test_print_file_is_not_replaced_without_force(runner: CliRunner, tmp_path: Path) -> None:
    """An existing print file is kept unless --force is given (exit 5)."""
    day = tmp_path / "day.html"
    day.write_text("keep me", encoding="utf-8")
    result = batch(runner, tmp_path, "--format", "json", "--print-file", str(day))
    assert result.exit_code == OutputError.exit_code
    assert (
        result.stderr
        == f"Error: '{day}' already exists. Add --force to replace it, or choose another name.\n"
    )
    assert day.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "plans").exists()  # refused before any row was planned
    result = batch(runner, tmp_path, "--format", "json", "--print-file", str(day), "--force")
    assert result.exit_code == RowsFailedError.exit_code
    assert day.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_print_file_may_go_in_the_new_out_folder(runner: CliRunner, tmp_path: Path) -> None:
    """The print file may be named inside the --out folder that the run itself creates."""
    day = tmp_path / "plans" / "day.html"
    result = batch(runner, tmp_path, "--format", "json", "--print-file", str(day))
    assert result.exit_code == RowsFailedError.exit_code
    assert day.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_print_file_in_a_missing_folder(runner: CliRunner, tmp_path: Path) -> None:
    """A print file in a folder that does not exist is refused before any row is planned."""
    day = tmp_path / "nowhere" / "day.html"
    result = batch(runner, tmp_path, "--format", "json", "--print-file", str(day))
    assert result.exit_code == OutputError.exit_code
    missing = tmp_path / "nowhere"
    assert result.stderr == (
        f"Error: The folder '{missing}' does not exist. Create it first or choose another place.\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]


def test_print_file_pieces_are_removed(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The private folder of pieces is gone after the run."""
    made: list[str] = []
    real = print_file.make_folder

    def recording() -> str:
        made.append(real())
        return made[-1]

    monkeypatch.setattr("kyphoprep.cli.batch.make_folder", recording)
    batch(runner, tmp_path, "--format", "json", "--print-file", str(tmp_path / "day.html"))
    assert len(made) == 1
    assert not Path(made[0]).exists()


# --- pieces of the HTML print file ----------------------------------------------------------------


def test_page_rules_are_split_from_the_rest() -> None:
    """Each patient's @page rules are kept apart from the shared stylesheet in the HTML print file."""
    css = (
        '@page { margin: 1in; @top-right { content: "a } b { c"; } }\n'
        "/* @page { not a rule } */ p { color: #000; }\n"
        "@page :first { margin: 2in; }\n@media print { h1 { font-size: 20pt; } }\n"
    )
    pages, rest = print_file.split_page_rules(css)
    assert pages == [
        ("", '@page { margin: 1in; @top-right { content: "a } b { c"; } }'),
        (":first", "\n@page :first { margin: 2in; }"),
    ]
    assert rest == "/* @page { not a rule } */ p { color: #000; }\n@media print { h1 { font-size: 20pt; } }\n"
    assert print_file.renamed_page_rule("", pages[0][1], "kp-row-2").startswith(
        "@page kp-row-2 { margin: 1in;"
    )
    assert (
        print_file.renamed_page_rule(":first", pages[1][1], "kp-row-2")
        == "@page kp-row-2:first { margin: 2in; }"
    )


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--facility", '</style><script>x</script> "Q" \\ }{', "--phone", "}{;"],
        ["--lang", "es"],
        ["--patient", "Zoë } @page {"],
    ],
)
def test_the_stylesheet_outside_the_pages_is_the_same_for_every_plan(
    runner: CliRunner, extra: list[str]
) -> None:
    """What the print file writes once must hold nothing of one plan: every clinic, name and phone
    is in the @page rules, which each patient has renamed to pages of their own."""
    base = invoke(runner, [*SCENARIOS["us-chicago"], "--format", "html"]).stdout_bytes
    other = invoke(runner, [*SCENARIOS["us-chicago"], *extra, "--format", "html"]).stdout_bytes
    first = print_file.html_piece(base, 2, "x", "en")
    second = print_file.html_piece(other, 3, "y", "en")
    assert first["rest"] == second["rest"]
    assert "Lakeside" not in first["rest"]
    assert "555-0100" not in first["rest"]


def test_cover_reasons_name_no_cell_value() -> None:
    """The cover page names a failed row's column, never the value typed in it (no medical details)."""
    assert print_file.reason_shown("meds", "--med 'warfrin' is not in the list", output=False) == (
        "the 'meds' cell cannot be used"
    )
    assert print_file.reason_shown("patient_id", "is empty.", output=False) == "is empty."
    assert print_file.reason_shown(None, "P-1.txt already exists", output=True) == "P-1.txt already exists"
    assert print_file.reason_shown(None, "warfarin and ... contradict", output=False) == (
        "the plan could not be made"
    )


def test_appointment_order_is_start_then_row() -> None:
    """Handouts are ordered by procedure start, and by row number for the same start."""
    items = [
        print_file.Printed("2026-12-03T15:00:00+00:00", 2, "b"),
        print_file.Printed("2026-12-03T14:00:00+00:00", 9, "c"),
        print_file.Printed("2026-12-03T14:00:00+00:00", 3, "a"),
    ]
    assert [p.row for p in print_file.ordered(items)] == [3, 9, 2]
