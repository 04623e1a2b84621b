"""``kyphoprep protocols``: list, show and check the protocols that plans are made from.

``check`` is for a clinic writing its own protocol file: it lists every problem
in the file at once, where loading a protocol for a plan stops at the first.
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kyphoprep.cli.options import one_of
from kyphoprep.cli.reporting import reported_errors
from kyphoprep.core.contradictions import check_protocol
from kyphoprep.core.models import (
    Category,
    MedicineOrder,
)
from kyphoprep.core.timing import describe_rule
from kyphoprep.data.catalogue import load_catalogue
from kyphoprep.data.protocols import (
    builtin_protocol_names,
    examine_protocol_file,
    load_builtin_protocol,
    load_protocol,
)
from kyphoprep.errors import ChecklistError
from kyphoprep.i18n.languages import SOURCE_LANGUAGE
from kyphoprep.i18n.words import format_time, message, words_for
from kyphoprep.io.text_rules import printable
from kyphoprep.render.common import rule_words

if TYPE_CHECKING:
    from kyphoprep.core.models import Protocol, Source, StepSpec

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help=(
        "See the protocols plans are made from: the built-in ones, or a clinic's own protocol "
        "file (a TOML file; see docs/protocols.md). 'check' finds every mistake in a clinic's file."
    ),
    epilog=(
        "Examples:\n\n"
        "  kyphoprep protocols list\n\n"
        "  kyphoprep protocols show kyphoplasty\n\n"
        "  kyphoprep protocols check our-protocol.toml\n\n"
        "Run 'kyphoprep protocols COMMAND --help' for each command's options."
    ),
)

LIST_EPILOG = (
    "Examples:\n\n"
    "  kyphoprep protocols list\n\n"
    "  kyphoprep protocols list --json\n\n"
    "Exit codes: 0 done; 4 a built-in protocol file is broken."
)
SHOW_EPILOG = (
    "Examples:\n\n"
    "  kyphoprep protocols show kyphoplasty\n\n"
    "  kyphoprep protocols show clinic/sacroplasty.toml\n\n"
    "  kyphoprep protocols show vertebroplasty --json\n\n"
    "  kyphoprep protocols show kyphoplasty --format fhir > kyphoplasty.PlanDefinition.json\n\n"
    "Exit codes: 0 done; 2 no built-in protocol has that name; 4 the protocol file has a problem "
    "(run 'kyphoprep protocols check FILE' to see them all)."
)
CHECK_EPILOG = (
    "Prints 'FILE: OK' with the number of steps, warning signs and fasting rules for each good "
    "file. For a file with problems, prints every problem on its own line (file, step id, field "
    "and what is wrong) and how many there are, on standard error.\n\n"
    "Examples:\n\n"
    "  kyphoprep protocols check clinic/sacroplasty.toml\n\n"
    "  kyphoprep protocols check clinic/*.toml\n\n"
    "Exit codes: 0 every file is OK; 4 at least one file has a problem (or cannot be read)."
)
SHOW_FORMATS = ("text", "json", "fhir")
"""What ``protocols show --format`` writes."""
MIN_WIDTH = 60
MAX_WIDTH = 100  # long lines of prose are hard to read


@app.command("list", epilog=LIST_EPILOG)
def list_protocols(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the built-in protocols: id, name, steps, fasting rules and summary."""
    with reported_errors():
        protocols = [load_builtin_protocol(name) for name in builtin_protocol_names()]
        if as_json:
            typer.echo(json.dumps([_summary_dict(p) for p in protocols], indent=2, ensure_ascii=False))
        else:
            # One line each: as wide as the terminal allows, unlike the prose of 'show'.
            typer.echo("\n".join(_list_lines(protocols, _width(limit=None))))


@app.command("show", epilog=SHOW_EPILOG)
def show(
    protocol: Annotated[
        str,
        typer.Argument(
            metavar="NAME|PATH",
            help="A built-in protocol (kyphoplasty, vertebroplasty) or the path of a protocol file.",
            show_default=False,
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON for scripts (as --format json).")
    ] = False,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="<" + "|".join(SHOW_FORMATS) + ">",
            callback=one_of(SHOW_FORMATS),
            help="text (the default), json (for scripts) or fhir (a FHIR R4 PlanDefinition, in JSON).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show a whole protocol: its defaults, every step with its timing and sources, and warning signs."""
    if as_json and output_format not in (None, "json"):
        raise typer.BadParameter(f"--json and --format {output_format} ask for two formats: give one.")
    chosen_format = "json" if as_json else output_format or "text"
    with reported_errors():
        loaded = load_protocol(protocol)
        if chosen_format == "fhir":
            # Imported here, as render/__init__.py imports each format's module: only when asked for,
            # so no other command pays for it at start-up.
            from kyphoprep.render.fhir import plan_definition_bytes

            typer.echo(plan_definition_bytes(loaded), nl=False)
        elif chosen_format == "json":
            typer.echo(json.dumps(_protocol_dict(loaded), indent=2, ensure_ascii=False))
        else:
            typer.echo("\n".join(_show_lines(loaded, _width())))


@app.command("check", epilog=CHECK_EPILOG)
def check(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="One or more protocol files to check.", show_default=False),
    ],
) -> None:
    """Check protocol files and report every problem in them, not just the first."""
    failed = False
    with reported_errors():
        for path in files:
            result = examine_protocol_file(path)
            contradictions = [] if result.protocol is None else _contradictions(result.protocol)
            if contradictions:
                failed = True
                for line in contradictions:
                    sys.stderr.write(printable(f"{path}: steps contradict each other: {line}") + "\n")
                count = len(contradictions)
                sys.stderr.write(
                    printable(f"{count} contradiction{'s' if count != 1 else ''} in {path}") + "\n"
                )
                continue
            if result.protocol is not None:
                typer.echo(printable(_ok_line(result.protocol, path)))
                note = _fasting_note(result.protocol)
                if note:
                    typer.echo(f"  {note}")
                for line in _intake_notes(result.protocol):
                    typer.echo(printable(f"  {line}"))
                continue
            failed = True
            if not path.strip():
                # No file to count problems in: the one problem is the empty name itself.
                sys.stderr.write("".join(f"Error: {printable(str(p))}\n" for p in result.problems))
                continue
            for problem in result.problems:
                sys.stderr.write(printable(str(problem)) + "\n")
            count = len(result.problems)
            sys.stderr.write(printable(f"{count} problem{'s' if count != 1 else ''} in {path}") + "\n")
    # Outside reported_errors: typer.Exit is an exception it would take for a bug.
    if failed:
        raise typer.Exit(ChecklistError.exit_code)


# --- what the commands print -------------------------------------------------------------


def _intake_notes(protocol: Protocol) -> list[str]:
    """A note for each food-and-drink step that does not say what it allows (so it cannot be checked)."""
    return [
        f"Note: step {step.id} has no intake, so it cannot be checked against the other food and "
        'drink steps. Add one, such as intake = "nothing" (see docs/protocols.md).'
        for step in protocol.steps
        if step.category is Category.FOOD_AND_DRINK and step.intake is None
    ]


def _contradictions(protocol: Protocol) -> list[str]:
    """Steps of the protocol's plans that contradict each other, with every catalogue medicine."""
    orders = [
        MedicineOrder(name=entry.generic, entry=entry, form=form)
        for entry in load_catalogue().entries
        for form in entry.forms
    ]
    return check_protocol(protocol, orders, words_for(SOURCE_LANGUAGE))


def _width(limit: int | None = MAX_WIDTH) -> int:
    """The terminal's width (88 when not a terminal), at least MIN_WIDTH and at most *limit*."""
    columns = shutil.get_terminal_size((88, 24)).columns
    return max(MIN_WIDTH, columns if limit is None else min(columns, limit))


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _ok_line(protocol: Protocol, path: str) -> str:
    """``FILE: OK — 27 steps, 10 warning signs; fasting rules: midnight, asa``."""
    return (
        f"{path}: OK — {_plural(len(protocol.steps), 'step')}, "
        f"{_plural(len(protocol.warning_signs), 'warning sign')}; "
        f"fasting rules: {', '.join(protocol.fasting_rules)}"
    )


def _fasting_note(protocol: Protocol) -> str | None:
    """A note when plans made with the default fasting rule ("midnight") would be refused."""
    if "midnight" in protocol.fasting_rules:
        return None
    rules = " or ".join(protocol.fasting_rules)
    return (
        f"Note: this protocol only has fasting steps for {rules}. Make plans with --fasting {rules}, "
        f'or set fasting = "{protocol.fasting_rules[0]}" in the clinic settings file.'
    )


def _list_lines(protocols: list[Protocol], width: int) -> list[str]:
    """One line per protocol (id, name, steps, fasting rules), then its summary, wrapped and indented.

    The summaries of the built-in protocols start with the same words, so cutting
    them short would hide what tells them apart.
    """
    rows = [
        (p.id, p.name, _plural(len(p.steps), "step"), f"fasting: {', '.join(p.fasting_rules)}")
        for p in protocols
    ]
    widths = [max((len(row[n]) for row in rows), default=0) for n in range(4)]
    lines = []
    for row, protocol in zip(rows, protocols, strict=True):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        lines += _wrap(protocol.summary, width, "    ", "    ")
    return lines


def _wrap(text: str, width: int, indent: str, first: str | None = None) -> list[str]:
    """*text* wrapped to *width*, each line indented; *first* replaces the first line's indent."""
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def _show_lines(protocol: Protocol, width: int) -> list[str]:
    """The whole protocol as plain text, for a nurse or the clinic that wrote it."""
    lines = [f"{protocol.name} ({protocol.id})"]
    lines += _wrap(protocol.summary, width, "")
    lines += [
        "",
        f"File: {protocol.file}",
        f"Fasting rules: {', '.join(protocol.fasting_rules)}",
        "",
        "Defaults",
        *(
            f"  {label}: {value} ({key})"
            for label, value, key in (
                ("Procedure length", _plural(protocol.procedure_minutes, "minute"), "procedure_minutes"),
                (
                    "Arrive",
                    f"{_plural(protocol.arrive_minutes, 'minute')} before the procedure",
                    "arrive_minutes",
                ),
                (
                    "Calendar alarms",
                    f"{_plural(protocol.reminder_minutes, 'minute')} before each step",
                    "reminder_minutes",
                ),
                (
                    "Last-day medicine reminders",
                    format_time(protocol.medicine_reminder_at),
                    "medicine_reminder_at",
                ),
            )
        ),
        "",
        f"Steps ({len(protocol.steps)})",
    ]
    for number, step in enumerate(protocol.steps, start=1):
        lines += ["", *_step_lines(step, number, width)]
    for level, heading in (("call", "heading_call"), ("emergency", "heading_emergency")):
        signs = [sign for sign in protocol.warning_signs if sign.level == level]
        if signs:
            lines += ["", f"Warning signs: {message(heading)}"]
            for sign in signs:
                keys = ", ".join(source.key for source in sign.sources)
                lines += _wrap(f"{sign.id}: {sign.text} (sources: {keys})", width, "    ", "  - ")
    return lines


def _step_lines(step: StepSpec, number: int, width: int) -> list[str]:
    lines = [f"{number}. {step.id}: {step.title}", f"   When: {rule_words(step.when)}"]
    if step.until is not None:
        lines.append(f"   Until: {rule_words(step.until)}")
    else:
        lines.append(f"   Lasts: {_plural(step.minutes, 'minute')}")
    lines.append(f"   Category: {step.category.value}")
    if step.fasting is not None:
        lines.append(f'   Fasting rule: only in plans with fasting "{step.fasting}"')
    lines.append(f"   Reminder: {'yes, something to do' if step.actionable else 'no, for information'}")
    lines += _wrap(step.detail, width, "   ")
    if step.items:
        lines.append("   Items:")
        for item in step.items:
            lines += _wrap(item, width, "       ", "     - ")
    lines.append("   Sources:")
    for source in step.sources:
        lines += _wrap(f"{source.key}: {source.citation}", width, "       ", "     - ")
    return lines


def _summary_dict(protocol: Protocol) -> dict[str, Any]:
    return {
        "id": protocol.id,
        "name": protocol.name,
        "summary": protocol.summary,
        "file": protocol.file,
        "steps": len(protocol.steps),
        "warning_signs": len(protocol.warning_signs),
        "fasting_rules": list(protocol.fasting_rules),
    }


def _protocol_dict(protocol: Protocol) -> dict[str, Any]:
    """The protocol as plain data; timing rules as in plan JSON (``describe_rule``)."""

    def sources(cited: tuple[Source, ...]) -> list[dict[str, str]]:
        return [{"key": s.key, "citation": s.citation} for s in cited]

    return {
        "id": protocol.id,
        "name": protocol.name,
        "summary": protocol.summary,
        "file": protocol.file,
        "procedure_minutes": protocol.procedure_minutes,
        "arrive_minutes": protocol.arrive_minutes,
        "reminder_minutes": protocol.reminder_minutes,
        "medicine_reminder_at": protocol.medicine_reminder_at.strftime("%H:%M"),
        "fasting_rules": list(protocol.fasting_rules),
        "steps": [
            {
                "id": step.id,
                "title": step.title,
                "detail": step.detail,
                "category": step.category.value,
                "when": describe_rule(step.when),
                "until": None if step.until is None else describe_rule(step.until),
                "minutes": step.minutes,
                "actionable": step.actionable,
                "fasting": step.fasting,
                "items": list(step.items),
                "sources": sources(step.sources),
            }
            for step in protocol.steps
        ],
        "warning_signs": [
            {"id": sign.id, "level": sign.level, "text": sign.text, "sources": sources(sign.sources)}
            for sign in protocol.warning_signs
        ],
    }
