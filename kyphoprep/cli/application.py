"""The ``kyphoprep`` command: the typer app and its commands.

Each command lives in its own module; this one only assembles them.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kyphoprep import __version__
from kyphoprep.cli import batch as batch_command
from kyphoprep.cli import meds as meds_command
from kyphoprep.cli import plan as plan_command
from kyphoprep.cli import protocols as protocols_command
from kyphoprep.cli import schema as schema_command
from kyphoprep.cli import start as start_command
from kyphoprep.cli.common import EXIT_CODES_HELP

app = typer.Typer(
    name="kyphoprep",
    help=(
        "Make a dated preparation plan for a kyphoplasty or vertebroplasty: when to take the last "
        "dose of each blood thinner your doctor said to stop, when to stop eating and drinking, "
        "who drives you home, what to bring, and how to recover. Prints a handout, or writes a "
        "calendar (.ics) or JSON file.\n\n"
        "Your care team's instructions always come first.\n\n" + EXIT_CODES_HELP
    ),
    invoke_without_command=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # a traceback could show patient details
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"kyphoprep {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    context: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version_callback, is_eager=True
        ),
    ] = False,
) -> None:
    """Make a dated preparation plan for a kyphoplasty or vertebroplasty."""
    if context.invoked_subcommand is not None:
        return
    # Alone on a terminal: a person is there to answer questions. Anywhere else
    # (a script, a pipe): show the help and never wait for input.
    if sys.stdin.isatty() and sys.stdout.isatty():
        start_command.start()
        return
    typer.echo(context.get_help())
    raise typer.Exit(2)


app.command(epilog=start_command.START_EPILOG)(start_command.start)
app.command(epilog=plan_command.PLAN_EPILOG)(plan_command.plan)
app.command(epilog=plan_command.EXAMPLE_EPILOG)(plan_command.example)
app.command(epilog=batch_command.BATCH_EPILOG)(batch_command.batch)
app.command(epilog=meds_command.MEDS_EPILOG)(meds_command.meds)
app.command(epilog=schema_command.SCHEMA_EPILOG)(schema_command.schema)
app.add_typer(protocols_command.app, name="protocols")


def main() -> None:
    """Entry point of the ``kyphoprep`` command."""
    app()
