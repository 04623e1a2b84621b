"""The day's call list (``batch --report day.csv`` or ``day.json``): one line per roster row.

Each row has its number, its id, what happened to it (``planned``, ``warning``, ``failed``,
``skipped``), the reason, and for a plan with warnings what to call the patient about. It is
the list of patients to phone today, so it names no patient: the id is enough to find the
chart (the id column is required, so there is always one; a row whose id is empty is known by
its number). It holds no medical detail beyond the reason: a failed row's message quotes the
cell to fix, and a warning says which medicine's last dose has passed, and when.

The lines are kept in a private temporary file while the rows are planned (memory stays flat
for any roster) and the list is written atomically once every row is done, never over an
existing file without --force, and not at all when the run is stopped.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections import Counter
from typing import IO, TYPE_CHECKING, Literal

from kyphoprep.errors import InputError
from kyphoprep.io.safe_write import check_target, shown, write_output_with

if TYPE_CHECKING:
    from kyphoprep.batch.runner import RowResult

ReportKind = Literal["csv", "json"]
Status = Literal["planned", "warning", "failed", "skipped"]
STATUSES: tuple[Status, ...] = ("planned", "warning", "failed", "skipped")
COLUMNS = ("row", "patient_id", "status", "reason", "call_about")
SKIPPED_REASON = "already written, unchanged"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula (CSV injection)."""


def check_report_target(name: str, *, force: bool) -> ReportKind:
    """The kind of call list *name* asks for (by its ending), once it is sure to be writable.

    Checked before any row is planned: a wrong ending is a usage error (exit 2), a file that
    exists without --force an output error (exit 5).
    """
    lowered = name.lower()
    kind: ReportKind
    if lowered.endswith(".csv"):
        kind = "csv"
    elif lowered.endswith(".json"):
        kind = "json"
    else:
        raise InputError(
            f"--report '{shown(name)}': the name must end in .csv or .json, which say what to write "
            "(such as --report day.csv)."
        )
    check_target(name, force=force)
    return kind


def status_of(result: RowResult) -> Status:
    """What happened to the row: a plan with warnings is ``warning`` even when it was skipped, since
    the nurse must still act on it today."""
    if not result.ok:
        return "failed"
    if result.warnings:
        return "warning"
    return "skipped" if result.skipped else "planned"


def reason_of(result: RowResult) -> str:
    """The reason, as stderr says it but without the row's number and id (they have columns)."""
    if not result.ok:
        error = result.error or ""
        if result.reported:  # "(same id as row 3)"
            return error.strip("()")
        who = f"Row {result.row}" + (f" ({result.patient_id})" if result.patient_id else "")
        return error[len(who) :].lstrip(":, ") if error.startswith(who) else error
    parts = [SKIPPED_REASON] if result.skipped else []
    if result.warnings:
        count = len(result.warnings)
        parts.append(f"the plan has {count} warning{'s' if count != 1 else ''} to act on first")
    return "; ".join(parts)


def _cell(text: str) -> str:
    """*text* for a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class CallList:
    """The call list being made, one row at a time, in a private temporary file."""

    def __init__(self, kind: ReportKind) -> None:
        self.kind = kind
        self.counts: Counter[str] = Counter()
        self._spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._spool, lineterminator="\n")
        if kind == "csv":
            self._writer.writerow(COLUMNS)

    def add(self, result: RowResult) -> None:
        """One row's line."""
        status = status_of(result)
        self.counts[status] += 1
        reason = reason_of(result)
        calls = list(result.warnings) if status == "warning" else []
        if self.kind == "csv":
            cells = [str(result.row), result.patient_id, status, reason, " | ".join(calls)]
            self._writer.writerow([_cell(cell) for cell in cells])
            return
        line = {
            "row": result.row,
            "patient_id": result.patient_id,
            "status": status,
            "reason": reason,
            "call_about": calls,
        }
        separator = ",\n" if sum(self.counts.values()) > 1 else ""
        self._spool.write(separator + "  " + json.dumps(line, ensure_ascii=False))

    def write(self, target: str, *, force: bool) -> None:
        """The whole list to *target*, atomically."""
        self._spool.flush()
        self._spool.seek(0)

        def fill(handle: IO[bytes]) -> None:
            text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
            if self.kind == "json":
                text.write('{\n "format": 1,\n "rows": [\n')
            shutil.copyfileobj(self._spool, text)
            if self.kind == "json":
                counts = {status: self.counts[status] for status in STATUSES}
                text.write(f'\n ],\n "counts": {json.dumps(counts)}\n}}\n')
            text.flush()
            text.detach()  # the handle is closed by write_output_with

        write_output_with(fill, target, force=force)

    def close(self) -> None:
        """Remove the temporary file."""
        self._spool.close()
