"""``kyphoprep schema``: print a JSON Schema of kyphoprep's JSON output, for clinic scripts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from kyphoprep.cli.reporting import reported_errors
from kyphoprep.schemas import schema_text

SCHEMA_EPILOG = (
    "Examples:\n\n"
    "  kyphoprep schema plan > plan.schema.json\n\n"
    "  kyphoprep schema meds\n\n"
    "Exit codes: 0 done; 2 usage."
)


class SchemaChoice(StrEnum):
    """Values of the schema argument."""

    plan = "plan"
    meds = "meds"


def schema(
    name: Annotated[
        SchemaChoice,
        typer.Argument(help="plan (for plan --format json) or meds (for meds --json)."),
    ] = SchemaChoice.plan,
) -> None:
    """Print the JSON Schema (draft 2020-12) that kyphoprep's JSON output follows."""
    with reported_errors():
        typer.echo(schema_text(name.value), nl=False)
