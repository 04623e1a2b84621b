"""The ``kyphoprep`` entry point: the cycle collector is off while kyphoprep is imported, and
on, with what the imports made frozen, while the command runs (see ``kyphoprep.cli.main``)."""

from __future__ import annotations

import gc
import importlib.abc
import importlib.util
import sys
from collections.abc import Iterator
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest

import kyphoprep.cli.app
from kyphoprep.cli import main


@pytest.fixture(autouse=True)
def collector() -> Iterator[None]:
    """Leave this process's cycle collector as it was found: on, with nothing frozen."""
    gc.unfreeze()
    gc.enable()
    yield
    gc.unfreeze()
    gc.enable()


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int | str | None:
    """Run ``kyphoprep ARGS`` through the entry point and return its exit code."""
    monkeypatch.setattr(sys, "argv", ["kyphoprep", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    return exited.value.code


def test_collection_is_on_with_the_imports_frozen_while_the_command_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long command (batch, guided mode) must collect its garbage; what start-up made is left out."""
    seen: list[tuple[bool, int]] = []

    def command() -> None:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        raise SystemExit(0)

    monkeypatch.setattr(kyphoprep.cli.app, "app", command)
    assert run_main(monkeypatch) == 0
    [(enabled, frozen)] = seen
    assert enabled
    assert frozen > 0


def test_collection_is_off_while_kyphoprep_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """The saving the entry point exists for: no collection while typer and kyphoprep are imported."""
    seen_at_import: list[bool] = []

    class RecordingLoader(importlib.abc.Loader):
        """Stands in for ``kyphoprep.cli.app``: notes the collector's state, and its app exits 0."""

        def create_module(self, spec: ModuleSpec) -> None:
            return None

        def exec_module(self, module: ModuleType) -> None:
            seen_at_import.append(gc.isenabled())

            def app() -> None:
                raise SystemExit(0)

            module.app = app  # type: ignore[attr-defined]

    class Finder(importlib.abc.MetaPathFinder):
        """Finds the stand-in for the app module, and nothing else."""

        def find_spec(self, name: str, path: object, target: object = None) -> ModuleSpec | None:
            if name == "kyphoprep.cli.app":
                return importlib.util.spec_from_loader(name, RecordingLoader())
            return None

    monkeypatch.delitem(sys.modules, "kyphoprep.cli.app")
    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    assert run_main(monkeypatch) == 0
    assert seen_at_import == [False]
    assert gc.isenabled()


def test_unknown_command_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped command is one ``Error:`` line that says where to find help, exit 2."""
    assert run_main(monkeypatch, "nosuch") == 2
    err = capsys.readouterr().err
    # Click names the program from how Python was started (here, by pytest).
    assert err.startswith("Error: No such command 'nosuch'. See '")
    assert err.endswith(" --help'.\n")
    assert err.count("\n") == 1
