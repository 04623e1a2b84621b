"""Shipped protocols load and cover the seeds; broken files name the file, step and field."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from kyphoprep.errors import ChecklistError
from kyphoprep.protocols import builtin_protocol_names, load_builtin_protocol, parse_protocol_text

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


GOOD = """
format = 1
id = "demo"
name = "Demo"
summary = "A demo."
procedure_minutes = 60
arrive_minutes = 60
reminder_minutes = 30
medicine_reminder_at = "08:00"
[sources]
s1 = "A source"
[[steps]]
id = "one"
title = "Step one"
detail = "Do it."
category = "prepare"
when = { rule = "days-before", days = 2, at = "09:00" }
source = ["s1"]
"""

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
