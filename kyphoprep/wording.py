"""Words people read: shared messages and dates written out in full.

Dates and times are spelled out by hand instead of with ``strftime`` so that the
output does not change with the machine's locale, and so other languages can be
added as data in ``checklists/messages.toml``.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from functools import cache
from importlib import resources
from typing import Any

from kyphoprep.errors import ChecklistError
from kyphoprep.models import Hold, MedicineRule, Restart

LANGUAGE = "en"


@cache
def _messages() -> dict[str, Any]:
    text = (resources.files("kyphoprep.checklists") / "messages.toml").read_text(encoding="utf-8")
    try:
        table = tomllib.loads(text)[LANGUAGE]
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise ChecklistError("messages.toml", f"cannot read the [{LANGUAGE}] table ({exc})") from None
    if not isinstance(table, dict):
        raise ChecklistError("messages.toml", f"[{LANGUAGE}] must be a table")
    return table


def message(key: str, **fields: object) -> str:
    """The shared message *key*, with its ``{placeholders}`` filled from *fields*."""
    try:
        template = _messages()[key]
    except KeyError:
        raise ChecklistError("messages.toml", "message is missing", field=key) from None
    return str(template).format(**fields) if fields else str(template)


def _names(key: str) -> list[str]:
    names = _messages()[key]
    assert isinstance(names, list)
    return [str(n) for n in names]


def month_name(month: int) -> str:
    """``March`` for 3."""
    return _names("months")[month - 1]


def format_date(day: date, *, year: bool = True) -> str:
    """``Friday, November 27, 2026`` (or without the year)."""
    text = f"{_names('weekdays')[day.weekday()]}, {month_name(day.month)} {day.day}"
    return f"{text}, {day.year}" if year else text


def format_time(moment: time | datetime) -> str:
    """``7:30 AM``; midnight and noon are named so nobody has to think about AM/PM."""
    hour, minute = moment.hour, moment.minute
    if (hour, minute) == (0, 0):
        return message("midnight")
    if (hour, minute) == (12, 0):
        return message("noon")
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"


def format_moment(moment: datetime, *, year: bool = True) -> str:
    """``Friday, November 27, 2026 at 7:30 AM``."""
    return f"{format_date(moment.date(), year=year)} {message('at_time')} {format_time(moment)}"


def format_last_dose(moment: datetime, hold: Hold) -> str:
    """When the last dose is due: the day for a hold in days, the day and time for one in hours."""
    if hold.unit == "hours":
        return format_moment(moment, year=False)
    return format_date(moment.date(), year=False)


def format_hold(hold: Hold) -> str:
    """``5 days`` or ``1 hour``."""
    unit = hold.unit[:-1] if hold.amount == 1 else hold.unit
    return f"{hold.amount} {message('unit_' + unit)}"


def format_typical_hold(rule: MedicineRule) -> str:
    """The catalogue's hold as guidance says it: ``3 to 5 days``, or ``24 hours``."""
    assert rule.hold is not None
    if rule.hold_from is None:
        return format_hold(rule.hold)
    return f"{rule.hold_from} {message('range_to')} {format_hold(rule.hold)}"


def format_restart_hours(restart: Restart) -> str:
    """``24 hours`` or ``12 to 24 hours``."""
    high = format_hold(Hold(restart.to_hours, "hours", ""))
    if restart.hours == restart.to_hours:
        return high
    return f"{restart.hours} {message('range_to')} {high}"


def unconfirmed_mark(rule: MedicineRule | None) -> str:
    """`` (unconfirmed)`` after a grade C or D value, else nothing."""
    return message("unconfirmed_mark") if rule is not None and rule.unconfirmed else ""
