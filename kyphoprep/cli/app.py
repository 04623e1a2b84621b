"""The ``kyphoprep`` command: the typer app (``app``), made of the command modules.

Each command lives in its own module and is added here, in the order ``--help`` lists them.
Every usage error of any command is said in one line (``_OneLineErrorsGroup``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from kyphoprep import __version__
from kyphoprep.cli import batch, meds, plan, protocols, schema, start
from kyphoprep.cli.options import EXIT_CODES_HELP
from kyphoprep.errors import USAGE_EXIT
from kyphoprep.io.text_rules import printable

HELP = (
    "Make a dated preparation plan for a kyphoplasty or vertebroplasty: when to take the last "
    "dose of each blood thinner your doctor said to stop, when to stop eating and drinking, "
    "who drives you home, what to bring, and how to recover. Prints a handout, or writes a "
    "calendar (.ics) or JSON file.\n\n"
    "Your care team's instructions always come first."
)
EPILOG = (
    "Examples:\n\n"
    "  kyphoprep start\n\n"
    "  kyphoprep plan '2026-12-03 07:30' --tz America/Chicago --med warfarin=5d\n\n"
    "  kyphoprep batch today.csv --out plans/ --format text,ics,json\n\n"
    "  kyphoprep plan --help\n\n"
    "Shell completion: kyphoprep --install-completion (bash, zsh, fish or PowerShell).\n\n" + EXIT_CODES_HELP
)


@contextmanager
def _usage_errors_in_one_line() -> Iterator[None]:
    """Say a usage error (a bad option value, an unknown option or command) as one ``Error:`` line.

    Click would print four: the usage, "Try ... for help.", a blank line and the error. The
    help for a group run without a command (``kyphoprep protocols``) is shown as it is.
    """
    try:
        yield
    except typer.TyperException as exc:
        message = exc.format_message().strip()
        if "\n" in message:
            raise
        if not message.endswith((".", "?", "!")):
            message += "."
        # Click's UsageError carries the context of the command it is about.
        command = getattr(getattr(exc, "ctx", None), "command_path", None)
        if isinstance(command, str) and command:
            message += f" See '{command} --help'."
        sys.stderr.write(f"Error: {printable(message)}\n")
        raise typer.Exit(exc.exit_code) from None


class _OneLineErrorsGroup(TyperGroup):
    """The kyphoprep command group: every usage error, of any command, is one line on stderr."""

    # The contexts are typed Any: their class is in typer's private copy of click.
    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        with _usage_errors_in_one_line():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with _usage_errors_in_one_line():
            return super().invoke(ctx)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"kyphoprep {__version__}")
        raise typer.Exit()


def _root(
    context: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Show the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Make a dated preparation plan for a kyphoplasty or vertebroplasty."""
    if context.invoked_subcommand is not None:
        return
    # Alone on a terminal: a person is there to answer questions. Anywhere else
    # (a script, a pipe): show the help and never wait for input.
    if sys.stdin.isatty() and sys.stdout.isatty():
        start.start()
        return
    typer.echo(context.get_help())
    raise typer.Exit(USAGE_EXIT)


app = typer.Typer(
    name="kyphoprep",
    cls=_OneLineErrorsGroup,
    help=HELP,
    epilog=EPILOG,
    invoke_without_command=True,
    add_completion=True,  # --install-completion, --show-completion: typer's own
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # a traceback could show patient details
)
app.callback()(_root)
app.command("start", epilog=start.START_EPILOG)(start.start)
app.command("plan", epilog=plan.PLAN_EPILOG)(plan.plan)
app.command("example", epilog=plan.EXAMPLE_EPILOG)(plan.example)
app.command("batch", epilog=batch.BATCH_EPILOG)(batch.batch)
app.command("meds", epilog=meds.MEDS_EPILOG)(meds.meds)
app.command("schema", epilog=schema.SCHEMA_EPILOG)(schema.schema)
app.add_typer(protocols.app, name="protocols")
