"""``kyphoprep meds``: look up the medicine catalogue."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kyphoprep.cli.reporting import reported_errors
from kyphoprep.data.catalogue import describe_match, load_catalogue
from kyphoprep.errors import NoMatchError
from kyphoprep.io.text_rules import printable
from kyphoprep.render.catalogue_cards import entry_card, entry_line, entry_to_dict

MEDS_EPILOG = (
    "Examples:\n\n"
    "  kyphoprep meds                 (every medicine, one line each)\n\n"
    "  kyphoprep meds Eliquis         (everything about apixaban)\n\n"
    "  kyphoprep meds insulin --json\n\n"
    "Exit codes: 0 found; 1 nothing matches; 4 catalogue file error."
)


def meds(
    query: Annotated[
        str | None,
        typer.Argument(
            metavar="[QUERY]",
            help="A generic or brand name, or part of one, or a class such as NSAID. Default: list all.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Look up the medicine catalogue: brands, class, typical hold, restart, source and confidence."""
    with reported_errors():
        catalogue = load_catalogue()
        text = " ".join((query or "").split())
        exact = catalogue.find(text) if text else None
        entries = [exact.entry] if exact is not None else catalogue.search(text)
        if not entries:
            near = catalogue.suggestions(text)
            hint = f" Did you mean {' or '.join(describe_match(m) for m in near)}?" if near else ""
            raise NoMatchError(
                f"No medicine in kyphoprep's list matches '{printable(text)}'.{hint} "
                "Run 'kyphoprep meds' to see them all."
            )
        if as_json:
            typer.echo(json.dumps([entry_to_dict(e) for e in entries], indent=2, ensure_ascii=False))
        elif text:
            typer.echo("\n\n".join("\n".join(entry_card(e)) for e in entries))
        else:
            typer.echo("\n".join(entry_line(e) for e in entries))
