"""The command line: parse options, call the planner, pick a renderer, write.

This is the only module that reads the clock, the environment or the terminal,
and the only place that turns a ``KyphoprepError`` into a message and an exit
code. It does no date arithmetic and no formatting of its own. Heavy modules
are imported inside the commands so ``kyphoprep --help`` starts quickly.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from kyphoprep import __version__
from kyphoprep.errors import InternalError, KyphoprepError

if TYPE_CHECKING:
    from kyphoprep.models import Plan, PlanRequest
    from kyphoprep.render import OutputFormat

EXIT_CODES_HELP = (
    "Exit codes: 0 done; 2 bad input or usage; 3 plan written with warnings (--strict); "
    "4 protocol or catalogue file error; 5 output file error."
)

app = typer.Typer(
    name="kyphoprep",
    help=(
        "Make a dated preparation plan for a kyphoplasty or vertebroplasty: when to take the last "
        "dose of each blood thinner your doctor said to stop, when to stop eating and drinking, "
        "who drives you home, what to bring, and how to recover. Prints a handout, or writes a "
        "calendar (.ics) or JSON file.\n\n"
        "Your care team's instructions always come first.\n\n" + EXIT_CODES_HELP
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # a traceback could show patient details
)


class FormatChoice(StrEnum):
    """Values of --format."""

    terminal = "terminal"
    text = "text"
    ics = "ics"
    json = "json"


class DateOrderChoice(StrEnum):
    """Values of --date-order."""

    mdy = "mdy"
    dmy = "dmy"


def _printable(text: str) -> str:
    """One line, with control characters shown as '?' so a message cannot break the terminal."""
    return "".join("?" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn every kyphoprep error into one line on stderr and its exit code."""
    try:
        yield
    except KyphoprepError as exc:
        sys.stderr.write(f"Error: {_printable(str(exc))}\n")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        sys.stderr.write("Stopped. No file was changed.\n")
        raise typer.Exit(130) from None
    except Exception as exc:
        if os.environ.get("KYPHOPREP_DEBUG"):
            raise
        # No traceback: it could show patient details. The type is enough to report.
        sys.stderr.write(
            f"Error: kyphoprep hit an internal problem ({type(exc).__name__}). Please report it. "
            "Set KYPHOPREP_DEBUG=1 to see the details.\n"
        )
        raise typer.Exit(InternalError.exit_code) from None


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"kyphoprep {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version_callback, is_eager=True
        ),
    ] = False,
) -> None:
    """Make a dated preparation plan for a kyphoplasty or vertebroplasty."""


# --- shared option handling ------------------------------------------------------------------


def _now(today: str | None, zone: str) -> datetime:
    """ "Now": --today, else SOURCE_DATE_EPOCH, else the clock (read here, never in the core)."""
    from kyphoprep.parsing import now_from_epoch, parse_today

    if today is not None:
        return parse_today(today, zone)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return now_from_epoch(epoch)
    return datetime.now(UTC)


def _choose_format(requested: FormatChoice | None, output: str) -> OutputFormat:
    from kyphoprep.render import OutputFormat

    if requested is not None:
        return OutputFormat(requested.value)
    if output != "-":
        suffix = os.path.splitext(output)[1].lower()
        return {".ics": OutputFormat.ICS, ".json": OutputFormat.JSON}.get(suffix, OutputFormat.TEXT)
    return OutputFormat.TERMINAL if sys.stdout.isatty() else OutputFormat.TEXT


def _use_color() -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colour off.
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _emit(plan_request: PlanRequest, output_format: OutputFormat, output: str, force: bool) -> Plan:
    from kyphoprep.output import write_output
    from kyphoprep.planner import build_plan
    from kyphoprep.render import OutputFormat, RenderOptions, renderer_for

    plan = build_plan(plan_request)
    options = RenderOptions()
    if output_format is OutputFormat.TERMINAL:
        width = min(shutil.get_terminal_size((88, 24)).columns, 100)
        options = RenderOptions(color=output == "-" and _use_color(), width=width)
    data = renderer_for(output_format).render(plan, options)
    write_output(data, output, force=force)
    if output != "-":
        sys.stderr.write(f"Wrote {output}\n")
    # The handout and the screen open with the warnings; a file or a calendar
    # might not be read before it is too late, so say them here too.
    readable_here = output == "-" and output_format in (OutputFormat.TERMINAL, OutputFormat.TEXT)
    if not readable_here:
        for warning in plan.warnings:
            sys.stderr.write(f"Warning: {_printable(warning.message)}\n")
    return plan


def _check_strict(plan: Plan, strict: bool) -> None:
    from kyphoprep.errors import WarningsError

    if strict and plan.warnings:
        count = len(plan.warnings)
        raise WarningsError(
            f"--strict: the plan has {count} warning{'s' if count != 1 else ''} (shown at the top of the "
            "plan). It was still written so the care team can act on it."
        )


FormatOption = Annotated[
    FormatChoice | None,
    typer.Option(
        "--format",
        "-f",
        help=(
            "terminal (a view for the screen), text (a printable handout), ics (a calendar file) or "
            "json (for scripts). Default: terminal on a screen; otherwise from the -o file name "
            "(.ics, .json), else text."
        ),
        show_default=False,
    ),
]
OutputOption = Annotated[
    str,
    typer.Option(
        "--output", "-o", help="Write to this file; '-' means the screen (standard output).", metavar="PATH"
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the -o file if it already exists.")]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        metavar="DATE",
        help=(
            "Pretend today is DATE (YYYY-MM-DD, or YYYY-MM-DDTHH:MM) so output is repeatable. "
            "SOURCE_DATE_EPOCH works too."
        ),
        show_default=False,
    ),
]
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help=("IANA time zone of the procedure, such as America/Chicago. Default: this computer's zone."),
        show_default=False,
    ),
]


# --- commands ------------------------------------------------------------------------------


@app.command(
    epilog=(
        "Examples:\n\n"
        "  kyphoprep plan '2026-12-03 07:30' --tz America/Chicago --med warfarin=5d\n\n"
        "  kyphoprep plan '2026-12-03 07:30' --med Eliquis --med metformin --med 'aspirin:secondary'\n\n"
        "  kyphoprep plan 'Dec 3 2026 7:30am' --patient 'Ann Lee' --driver 'Tom Lee' "
        "--phone 555-0100 -o plan.txt\n\n"
        "  kyphoprep plan '03/12/2026 07:30' --date-order dmy --tz Europe/London -o plan.ics\n\n"
        + EXIT_CODES_HELP
    )
)
def plan(
    when: Annotated[
        str,
        typer.Argument(
            metavar="WHEN",
            help="Date and time of the procedure, e.g. '2026-12-03 07:30' or 'Dec 3 2026 7:30am'.",
            show_default=False,
        ),
    ],
    tz: TzOption = None,
    date_order: Annotated[
        DateOrderChoice | None,
        typer.Option(
            "--date-order",
            help=("How to read a date like 03/04/2027: mdy (month first, US) or dmy (day first)."),
            show_default=False,
        ),
    ] = None,
    procedure: Annotated[
        str, typer.Option("--procedure", "-p", help="kyphoplasty or vertebroplasty.")
    ] = "kyphoplasty",
    patient: Annotated[
        str | None, typer.Option(help="Patient name, shown on the handout.", show_default=False)
    ] = None,
    driver: Annotated[str | None, typer.Option(help="Who drives you home.", show_default=False)] = None,
    facility: Annotated[
        str | None, typer.Option(help="Where the procedure is done.", show_default=False)
    ] = None,
    phone: Annotated[str | None, typer.Option(help="The clinic's phone number.", show_default=False)] = None,
    arrive_minutes: Annotated[
        int | None,
        typer.Option(
            "--arrive-minutes",
            min=10,
            max=360,
            help="Arrive this many minutes before the procedure. Default: from the protocol (90).",
            show_default=False,
        ),
    ] = None,
    med: Annotated[
        list[str] | None,
        typer.Option(
            "--med",
            "-m",
            metavar="NAME[:FORM][=HOLD]",
            help=(
                "A medicine you take, by generic or brand name, with what your doctor said: "
                "warfarin=5d (stop 5 days before), Lovenox=24h (24 hours), aspirin=continue (keep "
                "taking it). Without =HOLD, kyphoprep uses typical guidance, labelled 'confirm with "
                "your doctor'. Some need a form: enoxaparin:preventive, aspirin:secondary (see "
                "'kyphoprep meds NAME'). Repeat for each medicine."
            ),
            show_default=False,
        ),
    ] = None,
    crcl: Annotated[
        int | None,
        typer.Option(
            "--crcl",
            metavar="ML_MIN",
            help="Kidney function (creatinine clearance, mL/min) from a recent blood test; picks "
            "the typical guidance for dabigatran.",
            show_default=False,
        ),
    ] = None,
    require_doctor_holds: Annotated[
        bool,
        typer.Option(
            "--require-doctor-holds",
            help="For clinics: refuse any blood thinner given without the doctor's interval (=HOLD).",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit with code 3 if the plan has any warning (such as a last dose already missed). "
            "The plan is still written.",
        ),
    ] = False,
    plan_id: Annotated[
        str | None,
        typer.Option(
            "--plan-id",
            help=(
                "A stable id for this person's plan (e.g. a clinic record number). Keeps "
                "calendar entries the same when the date changes. Default: from --patient."
            ),
            show_default=False,
        ),
    ] = None,
    today: TodayOption = None,
    output_format: FormatOption = None,
    output: OutputOption = "-",
    force: ForceOption = False,
) -> None:
    """Make the preparation plan for a procedure at WHEN."""
    with reported_errors():
        from kyphoprep.medicines import parse_medicines
        from kyphoprep.models import PlanRequest
        from kyphoprep.parsing import (
            check_procedure_window,
            clean_text,
            parse_when,
            resolve_zone,
            system_zone,
        )
        from kyphoprep.protocols import load_builtin_protocol

        zone = resolve_zone(tz) if tz is not None else system_zone()
        start = parse_when(when, zone, date_order=None if date_order is None else date_order.value)
        now = _now(today, zone)
        check_procedure_window(start, now)
        protocol = load_builtin_protocol(procedure.strip().lower())
        medicines = parse_medicines(med or [], crcl=crcl, require_doctor_holds=require_doctor_holds)
        request = PlanRequest(
            procedure_start=start,
            timezone=zone,
            now=now,
            protocol=protocol,
            arrive_minutes=protocol.arrive_minutes if arrive_minutes is None else arrive_minutes,
            medicines=medicines,
            crcl=crcl,
            patient=clean_text(patient, "--patient"),
            driver=clean_text(driver, "--driver"),
            facility=clean_text(facility, "--facility"),
            phone=clean_text(phone, "--phone"),
            plan_id=clean_text(plan_id, "--plan-id"),
        )
        made = _emit(request, _choose_format(output_format, output), output, force)
        _check_strict(made, strict)


@app.command(epilog="Example:\n\n  kyphoprep example --format text\n\n" + EXIT_CODES_HELP)
def example(
    tz: TzOption = None,
    today: TodayOption = None,
    output_format: FormatOption = None,
    output: OutputOption = "-",
    force: ForceOption = False,
) -> None:
    """Show a sample plan for a made-up patient, two weeks from today at 7:30 AM."""
    with reported_errors():
        from kyphoprep.medicines import parse_medicines
        from kyphoprep.models import PlanRequest
        from kyphoprep.parsing import resolve_zone, system_zone
        from kyphoprep.planner import local_instant
        from kyphoprep.protocols import load_builtin_protocol

        zone = resolve_zone(tz) if tz is not None else system_zone()
        now = _now(today, zone)
        day = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=14)
        protocol = load_builtin_protocol("kyphoplasty")
        request = PlanRequest(
            procedure_start=local_instant(day, time(7, 30), ZoneInfo(zone)),
            timezone=zone,
            now=now,
            protocol=protocol,
            arrive_minutes=protocol.arrive_minutes,
            medicines=parse_medicines(["warfarin=5d", "enoxaparin=24h", "metformin"]),
            patient="Alex Example",
            driver="Sam Example",
            facility="Example Spine Center",
            phone="555-0100",
        )
        _emit(request, _choose_format(output_format, output), output, force)


@app.command(
    epilog=(
        "Examples:\n\n"
        "  kyphoprep meds                 (every medicine, one line each)\n\n"
        "  kyphoprep meds Eliquis         (everything about apixaban)\n\n"
        "  kyphoprep meds insulin --json\n\n"
        "Exit codes: 0 found; 1 nothing matches; 4 catalogue file error."
    )
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
        import json

        from kyphoprep.catalogue import describe_match, load_catalogue
        from kyphoprep.errors import NoMatchError
        from kyphoprep.meds_view import entry_card, entry_line, entry_to_dict

        catalogue = load_catalogue()
        text = " ".join((query or "").split())
        exact = catalogue.find(text) if text else None
        entries = [exact.entry] if exact is not None else catalogue.search(text)
        if not entries:
            near = catalogue.suggestions(text)
            hint = f" Did you mean {' or '.join(describe_match(m) for m in near)}?" if near else ""
            raise NoMatchError(
                f"No medicine in kyphoprep's list matches '{_printable(text)}'.{hint} "
                "Run 'kyphoprep meds' to see them all."
            )
        if as_json:
            typer.echo(json.dumps([entry_to_dict(e) for e in entries], indent=2, ensure_ascii=False))
        elif text:
            typer.echo("\n\n".join("\n".join(entry_card(e)) for e in entries))
        else:
            typer.echo("\n".join(entry_line(e) for e in entries))


def main() -> None:
    """Entry point of the ``kyphoprep`` command."""
    app()
