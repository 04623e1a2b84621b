"""``kyphoprep plan`` (one person's plan) and ``kyphoprep example`` (a made-up one)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import time, timedelta
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from kyphoprep.cli.options import (
    EXIT_CODES_HELP,
    AddressOption,
    ArriveOption,
    ConfigOption,
    DateOrderOption,
    DiscreetOption,
    FacilityOption,
    FastingOption,
    ForceOption,
    FormatOption,
    LanguageOption,
    OutputOption,
    PaperOption,
    PhoneOption,
    ProtocolOption,
    QuietOption,
    ReminderOption,
    ReplacesOption,
    TodayOption,
    TzOption,
    chosen,
)
from kyphoprep.cli.planning import (
    check_strict,
    choose_format,
    clock_now,
    emit,
    now_for,
    settings_given,
    settle,
    settle_with_file,
    zone_of,
)
from kyphoprep.cli.reporting import reported_errors
from kyphoprep.core.models import DATE_ORDERS, DateOrder
from kyphoprep.core.planner import default_plan_id, local_instant
from kyphoprep.data.settings import Overrides, Settings, make_request
from kyphoprep.errors import InputError
from kyphoprep.io.med_options import parse_medicines
from kyphoprep.io.previous_plan import check_same_plan, read_previous
from kyphoprep.io.typed_input import (
    check_procedure_window,
    clean_text,
    parse_today,
    parse_when,
    system_zone,
)

if TYPE_CHECKING:
    from kyphoprep.core.models import PlanRequest
    from kyphoprep.data.clinic_file import ClinicConfig

STDIN = "-"
ROW_OPTIONS = {
    "patient": ("--patient", "name"),
    "driver": ("--driver", "driver"),
    "med": ("--med", "meds"),
    "crcl": ("--crcl", "crcl"),
    "plan_id": ("--plan-id", "patient_id"),
}
"""The options of one person that ``plan -`` takes from the row instead, with their columns."""

PLAN_EPILOG = (
    "Examples:\n\n"
    "  kyphoprep plan '2026-12-03 07:30' --tz America/Chicago --med warfarin=5d\n\n"
    "  kyphoprep plan '2026-12-03 07:30' --med Eliquis --med metformin --med 'aspirin:secondary'\n\n"
    "  kyphoprep plan 'Dec 3 2026 7:30am' --patient 'Ann Lee' --driver 'Tom Lee' "
    "--phone 555-0100 -o plan.txt\n\n"
    "  kyphoprep plan '03/12/2026 07:30' --date-order dmy --tz Europe/London -o plan.ics\n\n"
    "  kyphoprep plan '2026-12-03 07:30' --config clinic.toml --fasting asa --discreet-titles -o plan.ics\n\n"
    "  kyphoprep plan - --format json < patient.csv\n\n"
    "WHEN '-' reads one patient from standard input: a CSV with the columns of 'kyphoprep batch' "
    "(patient_id and when, and any of name, tz, procedure, meds, driver, facility, address, phone, "
    "crcl) and exactly one row; the row gives what --patient, --driver, --med, --crcl and --plan-id "
    "would.\n\n" + EXIT_CODES_HELP
)
EXAMPLE_EPILOG = (
    "Examples:\n\n  kyphoprep example --format text\n\n  kyphoprep example --lang es -o ejemplo.html\n\n"
    + EXIT_CODES_HELP
)


def replacing(request: PlanRequest, path: str) -> PlanRequest:
    """*request* as the next version of the plan in the JSON file at *path*."""
    previous = read_previous(path)
    check_same_plan(previous, default_plan_id(request), path)
    return replace(request, replaces=previous)


def plan(
    when: Annotated[
        str,
        typer.Argument(
            metavar="WHEN",
            help=(
                "Date and time of the procedure, e.g. '2026-12-03 07:30' or 'Dec 3 2026 7:30am'; "
                "or '-' to read the patient's row (CSV, as for batch) from standard input."
            ),
            show_default=False,
        ),
    ],
    tz: TzOption = None,
    date_order: DateOrderOption = None,
    protocol: ProtocolOption = None,
    patient: Annotated[
        str | None, typer.Option(help="Patient name, shown on the handout.", show_default=False)
    ] = None,
    driver: Annotated[str | None, typer.Option(help="Who drives you home.", show_default=False)] = None,
    facility: FacilityOption = None,
    address: AddressOption = None,
    phone: PhoneOption = None,
    arrive_minutes: ArriveOption = None,
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
    fasting: FastingOption = None,
    reminder_minutes: ReminderOption = None,
    discreet_titles: DiscreetOption = None,
    lang: LanguageOption = None,
    config: ConfigOption = None,
    today: TodayOption = None,
    output_format: FormatOption = None,
    output: OutputOption = "-",
    paper: PaperOption = None,
    force: ForceOption = False,
    replaces: ReplacesOption = None,
    quiet: QuietOption = False,
) -> None:
    """Make the preparation plan for a procedure at WHEN."""
    with reported_errors():
        given = settings_given(locals())
        if when == STDIN:
            typed = {"patient": patient, "driver": driver, "med": med, "crcl": crcl, "plan_id": plan_id}
            for name, value in typed.items():
                if value:
                    option, column = ROW_OPTIONS[name]
                    raise InputError.keyed("error_stdin_option", option=option, column=column)
            settings, clinic = settle_with_file(given, config, quiet=quiet)
            request = request_from_stdin(
                settings,
                given,
                clinic,
                today=today,
                date_order=chosen(date_order, DATE_ORDERS),
                require_doctor_holds=require_doctor_holds,
            )
            if replaces is not None:
                request = replacing(request, replaces)
            check_strict(
                emit(request, choose_format(output_format, output), output, force, paper, quiet=quiet), strict
            )
            return
        settings = settle(given, config, quiet=quiet)
        zone = zone_of(settings)
        # "Now" first, as batch does: a --today outside the years kyphoprep plans for is the mistake
        # to report, even when WHEN (in the same far year) is outside them too.
        now = now_for(today, zone)
        start = parse_when(when, zone, date_order=chosen(date_order, DATE_ORDERS) or settings.date_order)
        check_procedure_window(start, now)
        medicines = parse_medicines(
            med or [], crcl=crcl, require_doctor_holds=require_doctor_holds, hold_range=settings.hold_range
        )
        request = make_request(
            settings,
            start=start,
            timezone=zone,
            now=now,
            medicines=medicines,
            crcl=crcl,
            patient=clean_text(patient, "--patient"),
            driver=clean_text(driver, "--driver"),
            plan_id=clean_text(plan_id, "--plan-id"),
        )
        if replaces is not None:
            request = replacing(request, replaces)
        made = emit(request, choose_format(output_format, output), output, force, paper, quiet=quiet)
        check_strict(made, strict)


def request_from_stdin(
    settings: Settings,
    given: Overrides,
    clinic: ClinicConfig | None,
    *,
    today: str | None,
    date_order: DateOrder | None,
    require_doctor_holds: bool,
) -> PlanRequest:
    """``plan -``: the planner's input from the one roster row on standard input, checked as batch does.

    The row is read by the roster's own reader and turned into a request by the batch's, so a row
    means the same to ``plan -`` as to ``batch``; a problem is said as batch says it (row, column).
    """
    if sys.stdin.isatty():  # nobody types CSV at a prompt: say how to send it instead of waiting
        raise InputError.keyed("error_stdin_terminal")
    from kyphoprep.batch.runner import BatchJob, IdCheck, RowPlanner, open_roster
    from kyphoprep.io.roster import Roster, RosterRow

    with open_roster(STDIN, sys.stdin.buffer) as stream:
        rows = Roster(stream, "standard input").rows()
        first = next(rows, None)
        others = sum(1 for _ in rows)
    if first is None:
        raise InputError.keyed("error_stdin_no_row")
    if others:
        raise InputError.keyed("error_stdin_rows", count=others + 1)
    if not isinstance(first, RosterRow):
        raise first  # a row of the wrong shape
    try:
        default_zone: str | None = settings.timezone or system_zone()
    except InputError:
        default_zone = None  # then the row's tz cell must say it
    job = BatchJob(
        settings=settings,
        out_dir="",
        formats=(),
        force=False,
        today=today,
        now=clock_now() if today is None else parse_today(today, "UTC"),
        default_zone=default_zone,
        date_order=date_order,
        require_doctor_holds=require_doctor_holds,
        given=given,
        config=clinic,
    )
    return RowPlanner(job, IdCheck(total=1)).request(first)


def example(
    tz: TzOption = None,
    protocol: ProtocolOption = None,
    fasting: FastingOption = None,
    discreet_titles: DiscreetOption = None,
    lang: LanguageOption = None,
    config: ConfigOption = None,
    today: TodayOption = None,
    output_format: FormatOption = None,
    output: OutputOption = "-",
    paper: PaperOption = None,
    force: ForceOption = False,
) -> None:
    """Show a sample plan for a made-up patient, two weeks from today at 7:30 AM."""
    with reported_errors():
        given = settings_given(locals())
        settings = settle(given, config)
        # The example always shows a clinic, so the handout looks like a real one.
        settings = replace(
            settings,
            facility=settings.facility or "Example Spine Center",
            phone=settings.phone or "555-0100",
        )
        zone = zone_of(settings)
        now = now_for(today, zone)
        day = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=14)
        request = make_request(
            settings,
            start=local_instant(day, time(7, 30), ZoneInfo(zone)),
            timezone=zone,
            now=now,
            medicines=parse_medicines(["warfarin=5d", "enoxaparin=24h", "metformin"]),
            patient="Alex Example",
            driver="Sam Example",
        )
        emit(request, choose_format(output_format, output), output, force, paper)
