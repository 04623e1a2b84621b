"""The ``kyphoprep`` entry point: only the asked command is built, and the cycle collector is
off while a short command runs (see ``kyphoprep.cli.main`` and docs/benchmarks.md)."""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kyphoprep.cli import main, resume_garbage_collection
from kyphoprep.cli import start as start_command
from tests.cli_app import app

# The module kyphoprep/cli/app.py, which main() runs: the attribute kyphoprep.cli.app is the built app.
application = importlib.import_module("kyphoprep.cli.app")

TODAY = "2026-11-21"


@pytest.fixture(autouse=True)
def collector() -> Iterator[None]:
    """Leave this process's cycle collector as it was found: on, with nothing frozen."""
    gc.unfreeze()
    gc.enable()
    yield
    gc.unfreeze()
    gc.enable()


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int | str | None:
    monkeypatch.setattr(sys, "argv", ["kyphoprep", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    return exited.value.code


@pytest.mark.parametrize(
    ("args", "built"),
    [
        (["plan", "--help"], "plan"),
        (["example"], "example"),
        (["protocols", "list"], "protocols"),
        (["--help"], None),
        (["--version"], None),
        (["nosuch"], None),
        ([], None),
    ],
)
def test_main_builds_only_the_asked_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], built: str | None
) -> None:
    """A known command is built alone; anything else gets the whole app (help, errors)."""
    asked: list[str | None] = []
    build_app = application.build_app

    def recording_build_app(only: str | None = None) -> object:
        asked.append(only)
        return build_app(only)

    monkeypatch.setattr(application, "build_app", recording_build_app)
    run_main(monkeypatch, *args)
    assert asked == [built]


def test_unknown_command_is_named_with_the_whole_app(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown command is answered by the whole app in one line naming it and pointing to --help, not by
    a partial app that knows no commands."""
    assert run_main(monkeypatch, "nosuch") == 2
    err = capsys.readouterr().err
    # Click names the program from how Python was started (here, by pytest).
    assert err.startswith("Error: No such command 'nosuch'. See '")
    assert err.endswith(" --help'.\n")
    assert err.count("\n") == 1


def test_collection_is_off_while_the_command_runs_and_frozen_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cycle collector is off while a command runs and on again afterwards with start-up's objects
    frozen, the start-up saving measured in docs/benchmarks.md."""
    seen: list[bool] = []

    def command() -> None:
        seen.append(gc.isenabled())
        raise SystemExit(0)

    monkeypatch.setattr(application, "main", command)
    assert run_main(monkeypatch) == 0
    assert seen == [False]
    # Left on, as it was, with what the run made frozen (the collections at exit leave it out).
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0


def test_collection_left_off_by_the_caller_stays_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """A program that embeds kyphoprep and had turned the collector off finds it still off, so main() does
    not change the caller's choice."""
    monkeypatch.setattr(application, "main", lambda: None)
    gc.disable()
    main()
    assert not gc.isenabled()


def test_resume_garbage_collection_turns_it_back_on_after_freezing() -> None:
    """Resuming collection freezes what exists first, so long work collects its own garbage without
    rescanning start-up's objects."""
    gc.disable()
    resume_garbage_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0


def test_resume_garbage_collection_leaves_a_running_collector_alone() -> None:
    """Where collection is already on (tests, an embedding program), resuming changes nothing and freezes
    nothing."""
    resume_garbage_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_batch_turns_collection_back_on(runner: CliRunner, tmp_path: Path) -> None:
    """A roster can have 100,000 rows: their garbage must be collected as they go."""
    roster = tmp_path / "roster.csv"
    roster.write_text("patient_id,when,tz\nA1,2026-12-03 07:30,America/Chicago\n", encoding="utf-8")
    gc.disable()
    result = runner.invoke(app, ["batch", str(roster), "--out", str(tmp_path / "plans"), "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()


def test_plan_leaves_collection_off(runner: CliRunner) -> None:
    """A single plan is short: collection stays off until the process ends."""
    gc.disable()
    result = runner.invoke(app, ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert not gc.isenabled()


def test_guided_mode_turns_collection_back_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """A conversation lasts minutes: start-up speed no longer matters."""

    def end_of_input(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr(start_command, "_ask", end_of_input)
    gc.disable()
    with pytest.raises(typer.Exit):
        start_command.run_guided(lang="en", date_order=None, config=None, today=TODAY)
    assert gc.isenabled()
