"""The CLI as a person uses it: help, version, example, formats, colour."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kyphoprep import __version__
from kyphoprep.cli.app import app
from kyphoprep.errors import exit_codes, exit_codes_help
from tests.scenarios import SCENARIOS

EXIT_CODES = (
    "Exit codes: 0 done; 1 nothing found (meds), or input ended before the last question (start); "
    "2 bad input, or an optional part is not installed (PDF: pip install 'kyphoprep[pdf]'), or usage "
    "error (an unknown option or a bad value); 3 plan written with warnings "
    "(--strict); 4 error in a protocol or catalogue file, or error in a clinic settings file; 5 output "
    "file error; 6 some roster rows failed (batch), the others were written; 70 a bug in kyphoprep, "
    "please report it; 130 stopped (Ctrl+C)."
)


def test_version(runner: CliRunner) -> None:
    """--version prints the version."""
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"kyphoprep {__version__}\n"


@pytest.mark.parametrize("command", [[], ["plan"], ["example"]])
def test_help_has_examples_and_exit_codes(runner: CliRunner, command: list[str]) -> None:
    """The tool and its plan commands list every exit code kyphoprep gives in their help."""
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert EXIT_CODES in " ".join(result.stdout.split())


def test_the_exit_codes_listed_are_those_of_the_error_classes() -> None:
    """The help's list is made from errors.py: a new error class with a new code shows up in it."""
    listed = [int(part.split()[0]) for part in EXIT_CODES.removeprefix("Exit codes: ").split("; ")]
    assert listed == list(exit_codes())
    assert exit_codes_help() == EXIT_CODES


def test_no_arguments_shows_help(runner: CliRunner) -> None:
    """kyphoprep with nothing else shows the help instead of failing silently."""
    result = runner.invoke(app, [])
    assert "Usage:" in result.output
    assert "plan" in result.output


def test_example_runs_two_weeks_ahead(runner: CliRunner) -> None:
    """The built-in example plans a procedure 14 days after today, at 7:30 AM."""
    result = runner.invoke(
        app, ["example", "--tz", "America/Chicago", "--today", "2026-11-21", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["procedure"]["start"] == "2026-12-05T07:30:00-06:00"
    assert [m["name"] for m in data["inputs"]["medicines"]] == ["warfarin", "enoxaparin", "metformin"]


def test_example_uses_the_system_zone(runner: CliRunner) -> None:
    """Without --tz the computer's zone (TZ) is used and shown."""
    result = runner.invoke(
        app, ["example", "--today", "2026-11-21", "--format", "text"], env={"TZ": "Asia/Tokyo"}
    )
    assert result.exit_code == 0, result.output
    assert "Time zone:     Asia/Tokyo" in result.stdout


def test_text_handout_layout(runner: CliRunner) -> None:
    """Plain text: no escape codes, at most 72 columns, a box before every action, weekday headings."""
    text = runner.invoke(app, [*SCENARIOS["us-chicago"], "--format", "text"]).stdout
    assert "\x1b" not in text
    assert max(len(line) for line in text.splitlines()) <= 72
    assert "Thursday, December 3, 2026" in text.splitlines()
    # A to-do for a day reads "By this day"; a time that matters keeps its clock time.
    assert "[ ] By this day - Last day to take warfarin" in text
    assert "[ ] 6:00 AM - Arrive for check-in" in text
    for heading in (
        "BRING THIS LIST",
        "AFTER YOUR PROCEDURE",
        "CALL YOUR DOCTOR AT 555-0100 IF YOU HAVE:",
        "CALL 911 OR YOUR LOCAL EMERGENCY NUMBER RIGHT AWAY IF:",
    ):
        assert heading in text
    assert text.count("Your care team's instructions come first.") == 2


def test_long_names_stay_within_72_columns(runner: CliRunner) -> None:
    """A 200-character name wraps instead of breaking the printed layout."""
    args = [*SCENARIOS["us-chicago"]]
    args[args.index("Ann Lee")] = "Annabelle-" * 20
    text = runner.invoke(app, [*args, "--format", "text"]).stdout
    assert max(len(line) for line in text.splitlines()) <= 72


def test_default_format_is_text_when_not_a_terminal(runner: CliRunner) -> None:
    """Piped output gets the plain handout."""
    result = runner.invoke(app, SCENARIOS["us-chicago"])
    assert result.stdout.startswith("=" * 72 + "\nYOUR PLAN TO GET READY FOR KYPHOPLASTY\n")


def test_format_follows_the_output_suffix(runner: CliRunner, tmp_path: Path) -> None:
    """-o plan.json writes JSON, -o plan.ics a calendar, the batch's file names their formats, a name
    without an ending the handout (another ending is refused: tests/test_output_suffix.py)."""
    caregiver = b"=" * 72 + b"\nFOR THE PERSON WHO DRIVES AND STAYS\n"
    for name, start in (
        ("a.json", b"{"),
        ("a.ics", b"BEGIN:VCALENDAR"),
        ("a.HTM", b"<!DOCTYPE html>"),
        ("a.caregiver.txt", caregiver),
        ("a.txt", b"=" * 72 + b"\nYOUR PLAN"),
        ("a", b"=" * 72 + b"\nYOUR PLAN"),
    ):
        target = tmp_path / name
        assert runner.invoke(app, [*SCENARIOS["us-chicago"], "-o", str(target)]).exit_code == 0
        assert target.read_bytes().startswith(start)


def test_terminal_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Colour is used on a terminal, and NO_COLOR or TERM=dumb turns it off."""
    from kyphoprep.cli import planning as common

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)  # the stream use_color reads
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert common.use_color() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert common.use_color() is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert common.use_color() is False


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({"NO_COLOR": None, "FORCE_COLOR": "1"}, True),
        ({"NO_COLOR": None, "FORCE_COLOR": "1", "TERM": "dumb"}, True),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # NO_COLOR wins
        ({"NO_COLOR": None, "FORCE_COLOR": ""}, False),  # empty: not set
        ({"NO_COLOR": None, "FORCE_COLOR": None}, False),  # not a terminal
    ],
)
def test_force_color_colours_output_that_is_not_a_terminal(
    runner: CliRunner, env: dict[str, str | None], coloured: bool
) -> None:
    """FORCE_COLOR turns colour on for the screen view even when stdout is not a terminal (a pager,
    a CI log); NO_COLOR still wins, and the words are the same either way."""
    args = [*SCENARIOS["us-chicago"], "--format", "terminal"]
    result = runner.invoke(app, args, env={"TERM": "xterm", **env})
    assert result.exit_code == 0, result.output
    assert ("\x1b[" in result.stdout) is coloured
    plain = runner.invoke(app, args).stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", result.stdout) == plain


def test_force_color_does_not_colour_files(runner: CliRunner, tmp_path: Path) -> None:
    """FORCE_COLOR is about the screen: a terminal view written with -o, and the text handout, stay
    free of escape codes."""
    env = {"NO_COLOR": None, "FORCE_COLOR": "1"}
    target = tmp_path / "plan.view"
    written = runner.invoke(app, [*SCENARIOS["us-chicago"], "-f", "terminal", "-o", str(target)], env=env)
    assert written.exit_code == 0, written.output
    assert b"\x1b" not in target.read_bytes()
    assert "\x1b" not in runner.invoke(app, [*SCENARIOS["us-chicago"], "-f", "text"], env=env).stdout


def test_terminal_renderer_with_colour_has_styles_and_same_words() -> None:
    """The coloured view says the same words as the plain one."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from kyphoprep.core.models import PlanRequest
    from kyphoprep.data.protocols import load_builtin_protocol
    from kyphoprep.render import OutputFormat, RenderOptions, renderer_for
    from tests.plan_model import planned

    request = PlanRequest(
        datetime(2026, 12, 3, 7, 30, tzinfo=ZoneInfo("America/Chicago")),
        "America/Chicago",
        datetime(2026, 11, 21, tzinfo=UTC),
        load_builtin_protocol("kyphoplasty"),
        90,
    )
    plan = planned(request)
    renderer = renderer_for(OutputFormat.TERMINAL)
    plain = renderer.render(plan, RenderOptions(color=False, width=88)).decode()
    coloured = renderer.render(plan, RenderOptions(color=True, width=88)).decode()
    assert "\x1b[" in coloured
    assert "\x1b" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_markup_in_names_is_shown_literally(runner: CliRunner) -> None:
    """Rich markup in a name is text, not styling."""
    args = [*SCENARIOS["us-chicago"]]
    args[args.index("Ann Lee")] = "[bold red]Ann[/]"
    result = runner.invoke(app, [*args, "--format", "terminal"])
    assert "[bold red]Ann[/]" in result.stdout


@pytest.mark.parametrize("columns", ["20", "34", "59"])
def test_a_narrow_screen_wraps_and_never_cuts(runner: CliRunner, columns: str) -> None:
    """COLUMNS=20 once cut dates to "Thursda…"; every word is now shown whole, on lines that fit."""
    args = [*SCENARIOS["us-chicago"], "--format", "terminal"]
    shown = runner.invoke(app, args, env={"COLUMNS": columns, "NO_COLOR": "1"}).stdout
    wide = runner.invoke(app, args, env={"COLUMNS": "100", "NO_COLOR": "1"}).stdout
    assert "…" not in shown
    assert all(len(line) <= int(columns) for line in shown.splitlines())
    words = " ".join(shown.split())
    for text in (
        "Thursday, December 3, 2026",
        "Last day to take warfarin",
        "Lakeside Spine Center",
        "555-0100",
    ):
        assert text in words, text
    # The wide view keeps its boxes (so the check above is of the narrow layout).
    assert "╭" in wide
    assert "╭" not in shown


def test_short_version_flag(runner: CliRunner) -> None:
    """-V is --version: the same one line, exit 0."""
    result = runner.invoke(app, ["-V"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"kyphoprep {__version__}\n"


def test_completion_options_are_typers_own(runner: CliRunner) -> None:
    """--show-completion prints typer's script for the shell named, and the script's completions
    name kyphoprep's commands and options."""
    shown = runner.invoke(app, ["--show-completion", "bash"], prog_name="kyphoprep")
    assert shown.exit_code == 0, shown.output
    assert "_KYPHOPREP_COMPLETE=complete_bash" in shown.stdout
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout
    for words, cword, expected in (("kyphoprep pl", "1", "plan"), ("kyphoprep plan x --fo", "3", "--format")):
        env = {"_KYPHOPREP_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}
        completed = runner.invoke(app, [], env=env, prog_name="kyphoprep")
        assert completed.exit_code == 0, completed.output
        assert expected in completed.stdout.split()


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path of the click *group*, the group itself and its sub-groups included."""
    yield path
    for name, command in getattr(group, "commands", {}).items():
        yield from _commands(command, (*path, name))


def test_every_command_help_has_examples(runner: CliRunner) -> None:
    """Every command's --help, the tool's and each group's included, has an 'Examples:' section
    with at least one kyphoprep command line in it."""
    import typer.main

    paths = list(_commands(typer.main.get_command(app)))
    assert ("protocols", "check") in paths
    assert len(paths) >= 10
    missing = []
    for path in paths:
        text = runner.invoke(app, [*path, "--help"]).stdout
        examples = text.partition("Examples:")[2]
        if not re.search(r"^\s+kyphoprep\b", examples, re.MULTILINE):
            missing.append(" ".join(("kyphoprep", *path)))
    assert missing == []


def test_a_bad_format_names_the_choices_without_click_or_pydantic_words(runner: CliRunner) -> None:
    """--format bogus is one line naming the option and the choices; no 'Value error,' from pydantic
    nor the usage block and 'Try ... for help' from click."""
    result = runner.invoke(app, ["plan", "2026-12-03 07:30", "--format", "bogus"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "'bogus' is not one of 'terminal', 'text'" in result.stderr
    for leak in ("Value error", "Usage:", "Try ", "Traceback"):
        assert leak not in result.stderr
