"""The command line: a thin typer layer over the pure core (see ``kyphoprep.cli.application``).

This module imports nothing heavy: the ``kyphoprep`` command starts here (``main``),
and it must turn the cycle collector off before typer and the core are imported.
"""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

__all__ = ["app", "main", "resume_garbage_collection"]


def main() -> None:
    """Entry point of the ``kyphoprep`` command: run one command; the process ends next."""
    # Start-up makes a great many objects that live until the process ends (modules,
    # classes, typer's parameters) and next to no garbage. Python's cycle collector
    # scans them again and again while they are made, and once more as the process
    # exits, which together cost about a fifth of a short run (docs/benchmarks.md).
    # So collection is off while a command runs (one with long work turns it back
    # on: resume_garbage_collection), and what is left at the end is frozen: the
    # collections at exit leave it out, and the operating system frees it.
    was_enabled = gc.isenabled()
    gc.disable()
    use_utf8()
    try:
        from kyphoprep.cli.application import main as run_command

        run_command()
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def use_utf8() -> None:
    """Read and write standard input, output and error as UTF-8, whatever the locale says.

    In the C locale without UTF-8 mode (PYTHONUTF8=0, LC_ALL=C) Python would write ASCII, and
    the first 'Español' or '—' on the screen would stop the command. The files kyphoprep writes
    are UTF-8 anyway. Output never fails on a character: bytes that were not UTF-8 in the input
    are shown as \\xNN escapes (they are refused with a message before they reach a plan), and
    such bytes in the input reach the checks that say so, instead of failing to decode.
    """
    for stream, errors in (
        (sys.stdout, "backslashreplace"),
        (sys.stderr, "backslashreplace"),
        (sys.stdin, "surrogateescape"),
    ):
        reconfigure = getattr(stream, "reconfigure", None)  # None, or replaced, in some embeddings
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors=errors)


def resume_garbage_collection() -> None:
    """Turn the cycle collector back on before long work, if ``main()`` turned it off.

    What start-up made lives until the process ends, so it is frozen first: later
    collections leave it out. Where collection is already on (tests, or a program
    that imports kyphoprep), nothing changes.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def __getattr__(name: str) -> typer.Typer:
    # ``app``, the whole app, is built on first use: ``main()`` builds only the command it runs.
    if name == "app":
        from kyphoprep.cli.application import build_app

        app = build_app()
        globals()["app"] = app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
