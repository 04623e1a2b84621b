"""The command line: a thin typer layer over the pure core (see ``kyphoprep.cli.app``).

This module imports nothing heavy: the ``kyphoprep`` command starts here (``main``),
and it must turn the cycle collector off before typer and the core are imported.
"""

from __future__ import annotations

import gc
import os
import sys

from kyphoprep.errors import BROKEN_PIPE_EXIT, OutputError
from kyphoprep.io.safe_write import CLOSED_STREAMS

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``kyphoprep`` command: run one command; the process ends next."""
    # Importing typer and kyphoprep makes a great many objects that live until the process
    # ends (modules, classes, typer's parameters) and next to no garbage; the cycle collector
    # would scan them again and again while they are made. So it is off while importing, and
    # what the imports made is then frozen (left out of every later collection, and of the
    # ones at exit) before the collector is turned back on for the command itself.
    gc.disable()
    fill_closed_streams()
    use_utf8()
    try:
        from kyphoprep.cli.app import app

        gc.freeze()
        gc.enable()
        try:
            app()
        finally:
            sys.stdout.flush()  # here, so a reader that went away is seen below, not at exit
    except BrokenPipeError:
        # The reader (`| head`, `| true`) stopped reading: nothing is wrong with kyphoprep, and
        # well-kept tools end quietly (click does the same inside a command).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        raise SystemExit(BROKEN_PIPE_EXIT) from None
    except OSError as exc:  # only the final flush of standard output gets here (/dev/full)
        sys.stderr.write(f"Error: Cannot write to standard output: {exc.strerror or exc}.\n")
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(OutputError.exit_code) from None


def fill_closed_streams() -> None:
    """Put /dev/null where standard input, output or error was closed (``>&-``), and note it.

    Otherwise the first file kyphoprep opens would take the closed number, and what was meant
    for the screen would go into it. Output to a closed standard output is refused with exit 5
    (``kyphoprep.io.safe_write.write_output``); a closed standard error only loses the messages.
    """
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)
            mode = "r" if fd == 0 else "w"
            setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))  # noqa: SIM115
            if fd == 1:
                CLOSED_STREAMS.add("stdout")


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
