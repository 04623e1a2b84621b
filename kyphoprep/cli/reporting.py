"""The one place a kyphoprep error becomes a message on stderr and its exit code.

Every command runs inside ``reported_errors``: a ``KyphoprepError`` is said in one line (in the
plan's language once its settings are known), Ctrl+C says nothing was changed, and any other
exception is reported by type alone, never with a traceback that could show patient details.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from kyphoprep.errors import STOPPED_EXIT, InternalError, KyphoprepError
from kyphoprep.i18n.languages import SOURCE_LANGUAGE
from kyphoprep.io.text_rules import printable

_LANGUAGE = [SOURCE_LANGUAGE]
"""The language errors are reported in: the plan's, once its settings are known."""


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn every kyphoprep error into one line on stderr and its exit code."""
    _LANGUAGE[0] = SOURCE_LANGUAGE  # until the command's settings say otherwise (see report_errors_in)
    try:
        yield
    except KyphoprepError as exc:
        sys.stderr.write(f"Error: {printable(exc.in_language(_LANGUAGE[0]))}\n")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        sys.stderr.write("Stopped. No file was changed.\n")
        raise typer.Exit(STOPPED_EXIT) from None
    except typer.Exit:
        raise  # a command's own chosen exit code
    except BrokenPipeError:
        raise  # the reader of standard output went away: cli.main ends quietly
    except Exception as exc:
        if os.environ.get("KYPHOPREP_DEBUG"):
            raise
        # No traceback: it could show patient details. The type is enough to report.
        sys.stderr.write(
            f"Error: kyphoprep hit an internal problem ({type(exc).__name__}). Please report it. "
            "Set KYPHOPREP_DEBUG=1 to see the details.\n"
        )
        raise typer.Exit(InternalError.exit_code) from None


def report_errors_in(language: str) -> None:
    """Say errors from here on in *language* (those that have words in it)."""
    _LANGUAGE[0] = language
