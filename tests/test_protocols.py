"""Shipped protocols load and cover the seeds; broken files name the file, step and field."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kyphoprep.data.protocols import (
    MAX_SIZE,
    builtin_protocol_names,
    check_protocol_file,
    check_protocol_text,
    load_builtin_protocol,
    load_protocol_file,
    parse_protocol_text,
)
from kyphoprep.errors import ChecklistError
from tests.protocol_texts import MINIMAL_PROTOCOL

REQUIRED_TOPICS = {
    # topic: step or warning-sign ids that must exist in every shipped protocol
    "pre-visit with blood tests and imaging": "checkup-visit",
    "tell every medicine": "tell-medicines",
    "blood thinners only as the doctor says": "ask-blood-thinners",
    "stop smoking": "stop-smoking",
    "driver": "arrange-driver",
    "adult for 24 hours": "arrange-companion",
    "no food or drink after midnight": "no-food-or-drink",
    "what to bring": "pack-bag",
    "consent, IV, anesthesia talk": "checks-and-consent",
    "arrival": "arrive",
    "lying flat": "lie-flat",
    "no driving 24 hours": "no-driving",
    "bandage 2 days, showers": "keep-bandage-on",
    "ice": "ice-for-soreness",
    "no heavy lifting 6 weeks": "no-heavy-lifting",
}


def test_both_procedures_ship() -> None:
    """kyphoplasty and vertebroplasty are found in the installed package."""
    assert builtin_protocol_names() == ["kyphoplasty", "vertebroplasty"]


@pytest.mark.parametrize("name", ["kyphoplasty", "vertebroplasty"])
def test_protocol_covers_every_seed_topic(name: str) -> None:
    """Every preparation, day-of and after-care topic the issue lists is a step."""
    protocol = load_builtin_protocol(name)
    ids = {s.id for s in protocol.steps}
    missing = {topic for topic, step_id in REQUIRED_TOPICS.items() if step_id not in ids}
    assert not missing
    levels = {sign.level for sign in protocol.warning_signs}
    assert levels == {"call", "emergency"}
    assert {s.id for s in protocol.steps} == {s.id for s in load_builtin_protocol("kyphoplasty").steps}


@pytest.mark.parametrize("name", ["kyphoplasty", "vertebroplasty"])
def test_every_step_has_a_source_and_a_short_title(name: str) -> None:
    """Titles fit a calendar entry and every step cites at least one source."""
    for step in load_builtin_protocol(name).steps:
        assert len(step.title) <= 60
        assert step.sources


def test_bring_list_has_the_four_items() -> None:
    """What to bring: medicine list, ID, insurance card, imaging."""
    pack = next(s for s in load_builtin_protocol("kyphoplasty").steps if s.id == "pack-bag")
    text = " ".join(pack.items).lower()
    for word in ("medicines", "id", "insurance", "mri"):
        assert word in text


def test_format_is_documented() -> None:
    """checklists/README.md ships and documents every timing rule."""
    readme = (resources.files("kyphoprep.checklists") / "README.md").read_text(encoding="utf-8")
    for rule in ("days-before", "days-after", "midnight-before", "before", "after", "arrival", "procedure"):
        assert f"`{rule}`" in readme


GOOD = MINIMAL_PROTOCOL

BROKEN = [
    ("not-toml", GOOD + "[[steps]\n", r"^demo\.toml: not valid TOML \(.*\)$"),
    ("bad-format", GOOD.replace("format = 1", "format = 2"), r"^demo\.toml, field 'format': must be 1$"),
    (
        "unknown-top",
        "colour = 1\n" + GOOD,
        r"^demo\.toml, field 'colour': unknown field \(check the spelling\)$",
    ),
    (
        "unknown-rule",
        GOOD.replace('rule = "days-before", days = 2, at = "09:00"', 'rule = "weeks-before"'),
        (
            r"^demo\.toml, step 'one', field 'when\.rule': rule must be one of: days-before, days-after, "
            r"midnight-before, before, after, arrival, procedure$"
        ),
    ),
    (
        "bad-clock",
        GOOD.replace('at = "09:00"', 'at = "9am"'),
        r"^demo\.toml, step 'one', field 'when\.at': must be a 24-hour clock time such as \"09:00\"$",
    ),
    (
        "negative-days",
        GOOD.replace("days = 2", "days = -2"),
        r"^demo\.toml, step 'one', field 'when\.days': must be between 0 and 366$",
    ),
    (
        "extra-rule-key",
        GOOD.replace("days = 2,", "days = 2, hours = 3,"),
        r"^demo\.toml, step 'one', field 'when\.hours': 'hours' does not belong to rule 'days-before'$",
    ),
    (
        "bad-category",
        GOOD.replace('category = "prepare"', 'category = "misc"'),
        (
            r"^demo\.toml, step 'one', field 'category': 'misc' is not one of: prepare, medicines, "
            r"food-and-drink, day-of, after-care$"
        ),
    ),
    (
        "unknown-source",
        GOOD.replace('source = ["s1"]', 'source = ["s2"]'),
        r"^demo\.toml, step 'one', field 'source': unknown source 's2' \(add it to \[sources\]\)$",
    ),
    (
        "long-title",
        GOOD.replace('title = "Step one"', f'title = "{"x" * 61}"'),
        r"^demo\.toml, step 'one', field 'title': keep titles to 60 characters",
    ),
    (
        "no-detail",
        GOOD.replace('detail = "Do it."', ""),
        r"^demo\.toml, step 'one', field 'detail': must be a non-empty string$",
    ),
    (
        "duplicate-id",
        GOOD + GOOD[GOOD.index("[[steps]]") :],
        r"^demo\.toml, step 'one', field 'id': the step id is used twice$",
    ),
    (
        "bad-id",
        GOOD.replace('id = "one"', 'id = "One Step"'),
        r"^demo\.toml, step 'steps #1', field 'id': needs an id of lower-case letters, digits and '-'$",
    ),
    (
        "both-hours-minutes",
        GOOD.replace(
            'rule = "days-before", days = 2, at = "09:00"', 'rule = "before", hours = 2, minutes = 3'
        ),
        r"^demo\.toml, step 'one', field 'when': give either hours or minutes$",
    ),
    (
        "bool-minutes",
        GOOD.replace('source = ["s1"]', 'source = ["s1"]\nminutes = true'),
        r"^demo\.toml, step 'one', field 'minutes': must be a whole number$",
    ),
    # Control characters would reach the handouts and the calendar as they are (an ESC rewrites the
    # terminal a text handout is shown on; a line break starts a new line in a title).
    (
        "escape-in-detail",
        GOOD.replace('detail = "Do it."', 'detail = "Do it.\\u001b[2J"'),
        (
            r"^demo\.toml, step 'one', field 'detail': contains the control character U\+001B; remove it "
            r"\(line breaks are fine here\)\.$"
        ),
    ),
    (
        "line-break-in-title",
        GOOD.replace('title = "Step one"', 'title = "Step\\nBEGIN:VEVENT"'),
        (
            r"^demo\.toml, step 'one', field 'title': contains a line break or control character "
            r"\(U\+000A\); write it on one line\.$"
        ),
    ),
    (
        "tab-in-item",
        GOOD.replace('source = ["s1"]', 'source = ["s1"]\nitems = ["Cards", "Pill\\tbox"]'),
        (
            r"^demo\.toml, step 'one', field 'items': contains a line break or control character "
            r"\(U\+0009\); write it on one line\.$"
        ),
    ),
    (
        "escape-in-spanish-detail",
        GOOD.replace('source = ["s1"]', 'source = ["s1"]\nes.title = "Uno"\nes.detail = "Hágalo.\\u001b"'),
        (
            r"^demo\.toml, step 'one', field 'es\.detail': contains the control character U\+001B; remove "
            r"it \(line breaks are fine here\)\.$"
        ),
    ),
    (
        "right-to-left-override-in-summary",
        GOOD.replace('summary = "A demo."', 'summary = "A \\u202edemo."'),
        (
            r"^demo\.toml, field 'summary': contains a line break or control character \(U\+202E\); write "
            r"it on one line\.$"
        ),
    ),
    (
        "line-break-in-citation",
        GOOD.replace('s1 = "A source"', 's1 = "A\\nsource"'),
        (
            r"^demo\.toml, field 'sources\.s1': contains a line break or control character \(U\+000A\); "
            r"write it on one line\.$"
        ),
    ),
    (
        "bell-in-warning-sign",
        GOOD + '[[warning_signs]]\nid = "fever"\nlevel = "call"\ntext = "A fever\\u0007"\nsource = "s1"\n',
        (
            r"^demo\.toml, step 'fever', field 'text': contains the control character U\+0007; remove it "
            r"\(line breaks are fine here\)\.$"
        ),
    ),
]


@pytest.mark.parametrize(("text", "pattern"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_protocol_names_file_step_and_field(text: str, pattern: str) -> None:
    """Each kind of mistake is reported with where it is and what to do."""
    with pytest.raises(ChecklistError) as caught:
        parse_protocol_text(text, "demo.toml")
    assert re.search(pattern, str(caught.value)), str(caught.value)
    assert caught.value.exit_code == 4


def test_good_protocol_parses() -> None:
    """The minimal example above is valid (so the broken cases each test one thing)."""
    protocol = parse_protocol_text(GOOD, "demo.toml")
    assert [s.id for s in protocol.steps] == ["one"]


# --- check_protocol_text: every problem, not just the first ------------------------------


def _messages(text: str) -> list[str]:
    return [str(problem) for problem in check_protocol_text(text, "demo.toml")]


@pytest.mark.parametrize("name", ["kyphoplasty", "vertebroplasty"])
def test_shipped_protocols_have_no_problems(name: str) -> None:
    """Each built-in file passes the full check."""
    text = (resources.files("kyphoprep.checklists") / f"{name}.toml").read_text(encoding="utf-8")
    assert check_protocol_text(text, f"{name}.toml") == []


def test_example_protocol_has_no_problems() -> None:
    """The worked example in docs/ passes the full check."""
    path = Path(__file__).parent.parent / "docs" / "examples" / "sacroplasty.toml"
    assert check_protocol_file(str(path)) == []


@pytest.mark.parametrize(("text", "pattern"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_check_reports_each_mistake_as_loading_does(text: str, pattern: str) -> None:
    """A file with one mistake has one problem, with the same words loading it gives."""
    problems = check_protocol_text(text, "demo.toml")
    assert len(problems) == 1, problems
    assert re.search(pattern, str(problems[0])), str(problems[0])
    with pytest.raises(ChecklistError) as caught:
        parse_protocol_text(text, "demo.toml")
    assert str(caught.value) == str(problems[0])
    assert problems[0].exit_code == 4


def test_every_problem_in_one_step_is_reported() -> None:
    """Title too long, bad category, an unknown source, a bad rule: all four, in file order."""
    text = (
        GOOD.replace('title = "Step one"', f'title = "{"x" * 61}"')
        .replace('category = "prepare"', 'category = "misc"')
        .replace('source = ["s1"]', 'source = ["s2", "s1", "s3"]')
        .replace('at = "09:00"', 'at = "9am"')
    )
    assert _messages(text) == [
        "demo.toml, step 'one', field 'title': keep titles to 60 characters (calendar entries cut them)",
        (
            "demo.toml, step 'one', field 'category': 'misc' is not one of: prepare, medicines, "
            "food-and-drink, day-of, after-care"
        ),
        "demo.toml, step 'one', field 'when.at': must be a 24-hour clock time such as \"09:00\"",
        "demo.toml, step 'one', field 'source': unknown source 's2' (add it to [sources])",
        "demo.toml, step 'one', field 'source': unknown source 's3' (add it to [sources])",
    ]


STEP = GOOD[GOOD.index("[[steps]]") :]


def test_unknown_fields_in_three_steps_are_three_problems() -> None:
    """One problem per step, each naming its step."""
    steps = "".join(
        STEP.replace('id = "one"', f'id = "{n}"').replace(
            'detail = "Do it."', f'detail = "Do it."\n{key} = 1'
        )
        for n, key in (("one", "colour"), ("two", "notes"), ("three", "tittle"))
    )
    text = GOOD[: GOOD.index("[[steps]]")] + steps
    assert _messages(text) == [
        "demo.toml, step 'one', field 'colour': unknown field (check the spelling)",
        "demo.toml, step 'two', field 'notes': unknown field (check the spelling)",
        "demo.toml, step 'three', field 'tittle': unknown field (check the spelling)",
    ]


def test_problems_in_different_steps_are_all_reported() -> None:
    """A bad 'when' in one step and a missing title in another."""
    first = STEP.replace('rule = "days-before", days = 2, at = "09:00"', 'rule = "weeks-before"')
    second = STEP.replace('id = "one"', 'id = "two"').replace('title = "Step one"', "")
    assert _messages(GOOD[: GOOD.index("[[steps]]")] + first + second) == [
        (
            "demo.toml, step 'one', field 'when.rule': rule must be one of: days-before, days-after, "
            "midnight-before, before, after, arrival, procedure"
        ),
        "demo.toml, step 'two', field 'title': must be a non-empty string",
    ]


def test_top_level_problems_are_each_reported() -> None:
    """format, id, name, summary, the numbers, a clock time and [sources], in file order."""
    text = (
        GOOD.replace("format = 1", "format = 2\ncolour = 1")
        .replace('id = "demo"', 'id = "Demo"')
        .replace('name = "Demo"', 'name = ""')
        .replace('summary = "A demo."\n', "")
        .replace("procedure_minutes = 60", "procedure_minutes = 0")
        .replace("arrive_minutes = 60", 'arrive_minutes = "60"')
        .replace("reminder_minutes = 30", "reminder_minutes = true")
        .replace('"08:00"', '"8am"')
        .replace('s1 = "A source"', 's1 = "A source"\ns2 = ""')
    )
    assert _messages(text) == [
        "demo.toml, field 'format': must be 1",
        "demo.toml, field 'colour': unknown field (check the spelling)",
        "demo.toml, field 'id': use lower-case letters, digits and '-'",
        "demo.toml, field 'name': must be a non-empty string",
        "demo.toml, field 'summary': must be a non-empty string",
        "demo.toml, field 'procedure_minutes': must be between 5 and 600",
        "demo.toml, field 'arrive_minutes': must be a whole number",
        "demo.toml, field 'reminder_minutes': must be a whole number",
        "demo.toml, field 'medicine_reminder_at': must be a 24-hour clock time such as \"09:00\"",
        "demo.toml, field 'sources.s2': each source needs a citation text",
    ]


def test_repeated_ids_are_each_reported() -> None:
    """Every repeat of a step id, even in a step with another problem; warning signs too."""
    sign = '[[warning_signs]]\nid = "fever"\nlevel = "call"\ntext = "A fever"\nsource = "s1"\n'
    broken = STEP.replace('category = "prepare"', 'category = "misc"')
    text = GOOD + STEP + broken + sign + sign
    messages = _messages(text)
    assert messages == [
        "demo.toml, step 'one', field 'id': the step id is used twice",
        "demo.toml, step 'one', field 'id': the step id is used twice",
        (
            "demo.toml, step 'one', field 'category': 'misc' is not one of: prepare, medicines, "
            "food-and-drink, day-of, after-care"
        ),
        "demo.toml, step 'fever', field 'id': the warning sign id is used twice",
    ]


def test_a_broken_sources_table_is_one_problem() -> None:
    """Without [sources], the steps' source keys are not reported as unknown as well."""
    text = GOOD.replace('[sources]\ns1 = "A source"\n', "")
    assert _messages(text) == ["demo.toml, field 'sources': a table of source keys and citations is required"]


def test_no_steps_is_a_problem_but_broken_steps_are_not_also_missing() -> None:
    """'needs at least one step' only when there are none, not when every step has a problem."""
    head = GOOD[: GOOD.index("[[steps]]")]
    assert _messages(head) == ["demo.toml, field 'steps': a protocol needs at least one step"]
    assert _messages(head + STEP.replace('category = "prepare"', "")) == [
        "demo.toml, step 'one', field 'category': must be a non-empty string"
    ]


def test_check_protocol_file_reports_unreadable_files(tmp_path: Path) -> None:
    """Missing, a folder, not UTF-8, not TOML: one problem each; a good file: none."""
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "latin1.toml").write_bytes("name = 'Caf\xe9'".encode("latin-1"))
    (tmp_path / "broken.toml").write_text("[[steps]\n", encoding="utf-8")
    assert check_protocol_file(str(tmp_path / "good.toml")) == []
    for name, message in (
        ("missing.toml", "no such protocol file. Check the path."),
        ("", "is a folder; give the protocol file itself."),
        ("latin1.toml", "is not UTF-8 text. Save it as UTF-8."),
        ("broken.toml", "not valid TOML ("),
    ):
        path = str(tmp_path / name)
        (problem,) = check_protocol_file(path)
        assert str(problem).startswith(f"{path}: {message}")


def test_line_breaks_and_tabs_in_a_detail_are_only_layout() -> None:
    """A long detail may be written as a multi-line TOML string: its line breaks and tabs become spaces."""
    text = GOOD.replace('detail = "Do it."', 'detail = """\n\tDo it\r\n  today.\n"""') + (
        '[[warning_signs]]\nid = "fever"\nlevel = "call"\ntext = """A fever\nover 101 F."""\nsource = "s1"\n'
    )
    assert check_protocol_text(text, "demo.toml") == []
    protocol = parse_protocol_text(text, "demo.toml")
    assert protocol.steps[0].detail == "Do it today."
    assert protocol.warning_signs[0].text == "A fever over 101 F."


def test_every_control_character_in_a_file_is_reported_by_check() -> None:
    """protocols check lists each field holding one, in file order, and drops no other problem."""
    text = GOOD.replace('title = "Step one"', 'title = "Step\\u0000one"').replace(
        'detail = "Do it."', 'detail = "Do\\u001bit."\nitems = ["a\\u2028b"]'
    )
    one_line = "contains a line break or control character ({}); write it on one line."
    assert [str(p) for p in check_protocol_text(text, "demo.toml")] == [
        "demo.toml, step 'one', field 'title': " + one_line.format("U+0000"),
        "demo.toml, step 'one', field 'detail': contains the control character U+001B; remove it (line "
        + "breaks are fine here).",
        "demo.toml, step 'one', field 'items': " + one_line.format("U+2028"),
    ]


def test_a_protocol_file_is_read_up_to_1_mib(tmp_path: Path) -> None:
    """The size is not asked (a device or a pipe says 0): at most 1 MiB is read, and more is refused."""
    path = tmp_path / "padded.toml"
    padding = MAX_SIZE - len(GOOD.encode())
    path.write_bytes(GOOD.encode() + b"#" * (padding - 1) + b"\n")  # exactly 1 MiB: read
    assert load_protocol_file(str(path)).id == "demo"
    path.write_bytes(GOOD.encode() + b"#" * padding + b"\n")  # one byte more
    message = f"{path}: is larger than 1 MiB; is this the right file?"
    with pytest.raises(ChecklistError) as caught:
        load_protocol_file(str(path))
    assert str(caught.value) == message
    assert [str(p) for p in check_protocol_file(str(path))] == [message]


@pytest.mark.parametrize(("path", "shown"), [("", "empty"), ("  ", "only spaces")])
def test_an_empty_protocol_path_is_named_as_such(path: str, shown: str) -> None:
    """Path('') is the current folder: it was reported as ': is a folder', naming no file."""
    message = f"The protocol file name is {shown}. Give the path of a protocol file, such as clinic/"
    message += "sacroplasty.toml."
    assert [str(p) for p in check_protocol_file(path)] == [message]
    with pytest.raises(ChecklistError) as caught:
        load_protocol_file(path)
    assert str(caught.value) == message


# Values of every TOML type, to put in any field of a protocol.
_SCALARS = st.one_of(
    st.integers(-2000, 2000),
    st.booleans(),
    st.sampled_from(["", "one", "s1", "prepare", "09:00", "midnight", "asa", "call", "x" * 70]),
)
_RULES = st.fixed_dictionaries(
    {"rule": st.sampled_from(["days-before", "before", "arrival", "procedure", "weeks", ""])},
    optional={"days": _SCALARS, "at": _SCALARS, "hours": _SCALARS, "minutes": _SCALARS, "x": _SCALARS},
)
_VALUES = st.one_of(_SCALARS, _RULES, st.lists(_SCALARS, max_size=3))
_STEP_FIELDS = [
    "id",
    "title",
    "detail",
    "category",
    "when",
    "until",
    "minutes",
    "source",
    "items",
    "fasting",
    "x",
]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return json.dumps(value)  # a JSON string or number is valid TOML
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{ " + ", ".join(f"{key} = {_toml_value(v)}" for key, v in value.items()) + " }"


@given(
    changes=st.lists(st.tuples(st.integers(0, 1), st.sampled_from(_STEP_FIELDS), _VALUES), max_size=6),
    top=st.dictionaries(st.sampled_from(["format", "id", "procedure_minutes", "y"]), _SCALARS, max_size=2),
)
def test_check_and_load_agree_on_any_file(
    changes: list[tuple[int, str, object]], top: dict[str, object]
) -> None:
    """For any field values: check never crashes, and loading fails exactly when check finds problems,
    with one of the problems check lists."""
    steps: list[dict[str, object]] = [
        {
            "id": "one",
            "title": "One",
            "detail": "Do it.",
            "category": "prepare",
            "when": {"rule": "procedure"},
            "source": "s1",
        },
        {
            "id": "two",
            "title": "Two",
            "detail": "Do it.",
            "category": "day-of",
            "when": {"rule": "arrival"},
            "source": "s1",
        },
    ]
    for index, field, value in changes:
        steps[index][field] = value
    head = GOOD[: GOOD.index("[sources]")]
    for key, value in top.items():
        head = re.sub(rf"(?m)^{key} = .*$", "", head) + f"{key} = {_toml_value(value)}\n"
    text = (
        head
        + '[sources]\ns1 = "A source"\n'
        + "".join(
            "[[steps]]\n" + "".join(f"{key} = {_toml_value(value)}\n" for key, value in step.items())
            for step in steps
        )
    )
    problems = [str(p) for p in check_protocol_text(text, "demo.toml")]
    if not problems:
        parse_protocol_text(text, "demo.toml")
        return
    with pytest.raises(ChecklistError) as caught:
        parse_protocol_text(text, "demo.toml")
    assert str(caught.value) in problems
