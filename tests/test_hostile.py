"""Hostile input, table-driven: each case is refused with its exit code and exact message, changing nothing.

Each case names the command line, the files it needs (made in ``tmp_path`` before the run), the exit
code and the exact text on stderr. For every case the test also checks that there is no traceback,
that stdout is empty (unless the case says what it holds), and that nothing in ``tmp_path`` appears,
disappears or changes: the whole tree (names, bytes and mtime_ns) is compared before and after the
run, including ``existing.txt`` and ``plans/P1.json``, output files from an earlier run that must
stay byte-identical, and any leftover temporary file. Commands run from ``tmp_path``, so even a
file written to a relative path (or the current folder) is caught. Every command that takes
``--output``/``--out`` gets one pointing into ``tmp_path``, so "nothing written" is really tested.

Cases marked ``xfail(reason="BUG: ...")`` describe what should happen where kyphoprep does not do it
yet; remove the mark once it is fixed. ``{tmp}`` in arguments, environment values and messages
stands for ``tmp_path``.

The 100,000-row roster is a separate test, marked slow (about 2.5 minutes on a 2-core machine).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kyphoprep.batch.runner import MADE_FILE
from kyphoprep.cli.app import app
from tests.protocol_texts import MINIMAL_PROTOCOL

TODAY = "2026-11-21"
WHEN = "2026-12-03 07:30"
PLAN = ["plan", "--tz", "America/Chicago", "--today", TODAY]
OUT = ["-o", "{tmp}/plan.txt"]  # a new file that must not appear
LONG = 100_000
KEEP = b"A plan printed last week. It must stay byte-identical.\n"
OLD_PLAN = b'{"an": "earlier plan that must stay byte-identical"}\n'
# Present in tmp_path for every case: output files of an earlier run.
BASE_FILES: dict[str, bytes | None] = {"existing.txt": KEEP, "plans/P1.json": OLD_PLAN}
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

ROSTER_COLUMNS = (
    "The columns are: patient_id, when, name, tz, procedure, meds, driver, facility, address, phone, crcl."
)
EXAMPLE_COLUMNS = "such as: patient_id,name,when,tz,meds,driver"
CONTROL = "contains a line break or control character; type it on one line."
CELL_CONTROL = f"The cell {CONTROL}"
SETTING_CONTROL = f"this setting {CONTROL}"
WHOLE_NUMBER = (
    "the hold must be a whole number of days or hours, such as warfarin=5d or warfarin=24h, or "
    "'continue' if your doctor said to keep taking it."
)
NOT_DATE = "is not a date. Use YYYY-MM-DD, for example 2026-11-21."
NOT_UTF8_TOML = "is not UTF-8 text. Save it as UTF-8."
NOT_UTF8_CSV = "is not UTF-8 text (near line 1). Save it as 'CSV UTF-8' and try again."
EPOCH = "must be a whole number of seconds since 1970."
TODAY_YEARS = (
    "is outside the years kyphoprep can plan for. Use a date from 1970 to 9990, for example 2026-11-21."
)
EPOCH_YEARS = (
    "is outside the years kyphoprep can plan for. Use whole seconds since 1970 for a moment from 1970 "
    "to 9990, such as 1795000000."
)
# One line saying what is wrong; used where a bug's fix will choose the words.
ONE_LINE = r"Error: (?!kyphoprep hit an internal problem)[^\n]+\n"


@dataclass(frozen=True)
class Rx:
    """An expected stderr given as a regular expression (``{tmp}`` is filled in, escaped) to match in full.

    Used only where the exact wording is not known yet: the cases of bugs whose fix will choose it.
    """

    source: str


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    stderr: str | Rx
    files: Mapping[str, bytes | None] = field(default_factory=dict)
    """Files to make (relative path -> bytes, or None for a folder)."""
    env: Mapping[str, str | None] = field(default_factory=dict)
    stdin: bytes | None = None
    stdout: str = ""
    setup: Callable[[Path], None] | None = None
    """Anything else to make before the run (a FIFO, a read-only folder)."""


def case(
    case_id: str,
    args: list[str],
    code: int,
    stderr: str | Rx,
    *,
    files: Mapping[str, bytes | None] | None = None,
    env: Mapping[str, str | None] | None = None,
    stdin: bytes | None = None,
    stdout: str = "",
    setup: Callable[[Path], None] | None = None,
    bug: str | None = None,
    needs_permissions: bool = False,
) -> Any:
    marks: list[pytest.MarkDecorator] = []
    if bug is not None:
        marks.append(pytest.mark.xfail(reason=f"BUG: {bug}", strict=True))
    if needs_permissions:
        marks.append(pytest.mark.skipif(IS_ROOT, reason="root ignores file permissions"))
    return pytest.param(
        Case(tuple(args), code, stderr, files or {}, env or {}, stdin, stdout, setup), id=case_id, marks=marks
    )


# --- file contents ----------------------------------------------------------------------------------


def roster(*rows: str, header: str = "patient_id,name,when,tz") -> bytes:
    return "".join(f"{line}\n" for line in (header, *rows)).encode("utf-8")


GOOD_ROW = f"H1,Ann Lee,{WHEN},America/Chicago"
GOOD_ROSTER = roster(GOOD_ROW)


def protocol(old: str = "", new: str = "") -> bytes:
    """The smallest valid protocol, with *old* replaced by *new*."""
    assert old in MINIMAL_PROTOCOL
    return MINIMAL_PROTOCOL.replace(old, new, 1).encode("utf-8") if old else MINIMAL_PROTOCOL.encode()


def failed_tail(rows: int, out: str = "{tmp}/plans") -> str:
    """The last two lines batch prints when every one of *rows* rows failed."""
    plural = "s" if rows != 1 else ""
    return (
        f"Done: 0 of {rows} row{plural} planned, 0 files written to {out}. {rows} failed.\n"
        f"Error: {rows} of {rows} row{plural} failed (see above); no plan was written."
    )


def row_failed(*errors: str, rows: int = 1) -> str:
    """What batch prints when every one of *rows* rows failed with *errors* (one per row)."""
    return "".join(f"Error: {error}\n" for error in errors) + failed_tail(rows)


def batch(roster_path: str, *extra: str, out: str = "{tmp}/new-plans") -> list[str]:
    return ["batch", roster_path, "--out", out, "--today", TODAY, "--format", "json", *extra]


def make_fifo(name: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        os.mkfifo(folder / name)

    return setup


def read_only_folder(name: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        (folder / name).mkdir()
        (folder / name).chmod(0o555)

    return setup


# --- the cases --------------------------------------------------------------------------------------

DATES = [
    case(
        "impossible-feb-30",
        [*PLAN, "2026-02-30 07:30", *OUT],
        2,
        "Error: '2026-02-30 07:30' is not a real date or time (day is out of range for month). "
        "Check the day and month.",
    ),
    case(
        "impossible-feb-29-not-leap",
        [*PLAN, "2027-02-29 07:30", *OUT],
        2,
        "Error: '2027-02-29 07:30' is not a real date or time (day is out of range for month). "
        "Check the day and month.",
    ),
    case(
        "impossible-hour-25",
        [*PLAN, "2026-12-03 25:00", *OUT],
        2,
        "Error: '2026-12-03 25:00' is not a real date or time (hour must be in 0..23). "
        "Check the time, for example 07:30 or 7:30pm.",
    ),
    case(
        "ambiguous-day-month-dots",
        [*PLAN, "03.04.2027 08:00", *OUT],
        2,
        "Error: '03.04.2027' could be Thursday, March 4, 2027 or Saturday, April 3, 2027. "
        "Write the date as 2027-MM-DD, or add "
        "--date-order mdy (month first) or dmy (day first).",
    ),
    case(
        "when-escape",
        [*PLAN, "2026-12-03\x1b[2J07:30", *OUT],
        2,
        "Error: The procedure date and time contains a control or invisible character (U+001B); type it "
        "again, for example 2026-12-03 07:30.",
    ),
    case(
        "roster-when-zero-width-space",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1), column 'when': The procedure date and time contains a control or invisible "
            "character (U+200B); type it again, for example 2026-12-03 07:30."
        ),
        files={"roster.csv": roster(f"H1,Ann Lee,{WHEN}\u200b,America/Chicago")},
    ),
    case(
        "past-yesterday",
        [*PLAN, "2026-11-20 07:30", *OUT],
        2,
        "Error: The procedure time Friday, November 20, 2026 at 7:30 AM has already passed "
        "(today is Saturday, November 21, 2026). Check the date and year.",
    ),
    case(
        "past-the-very-moment-today-starts",
        [*PLAN, "2026-11-21 00:00", *OUT],
        2,
        "Error: The procedure time Saturday, November 21, 2026 at 12:00 midnight has already passed "
        "(today is Saturday, November 21, 2026). Check the date and year.",
    ),
    case(
        "past-years-ago",
        [*PLAN, "2020-12-03 07:30", *OUT],
        2,
        "Error: The procedure time Thursday, December 3, 2020 at 7:30 AM has already passed "
        "(today is Saturday, November 21, 2026). Check the date and year.",
    ),
    case(
        "a-year-and-a-day-ahead",
        [*PLAN, "2027-11-22 07:30", *OUT],
        2,
        "Error: The procedure time Monday, November 22, 2027 at 7:30 AM is more than a year away. "
        "Check the year.",
    ),
    case(
        "year-9999",
        [*PLAN, "12/31/9999 07:30", *OUT],
        2,
        "Error: The year 9999 in '12/31/9999 07:30' is outside the years kyphoprep can plan for (1970 to "
        "9990). Check the year.",
    ),
    case(
        "dst-gap-new-york",
        ["plan", "2027-03-14 02:30", "--tz", "America/New_York", "--today", TODAY, *OUT],
        2,
        "Error: 2:30 AM does not exist on Sunday, March 14, 2027 in America/New_York: the clocks jump "
        "forward for daylight saving time. Check the time with your care team.",
    ),
    case(
        "dst-gap-berlin",
        ["plan", "2027-03-28 02:30", "--tz", "Europe/Berlin", "--today", TODAY, *OUT],
        2,
        "Error: 2:30 AM does not exist on Sunday, March 28, 2027 in Europe/Berlin: the clocks jump "
        "forward for daylight saving time. Check the time with your care team.",
    ),
    case(
        "dst-gap-sydney-october",
        ["plan", "2027-10-03 02:30", "--tz", "Australia/Sydney", "--today", TODAY, *OUT],
        2,
        "Error: 2:30 AM does not exist on Sunday, October 3, 2027 in Australia/Sydney: the clocks jump "
        "forward for daylight saving time. Check the time with your care team.",
    ),
    case(
        "dst-overlap-sydney-april",
        ["plan", "2027-04-04 02:30", "--tz", "Australia/Sydney", "--today", TODAY, *OUT],
        2,
        "Error: 2:30 AM happens twice on Sunday, April 4, 2027 in Australia/Sydney: the clocks go back "
        "for daylight saving time. Add the offset to say which: '2027-04-04 02:30+11:00' (the first) or "
        "'2027-04-04 02:30+10:00' (the second).",
    ),
    case(
        "dst-gap-lord-howe-half-hour",
        ["plan", "2027-10-03 02:29", "--tz", "Australia/Lord_Howe", "--today", TODAY, *OUT],
        2,
        "Error: 2:29 AM does not exist on Sunday, October 3, 2027 in Australia/Lord_Howe: the clocks jump "
        "forward for daylight saving time. Check the time with your care team.",
    ),
    case(
        "dst-overlap-lord-howe-half-hour",
        ["plan", "2027-04-04 01:45", "--tz", "Australia/Lord_Howe", "--today", TODAY, *OUT],
        2,
        "Error: 1:45 AM happens twice on Sunday, April 4, 2027 in Australia/Lord_Howe: the clocks go back "
        "for daylight saving time. Add the offset to say which: '2027-04-04 01:45+11:00' (the first) or "
        "'2027-04-04 01:45+10:30' (the second).",
    ),
    case(
        "dst-overlap-lord-howe-whole-hour-offset",
        ["plan", "2027-04-04 01:45+10:00", "--tz", "Australia/Lord_Howe", "--today", TODAY, *OUT],
        2,
        "Error: The offset in '2027-04-04 01:45+10:00' does not match Australia/Lord_Howe at that time. "
        "Leave the offset out, or check --tz (that moment is Sunday, April 4, 2027 at 2:15 AM there).",
    ),
    case(
        "dst-gap-santiago-midnight",
        ["plan", "2027-09-05 00:30", "--tz", "America/Santiago", "--today", TODAY, *OUT],
        2,
        "Error: 12:30 AM does not exist on Sunday, September 5, 2027 in America/Santiago: the clocks jump "
        "forward for daylight saving time. Check the time with your care team.",
    ),
    case(
        "dst-overlap-santiago-before-midnight",
        ["plan", "2027-04-03 23:30", "--tz", "America/Santiago", "--today", TODAY, *OUT],
        2,
        "Error: 11:30 PM happens twice on Saturday, April 3, 2027 in America/Santiago: the clocks go back "
        "for daylight saving time. Add the offset to say which: '2027-04-03 23:30-03:00' (the first) or "
        "'2027-04-03 23:30-04:00' (the second).",
    ),
    case(
        "zone-unknown",
        ["plan", WHEN, "--tz", "Mars/Olympus_Mons", "--today", TODAY, *OUT],
        2,
        "Error: Unknown time zone 'Mars/Olympus_Mons'. Use an IANA name such as America/Chicago.",
    ),
    case(
        "zone-path-traversal",
        ["plan", WHEN, "--tz", "../../etc/passwd", "--today", TODAY, *OUT],
        2,
        "Error: Unknown time zone '../../etc/passwd'. Use an IANA name such as America/Chicago.",
    ),
    case(
        "zone-utc-offset",
        ["plan", WHEN, "--tz", "UTC+5", "--today", TODAY, *OUT],
        2,
        "Error: Unknown time zone 'UTC+5'. Did you mean: UTC?",
    ),
    case(
        "zone-unknown-example",
        ["example", "--tz", "Nowhere/City", "--today", TODAY, *OUT],
        2,
        "Error: Unknown time zone 'Nowhere/City'. Use an IANA name such as America/Chicago.",
    ),
    case(
        "zone-localtime",
        ["plan", WHEN, "--tz", "localtime", "--today", TODAY, *OUT],
        2,
        "Error: Time zone 'localtime' names this computer's own setting, not a place. Give a name such as "
        "America/Chicago, or leave the time zone out to use this computer's.",
    ),
    case(
        "zone-factory",
        ["plan", WHEN, "--tz", "Factory", "--today", TODAY, *OUT],
        2,
        "Error: Time zone 'Factory' is a placeholder in the time zone database, not a place. Give a name "
        "such as America/Chicago.",
    ),
    case(
        "roster-zone-factory",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1), column 'tz': Time zone 'Factory' is a placeholder in the time zone database, not a "
            "place. Give a name such as America/Chicago."
        ),
        files={"roster.csv": roster(f"H1,Ann Lee,{WHEN},Factory")},
    ),
    case(
        "config-zone-localtime",
        [*PLAN, WHEN, "--config", "{tmp}/clinic.toml", *OUT],
        4,
        "Error: {tmp}/clinic.toml, [defaults] timezone: Time zone 'localtime' names this computer's own "
        "setting, not a place. Give a name such as America/Chicago, or leave the time zone out to use this "
        "computer's.",
        files={"clinic.toml": b'[defaults]\ntimezone = "localtime"\n'},
    ),
    case(
        "today-tomorrow",
        ["plan", WHEN, "--tz", "America/Chicago", "--today", "tomorrow", *OUT],
        2,
        f"Error: --today 'tomorrow' {NOT_DATE}",
    ),
    case(
        "today-month-13",
        ["plan", WHEN, "--tz", "America/Chicago", "--today", "2026-13-01", *OUT],
        2,
        f"Error: --today '2026-13-01' {NOT_DATE}",
    ),
    case(
        "today-empty",
        ["plan", WHEN, "--tz", "America/Chicago", "--today", "", *OUT],
        2,
        f"Error: --today '' {NOT_DATE}",
    ),
    case(
        "today-five-digit-year",
        ["plan", WHEN, "--tz", "America/Chicago", "--today", "99999-01-01", *OUT],
        2,
        f"Error: --today '99999-01-01' {NOT_DATE}",
    ),
    case(
        "today-escape-shown-as-question-mark",
        ["plan", WHEN, "--tz", "America/Chicago", "--today", "\x1b[2J2026-11-21", *OUT],
        2,
        f"Error: --today '?[2J2026-11-21' {NOT_DATE}",
    ),
    case(
        "today-year-9999-plan",
        ["plan", "9999-12-31 07:30", "--tz", "America/Chicago", "--today", "9999-12-30", *OUT],
        2,
        f"Error: --today '9999-12-30' {TODAY_YEARS}",
    ),
    case(
        "today-year-9999-example",
        ["example", "--tz", "America/Chicago", "--today", "9999-12-31", *OUT],
        2,
        f"Error: --today '9999-12-31' {TODAY_YEARS}",
    ),
    case(
        "today-year-1-east-of-utc",
        ["example", "--tz", "Asia/Tokyo", "--today", "0001-01-01", *OUT],
        2,
        f"Error: --today '0001-01-01' {TODAY_YEARS}",
    ),
    case(
        "epoch-word",
        ["plan", WHEN, "--tz", "America/Chicago", *OUT],
        2,
        f"Error: SOURCE_DATE_EPOCH 'soon' {EPOCH}",
        env={"SOURCE_DATE_EPOCH": "soon"},
    ),
    case(
        "epoch-negative",
        ["plan", WHEN, "--tz", "America/Chicago", *OUT],
        2,
        f"Error: SOURCE_DATE_EPOCH '-1' {EPOCH}",
        env={"SOURCE_DATE_EPOCH": "-1"},
    ),
    case(
        "epoch-float",
        ["example", "--tz", "America/Chicago", *OUT],
        2,
        f"Error: SOURCE_DATE_EPOCH '1795000000.5' {EPOCH}",
        env={"SOURCE_DATE_EPOCH": "1795000000.5"},
    ),
    case(
        "epoch-blank",
        ["batch", "{tmp}/roster.csv", "--out", "{tmp}/new-plans"],
        2,
        f"Error: SOURCE_DATE_EPOCH ' ' {EPOCH}",
        env={"SOURCE_DATE_EPOCH": " "},
        files={"roster.csv": GOOD_ROSTER},
    ),
    case(
        "epoch-year-33658",
        ["plan", WHEN, "--tz", "America/Chicago", *OUT],
        2,
        f"Error: SOURCE_DATE_EPOCH '999999999999' {EPOCH_YEARS}",
        env={"SOURCE_DATE_EPOCH": "999999999999"},
    ),
    case(
        "epoch-year-33658-batch",
        ["batch", "{tmp}/roster.csv", "--out", "{tmp}/new-plans"],
        2,
        f"Error: SOURCE_DATE_EPOCH '999999999999' {EPOCH_YEARS}",
        env={"SOURCE_DATE_EPOCH": "999999999999"},
        files={"roster.csv": GOOD_ROSTER},
    ),
]


def cut(text: str) -> str:
    """A long typed value as messages quote it: its first 60 characters, then '…'."""
    return text[:60] + "…"


LONG_AND_EMPTY = [
    case(
        "when-empty",
        [*PLAN, "", *OUT],
        2,
        "Error: The procedure date and time is empty. Example: 2026-12-03 07:30",
    ),
    case(
        "when-blank",
        [*PLAN, "   ", *OUT],
        2,
        "Error: The procedure date and time is empty. Example: 2026-12-03 07:30",
    ),
    case(
        "when-100k",
        [*PLAN, "7" * LONG, *OUT],
        2,
        f"Error: Could not read '{cut('7' * LONG)}' as a date and time. Example: 2026-12-03 07:30",
    ),
    case(
        "tz-empty",
        ["plan", WHEN, "--tz", "", "--today", TODAY, *OUT],
        2,
        "Error: --tz is empty. Give an IANA zone name such as America/Chicago.",
    ),
    case(
        "tz-100k",
        ["plan", WHEN, "--tz", "America/" + "x" * LONG, "--today", TODAY, *OUT],
        2,
        f"Error: Unknown time zone '{cut('America/' + 'x' * LONG)}'. Use an IANA name such as "
        "America/Chicago.",
    ),
    case(
        "today-100k",
        ["plan", WHEN, "--tz", "America/Chicago", "--today", TODAY + "x" * LONG, *OUT],
        2,
        f"Error: --today '{cut(TODAY + 'x' * LONG)}' {NOT_DATE}",
    ),
    case(
        "procedure-100k",
        [*PLAN, WHEN, "--procedure", "p" * LONG, *OUT],
        2,
        f"Error: Unknown procedure '{cut('p' * LONG)}'. Choose one of: kyphoplasty, vertebroplasty, or give "
        "the path of a protocol file.",
    ),
    case(
        "med-name-100k",
        [*PLAN, WHEN, "--med", "A" * LONG, *OUT],
        2,
        f"Error: --med '{'A' * 60}' is not a medicine name. Use letters, digits, spaces and '-' "
        "(at most 60 characters).",
    ),
    case(
        "med-hold-100k",
        [*PLAN, WHEN, "--med", "warfarin=" + "9" * LONG + "d", *OUT],
        2,
        f"Error: --med 'warfarin={cut('9' * LONG)}': the hold must be from 1 to 60 days. Check what your "
        "doctor said.",
    ),
    case(
        "med-empty",
        [*PLAN, WHEN, "--med", "", *OUT],
        2,
        "Error: --med '' has no medicine name. Example: --med warfarin=5d",
    ),
    case(
        "patient-100k",
        [*PLAN, WHEN, "--patient", "A" * LONG, *OUT],
        2,
        "Error: --patient is longer than 200 characters; shorten it.",
    ),
    case(
        "facility-100k",
        [*PLAN, WHEN, "--facility", "F" * LONG, *OUT],
        2,
        "Error: --facility is longer than 200 characters; shorten it.",
    ),
    case(
        "phone-100k",
        [*PLAN, WHEN, "--phone", "5" * LONG, *OUT],
        2,
        "Error: --phone is longer than 200 characters; shorten it.",
    ),
    case(
        "patient-empty",
        [*PLAN, WHEN, "--patient", "", *OUT],
        2,
        "Error: --patient is empty; leave it out or give a value.",
    ),
    case(
        "phone-blank",
        [*PLAN, WHEN, "--phone", " \u00a0 ", *OUT],
        2,
        "Error: --phone is empty; leave it out or give a value.",
    ),
    case(
        "output-name-too-long",
        [*PLAN, WHEN, "-o", "{tmp}/" + "x" * 300],
        5,
        # The name is cut short in the message: its first 75 and last 20 characters.
        f"Error: Cannot write '{{tmp}}/{'x' * 75}...{'x' * 20}': File name too long. Choose a shorter name.",
    ),
]

ICS = ["-f", "ics", "-o", "{tmp}/plan.ics"]
CONTROL_CHARACTERS = [
    case(
        "patient-newline-ics",
        [*PLAN, WHEN, "--patient", "Ann\nBEGIN:VEVENT", *ICS],
        2,
        f"Error: --patient {CONTROL}",
    ),
    case(
        "facility-crlf-ics",
        [*PLAN, WHEN, "--facility", "Clinic\r\nLOCATION:Elsewhere", *ICS],
        2,
        f"Error: --facility {CONTROL}",
    ),
    case("phone-escape", [*PLAN, WHEN, "--phone", "555\x1b[2J0100", *OUT], 2, f"Error: --phone {CONTROL}"),
    case(
        "patient-line-separator",
        [*PLAN, WHEN, "--patient", "Ann\u2028Lee", *OUT],
        2,
        f"Error: --patient {CONTROL}",
    ),
    case(
        "driver-bidi-override",
        [*PLAN, WHEN, "--driver", "Tom\u202eeeL", *OUT],
        2,
        f"Error: --driver {CONTROL}",
    ),
    case("address-tab", [*PLAN, WHEN, "--address", "1 Main\tSt", *OUT], 2, f"Error: --address {CONTROL}"),
    case(
        "med-newline-ics",
        [*PLAN, WHEN, "--med", "warfarin=5d\nX-INJECTED:1", *ICS],
        2,
        f"Error: --med {CONTROL}",
    ),
    case(
        "roster-name-newline",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(f"Row 2 (H1), column 'name': {CELL_CONTROL}"),
        files={"roster.csv": roster(f'H1,"Ann\nBEGIN:VEVENT",{WHEN},America/Chicago')},
    ),
    case(
        "roster-facility-carriage-return",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(f"Row 2 (H1), column 'facility': {CELL_CONTROL}"),
        files={"roster.csv": roster(f'H1,{WHEN},"Clinic\rX"', header="patient_id,when,facility")},
    ),
    case(
        "roster-phone-escape",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(f"Row 2 (H1), column 'phone': {CELL_CONTROL}"),
        files={"roster.csv": roster(f"H1,{WHEN},555\x1b[2J", header="patient_id,when,phone")},
    ),
    case(
        "roster-meds-newline",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(f"Row 2 (H1), column 'meds': A medicine {CONTROL}"),
        files={"roster.csv": roster(f'H1,{WHEN},"warfarin=5d\nX:Y"', header="patient_id,when,meds")},
    ),
    case(
        "roster-patient-id-escape",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(f"Row 2 (H?1), column 'patient_id': {CELL_CONTROL}"),
        files={"roster.csv": roster(f"H\x1b1,{WHEN}", header="patient_id,when")},
    ),
    case(
        "settings-name-newline",
        [*PLAN, WHEN, "--config", "{tmp}/clinic.toml", *ICS],
        4,
        f"Error: {{tmp}}/clinic.toml, [clinic] name: {SETTING_CONTROL}",
        files={"clinic.toml": b'[clinic]\nname = "Lakeside\\nBEGIN:VEVENT"\n'},
    ),
    case(
        "settings-phone-escape-from-environment",
        [*PLAN, WHEN, *OUT],
        4,
        f"Error: {{tmp}}/clinic.toml, [clinic] phone: {SETTING_CONTROL}",
        files={"clinic.toml": b'[clinic]\nphone = "555\\u001b[31m0100"\n'},
        env={"KYPHOPREP_CONFIG": "{tmp}/clinic.toml"},
    ),
    case(
        "settings-address-bidi-batch",
        batch("{tmp}/roster.csv", "--config", "{tmp}/clinic.toml"),
        4,
        f"Error: {{tmp}}/clinic.toml, [clinic] address: {SETTING_CONTROL}",
        files={"clinic.toml": '[clinic]\naddress = "1 Main\u202eSt"\n'.encode(), "roster.csv": GOOD_ROSTER},
    ),
    case(
        "protocol-detail-escape",
        [*PLAN, WHEN, "--procedure", "{tmp}/proto.toml", *OUT],
        4,
        "Error: {tmp}/proto.toml, step 'one', field 'detail': contains the control character U+001B; "
        "remove it (line breaks are fine here).",
        files={"proto.toml": protocol('detail = "Do it."', 'detail = "Do it.\\u001b[2J"')},
    ),
    case(
        "protocol-title-newline-check",
        ["protocols", "check", "{tmp}/proto.toml"],
        4,
        "{tmp}/proto.toml, step 'one', field 'title': contains a line break or control character "
        "(U+000A); write it on one line.\n1 problem in {tmp}/proto.toml",
        files={"proto.toml": protocol('title = "Step one"', 'title = "Step\\nBEGIN:VEVENT"')},
    ),
]

MEDICINES = [
    case(
        "med-same-twice",
        [*PLAN, WHEN, "-m", "warfarin=5d", "-m", "warfarin=3d", *OUT],
        2,
        "Error: --med names warfarin twice. Give each medicine once.",
    ),
    case(
        "med-brand-and-generic",
        [*PLAN, WHEN, "-m", "Coumadin=5d", "-m", "warfarin", *OUT],
        2,
        "Error: --med names warfarin twice (also as 'Coumadin (warfarin)'). Give each medicine once.",
    ),
    case(
        "med-continue-and-hold",
        [*PLAN, WHEN, "-m", "warfarin=continue", "-m", "warfarin=5d", *OUT],
        2,
        "Error: --med names warfarin twice. Give each medicine once.",
    ),
    case(
        "med-hold-and-continue-brand",
        [*PLAN, WHEN, "-m", "Eliquis=3d", "-m", "apixaban=continue", *OUT],
        2,
        "Error: --med names apixaban twice (also as 'Eliquis (apixaban)'). Give each medicine once.",
    ),
    case(
        "med-two-brands-of-one-drug",
        [*PLAN, WHEN, "-m", "Bayer=6d", "-m", "St Joseph=continue", *OUT],
        2,
        "Error: --med names aspirin twice (as 'Bayer' and 'St Joseph'). Give each medicine once.",
    ),
    case(
        "med-two-forms",
        [*PLAN, WHEN, "-m", "aspirin:primary", "-m", "aspirin:secondary", *OUT],
        2,
        "Error: --med names aspirin twice. Give each medicine once.",
    ),
    case(
        "med-other-and-catalogue",
        [*PLAN, WHEN, "-m", "warfarin=5d", "-m", "other:warfarin=3d", *OUT],
        2,
        "Error: --med 'other:warfarin=3d': warfarin is in kyphoprep's medicine list. Leave out 'other:' "
        "and write --med 'warfarin=3d'.",
    ),
    case(
        "med-other-dodges-require-doctor-holds",
        [*PLAN, WHEN, "-m", "other:Eliquis", "--require-doctor-holds", *OUT],
        2,
        "Error: --med 'other:Eliquis': Eliquis (apixaban) is in kyphoprep's medicine list. Leave out "
        "'other:' and write --med 'Eliquis'.",
    ),
    case(
        "med-unknown-near-miss",
        [*PLAN, WHEN, "-m", "Xareltoo=3d", *OUT],
        2,
        "Error: --med 'Xareltoo' is not in kyphoprep's medicine list. Did you mean Xarelto (rivaroxaban)? "
        "If it is a different medicine, write --med 'other:Xareltoo=3d'.",
    ),
    case(
        "med-which-insulin",
        [*PLAN, WHEN, "-m", "insulin", *OUT],
        2,
        "Error: --med 'insulin' is not in kyphoprep's medicine list. Did you mean insulin pump or premixed "
        "insulin or insulin aspart or insulin degludec or insulin degludec and liraglutide or insulin "
        "detemir or insulin glargine or insulin glargine and lixisenatide or insulin glulisine or insulin "
        "lispro or NPH insulin or regular insulin? If it is a different medicine, write --med "
        "'other:insulin'.",
    ),
    case(
        "hold-zero-days",
        [*PLAN, WHEN, "-m", "warfarin=0d", *OUT],
        2,
        "Error: --med 'warfarin=0d': the hold must be from 1 to 60 days. Check what your doctor said.",
    ),
    case(
        "hold-zero-hours",
        [*PLAN, WHEN, "-m", "heparin=0h", *OUT],
        2,
        "Error: --med 'heparin=0h': the hold must be from 1 to 1440 hours. Check what your doctor said.",
    ),
    case(
        "hold-negative",
        [*PLAN, WHEN, "-m", "warfarin=-1h", *OUT],
        2,
        f"Error: 'warfarin=-1h': {WHOLE_NUMBER}",
    ),
    case(
        "hold-fraction",
        [*PLAN, WHEN, "-m", "warfarin=1.5d", *OUT],
        2,
        f"Error: 'warfarin=1.5d': {WHOLE_NUMBER}",
    ),
    case(
        "hold-61-days",
        [*PLAN, WHEN, "-m", "warfarin=61d", *OUT],
        2,
        "Error: --med 'warfarin=61d': the hold must be from 1 to 60 days. Check what your doctor said.",
    ),
    case(
        "hold-1441-hours",
        [*PLAN, WHEN, "-m", "Lovenox=1441h", *OUT],
        2,
        "Error: --med 'Lovenox=1441h': the hold must be from 1 to 1440 hours. Check what your doctor said.",
    ),
    case(
        "hold-five-digits",
        [*PLAN, WHEN, "-m", "warfarin=99999d", *OUT],
        2,
        "Error: --med 'warfarin=99999d': the hold must be from 1 to 60 days. Check what your doctor said.",
    ),
    case(
        "crcl-zero",
        [*PLAN, WHEN, "-m", "Pradaxa", "--crcl", "0", *OUT],
        2,
        "Error: --crcl 0 is not a creatinine clearance. Give mL/min from 1 to 200.",
    ),
    case(
        "roster-brand-and-generic",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1), column 'meds': The meds cell names warfarin twice (also as 'Coumadin (warfarin)'). "
            "Give each medicine once."
        ),
        files={"roster.csv": roster(f"H1,{WHEN},warfarin=5d; Coumadin", header="patient_id,when,meds")},
    ),
    case(
        "roster-require-doctor-holds",
        batch("{tmp}/roster.csv", "--require-doctor-holds", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1), column 'meds': Eliquis (apixaban) is a blood thinner and this batch needs the "
            "doctor's interval for each one: add the doctor's interval, such as 'Eliquis=5d', or "
            "'Eliquis=continue' if the doctor said to keep taking it."
        ),
        files={"roster.csv": roster(f"H1,{WHEN},Eliquis", header="patient_id,when,meds")},
    ),
    case(
        "roster-crcl-word",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed("Row 2 (H1), column 'crcl': 'abc' is not a whole number of mL/min."),
        files={"roster.csv": roster(f"H1,{WHEN},abc,metformin", header="patient_id,when,crcl,meds")},
    ),
    case(
        "usage-arrive-minutes",
        [*PLAN, WHEN, "--arrive-minutes", "5", *OUT],
        2,
        "Error: Invalid value for '--arrive-minutes': Input should be greater than or equal to 10. "
        "See 'kyphoprep plan --help'.",
    ),
    case(
        "usage-crcl-word",
        [*PLAN, WHEN, "--crcl", "abc", *OUT],
        2,
        "Error: Invalid value for '--crcl': Input should be a valid integer, unable to parse string as an "
        "integer. See 'kyphoprep plan --help'.",
    ),
]

NOT_TOML_1_6 = "not valid TOML (Expected '=' after a key in a key/value pair (at line 1, column 6))"
USE_PROTOCOL = [*PLAN, WHEN, "--procedure", "{tmp}/proto.toml", *OUT]
CHECK = ["protocols", "check", "{tmp}/proto.toml"]
HUGE_PROTOCOL = protocol() + b"# padding\n" * 1_000_000  # 10 MB of comments after a valid protocol
EMPTY_PROTOCOL_PROBLEMS = [
    "field 'format': must be 1",
    "field 'id': must be a non-empty string",
    "field 'sources': a table of source keys and citations is required",
    "field 'steps': a protocol needs at least one step",
    "field 'name': must be a non-empty string",
    "field 'summary': must be a non-empty string",
    "field 'procedure_minutes': must be a whole number",
    "field 'arrive_minutes': must be a whole number",
    "field 'reminder_minutes': must be a whole number",
    "field 'medicine_reminder_at': must be a 24-hour clock time such as \"09:00\"",
]

PROTOCOL_FILES = [
    case(
        "protocol-not-toml",
        USE_PROTOCOL,
        4,
        f"Error: {{tmp}}/proto.toml: {NOT_TOML_1_6}",
        files={"proto.toml": b"this is not toml\n"},
    ),
    case(
        "protocol-wrong-type",
        USE_PROTOCOL,
        4,
        "Error: {tmp}/proto.toml, field 'procedure_minutes': must be a whole number",
        files={"proto.toml": protocol("procedure_minutes = 60", 'procedure_minutes = "60"')},
    ),
    case(
        "protocol-missing-keys",
        USE_PROTOCOL,
        4,
        "Error: {tmp}/proto.toml, field 'sources': a table of source keys and citations is required",
        files={"proto.toml": b'format = 1\nid = "demo"\n'},
    ),
    case(
        "protocol-binary-garbage",
        USE_PROTOCOL,
        4,
        f"Error: {{tmp}}/proto.toml: {NOT_UTF8_TOML}",
        files={"proto.toml": bytes(range(256)) * 16},
    ),
    case(
        "protocol-latin-1",
        USE_PROTOCOL,
        4,
        f"Error: {{tmp}}/proto.toml: {NOT_UTF8_TOML}",
        files={"proto.toml": MINIMAL_PROTOCOL.replace("Do it.", "Do it, Müller.").encode("latin-1")},
    ),
    case(
        "protocol-utf-16",
        USE_PROTOCOL,
        4,
        f"Error: {{tmp}}/proto.toml: {NOT_UTF8_TOML}",
        files={"proto.toml": MINIMAL_PROTOCOL.encode("utf-16")},
    ),
    case(
        "protocol-nul-byte",
        USE_PROTOCOL,
        4,
        "Error: {tmp}/proto.toml: not valid TOML (Invalid statement (at line 20, column 1))",
        files={"proto.toml": protocol() + b"\x00"},
    ),
    case(
        "protocol-deep-nesting",
        USE_PROTOCOL,
        4,
        "Error: {tmp}/proto.toml: not valid TOML (arrays or tables nested too deeply)",
        files={"proto.toml": b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n"},
    ),
    case(
        "protocol-folder",
        USE_PROTOCOL,
        4,
        "Error: {tmp}/proto.toml: is a folder; give the protocol file itself.",
        files={"proto.toml": None},
    ),
    case(
        "protocol-missing", USE_PROTOCOL, 4, "Error: {tmp}/proto.toml: no such protocol file. Check the path."
    ),
    case(
        "protocol-huge",
        USE_PROTOCOL,
        4,
        "Error: {tmp}/proto.toml: is larger than 1 MiB; is this the right file?",
        files={"proto.toml": HUGE_PROTOCOL},
    ),
    case(
        "protocol-no-spanish",
        [*USE_PROTOCOL, "--lang", "es"],
        4,
        "Error: {tmp}/proto.toml: has no Spanish (español) words for name and summary, step one. Write them "
        'beside the English (such as es.title = "..."; see docs/protocols.md), or use --lang en.',
        files={"proto.toml": protocol()},
    ),
    case(
        "protocol-broken-example",
        ["example", "--today", TODAY, "--procedure", "{tmp}/proto.toml", *OUT],
        4,
        f"Error: {{tmp}}/proto.toml: {NOT_TOML_1_6}",
        files={"proto.toml": b"this is not toml\n"},
    ),
    case(
        "protocol-broken-batch",
        batch("{tmp}/roster.csv", "--protocol", "{tmp}/proto.toml"),
        4,
        "Error: {tmp}/proto.toml, field 'format': must be 1",
        files={"proto.toml": b"", "roster.csv": GOOD_ROSTER},
    ),
    case(
        "check-not-toml",
        CHECK,
        4,
        f"{{tmp}}/proto.toml: {NOT_TOML_1_6}\n1 problem in {{tmp}}/proto.toml",
        files={"proto.toml": b"this is not toml\n"},
    ),
    case(
        "check-empty-file",
        CHECK,
        4,
        "".join(f"{{tmp}}/proto.toml, {problem}\n" for problem in EMPTY_PROTOCOL_PROBLEMS)
        + "10 problems in {tmp}/proto.toml",
        files={"proto.toml": b""},
    ),
    case(
        "check-binary-garbage",
        CHECK,
        4,
        f"{{tmp}}/proto.toml: {NOT_UTF8_TOML}\n1 problem in {{tmp}}/proto.toml",
        files={"proto.toml": bytes(range(256)) * 16},
    ),
    case(
        "check-folder-and-missing",
        [*CHECK, "{tmp}/gone.toml"],
        4,
        "{tmp}/proto.toml: is a folder; give the protocol file itself.\n1 problem in {tmp}/proto.toml\n"
        "{tmp}/gone.toml: no such protocol file. Check the path.\n1 problem in {tmp}/gone.toml",
        files={"proto.toml": None},
    ),
    case(
        "check-good-and-bad",
        ["protocols", "check", "{tmp}/good.toml", "{tmp}/proto.toml"],
        4,
        "{tmp}/proto.toml, field 'procedure_minutes': must be a whole number\n1 problem in {tmp}/proto.toml",
        files={
            "good.toml": protocol(),
            "proto.toml": protocol("procedure_minutes = 60", "procedure_minutes = -60.5"),
        },
        stdout="{tmp}/good.toml: OK — 1 step, 0 warning signs; fasting rules: midnight\n",
    ),
    case(
        "check-empty-path",
        ["protocols", "check", ""],
        4,
        "Error: The protocol file name is empty. Give the path of a protocol file, such as "
        "clinic/sacroplasty.toml.",
    ),
]

USE_SETTINGS = [*PLAN, WHEN, "--config", "{tmp}/clinic.toml", *OUT]
SETTINGS_FILES = [
    case(
        "settings-not-toml",
        USE_SETTINGS,
        4,
        f"Error: {{tmp}}/clinic.toml: {NOT_TOML_1_6}.",
        files={"clinic.toml": b"this is not toml\n"},
    ),
    case(
        "settings-wrong-type",
        USE_SETTINGS,
        4,
        "Error: {tmp}/clinic.toml, [defaults] arrive_minutes: must be a whole number of minutes from 10 "
        "to 360.",
        files={"clinic.toml": b'[defaults]\narrive_minutes = "60"\n'},
    ),
    case(
        "settings-array-of-tables",
        USE_SETTINGS,
        4,
        "Error: {tmp}/clinic.toml, clinic: must be a table: write [clinic] on its own line.",
        files={"clinic.toml": b'[[clinic]]\nname = "X"\n'},
    ),
    case(
        "settings-binary-garbage-from-environment",
        [*PLAN, WHEN, *OUT],
        4,
        f"Error: {{tmp}}/clinic.toml: {NOT_UTF8_TOML}",
        files={"clinic.toml": bytes(range(256)) * 16},
        env={"KYPHOPREP_CONFIG": "{tmp}/clinic.toml"},
    ),
    case(
        "settings-latin-1",
        USE_SETTINGS,
        4,
        f"Error: {{tmp}}/clinic.toml: {NOT_UTF8_TOML}",
        files={"clinic.toml": '[clinic]\nname = "Müller Klinik"\n'.encode("latin-1")},
    ),
    case(
        "settings-utf-16",
        USE_SETTINGS,
        4,
        f"Error: {{tmp}}/clinic.toml: {NOT_UTF8_TOML}",
        files={"clinic.toml": '[clinic]\nname = "X"\n'.encode("utf-16")},
    ),
    case(
        "settings-deep-nesting",
        USE_SETTINGS,
        4,
        "Error: {tmp}/clinic.toml: not valid TOML (arrays or tables nested too deeply).",
        files={"clinic.toml": b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n"},
    ),
    case(
        "settings-folder-from-environment",
        [*PLAN, WHEN, *OUT],
        4,
        "Error: {tmp}/plans: is a folder; give the settings file itself, such as clinic.toml.",
        env={"KYPHOPREP_CONFIG": "{tmp}/plans"},
    ),
    case(
        "settings-missing-from-environment",
        ["example", "--today", TODAY, *OUT],
        4,
        "Error: {tmp}/gone.toml: no such file. Check the path given with --config or KYPHOPREP_CONFIG.",
        env={"KYPHOPREP_CONFIG": "{tmp}/gone.toml"},
    ),
    case(
        "settings-huge",
        USE_SETTINGS,
        4,
        "Error: {tmp}/clinic.toml: is larger than 64 KiB; is this the right file?",
        files={"clinic.toml": b"#" * (64 * 1024 + 1)},
    ),
    case(
        "settings-protocol-missing",
        USE_SETTINGS,
        4,
        "Error: {tmp}/nothere.toml: no such protocol file. Check the path.",
        files={"clinic.toml": b'[defaults]\nprocedure = "nothere.toml"\n'},
    ),
    case(
        "settings-protocol-broken-batch",
        batch("{tmp}/roster.csv", "--config", "{tmp}/clinic.toml"),
        4,
        "Error: {tmp}/proto.toml, field 'procedure_minutes': must be a whole number",
        files={
            "clinic.toml": b'[defaults]\nprocedure = "proto.toml"\n',
            "proto.toml": protocol("procedure_minutes = 60", "procedure_minutes = true"),
            "roster.csv": GOOD_ROSTER,
        },
    ),
    case(
        "settings-empty-path",
        [*PLAN, WHEN, "--config", "", *OUT],
        4,
        "Error: --config is empty. Give the clinic's settings file, such as clinic.toml.",
    ),
]

ROSTER = batch("{tmp}/roster.csv")
ROSTERS = [
    case(
        "roster-no-required-columns",
        ROSTER,
        2,
        "Error: {tmp}/roster.csv: the columns 'patient_id' and 'when' are missing. The first line must name "
        f"them, {EXAMPLE_COLUMNS}",
        files={"roster.csv": b"name,tz\nAnn,America/Chicago\n"},
    ),
    case(
        "roster-no-when-column",
        ROSTER,
        2,
        "Error: {tmp}/roster.csv: the column 'when' is missing. The first line must name them, "
        + EXAMPLE_COLUMNS,
        files={"roster.csv": b"patient_id,name\nH1,Ann\n"},
    ),
    case(
        "roster-unknown-column",
        ROSTER,
        2,
        f"Error: {{tmp}}/roster.csv: unknown column 'medz'. Did you mean 'meds'? {ROSTER_COLUMNS}",
        files={"roster.csv": roster(f"H1,{WHEN},warfarin=5d", header="patient_id,when,medz")},
    ),
    case(
        "roster-two-byte-order-marks",
        ROSTER,
        2,
        "Error: {tmp}/roster.csv: unknown column '?patient_id'. It holds an invisible character (U+FEFF). "
        f"Did you mean 'patient_id'? {ROSTER_COLUMNS}",
        files={"roster.csv": "\ufeff\ufeff".encode() + GOOD_ROSTER},
    ),
    case(
        "roster-zero-width-space-in-column",
        ROSTER,
        2,
        "Error: {tmp}/roster.csv: unknown column 'wh?en'. It holds an invisible character (U+200B). "
        f"Did you mean 'when'? {ROSTER_COLUMNS}",
        files={"roster.csv": roster(f"H1,{WHEN}", header="patient_id,wh\u200ben")},
    ),
    case(
        "roster-header-only",
        ROSTER,
        2,
        "Error: {tmp}/roster.csv has no patient rows, only the line of column names.",
        files={"roster.csv": b"patient_id,name,when,tz\r\n"},
    ),
    case(
        "roster-empty-file",
        ROSTER,
        2,
        f"Error: {{tmp}}/roster.csv is empty. The first line must name the columns, {EXAMPLE_COLUMNS}",
        files={"roster.csv": b""},
    ),
    case(
        "roster-utf-16",
        ROSTER,
        2,
        f"Error: {{tmp}}/roster.csv {NOT_UTF8_CSV}",
        files={"roster.csv": GOOD_ROSTER.decode().encode("utf-16")},
    ),
    case(
        "roster-utf-16-without-byte-order-mark",
        ROSTER,
        2,
        f"Error: {{tmp}}/roster.csv {NOT_UTF8_CSV}",  # its NUL bytes give it away
        files={"roster.csv": GOOD_ROSTER.decode().encode("utf-16-le")},
    ),
    case(
        "roster-latin-1",
        ROSTER,
        2,
        f"Error: {{tmp}}/roster.csv {NOT_UTF8_CSV}",
        files={"roster.csv": roster(f"H1,Jörg Müller,{WHEN},Europe/Berlin").decode().encode("latin-1")},
    ),
    case(
        "roster-binary-garbage",
        ROSTER,
        2,
        f"Error: {{tmp}}/roster.csv {NOT_UTF8_CSV}",
        files={"roster.csv": bytes(range(256)) * 16},
    ),
    case(
        "roster-huge-cell",
        ROSTER,
        2,
        "Error: {tmp}/roster.csv, line 2: not valid CSV (field larger than field limit (131072)).",
        files={"roster.csv": roster(f"H1,{WHEN}," + "A" * 200_000, header="patient_id,when,name")},
    ),
    case(
        "roster-long-cell",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed("Row 2 (H1), column 'name': longer than 4096 characters."),
        files={"roster.csv": roster(f"H1,{WHEN}," + "A" * 5000, header="patient_id,when,name")},
    ),
    case(
        "roster-stdin-empty",
        batch("-"),
        2,
        f"Error: standard input is empty. The first line must name the columns, {EXAMPLE_COLUMNS}",
        stdin=b"",
    ),
    case(
        "roster-stdin-binary",
        batch("-"),
        2,
        f"Error: standard input {NOT_UTF8_CSV}",
        stdin=b"\xff\xfe\x00garbage\x80\n",
    ),
    case(
        "roster-missing",
        batch("{tmp}/nope.csv"),
        2,
        "Error: No roster file '{tmp}/nope.csv'. Check the name, or use '-' to read standard input.",
    ),
    case(
        "roster-is-a-folder",
        batch("{tmp}/plans"),
        2,
        "Error: '{tmp}/plans' is a folder. Give the roster's CSV file.",
    ),
    case(
        "roster-bad-format",
        [*ROSTER[:-2], "--format", "text,docx"],
        2,
        "Error: --format 'text,docx': choose one or more of text, ics, json, html, caregiver, "
        "caregiver-html, pdf, fhir, separated by commas (such as text,ics).",
        files={"roster.csv": GOOD_ROSTER},
    ),
    case(
        "roster-today-nonsense",
        ["batch", "{tmp}/roster.csv", "--out", "{tmp}/new-plans", "--today", "2026-13-01"],
        2,
        f"Error: --today '2026-13-01' {NOT_DATE}",
        files={"roster.csv": GOOD_ROSTER},
    ),
    case(
        "roster-duplicate-ids",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            # Once per id, on its first row (the second fails too, and is counted).
            "Row 2 (H1), column 'patient_id': 2 rows (2 and 3) have this id, or ids that make the same file "
            "name (H1). Give every patient a different id; none of these rows was written.",
            rows=2,
        ),
        files={"roster.csv": roster(f"H1,{WHEN}", f"h1,{WHEN}", header="patient_id,when")},
    ),
    case(
        "roster-wrong-cell-count",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1): has 5 cells but the first line names 4 columns. Check for a missing or extra comma; "
            "put a cell with a comma in double quotes."
        ),
        files={"roster.csv": roster("H1,Lee, Ann,2026-12-03 07:30,America/Chicago")},
    ),
    case(
        "roster-dst-gap-lord-howe",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1), column 'when': 2:15 AM does not exist on Sunday, October 3, 2027 in "
            "Australia/Lord_Howe: the clocks jump forward for daylight saving time. Check the time with your "
            "care team."
        ),
        files={"roster.csv": roster("H1,Ann,2027-10-03 02:15,Australia/Lord_Howe")},
    ),
    case(
        "roster-protocol-path-in-a-row",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1), column 'procedure': give a protocol name, not a file. A clinic's own protocol file "
            "is named in the clinic settings file (procedure under [defaults])."
        ),
        files={"roster.csv": roster(f"H1,{WHEN},../proto.toml", header="patient_id,when,procedure")},
    ),
    case(
        "roster-unknown-procedure",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1), column 'procedure': Unknown procedure 'discectomy'. Choose one of: kyphoplasty, "
            "vertebroplasty, or leave the cell empty for the batch's protocol."
        ),
        files={"roster.csv": roster(f"H1,{WHEN},discectomy", header="patient_id,when,procedure")},
    ),
]


OUTPUT_PATHS = [
    case(
        "plan-existing-file",
        [*PLAN, WHEN, "-o", "{tmp}/existing.txt"],
        5,
        "Error: '{tmp}/existing.txt' already exists. Add --force to replace it, or choose another name.",
    ),
    case(
        "example-existing-file",
        ["example", "--today", TODAY, "-o", "{tmp}/existing.txt"],
        5,
        "Error: '{tmp}/existing.txt' already exists. Add --force to replace it, or choose another name.",
    ),
    case(
        "force-with-bad-input-touches-nothing",
        [*PLAN, "2026-02-30 07:30", "-o", "{tmp}/existing.txt", "--force"],
        2,
        "Error: '2026-02-30 07:30' is not a real date or time (day is out of range for month). "
        "Check the day and month.",
    ),
    case(
        "missing-folder",
        [*PLAN, WHEN, "-o", "{tmp}/nope/plan.txt"],
        5,
        "Error: The folder '{tmp}/nope' does not exist. Create it first or choose another place.",
    ),
    case(
        "missing-folder-example",
        ["example", "--today", TODAY, "-o", "{tmp}/nope/plan.html"],
        5,
        "Error: The folder '{tmp}/nope' does not exist. Create it first or choose another place.",
    ),
    case(
        "output-is-a-folder",
        [*PLAN, WHEN, "-o", "{tmp}/plans"],
        5,
        "Error: '{tmp}/plans' is a folder. Give a file name, such as {tmp}/plans/plan.txt.",
    ),
    case(
        "output-under-a-file",
        [*PLAN, WHEN, "-o", "{tmp}/existing.txt/plan.txt"],
        5,
        "Error: '{tmp}/existing.txt' is a file, not a folder. Choose another place, such as {tmp}/plan.txt.",
    ),
    case(
        "read-only-folder",
        [*PLAN, WHEN, "-o", "{tmp}/ro/plan.txt"],
        5,
        "Error: Cannot write in '{tmp}/ro': Permission denied.",
        setup=read_only_folder("ro"),
        needs_permissions=True,
    ),
    case(
        "output-empty",
        [*PLAN, WHEN, "-o", ""],
        5,
        "Error: The file name is empty. Give a file name, such as plan.txt.",
    ),
    case(
        "output-blank",
        [*PLAN, WHEN, "-o", " "],
        5,
        "Error: The file name is only spaces. Give a file name, such as plan.txt.",
    ),
    case(
        "output-trailing-slash",
        [*PLAN, WHEN, "-o", "{tmp}/new-folder/"],
        5,
        "Error: '{tmp}/new-folder/' ends in a slash, so it names a folder, not a file. Give a file name, "
        "such as {tmp}/new-folder/plan.txt.",
    ),
    case(
        "output-name-with-newline",
        [*PLAN, WHEN, "-o", "{tmp}/plan\nWrote elsewhere.txt"],
        5,
        "Error: The file name '{tmp}/plan?Wrote elsewhere.txt' contains a line break or control "
        "character; type it on one line.",
    ),
    case(
        "output-fifo-force",
        [*PLAN, WHEN, "-o", "{tmp}/pipe", "--force"],
        5,
        "Error: '{tmp}/pipe' is a named pipe, not a file; kyphoprep never writes over one, even with "
        "--force. Choose another name.",
        setup=make_fifo("pipe"),
    ),
    case(
        "batch-out-is-a-file",
        batch("{tmp}/roster.csv", out="{tmp}/existing.txt"),
        5,
        "Error: --out '{tmp}/existing.txt' is a file, not a folder. Give a folder for the plans.",
        files={"roster.csv": GOOD_ROSTER},
    ),
    case(
        "batch-out-under-a-file",
        batch("{tmp}/roster.csv", out="{tmp}/existing.txt/plans"),
        5,
        "Error: Cannot create the folder '{tmp}/existing.txt/plans': Not a directory.",
        files={"roster.csv": GOOD_ROSTER},
    ),
    case(
        "batch-out-read-only",
        batch("{tmp}/roster.csv", out="{tmp}/ro"),
        5,
        "Error: Cannot write in the folder '{tmp}/ro'. Choose another with --out.",
        files={"roster.csv": GOOD_ROSTER},
        setup=read_only_folder("ro"),
        needs_permissions=True,
    ),
    case(
        "batch-existing-plan",
        ["batch", "{tmp}/roster.csv", "--out", "{tmp}/plans", "--today", TODAY],
        6,
        row_failed(
            "Row 2 (P1): P1.json already exists in {tmp}/plans. Add --force to replace them, or "
            "--skip-existing to keep the rows whose files are unchanged."
        ),
        files={"roster.csv": roster(f"P1,Ann Lee,{WHEN},America/Chicago")},
    ),
    case(
        "batch-out-empty",
        ["batch", "{tmp}/roster.csv", "--out", "", "--today", TODAY],
        5,
        "Error: --out is empty. Give a folder for the plans, such as --out plans.",
        files={"roster.csv": GOOD_ROSTER},
    ),
]

# Bytes that are not UTF-8 (a Latin-1 terminal, a script) reach Python as lone surrogates:
# "Caf\xe9" arrives as "Caf\udce9". Until they were refused, writing the plan failed on them.
NOT_UTF8 = (
    "is not UTF-8 text. Set your terminal (or script) to UTF-8, such as LANG=en_US.UTF-8, and type it again."
)
NOT_UTF8_ES = (
    "no es texto UTF-8. Configure la terminal (o el script) en UTF-8, por ejemplo LANG=es_US.UTF-8, "
    "y escríbalo de nuevo."
)
INVISIBLE = "has only invisible characters (such as {code}); leave it out or type a value that can be read."
ZWJ, ZWNJ = "\u200d", "\u200c"
FULLWIDTH_FIVE, ARABIC_INDIC_FIVE = "\uff15", "\u0665"
TEXT_ENCODINGS_AND_CHARACTERS = [
    *(
        case(
            f"{option.removeprefix('--')}-not-utf8",
            [*PLAN, WHEN, option, value, *ICS],
            2,
            f"Error: {option} {NOT_UTF8}",
        )
        for option, value in [
            ("--facility", "Caf\udce9"),
            ("--patient", "Ann\udcffLee"),
            ("--driver", "Tom\udce9"),
            ("--plan-id", "MRN\udcff1"),
            ("--address", "1 Rue de l'\udcc9glise"),
            ("--phone", "555\udca00100"),
        ]
    ),
    case(
        "patient-not-utf8-in-spanish",
        [*PLAN, WHEN, "--lang", "es", "--patient", "Jos\udce9", *OUT],
        2,
        f"Error: --patient {NOT_UTF8_ES}",
    ),
    case("when-not-utf8", [*PLAN, "2026-12-03 07:30\udcff", *OUT], 2, f"Error: WHEN {NOT_UTF8}"),
    case(
        "tz-not-utf8",
        ["plan", WHEN, "--tz", "America/Chicag\udcff", "--today", TODAY, *OUT],
        2,
        f"Error: --tz {NOT_UTF8}",
    ),
    case(
        "today-not-utf8",
        ["plan", WHEN, "--tz", "America/Chicago", "--today", "2026-11-21\udca0", *OUT],
        2,
        f"Error: --today {NOT_UTF8}",
    ),
    case(
        "patient-only-joiners",
        [*PLAN, WHEN, "--patient", ZWJ * 3, *ICS],
        2,
        "Error: --patient " + INVISIBLE.format(code="U+200D"),
    ),
    case(
        "driver-only-combining-marks-and-spaces",
        [*PLAN, WHEN, "--driver", " \u0301\u0308 \u20dd ", *OUT],
        2,
        "Error: --driver " + INVISIBLE.format(code="U+0301"),
    ),
    case(
        "facility-only-hangul-filler",
        [*PLAN, WHEN, "--facility", "\u3164\u3164", *OUT],
        2,
        "Error: --facility " + INVISIBLE.format(code="U+3164"),
    ),
    case(
        "phone-non-joiner-and-no-break-space",
        [*PLAN, WHEN, "--phone", f"{ZWNJ}\u00a0{ZWNJ}", *OUT],
        2,
        "Error: --phone " + INVISIBLE.format(code="U+200C"),
    ),
    case(
        "roster-name-only-joiner",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed("Row 2 (H1), column 'name': The cell " + INVISIBLE.format(code="U+200D")),
        files={"roster.csv": roster(f"H1,{ZWJ},{WHEN},America/Chicago")},
    ),
    case(
        "settings-name-only-soft-hyphen",
        [*PLAN, WHEN, "--config", "{tmp}/clinic.toml", *OUT],
        4,
        "Error: {tmp}/clinic.toml, [clinic] name: this setting " + INVISIBLE.format(code="U+00AD"),
        files={"clinic.toml": b'[clinic]\nname = "\\u00ad"\n'},
    ),
    case(
        "protocol-title-only-joiner",
        USE_PROTOCOL,
        4,
        "Error: {tmp}/proto.toml, step 'one', field 'title': must be a non-empty string",
        files={"proto.toml": protocol('title = "Step one"', 'title = "\\u200d"')},
    ),
    # The joiners and the soft hyphen are allowed; the bidirectional controls still are not.
    case(
        "driver-bidi-isolate",
        [*PLAN, WHEN, "--driver", "Tom \u2066Lee\u2069", *OUT],
        2,
        f"Error: --driver {CONTROL}",
    ),
    case(
        "phone-right-to-left-mark",
        [*PLAN, WHEN, "--phone", "555\u200f-0100", *OUT],
        2,
        f"Error: --phone {CONTROL}",
    ),
    case(
        "when-joiner",
        [*PLAN, f"2026-12-03{ZWJ} 07:30", *OUT],
        2,
        "Error: The procedure date and time contains a control or invisible character (U+200D); type it "
        "again, for example 2026-12-03 07:30.",
    ),
]

# int() and the regular expression \d read fullwidth and Arabic-Indic digits as numbers.
FOREIGN_DIGITS = [
    case(
        "hold-fullwidth-digit",
        [*PLAN, WHEN, "--med", f"warfarin={FULLWIDTH_FIVE}d", *OUT],
        2,
        f"Error: --med 'warfarin={FULLWIDTH_FIVE}d': the hold has the digit {FULLWIDTH_FIVE} (U+FF15). "
        "Type it with the digits 0-9, such as warfarin=5d.",
    ),
    case(
        "hold-arabic-indic-digit-in-spanish",
        [*PLAN, WHEN, "--lang", "es", "--med", f"warfarin={ARABIC_INDIC_FIVE}d", *OUT],
        2,
        f"Error: --med 'warfarin={ARABIC_INDIC_FIVE}d': el tiempo tiene la cifra {ARABIC_INDIC_FIVE} "
        "(U+0665). Escríbalo con las cifras 0-9, como warfarin=5d.",
    ),
    case(
        "hold-hours-fullwidth-digits",
        [*PLAN, WHEN, "--med", "Lovenox=\uff12\uff14 hours", *OUT],
        2,
        "Error: --med 'Lovenox=\uff12\uff14 hours': the hold has the digit \uff12 (U+FF12). "
        "Type it with the digits 0-9, such as Lovenox=5d.",
    ),
    case(
        "when-fullwidth-year",
        [*PLAN, "\uff12\uff10\uff12\uff16-12-03 07:30", *OUT],
        2,
        "Error: The procedure date and time '\uff12\uff10\uff12\uff16-12-03 07:30' has the digit \uff12 "
        "(U+FF12). Type it with the digits 0-9, for example 2026-12-03 07:30.",
    ),
    case(
        "when-arabic-indic-hour-words",
        [*PLAN, "Dec 3 2026 \u0667:30am", *OUT],
        2,
        "Error: The procedure date and time 'Dec 3 2026 \u0667:30am' has the digit \u0667 (U+0667). "
        "Type it with the digits 0-9, for example 2026-12-03 07:30.",
    ),
    case(
        "today-fullwidth-digit",
        ["plan", WHEN, "--tz", "America/Chicago", "--today", "2026-11-2\uff11", *OUT],
        2,
        "Error: --today '2026-11-2\uff11' has the digit \uff11 (U+FF11). Type the date with the digits "
        "0-9, for example 2026-11-21.",
    ),
    case(
        "source-date-epoch-arabic-indic",
        ["plan", WHEN, "--tz", "America/Chicago", *OUT],
        2,
        "Error: SOURCE_DATE_EPOCH '\u0661795000000' has the digit \u0661 (U+0661). Use the digits 0-9: "
        "whole seconds since 1970.",
        env={"SOURCE_DATE_EPOCH": "\u0661795000000"},
    ),
    case(
        "crcl-arabic-indic",
        [*PLAN, WHEN, "--med", "dabigatran", "--crcl", "\u0665\u0660", *OUT],
        2,
        "Error: Invalid value for '--crcl': Input should be a valid integer, unable to parse string as an "
        "integer. See 'kyphoprep plan --help'.",
    ),
    case(
        "roster-meds-fullwidth-digit",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            f"Row 2 (H1), column 'meds': 'warfarin={FULLWIDTH_FIVE}d': the hold has the digit "
            f"{FULLWIDTH_FIVE} (U+FF15). Type it with the digits 0-9, such as warfarin=5d."
        ),
        files={"roster.csv": roster(f"H1,{WHEN},warfarin={FULLWIDTH_FIVE}d", header="patient_id,when,meds")},
    ),
    case(
        "roster-when-arabic-indic-day",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1), column 'when': The procedure date and time '2026-12-0\u0663 07:30' has the digit "
            "\u0663 (U+0663). Type it with the digits 0-9, for example 2026-12-03 07:30."
        ),
        files={"roster.csv": roster("H1,Ann Lee,2026-12-0\u0663 07:30,America/Chicago")},
    ),
    case(
        "protocol-clock-arabic-indic-digit",
        CHECK,
        4,
        "{tmp}/proto.toml, step 'one', field 'when.at': has the digit \u0669 (U+0669); write the time with "
        'the digits 0-9, such as "09:00"\n1 problem in {tmp}/proto.toml',
        files={"proto.toml": protocol('at = "09:00"', 'at = "0\u0669:00"')},
    ),
]

# Without --tz the plan is made in this computer's zone. A TZ that names no zone used to be passed
# over for /etc/localtime, which is Etc/UTC on most servers and containers: six hours off for Chicago.
NO_ZONE = ["plan", WHEN, "--today", TODAY, *OUT]
TZ_UNCLEAR = "is not a time zone name kyphoprep knows, so this computer's time zone is not clear."
BAD_TZ = [
    case(
        "tz-variable-posix-rule",
        NO_ZONE,
        2,
        f"Error: TZ='CST6CDT,M3.2.0,M11.1.0' {TZ_UNCLEAR} Give the procedure's zone with --tz, such as "
        "--tz America/Chicago, or set TZ to a zone name.",
        env={"TZ": "CST6CDT,M3.2.0,M11.1.0"},
    ),
    case(
        "tz-variable-no-such-zone",
        NO_ZONE,
        2,
        f"Error: TZ='Garbage/Zone' {TZ_UNCLEAR} Give the procedure's zone with --tz, such as "
        "--tz America/Chicago, or set TZ to a zone name.",
        env={"TZ": "Garbage/Zone"},
    ),
    case(
        "tz-variable-trailing-space",
        NO_ZONE,
        2,
        f"Error: TZ='America/Chicago ' {TZ_UNCLEAR} Did you mean America/Chicago? Give --tz America/Chicago, "
        "or set TZ=America/Chicago.",
        env={"TZ": "America/Chicago "},
    ),
    case(
        "tz-variable-wrong-case-example",
        ["example", "--today", TODAY, *OUT],
        2,
        f"Error: TZ=':america/new_york' {TZ_UNCLEAR} Did you mean America/New_York? Give --tz "
        "America/New_York, or set TZ=America/New_York.",
        env={"TZ": ":america/new_york"},
    ),
    case(
        "tz-variable-no-such-zone-in-spanish",
        [*NO_ZONE, "--lang", "es"],
        2,
        "Error: TZ='Garbage/Zone' no es una zona horaria que kyphoprep conozca, así que no está clara la "
        "zona horaria de esta computadora. Escriba la zona del procedimiento con --tz, por ejemplo --tz "
        "America/Chicago, o ponga en TZ el nombre de una zona.",
        env={"TZ": "Garbage/Zone"},
    ),
    case(
        "tz-variable-no-such-zone-batch-row-without-tz",
        batch("{tmp}/roster.csv", out="{tmp}/plans"),
        6,
        row_failed(
            "Row 2 (H1), column 'tz': is empty, and no default zone was given. Fill it in, or set timezone "
            "under [defaults] in the clinic settings file."
        ),
        files={"roster.csv": roster(f"H1,{WHEN}", header="patient_id,when")},
        env={"TZ": "Garbage/Zone"},
    ),
]

CASES = [*DATES, *LONG_AND_EMPTY, *CONTROL_CHARACTERS, *MEDICINES, *PROTOCOL_FILES, *SETTINGS_FILES]
CASES += [*ROSTERS, *OUTPUT_PATHS, *TEXT_ENCODINGS_AND_CHARACTERS, *FOREIGN_DIGITS, *BAD_TZ]


# --- the test ---------------------------------------------------------------------------------------


def fill(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp))


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under *root*, hidden ones included: kind, and for files their bytes (hashed) and mtime.

    Folders are listed by name only: a temporary file made and removed again changes a folder's mtime
    but leaves nothing behind. A FIFO or other special file is never opened.
    """
    found: dict[str, tuple[object, ...]] = {}
    for folder, names, files in os.walk(root):
        for name in names + files:
            path = Path(folder, name)
            info = path.lstat()
            key = path.relative_to(root).as_posix()
            if stat.S_ISDIR(info.st_mode):
                found[key] = ("folder", stat.S_IMODE(info.st_mode))
            elif stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[key] = ("file", info.st_size, digest, info.st_mtime_ns)
            else:
                found[key] = ("special", stat.S_IFMT(info.st_mode), info.st_mtime_ns)
    return found


def make_files(root: Path, files: Mapping[str, bytes | None]) -> None:
    for name, content in files.items():
        path = root / name
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_is_refused_and_changes_nothing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    """Each hostile input in CASES ends with its documented exit code and exact message, without a
    traceback, and leaves every file in the folder as it was."""
    make_files(tmp_path, {**BASE_FILES, **case.files})
    if case.setup is not None:
        case.setup(tmp_path)
    monkeypatch.chdir(tmp_path)  # a file written to a relative path lands here, and is seen
    before = snapshot(tmp_path)
    try:
        result = runner.invoke(
            app,
            [fill(arg, tmp_path) for arg in case.args],
            env={key: None if value is None else fill(value, tmp_path) for key, value in case.env.items()},
            input=case.stdin,
        )
        after = snapshot(tmp_path)
    finally:
        if (tmp_path / "ro").is_dir():
            (tmp_path / "ro").chmod(0o755)  # so pytest can clean up

    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == case.code, result.stderr[:2000]
    if isinstance(case.stderr, Rx):
        pattern = case.stderr.source.replace(r"\{tmp\}", re.escape(str(tmp_path)))
        pattern = pattern.replace("{tmp}", re.escape(str(tmp_path)))
        assert re.fullmatch(pattern, result.stderr), result.stderr[:2000]
    else:
        assert result.stderr == fill(case.stderr, tmp_path) + "\n"
    assert result.stdout == fill(case.stdout, tmp_path)
    assert after == before, "a file appeared, disappeared or changed"


# --- files that never end -------------------------------------------------------------------------

ENDLESS = "/dev/zero"


def _limit_memory() -> None:  # pragma: no cover - runs in the child process
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _run_with_limited_memory(folder: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """kyphoprep in a child process limited to 1 GiB, so reading without end shows as MemoryError."""
    env = {k: v for k, v in os.environ.items() if k not in ("KYPHOPREP_CONFIG", "SOURCE_DATE_EPOCH")}
    env.update(TZ="America/Chicago", NO_COLOR="1", TERM="dumb")
    return subprocess.run(
        [sys.executable, "-m", "kyphoprep", *args, *(["--today", TODAY] if args[0] != "protocols" else [])],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
        check=False,
    )


TOO_LARGE = "is larger than {size}; is this the right file?"
SPLIT_ROSTER = "Split a longer roster into several files."
# Each command given a file that never ends ({file}): its exit code, and stderr for {file} = /dev/zero.
ENDLESS_CASES = [
    pytest.param(
        ["plan", WHEN, "--config", "{file}", "-o", "plan.txt"],
        4,
        "Error: {file}: " + TOO_LARGE.format(size="64 KiB"),
        id="settings",
    ),
    pytest.param(
        ["plan", WHEN, "--procedure", "{file}", "-o", "plan.txt"],
        4,
        "Error: {file}: " + TOO_LARGE.format(size="1 MiB"),
        id="protocol",
    ),
    pytest.param(
        ["protocols", "check", "{file}"],
        4,
        "{file}: " + TOO_LARGE.format(size="1 MiB") + "\n1 problem in {file}",
        id="protocols-check",
    ),
    # /dev/zero gives NUL bytes, which no UTF-8 text file holds.
    pytest.param(["batch", "{file}", "--out", "plans"], 2, f"Error: {{file}} {NOT_UTF8_CSV}", id="roster"),
]


@pytest.mark.skipif(sys.platform != "linux" or not Path(ENDLESS).exists(), reason="needs Linux and /dev/zero")
@pytest.mark.parametrize(("args", "code", "stderr"), ENDLESS_CASES)
def test_a_file_that_never_ends_is_refused(tmp_path: Path, args: list[str], code: int, stderr: str) -> None:
    """Read with a limit, not by the size the file claims (0 for /dev/zero), and refused, changing nothing."""
    result = _run_with_limited_memory(tmp_path, [arg.replace("{file}", ENDLESS) for arg in args])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == code, result.stderr
    assert result.stderr == stderr.replace("{file}", ENDLESS) + "\n"
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def _feed_forever(fifo: Path, chunk: bytes) -> threading.Thread:
    """A thread writing *chunk* into *fifo* again and again, until its reader closes it."""

    def feed() -> None:
        try:
            with fifo.open("wb") as pipe:
                while True:
                    pipe.write(chunk)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize(("args", "code", "stderr"), ENDLESS_CASES)
def test_a_pipe_that_never_ends_is_refused(tmp_path: Path, args: list[str], code: int, stderr: str) -> None:
    """A named pipe fed text without end (no NUL, no line break): stopped at the limit, like /dev/zero."""
    name = "endless.csv" if args[0] == "batch" else "endless.toml"
    fifo = tmp_path / name
    os.mkfifo(fifo)
    feeder = _feed_forever(fifo, b"#" * 65536)
    try:
        result = _run_with_limited_memory(tmp_path, [arg.replace("{file}", name) for arg in args])
    finally:
        if feeder.is_alive():  # its reader never opened the pipe, or stopped reading: let it go
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        feeder.join(timeout=10)
    if args[0] == "batch":
        # A pipe is read once, into a temporary file (batch reads a roster twice), up to the roster's limit.
        stderr = f"Error: {{file}} is larger than 64 MiB; is this the right file? {SPLIT_ROSTER}"
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == code, result.stderr
    assert result.stderr == stderr.replace("{file}", name) + "\n"
    assert result.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == [name]


# --- --today and SOURCE_DATE_EPOCH ------------------------------------------------------------------


def test_today_beats_source_date_epoch_in_batch_as_in_plan(runner: CliRunner, tmp_path: Path) -> None:
    """With --today, neither plan nor batch reads SOURCE_DATE_EPOCH, so a bad value stops neither."""
    env: dict[str, str | None] = {"SOURCE_DATE_EPOCH": "soon"}
    planned = runner.invoke(app, [*PLAN, WHEN, "--format", "json"], env=env)
    assert planned.exit_code == 0, planned.stderr
    roster_path = tmp_path / "roster.csv"
    roster_path.write_bytes(GOOD_ROSTER)
    out = tmp_path / "plans"
    result = runner.invoke(app, batch(str(roster_path), out=str(out)), env=env)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [MADE_FILE, "H1.json"]


# --- a roster of 100,000 rows ---------------------------------------------------------------------

BIG_ROWS = 100_000


@pytest.mark.slow
def test_roster_of_100000_rows_is_planned_whole(
    runner: CliRunner, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """kyphoprep batch limits the roster's size (64 MiB, over a million rows like these), not its rows:
    every one of 100,000 rows (about 5 MB) gets its file.

    The caregiver sheet is the smallest format (about 3.4 KB, 340 MB in all; JSON would be 2.7 GB). The
    planning, not the format, takes the time: about 2.5 minutes on a 2-core machine. The files are
    removed at the end, so pytest's kept temporary folders do not hold them.
    """
    lines = ["patient_id,name,when,tz"]
    lines += [
        f"P{i:06d},Person {i},2026-12-{1 + i % 28:02d} {7 + i % 5:02d}:30,America/Chicago"
        for i in range(BIG_ROWS)
    ]
    roster_path = tmp_path / "roster.csv"
    roster_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "plans"
    started = time.monotonic()
    try:
        result = runner.invoke(
            app, ["batch", str(roster_path), "--out", str(out), "--today", TODAY, "--format", "caregiver"]
        )
        seconds = time.monotonic() - started
        record_property("seconds", round(seconds, 1))
        print(f"\n{BIG_ROWS} rows planned in {seconds:.1f} s")  # shown with pytest -s
        assert "Traceback" not in result.output
        assert result.exit_code == 0, result.stderr[-2000:]
        progress = "".join(f"Progress: {n} of {BIG_ROWS} rows\n" for n in range(10_000, BIG_ROWS, 10_000))
        assert (
            result.stderr
            == progress + f"Done: {BIG_ROWS} of {BIG_ROWS} rows planned, {BIG_ROWS} files written to {out}.\n"
        )
        assert result.stdout == ""
        names = sorted(os.listdir(out))  # hidden temporary files would show here too
        # The batch's own record of what it wrote (for --skip-existing) is the one hidden file.
        assert names == [MADE_FILE, *(f"P{i:06d}.caregiver.txt" for i in range(BIG_ROWS))]
        for i in (0, BIG_ROWS - 1):
            when = f"2026-12-{1 + i % 28:02d} {7 + i % 5:02d}:30"
            alone = runner.invoke(
                app,
                [*PLAN, when, "--patient", f"Person {i}", "--plan-id", f"P{i:06d}", "--format", "caregiver"],
            )
            assert (out / f"P{i:06d}.caregiver.txt").read_bytes() == alone.stdout_bytes
    finally:
        shutil.rmtree(out, ignore_errors=True)
