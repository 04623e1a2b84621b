"""Every format of every scenario, byte for byte, through the real CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.cli_app import app
from tests.conftest import Golden
from tests.scenarios import SCENARIOS

FORMATS = {
    "text": "txt",
    "terminal": "terminal.txt",
    "json": "json",
    "ics": "ics",
    "html": "html",
    "caregiver": "caregiver.txt",
}


@pytest.mark.parametrize("output_format", sorted(FORMATS))
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_output_matches_golden(runner: CliRunner, golden: Golden, scenario: str, output_format: str) -> None:
    """Each scenario renders exactly as its golden file in each format."""
    result = runner.invoke(app, [*SCENARIOS[scenario], "--format", output_format])
    assert result.exit_code == 0, result.output
    if output_format in ("text", "terminal", "caregiver"):
        assert result.stderr == ""  # the warnings open the handout itself
    else:
        as_json = runner.invoke(app, [*SCENARIOS[scenario], "--format", "json"]).stdout
        warnings = json.loads(as_json)["warnings"]
        assert result.stderr == "".join(f"Warning: {w['message']}\n" for w in warnings)
    golden.check(f"{scenario}.{FORMATS[output_format]}", result.stdout_bytes)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_same_input_gives_identical_bytes(runner: CliRunner, scenario: str) -> None:
    """Two runs with the same input (and --today) give the same bytes in every format."""
    for output_format in FORMATS:
        first = runner.invoke(app, [*SCENARIOS[scenario], "--format", output_format])
        second = runner.invoke(app, [*SCENARIOS[scenario], "--format", output_format])
        assert first.stdout_bytes == second.stdout_bytes


def test_too_late_warning_opens_every_format(runner: CliRunner) -> None:
    """A passed last-dose date is the first thing in text, terminal, JSON and the calendar."""
    args = SCENARIOS["too-late"]
    text = runner.invoke(app, [*args, "--format", "text"]).stdout
    assert text.splitlines()[1] == "!!! IMPORTANT - READ THIS FIRST !!!"
    assert "TOO LATE TO STOP WARFARIN ON TIME" in text.split("YOUR PLAN TO GET READY FOR KYPHOPLASTY")[0]
    terminal = runner.invoke(app, [*args, "--format", "terminal"]).stdout
    assert "IMPORTANT - READ THIS FIRST" in terminal.splitlines()[0]
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert [w["code"] for w in data["warnings"]] == ["last-dose-passed"]
    assert "Friday, November 27" in data["warnings"][0]["message"]
    ics = runner.invoke(app, [*args, "--format", "ics"]).stdout
    first_event = ics.split("BEGIN:VEVENT")[1]
    assert "SUMMARY:IMPORTANT - READ THIS FIRST" in first_event
    assert "X-WR-CALDESC:TOO LATE TO STOP WARFARIN" in ics
