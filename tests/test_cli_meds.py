"""`kyphoprep meds`, `--strict`, and warnings on stderr, driven through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kyphoprep.errors import NoMatchError, WarningsError
from tests.cli_app import app
from tests.conftest import Golden
from tests.scenarios import SCENARIOS


@pytest.mark.parametrize(
    ("query", "golden_name"),
    [(None, "meds-list.txt"), ("Eliquis", "meds-eliquis.txt"), ("lovenox", "meds-enoxaparin.txt")],
)
def test_meds_output_matches_golden(
    runner: CliRunner, golden: Golden, query: str | None, golden_name: str
) -> None:
    """The list and the cards, byte for byte (regenerate with --update-golden)."""
    result = runner.invoke(app, ["meds"] if query is None else ["meds", query])
    assert result.exit_code == 0
    assert result.stderr == ""
    golden.check(golden_name, result.stdout_bytes)


def test_meds_card_shows_everything_the_issue_names(runner: CliRunner) -> None:
    """Name, brands, class, default hold, restart, lab, source and confidence, 'unconfirmed' for grade C."""
    text = " ".join(runner.invoke(app, ["meds", "COUMADIN"]).stdout.split())
    for expected in (
        "warfarin",
        "Brands: Coumadin, Jantoven",
        "Class: Blood thinner (vitamin K antagonist)",
        "Usual advice: stop 5 days before",
        "Restart: 6 hours after the procedure",
        "Lab check: INR",
        "Confidence: B",
        "Sources: Narouze S et al.",
    ):
        assert expected in text
    apixaban = " ".join(runner.invoke(app, ["meds", "apixaban"]).stdout.split())
    assert "stop 3 to 5 days before (unconfirmed)" in apixaban
    assert "Confidence: C (unconfirmed" in apixaban


def test_meds_partial_name_lists_every_match(runner: CliRunner) -> None:
    """'insulin' shows a card for each kind of insulin."""
    result = runner.invoke(app, ["meds", "insulin"])
    assert result.exit_code == 0
    cards = [block.splitlines()[0] for block in result.stdout.split("\n\n")]
    assert cards == [
        "NPH insulin",
        "insulin glargine",
        "insulin detemir",
        "insulin degludec",
        "insulin pump",
        "insulin lispro",
        "insulin aspart",
        "insulin glulisine",
        "regular insulin",
        "premixed insulin",
        "insulin glargine and lixisenatide",
        "insulin degludec and liraglutide",
    ]


def test_meds_json_for_scripts(runner: CliRunner) -> None:
    """--json gives the entries with forms, grades and sources."""
    result = runner.invoke(app, ["meds", "enoxaparin", "--json"])
    assert result.exit_code == 0
    (entry,) = json.loads(result.stdout)
    assert entry["id"] == "enoxaparin"
    assert [(f["id"], f["hold"]) for f in entry["forms"]] == [
        ("preventive", {"amount": 12, "unit": "hours", "from": None}),
        ("treatment", {"amount": 24, "unit": "hours", "from": None}),
    ]
    assert entry["forms"][0]["grade"] == "B"
    assert entry["forms"][0]["source"][0]["key"] == "asra-2018"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "Elliquis",
            (
                "Error: No medicine in kyphoprep's list matches 'Elliquis'. Did you mean Eliquis "
                "(apixaban)? Run 'kyphoprep meds' to see them all.\n"
            ),
        ),
        (
            "zzz",
            "Error: No medicine in kyphoprep's list matches 'zzz'. Run 'kyphoprep meds' to see them all.\n",
        ),
    ],
)
def test_meds_nothing_matches(runner: CliRunner, query: str, message: str) -> None:
    """No match: exit 1 with a suggestion when one is close."""
    result = runner.invoke(app, ["meds", query])
    assert result.exit_code == NoMatchError.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == message


def test_strict_exits_3_but_writes_the_plan(runner: CliRunner, tmp_path: Path) -> None:
    """--strict with a passed last dose: the file is written, the warning is on stderr, exit 3."""
    out = tmp_path / "plan.json"
    result = runner.invoke(app, [*SCENARIOS["too-late"], "--strict", "-o", str(out)])
    assert result.exit_code == WarningsError.exit_code == 3
    assert json.loads(out.read_text())["warnings"][0]["code"] == "last-dose-passed"
    assert result.stderr == (
        f"Wrote {out}\n"
        "Warning: TOO LATE TO STOP WARFARIN ON TIME. If you took WARFARIN after Friday, November 27, call "
        "your care team before your procedure. Do not change your doses on your own.\n"
        "Error: --strict: the plan has 1 warning (shown at the top of the plan). It was still written so "
        "the care team can act on it.\n"
    )


def test_strict_without_warnings_exits_0(runner: CliRunner) -> None:
    """--strict changes nothing when the plan has no warning."""
    result = runner.invoke(app, [*SCENARIOS["us-chicago"], "--strict", "--format", "text"])
    assert result.exit_code == 0
    assert result.stderr == ""


def test_warning_goes_to_stderr_when_writing_a_file(runner: CliRunner, tmp_path: Path) -> None:
    """Without --strict the exit is 0, but a file write still says the warning out loud."""
    out = tmp_path / "plan.ics"
    result = runner.invoke(app, [*SCENARIOS["kidney-too-late"], "-o", str(out)])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[1].startswith("Warning: TOO LATE TO STOP PRADAXA (DABIGATRAN)")
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")
