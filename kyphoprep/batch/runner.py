"""Plans for a whole roster: one file per patient per format, bad rows reported and skipped.

The run has two passes over the roster. The first reads only the ``patient_id``
column, to count the rows and to find ids that would share a file name (those
rows are errors, never silently merged). The second makes the plans, streaming:
rows go to worker processes in small chunks, with only a few chunks in flight,
so memory stays flat however long the roster is. Every file is written
atomically by ``kyphoprep.io.safe_write``; a row whose files exist is skipped unless
``force`` is set.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import re
import signal
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from kyphoprep.batch.print_file import Printed, PrintJob, Unprinted, piece_path, reason_shown, write_piece
from kyphoprep.core.planner import build_plan, default_plan_id
from kyphoprep.data.protocols import builtin_protocol_names, is_protocol_path
from kyphoprep.data.settings import Overrides, Settings, make_request, resolve_settings
from kyphoprep.errors import InputError, KyphoprepError, OutputError, RowError
from kyphoprep.i18n.words import words_for
from kyphoprep.io.med_options import MAX_CRCL, MIN_CRCL, medicine_problems
from kyphoprep.io.previous_plan import check_same_plan, read_previous
from kyphoprep.io.roster import MAX_BYTES as MAX_ROSTER_BYTES
from kyphoprep.io.roster import Roster, RosterRow, file_key, file_stem, too_large
from kyphoprep.io.safe_write import cannot, check_target, shown, write_output
from kyphoprep.io.text_rules import has_control
from kyphoprep.io.typed_input import (
    check_procedure_window,
    clean_text,
    parse_today,
    parse_when,
    quoted,
    resolve_zone,
)
from kyphoprep.render import FILE_FORMATS, OutputFormat, RenderOptions, file_name, renderer_for
from kyphoprep.render import FORMATS as FORMATS_INFO

if TYPE_CHECKING:
    import multiprocessing.pool
    from multiprocessing.synchronize import Event

    from kyphoprep.core.models import DateOrder, Plan, PlanRequest
    from kyphoprep.data.clinic_file import ClinicConfig

T = TypeVar("T")
FORMATS = tuple(f.value for f in FILE_FORMATS)
"""The formats a batch can write: each with its own file per patient (``render.file_name``)."""
CHUNK_ROWS = 64
PARALLEL_FROM = 200  # below this many rows, starting worker processes costs more than it saves
STDIN = "-"


@dataclass(frozen=True, slots=True)
class BatchJob:
    """Everything a worker needs to turn rows into files; sent once to each worker."""

    settings: Settings
    out_dir: str
    formats: tuple[str, ...]
    force: bool
    today: str | None
    """--today as typed (read in each row's zone), or None to use *now*."""
    now: datetime
    default_zone: str | None
    date_order: DateOrder | None = None
    require_doctor_holds: bool = False
    given: Overrides = field(default_factory=Overrides)
    """The command line *settings* were settled from (with *config*): a row that names another
    protocol is settled again from them, so it gets that protocol's own defaults (arrival, alarms)."""
    config: ClinicConfig | None = None
    replaces_dir: str | None = None
    """--replaces DIR: the folder of the earlier batch, whose ``<id>.json`` each row replaces."""
    print_job: PrintJob | None = None
    """--print-file: where each row also leaves its piece of the day's print file."""
    paper: str = "letter"
    """--paper: the PDF files' paper (see ``render.PAPERS``)."""
    skip_existing: bool = False
    """--skip-existing: a row whose files are already what it would write is left as it is."""
    made: Mapping[str, str] = field(default_factory=dict)
    """From the folder's record (``MADE_FILE``): the "now" each earlier row's files were made at, by
    file stem, so that --skip-existing can make them again at that moment and compare the bytes."""


@dataclass(frozen=True, slots=True)
class RowResult:
    """What happened to one row (small: it crosses from a worker process)."""

    row: int
    patient_id: str
    files: tuple[str, ...] = ()
    error: str | None = None
    warnings: tuple[str, ...] = ()
    reported: bool = False
    """True when the error was already reported on another row (a shared id is reported once)."""
    printed: Printed | None = None
    """With --print-file: where this row's handout goes in the print file."""
    shown_reason: str | None = None
    """With an error: the reason as the print file's cover page says it (nothing medical)."""
    skipped: bool = False
    """--skip-existing: the row's files were already there, unchanged, and were left as they are."""
    made: tuple[str, str] | None = None
    """The row's file stem and the "now" (ISO) its files were made at, for the folder's record."""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BatchSummary:
    """Counts for the end of the run."""

    rows: int = 0
    written: int = 0
    failed: int = 0
    with_warnings: int = 0
    files: int = 0
    skipped: int = 0
    """Rows left as they were (--skip-existing): counted in *rows*, not in *written*."""
    made: dict[str, str] = field(default_factory=dict)
    """Each file stem written (or skipped) in this run, with the "now" its files were made at."""
    printed: list[Printed] = field(default_factory=list)
    """With --print-file: the rows whose handouts go in it (small: no patient data but a header)."""
    unprinted: list[Unprinted] = field(default_factory=list)
    """With --print-file: the failed rows, for its cover page."""

    def add(self, result: RowResult) -> None:
        self.rows += 1
        if result.printed is not None:
            self.printed.append(result.printed)
        if not result.ok and result.shown_reason is not None:
            self.unprinted.append(Unprinted(result.row, result.patient_id, result.shown_reason))
        if result.made is not None:
            self.made[result.made[0]] = result.made[1]
        if result.ok and result.skipped:
            self.skipped += 1
            self.with_warnings += bool(result.warnings)
        elif result.ok:
            self.written += 1
            self.files += len(result.files)
            self.with_warnings += bool(result.warnings)
        else:
            self.failed += 1


# --- pass 1: ids ----------------------------------------------------------------------------


@dataclass
class IdCheck:
    """Which rows share a file name with another row (duplicate ids, or ids that clean to the same name)."""

    total: int = 0
    clashes: dict[str, list[int]] = field(default_factory=dict)

    def clash_for(self, row: RosterRow) -> list[int] | None:
        stem = file_stem(row.patient_id)
        return self.clashes.get(file_key(stem)) if stem else None


def check_ids(roster: Roster) -> IdCheck:
    """Count the rows and find every file name that more than one row would use."""
    first_row: dict[str, int] = {}
    check = IdCheck()
    for item in roster.rows():
        check.total += 1
        if isinstance(item, RowError):
            continue
        stem = file_stem(item.patient_id)
        if not stem or has_control(item.patient_id):  # a row refused for its id names no file
            continue
        key = file_key(stem)
        if key in first_row:
            check.clashes.setdefault(key, [first_row[key]]).append(item.number)
        else:
            first_row[key] = item.number
    return check


SHOWN_CLASHES = 5
"""Rows named in the message about a shared id; the rest are counted."""


# --- pass 2: one row ----------------------------------------------------------------------------


class RowPlanner:
    """Turns one row into its files; used in the main process or once per worker."""

    def __init__(self, job: BatchJob, ids: IdCheck) -> None:
        self.job = job
        self.ids = ids
        self._settings_by_procedure: dict[str, Settings] = {}
        self._now_by_zone: dict[str, datetime] = {}

    def run(self, item: RosterRow | RowError) -> RowResult:
        if isinstance(item, RowError):
            shown_reason = reason_shown(item.column, item.reason, output=False)
            return RowResult(item.row, item.patient_id, error=str(item), shown_reason=shown_reason)
        try:
            return self._run(item)
        except RowError as exc:
            # Raised by _run without a column only when a file cannot be written.
            shown_reason = reason_shown(exc.column, exc.reason, output=not exc.columns, columns=exc.columns)
            return RowResult(item.number, item.patient_id, error=str(exc), shown_reason=shown_reason)
        except KyphoprepError as exc:
            error = RowError(item.number, item.patient_id, None, str(exc))
            shown_reason = reason_shown(None, str(exc), output=False)
            return RowResult(item.number, item.patient_id, error=str(error), shown_reason=shown_reason)

    def request(self, row: RosterRow) -> PlanRequest:
        """*row*'s planner input, its id and cells checked as a batch checks them (for ``plan -``)."""
        self._check_id(row)
        return self._request(row)

    def _check_id(self, row: RosterRow) -> None:
        patient_id = row.patient_id
        if not patient_id:
            raise RowError(
                row.number, "", "patient_id", "is empty. Every row needs an id for its file names."
            )
        if has_control(patient_id):
            # Refused as --plan-id, which it stands for, refuses it; the file name would hide it as '_'.
            raise RowError(
                row.number,
                patient_id,
                "patient_id",
                "The cell contains a line break or control character; type it on one line.",
            )

    def _run(self, row: RosterRow) -> RowResult:
        patient_id = row.patient_id
        self._check_id(row)
        stem = file_stem(patient_id)
        if not stem:
            raise RowError(
                row.number, patient_id, "patient_id", "has no letters or digits to name a file with."
            )
        clash = self.ids.clash_for(row)
        if clash is not None:
            # Reported once, on the first of the rows: a list on every row grows with the square.
            if row.number != clash[0]:
                same = f"same id as row {clash[0]}"
                return RowResult(row.number, patient_id, error=f"({same})", reported=True, shown_reason=same)
            shown_rows = [str(n) for n in clash[:SHOWN_CLASHES]]
            more = len(clash) - len(shown_rows)
            rows = (
                ", ".join(shown_rows[:-1]) + f" and {shown_rows[-1]}"
                if not more
                else (", ".join(shown_rows) + f" and {more} more")
            )
            raise RowError(
                row.number,
                patient_id,
                "patient_id",
                f"{len(clash)} rows ({rows}) have this id, or ids that make the same file name ({stem}). "
                "Give every patient a different id; none of these rows was written.",
            )
        request = self._request(row)
        if self.job.replaces_dir is not None:
            request = self._replacing(request, stem)
        plan = build_plan(request, words_for(request.language))
        targets = [Path(self.job.out_dir) / file_name(stem, OutputFormat(f)) for f in self.job.formats]
        try:
            for target in targets:
                # Before any file is written: a pipe or a device among them stops the whole row.
                check_target(str(target), force=True)
            taken = [] if self.job.force else [t for t in targets if t.exists()]
        except OSError as exc:
            raise RowError(
                row.number, patient_id, None, str(cannot(f"write in '{shown(self.job.out_dir)}'", exc))
            ) from None
        except OutputError as exc:
            raise RowError(row.number, patient_id, None, str(exc)) from None
        # A row's marker is there only while its files are written: one left behind means a run was
        # killed mid-row, and this run finishes that row without --force. Other files are kept.
        marker = Path(self.job.out_dir) / f".{stem}{PARTIAL_SUFFIX}"
        incomplete = marker.exists()
        made_at = request.now
        if taken and not incomplete:
            if not self.job.skip_existing:
                raise RowError(
                    row.number,
                    patient_id,
                    None,
                    f"{_names(taken)} already exist{'s' if len(taken) == 1 else ''} in "
                    f"{shown(self.job.out_dir)}. Add --force to replace them, or --skip-existing to keep "
                    "the rows whose files are unchanged.",
                )
            # The earlier files were made at their own "now": made again at that moment from this
            # row, they must come out byte for byte the same, or the row (or kyphoprep) has changed.
            made_at = _earlier_now(self.job.made.get(stem)) or request.now
            if made_at != request.now:
                plan = build_plan(replace(request, now=made_at), words_for(request.language))
            changed = [t for t in taken if _rendered(plan, t, self.job.formats, targets) != _read(t)]
            if changed:
                raise RowError(
                    row.number,
                    patient_id,
                    None,
                    f"{_names(changed)} already exist{'s' if len(changed) == 1 else ''} in "
                    f"{shown(self.job.out_dir)} and differ from what this row makes now. Add --force to "
                    "replace them.",
                )
        missing = [t for t in targets if t not in taken] if taken and not incomplete else targets
        overwrite = self.job.force or incomplete
        written: list[Path] = []
        printed: Printed | None = None
        try:
            marker.touch()
            handout: bytes | None = None
            options = RenderOptions(paper=self.job.paper)
            for output_format, target in zip(self.job.formats, targets, strict=True):
                if target not in missing:
                    continue
                data = renderer_for(OutputFormat(output_format)).render(plan, options)
                if output_format == OutputFormat.HTML:
                    handout = data
                write_output(data, str(target), force=overwrite)
                written.append(target)
            if self.job.print_job is not None:
                # Part of the row: a row whose piece cannot be made is not written either.
                if handout is None:
                    handout = renderer_for(OutputFormat.HTML).render(plan, RenderOptions())
                written.append(piece_path(self.job.print_job, row.number))
                printed = write_piece(self.job.print_job, plan, patient_id, row.number, handout)
            marker.unlink()
        except BaseException as exc:
            # A row is whole or absent: what this row wrote goes again (disk full, Ctrl-C, a signal).
            for done in [*written, marker]:
                with contextlib.suppress(OSError):
                    done.unlink()
            if isinstance(exc, OSError):
                raise RowError(
                    row.number, patient_id, None, str(cannot(f"write in '{shown(self.job.out_dir)}'", exc))
                ) from None
            if isinstance(exc, OutputError):
                raise RowError(row.number, patient_id, None, str(exc)) from None
            raise
        # Warnings as of now, even for a row left as it was: they are what the nurse must act on today.
        current = plan if made_at == request.now else build_plan(request, words_for(request.language))
        return RowResult(
            row.number,
            patient_id,
            files=tuple(t.name for t in missing),
            warnings=tuple(w.message for w in current.warnings),
            printed=printed,
            skipped=not missing,
            made=(stem, made_at.isoformat()),
        )

    def _replacing(self, request: PlanRequest, stem: str) -> PlanRequest:
        """*request* as the next version of this row's plan in --replaces DIR, if there is one."""
        assert self.job.replaces_dir is not None
        previous_path = Path(self.job.replaces_dir) / f"{stem}.json"
        if not previous_path.exists():
            return request  # a patient new to this batch: version 0, nothing to cancel
        previous = read_previous(str(previous_path), in_batch=True)
        check_same_plan(previous, default_plan_id(request), str(previous_path), in_batch=True)
        return replace(request, replaces=previous)

    def _request(self, row: RosterRow) -> PlanRequest:
        """The row as a plan request; every problem of its cells is found and reported together."""
        problems: list[tuple[str | None, str]] = []

        def cell(column: str, check: Callable[[str], T], value: str | None = None) -> T | None:
            try:
                return check(row.get(column) if value is None else value)
            except InputError as exc:
                problems.append((column, str(exc)))
                return None

        def text(column: str) -> str | None:
            return cell(column, lambda v: clean_text(v, "The cell") if v else None)

        try:
            settings = self._settings_for(row)
        except RowError as exc:
            problems.append((exc.column, exc.reason))
            settings = self.job.settings  # the other cells are still checked, with the batch's protocol
        tz_cell = row.get("tz")
        zone: str | None = None
        if tz_cell:
            zone = cell("tz", resolve_zone)
        elif self.job.default_zone is not None:
            zone = self.job.default_zone
        else:
            problems.append(
                (
                    "tz",
                    (
                        "is empty, and no default zone was given. Fill it in, or set timezone under "
                        "[defaults] in the clinic settings file."
                    ),
                )
            )
        when = row.get("when")
        start: datetime | None = None
        if not when:
            problems.append(("when", "is empty. Give the date and time of the procedure."))
        else:
            # Without a usable zone the date is still read (in UTC), so its own mistakes are found too.
            read_in = zone or "UTC"
            start = cell(
                "when", lambda v: parse_when(v, read_in, date_order=self.job.date_order, in_roster=True)
            )
            if start is not None and zone is not None:
                found, now = start, self._now(zone)
                cell("when", lambda v: check_procedure_window(found, now))
        crcl_text = row.get("crcl")
        crcl = None
        if crcl_text:
            # isascii: str.isdigit() is also true for '²', which int() refuses.
            if not (crcl_text.isascii() and crcl_text.isdigit()):
                problems.append(("crcl", f"'{crcl_text}' is not a whole number of mL/min."))
            elif not MIN_CRCL <= int(crcl_text) <= MAX_CRCL:
                # Checked here: parse_medicines would name --crcl and blame the meds column.
                problems.append(
                    (
                        "crcl",
                        (
                            f"{int(crcl_text)} is not a creatinine clearance. Give mL/min from {MIN_CRCL} "
                            f"to {MAX_CRCL}."
                        ),
                    )
                )
            else:
                crcl = int(crcl_text)
        # ';' is the documented separator; ',' is what people type, and no medicine has one in it.
        meds = [part.strip() for part in re.split("[;,]", row.get("meds")) if part.strip()]
        medicines, med_problems = medicine_problems(
            meds,
            crcl=crcl,
            require_doctor_holds=self.job.require_doctor_holds,
            hold_range=settings.hold_range,
            in_roster=True,
        )
        problems += [("meds", str(problem)) for problem in med_problems]
        clinic = {c: text(c) for c in ("facility", "address", "phone")}
        patient, driver = text("name"), text("driver")
        if problems:
            raise RowError.several(row.number, row.patient_id, problems)
        assert zone is not None
        assert start is not None
        settings = replace(
            settings,
            facility=clinic["facility"] or settings.facility,
            address=clinic["address"] or settings.address,
            phone=clinic["phone"] or settings.phone,
        )
        return make_request(
            settings,
            start=start,
            timezone=zone,
            now=self._now(zone),
            medicines=medicines,
            crcl=crcl,
            patient=patient,
            driver=driver,
            plan_id=" ".join(row.patient_id.split()),  # as --plan-id reads it
        )

    def _settings_for(self, row: RosterRow) -> Settings:
        name = row.get("procedure").lower()
        if not name or name == self.job.settings.protocol.id:
            return self.job.settings
        if is_protocol_path(name):
            raise RowError(
                row.number,
                row.patient_id,
                "procedure",
                "give a protocol name, not a file. A clinic's own protocol file is named in the clinic "
                "settings file (procedure under [defaults]).",
            )
        if name not in builtin_protocol_names():
            # load_protocol's own message offers a file path, which this column refuses (above).
            raise RowError(
                row.number,
                row.patient_id,
                "procedure",
                f"Unknown procedure '{quoted(name)}'. Choose one of: "
                f"{', '.join(dict.fromkeys([*builtin_protocol_names(), self.job.settings.protocol.id]))}, "
                "or leave the cell empty for the batch's protocol.",
            )
        if name not in self._settings_by_procedure:
            try:
                settings = resolve_settings(replace(self.job.given, protocol=name), self.job.config)
            except KyphoprepError as exc:
                raise RowError(row.number, row.patient_id, "procedure", str(exc)) from None
            self._settings_by_procedure[name] = settings
        return self._settings_by_procedure[name]

    def _now(self, zone: str) -> datetime:
        if self.job.today is None:
            return self.job.now
        if zone not in self._now_by_zone:
            self._now_by_zone[zone] = parse_today(self.job.today, zone)
        return self._now_by_zone[zone]


def _names(paths: list[Path]) -> str:
    return ", ".join(path.name for path in paths)


def _earlier_now(text: str | None) -> datetime | None:
    """The "now" of the folder's record, or None when there is none or it cannot be read."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _rendered(plan: Plan, target: Path, formats: tuple[str, ...], targets: list[Path]) -> bytes:
    """The bytes the row would write to *target* (one of *targets*, in the order of *formats*)."""
    output_format = OutputFormat(formats[targets.index(target)])
    return renderer_for(output_format).render(plan, RenderOptions())


MADE_FILE = ".kyphoprep-batch.json"
"""The record a batch keeps in its --out folder: for each file stem, the "now" its files were made at
(``{"format": 1, "made": {"P-1001": "2026-11-21T06:00:00+00:00"}}``). No patient data but the id."""


def read_made(out_dir: str) -> dict[str, str]:
    """The folder's record of when each row's files were made; empty when there is none, or it is not
    kyphoprep's (then --skip-existing compares with files made now, so only --today reruns match)."""
    try:
        data = json.loads((Path(out_dir) / MADE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    made = data.get("made") if isinstance(data, dict) else None
    if not isinstance(made, dict):
        return {}
    return {str(k): v for k, v in made.items() if isinstance(v, str)}


def write_made(out_dir: str, earlier: Mapping[str, str], made: Mapping[str, str]) -> None:
    """The folder's record, with this run's rows added, written atomically over the old one."""
    merged = {**earlier, **made}
    if merged == earlier:
        return  # nothing new: the record (and its file time) stays as it was
    record = {"format": 1, "made": dict(sorted(merged.items()))}
    data = (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    write_output(data, str(Path(out_dir) / MADE_FILE), force=True)


# --- the run ---------------------------------------------------------------------------------

_worker: RowPlanner | None = None
_stop: Event | None = None
_parent = [0]

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
"""Signals that stop a batch the way Ctrl-C does (``docker stop``, systemd, a closed terminal)."""

PARTIAL_SUFFIX = ".kyphoprep-row-unfinished"
"""Marker of a row whose files are being written (``.P1001.kyphoprep-row-unfinished``)."""

STALE_TEMP_SECONDS = 60
"""A temporary file of kyphoprep's untouched this long was left by a run that was killed."""

_TEMP_NAME = re.compile(r"\.[A-Za-z0-9._-]{1,40}\.[a-z0-9_]{8}\.tmp")


def rows_written_since(out_dir: str, formats: tuple[str, ...], since: float) -> int:
    """How many rows have every one of their *formats* files in *out_dir*, all written after *since*.

    After a stop, the workers' last rows are on disk before their results reach the main
    process, so the count of results would be too low; the folder tells the truth.
    """
    found: dict[str, int] = {}
    # The longest ending first: with both text and caregiver, "A1.caregiver.txt" is A1's caregiver file.
    suffixes = sorted((file_name("", OutputFormat(f)) for f in formats), key=len, reverse=True)
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return 0
    for entry in entries:
        suffix = next((s for s in suffixes if entry.name.endswith(s)), None)
        if suffix is None or entry.name.startswith(".") or entry.name == suffix:
            continue
        stem = entry.name[: -len(suffix)]
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= since:
                found[stem] = found.get(stem, 0) + 1
        except OSError:
            continue
    return sum(1 for count in found.values() if count == len(suffixes))


def remove_stale_temporary_files(out_dir: str, now: float) -> int:
    """Remove what a killed batch left in *out_dir*: only kyphoprep's own temporary files, if old.

    A running batch's temporary files live for milliseconds, so one that has not changed for a
    minute belongs to no running batch. Returns how many were removed.
    """
    removed = 0
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return 0
    for entry in entries:
        if not _TEMP_NAME.fullmatch(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > (
                STALE_TEMP_SECONDS
            ):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def _start_worker(job: BatchJob, ids: IdCheck, stop: Event) -> None:
    global _worker, _stop
    # Ctrl-C goes to the whole process group; the main process alone decides
    # how to stop, so a worker is never killed in the middle of writing a file.
    # The same for the signals docker stop, systemd and a closed terminal send to the group.
    # (A worker stopped by Ctrl-C loses its chunk, and the pool then waits for it forever.)
    for number in (signal.SIGINT, *STOP_SIGNALS):
        signal.signal(number, signal.SIG_IGN)
    _worker, _stop = RowPlanner(job, ids), stop
    _parent[0] = os.getppid()


def _run_chunk(chunk: list[RosterRow | RowError]) -> list[RowResult]:
    assert _worker is not None
    assert _stop is not None
    results = []
    for item in chunk:
        if _stop.is_set() or os.getppid() != _parent[0]:  # stopped, or the main process has died
            break
        results.append(_worker.run(item))
    return results


def _chunks(items: Iterable[RosterRow | RowError], size: int) -> Iterator[list[RosterRow | RowError]]:
    chunk: list[RosterRow | RowError] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def plan_rows(roster: Roster, job: BatchJob, ids: IdCheck, *, jobs: int) -> Iterator[RowResult]:
    """Each row's result, in roster order; in *jobs* worker processes when the roster is large."""
    if jobs <= 1 or ids.total < PARALLEL_FROM:
        planner = RowPlanner(job, ids)
        for item in roster.rows():
            yield planner.run(item)
        return

    # Imported only here: only a large roster starts worker processes, and importing
    # multiprocessing would add ~80 M instructions (~18 ms) to every plan (docs/benchmarks.md).
    import multiprocessing

    context = multiprocessing.get_context()
    stop = context.Event()
    pool = context.Pool(jobs, initializer=_start_worker, initargs=(job, ids, stop))
    pending: deque[multiprocessing.pool.AsyncResult[list[RowResult]]] = deque()
    try:
        # At most two chunks per worker in flight: enough to keep both cores
        # busy, few enough that memory does not grow with the roster.
        for chunk in _chunks(roster.rows(), CHUNK_ROWS):
            pending.append(pool.apply_async(_run_chunk, (chunk,)))
            while len(pending) >= 2 * jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
    except BaseException:
        # Let the workers finish the row in hand (so every file is whole), then stop.
        stop.set()
        pool.close()
        raise
    finally:
        pool.join()


def open_roster(path: str, stdin: IO[bytes]) -> IO[str]:
    """The roster as text: a file, or standard input or a pipe copied to a temporary file (read twice)."""
    if path == STDIN:
        return _spooled(stdin, "standard input")
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed with the text stream returned)
        if not raw.seekable():  # a named pipe, or <(command) in a shell: it can be read only once
            with raw:
                return _spooled(raw, path)
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError(
            f"No roster file '{path}'. Check the name, or use '-' to read standard input."
        ) from None
    except IsADirectoryError:
        raise InputError(f"'{path}' is a folder. Give the roster's CSV file.") from None
    except OSError as exc:
        raise InputError(f"Cannot read the roster '{path}': {exc.strerror or exc}.") from None


def _spooled(source: IO[bytes], name: str) -> IO[str]:
    """*source* copied to a temporary file, as text; up to the roster's limit, so endless input stops."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the text stream returned)
    limit = MAX_ROSTER_BYTES + len(codecs.BOM_UTF8)  # the limit counts the text, not the mark
    while block := source.read(1 << 16):
        spool.write(block)
        if spool.tell() > limit:
            spool.close()
            raise too_large(name)
    spool.seek(0)
    return io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")


def check_out_name(out_dir: str) -> None:
    """Refuse an --out that cannot be meant: empty (the current folder), blank, or with a line break."""
    if has_control(out_dir):
        raise OutputError(
            f"--out '{shown(out_dir)}' contains a line break or control character; type it on one line."
        )
    if not out_dir:
        raise OutputError("--out is empty. Give a folder for the plans, such as --out plans.")
    if not out_dir.strip():
        raise OutputError("--out is only spaces. Give a folder for the plans, such as --out plans.")


FILE_LIKE_ENDINGS = (".csv", ".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".zip")
"""Endings of documents, besides kyphoprep's own formats, that --out (a folder) is surely not meant as."""


def check_out_is_a_folder_name(out_dir: str) -> None:
    """Refuse an --out that names a file (``-o day.pdf``) when nothing is there yet: batch would make
    a folder called day.pdf. The day's one file is --print-file."""
    lowered = out_dir.rstrip("/").lower()
    endings = (*(s for f in FILE_FORMATS for s in FORMATS_INFO[f].suffixes), *FILE_LIKE_ENDINGS)
    ending = next((e for e in endings if lowered.endswith(e)), None)
    if ending is None or os.path.lexists(out_dir):
        return  # a folder of that name is the nurse's choice; a file there is prepare_out_dir's to refuse
    print_hint = (
        f" For one file with every handout, use --print-file (such as --print-file day{ending})."
        if ending in (".pdf", ".html")
        else ""
    )
    raise InputError(
        f"--out '{shown(out_dir)}' looks like a file name, but --out is the folder for the plans "
        f"(such as --out plans).{print_hint}"
    )


def prepare_out_dir(out_dir: str) -> None:
    """Create the output folder if needed; refuse a path that is a file.

    Called only once every other check has passed: a run that fails before planning leaves no folder.
    """
    check_out_name(out_dir)
    path = Path(out_dir)
    if path.is_symlink() and not path.exists():
        raise OutputError(
            f"--out '{shown(out_dir)}' is a link to '{shown(os.readlink(path))}', which does not exist. "
            "Create that folder first, or give another folder with --out."
        )
    try:
        if path.exists() and not path.is_dir():
            raise OutputError(
                f"--out '{shown(out_dir)}' is a file, not a folder. Give a folder for the plans."
            )
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot(f"create the folder '{shown(out_dir)}'", exc) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"Cannot write in the folder '{shown(out_dir)}'. Choose another with --out.")
