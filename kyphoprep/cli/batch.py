"""``kyphoprep batch``: plans for every patient on a clinic's CSV roster."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from kyphoprep.batch.print_file import (
    PrintJob,
    PrintSummary,
    check_print_target,
    make_folder,
    remove_folder,
    write_print_file,
)
from kyphoprep.batch.report import CallList, check_report_target
from kyphoprep.batch.runner import (
    FORMATS,
    STOP_SIGNALS,
    BatchJob,
    BatchSummary,
    check_ids,
    check_out_is_a_folder_name,
    check_out_name,
    open_roster,
    plan_rows,
    prepare_out_dir,
    read_made,
    remove_stale_temporary_files,
    rows_written_since,
    write_made,
)
from kyphoprep.cli.options import (
    AddressOption,
    ArriveOption,
    ConfigOption,
    DateOrderOption,
    DiscreetOption,
    FacilityOption,
    FastingOption,
    LanguageOption,
    PaperOption,
    PhoneOption,
    ProtocolOption,
    QuietOption,
    ReminderOption,
    TodayOption,
    TzOption,
    chosen,
)
from kyphoprep.cli.planning import clock_now, note_settings_file, read_config, settings_given
from kyphoprep.cli.reporting import reported_errors
from kyphoprep.core.models import DATE_ORDERS
from kyphoprep.data.settings import resolve_settings
from kyphoprep.errors import (
    STOPPED_EXIT,
    InputError,
    OutputError,
    RowsFailedError,
    WarningsError,
    exit_codes_help,
)
from kyphoprep.io.roster import Roster
from kyphoprep.io.text_rules import printable
from kyphoprep.io.typed_input import parse_today, system_zone
from kyphoprep.render import OutputFormat
from kyphoprep.render.pdf import weasyprint

if TYPE_CHECKING:
    from kyphoprep.batch.runner import RowResult
    from kyphoprep.data.settings import Settings

BATCH_EXIT_CODES = exit_codes_help(
    {
        0: "every row written",
        2: "the roster cannot be read, or bad options",
        3: "every row written but some plans have warnings (--strict)",
        4: "protocol or settings file error",
        5: "the output folder, the print file or the call list cannot be used",
        6: "some rows failed (the others were written)",
    },
    leave_out=[1],
)
BATCH_EPILOG = (
    "Columns (first line of the CSV; only patient_id and when are required): patient_id, name, "
    "when, tz, procedure, meds (such as 'apixaban=3d; metformin'), driver, facility, address, "
    "phone, crcl.\n\n"
    "Examples:\n\n"
    "  kyphoprep batch today.csv --out plans/\n\n"
    "  kyphoprep batch today.csv --out plans/ --format text,ics --config clinic.toml\n\n"
    "  kyphoprep batch today.csv --out plans/ --format pdf,ics --print-file day.pdf\n\n"
    "  kyphoprep batch today.csv --out plans/ --skip-existing --report calls.csv\n\n"
    "  clinic-export | kyphoprep batch - --out plans/ --today 2026-11-21 --force\n\n" + BATCH_EXIT_CODES
)
PROGRESS_LINES_FROM = 1000  # smaller rosters finish before a progress line would help


def batch(
    roster: Annotated[
        str,
        typer.Argument(
            metavar="ROSTER.csv",
            help="The roster: a CSV file with one patient per row, or '-' to read standard input.",
            show_default=False,
        ),
    ],
    out: Annotated[
        str,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Folder for the plans (created if needed). Files are named from patient_id.",
            show_default=False,
        ),
    ],
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMATS",
            help=(
                "Comma-separated: text, ics, json, html (large-print handout), caregiver (a summary "
                "for the driver), caregiver-html (that summary in large print), pdf (the handout as PDF; "
                "pip install 'kyphoprep[pdf]')."
            ),
        ),
    ] = "text,ics,json",
    force: Annotated[bool, typer.Option("--force", help="Replace plan files that already exist.")] = False,
    skip_existing: Annotated[
        bool,
        typer.Option(
            "--skip-existing",
            help=(
                "Rerun after fixing rows: a row whose files already exist and are exactly what it would "
                "write (made again at the moment they were first made) is skipped; a row whose files "
                "differ still fails. Not with --force."
            ),
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=64,
            help="Worker processes for large rosters. Default: one per CPU core.",
            show_default=False,
        ),
    ] = None,
    replaces: Annotated[
        str | None,
        typer.Option(
            "--replaces",
            metavar="DIR",
            help=(
                "The folder of an earlier batch. Each row's plan replaces DIR/<patient_id>.json when there "
                "is one: its calendar cancels the reminders that are gone. DIR may be --out (with --force)."
            ),
            show_default=False,
        ),
    ] = None,
    print_file: Annotated[
        str | None,
        typer.Option(
            "--print-file",
            metavar="FILE",
            help=(
                "Also write ONE file (.pdf or .html) with every patient's handout, in appointment order, "
                "each on new pages headed with the patient's name and procedure time, to print the day at "
                "once. Rows that failed are listed on a cover page. Replaced only with --force."
            ),
            show_default=False,
        ),
    ] = None,
    paper: PaperOption = None,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            metavar="FILE",
            help=(
                "Also write the day's call list (.csv or .json): one line per row with its id, status "
                "(planned, warning, failed, skipped), the reason, and for warnings what to call the "
                "patient about. No names. Replaced only with --force."
            ),
            show_default=False,
        ),
    ] = None,
    tz: TzOption = None,
    date_order: DateOrderOption = None,
    protocol: ProtocolOption = None,
    facility: FacilityOption = None,
    address: AddressOption = None,
    phone: PhoneOption = None,
    arrive_minutes: ArriveOption = None,
    fasting: FastingOption = None,
    reminder_minutes: ReminderOption = None,
    discreet_titles: DiscreetOption = None,
    lang: LanguageOption = None,
    require_doctor_holds: Annotated[
        bool,
        typer.Option(
            "--require-doctor-holds",
            help="Refuse a row with a blood thinner given without the doctor's interval (=HOLD).",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit with code 3 if any plan has a warning. The plans are still written."
        ),
    ] = False,
    config: ConfigOption = None,
    today: TodayOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write a plan for every patient on a CSV roster: one file per patient per format.

    A bad row is reported with its row number, id, column and reason, and skipped;
    the other rows are still written.
    """
    with reported_errors():
        if skip_existing and force:
            raise InputError(
                "--skip-existing and --force cannot be used together: --force replaces every row's files, "
                "--skip-existing keeps the rows whose files are unchanged. Choose one."
            )
        wanted = _formats(formats)
        check_out_name(out)
        check_out_is_a_folder_name(out)
        _no_old_summary(skip_existing, print_file, report)
        print_kind = None if print_file is None else check_print_target(print_file, force=force, out_dir=out)
        report_kind = None if report is None else check_report_target(report, force=force)
        if OutputFormat.PDF in wanted or print_kind is OutputFormat.PDF:
            weasyprint()  # missing: said once, before any row is planned
        if replaces is not None and not os.path.isdir(replaces):
            raise InputError(
                f"--replaces '{printable(replaces)}' is not a folder. Give the folder of the earlier batch "
                "(its --out), or leave out --replaces."
            )
        given = settings_given(locals())
        clinic = read_config(config)
        settings = resolve_settings(given, clinic)
        note_settings_file(clinic, settings.language, quiet=quiet)
        if today is not None:
            parse_today(today, "UTC")  # a nonsense --today fails once, not on every row
        name = "standard input" if roster == "-" else roster
        with open_roster(roster, sys.stdin.buffer) as stream:
            ids = check_ids(Roster(stream, name))
            if ids.total == 0:
                raise InputError(f"{name} has no patient rows, only the line of column names.")
            # As for plan: --today wins, and SOURCE_DATE_EPOCH is read (and checked, before the
            # folder is made) only without it. With --today, each row reads it in its own zone.
            now = clock_now() if today is None else parse_today(today, "UTC")
            prepare_out_dir(out)  # last: a run that fails before planning changes nothing on disk
            earlier = read_made(out)
            if print_file is not None:
                check_print_target(
                    print_file, force=force, out_dir=out
                )  # again: its folder may be --out, just made
            if report is not None:
                check_report_target(report, force=force)
            started = time.time() - 1  # file times may be rounded down to the second
            remove_stale_temporary_files(out, started)
            stream.seek(0)
            print_job = None if print_kind is None else PrintJob(print_kind, make_folder(), paper or "letter")
            call_list = None if report_kind is None else CallList(report_kind)
            job = BatchJob(
                settings=settings,
                out_dir=out,
                formats=wanted,
                force=force,
                today=today,
                now=now,
                default_zone=_default_zone(settings),
                date_order=chosen(date_order, DATE_ORDERS) or settings.date_order,
                require_doctor_holds=require_doctor_holds,
                given=given,
                config=clinic,
                replaces_dir=replaces,
                print_job=print_job,
                paper=paper or "letter",
                skip_existing=skip_existing,
                made=earlier if skip_existing else {},
            )
            workers = jobs if jobs is not None else (os.cpu_count() or 1)
            try:
                summary = _run(
                    plan_rows(Roster(stream, name), job, ids, jobs=workers),
                    ids.total,
                    job,
                    started,
                    call_list,
                    quiet,
                )
                write_made(out, earlier, summary.made)
                if print_file is not None and print_job is not None:
                    _write_print_file(print_file, force, print_job, summary, job, quiet)
                if report is not None and call_list is not None:
                    _write_call_list(report, force, call_list)
            finally:
                if print_job is not None:
                    remove_folder(print_job.folder)
                if call_list is not None:
                    call_list.close()
        if not quiet:
            sys.stderr.write(_summary_line(summary, out) + "\n")
        _check_summary(summary, strict)


def _formats(formats: str) -> tuple[str, ...]:
    """The --format value as formats, each once, in the order given; refused if one is unknown."""
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    if not wanted or any(f not in FORMATS for f in wanted):
        raise InputError(
            f"--format '{printable(formats)}': choose one or more of {', '.join(FORMATS)}, "
            "separated by commas (such as text,ics)."
        )
    return wanted


def _write_print_file(
    target: str, force: bool, print_job: PrintJob, summary: BatchSummary, job: BatchJob, quiet: bool
) -> None:
    """The day's print file, from the pieces the rows left; one line on stderr says it was written."""
    write_print_file(
        target,
        force=force,
        job=print_job,
        printed=summary.printed,
        failed=summary.unprinted,
        about=PrintSummary(language=job.settings.language, author=job.settings.facility, moment=job.now),
    )
    if quiet:
        return
    failed = len(summary.unprinted)
    cover = f"; {failed} failed row{'s' if failed != 1 else ''} listed on its cover" if failed else ""
    handouts = len(summary.printed)
    sys.stderr.write(
        f"Wrote {printable(target)}: {handouts} handout{'s' if handouts != 1 else ''} in appointment "
        f"order{cover}.\n"
    )


def _no_old_summary(skip_existing: bool, *targets: str | None) -> None:
    """--skip-existing reruns a day whose print file or call list may exist; --force, which would
    replace them, is not allowed with it, so the message says what to do instead."""
    if not skip_existing:
        return
    for target in targets:
        if target is not None and os.path.lexists(target):
            stem, dot, ending = target.rpartition(".")
            other = f"{stem}-2.{ending}" if dot else f"{target}-2"
            raise OutputError(
                f"'{printable(target)}' already exists, from an earlier run. With --skip-existing, give "
                f"this run's file another name, such as {printable(other)}, or move the old one away."
            )


def _write_call_list(target: str, force: bool, call_list: CallList) -> None:
    """The call list, and one line on stderr that says how many patients to call."""
    call_list.write(target, force=force)
    calls = call_list.counts["warning"]
    failed = call_list.counts["failed"]
    also = f", {failed} failed row{'s' if failed != 1 else ''} to fix" if failed else ""
    sys.stderr.write(
        f"Wrote {printable(target)}: {calls} patient{'s' if calls != 1 else ''} to call{also}.\n"
    )


def _default_zone(settings: Settings) -> str | None:
    """The zone of a row whose tz cell is empty: --tz or the settings file, else this computer's."""
    if settings.timezone is not None:
        return settings.timezone
    try:
        return system_zone()
    except InputError:
        return None  # then every row must fill in its tz column


def _run(
    results: Iterator[RowResult],
    total: int,
    job: BatchJob,
    started: float,
    call_list: CallList | None,
    quiet: bool = False,
) -> BatchSummary:
    """Every row's result, reported as it comes; Ctrl+C, SIGTERM and SIGHUP stop in good order."""
    summary = BatchSummary()
    previous = {number: signal.signal(number, _stop_like_ctrl_c) for number in STOP_SIGNALS}
    try:
        for result in _with_progress(results, total, quiet):
            summary.add(result)
            if call_list is not None:
                call_list.add(result)
    except KeyboardInterrupt:
        # The workers finish the row in hand, so every file written is whole.
        planned = max(summary.written, rows_written_since(job.out_dir, job.formats, started))
        sys.stderr.write(
            f"Stopped: {planned} of {total} rows were planned before the stop. "
            f"Every file in {printable(job.out_dir)} is complete; none is half-written. Run again with "
            "--force to redo them all.\n"
        )
        raise typer.Exit(STOPPED_EXIT) from None
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return summary


def _check_summary(summary: BatchSummary, strict: bool) -> None:
    """Exit 6 if a row failed; with --strict, exit 3 if a plan has warnings."""
    if summary.failed:
        if summary.written:
            others = "the other plans were written"
        elif summary.skipped:
            others = "the other rows were already written"
        else:
            others = "no plan was written"
        raise RowsFailedError(
            f"{summary.failed} of {summary.rows} row{'s' if summary.rows != 1 else ''} failed "
            f"(see above); {others}."
        )
    if strict and summary.with_warnings:
        raise WarningsError(
            f"--strict: {summary.with_warnings} plan{'s have' if summary.with_warnings != 1 else ' has'} "
            "warnings (see above). The plans were still written."
        )


def _stop_like_ctrl_c(number: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM, SIGHUP: the same orderly stop as Ctrl-C


def _report(result: RowResult, say: Callable[[str], object]) -> None:
    """A failed row or a plan with warnings, as lines on stderr."""
    if result.error is not None and not result.reported:
        say(f"Error: {printable(result.error)}")
    if result.warnings:
        # No medical details here: clinics keep stderr in logs. The plan file says what to do.
        who = f"Row {result.row} ({printable(result.patient_id)})"
        count = len(result.warnings)
        where = (
            f"; read {'it' if count == 1 else 'them'} at the top of {printable(result.files[0])}"
            if result.files
            else ""
        )
        say(
            f"Warning: {who}: the plan has {count} warning{'s' if count != 1 else ''} to act on first{where}."
        )


def _with_progress(results: Iterator[RowResult], total: int, quiet: bool = False) -> Iterator[RowResult]:
    """Pass the results through, showing progress: a bar on a terminal, else a line every 10%.

    With --quiet, only the rows that failed or have warnings are said.
    """
    if not quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True, highlight=False)
        columns = (TextColumn("Planning"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("rows", total=total)
            for result in results:
                _report(result, lambda line: console.print(line, markup=False))
                progress.advance(task)
                yield result
        return
    step = max(total // 10, 1)
    for done, result in enumerate(results, start=1):
        _report(result, lambda line: sys.stderr.write(line + "\n"))
        if not quiet and total >= PROGRESS_LINES_FROM and done % step == 0 and done < total:
            sys.stderr.write(f"Progress: {done} of {total} rows\n")
        yield result


def _summary_line(summary: BatchSummary, out: str) -> str:
    rows = f"{summary.rows} row{'s' if summary.rows != 1 else ''}"
    line = f"Done: {summary.written} of {rows} planned, {summary.files} files written to {printable(out)}."
    if summary.skipped:
        line += f" {summary.skipped} skipped (already written, unchanged)."
    if summary.failed:
        line += f" {summary.failed} failed."
    if summary.with_warnings:
        line += f" {summary.with_warnings} with warnings."
    return line
