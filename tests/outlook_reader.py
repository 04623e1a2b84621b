"""Read a VTIMEZONE the way Outlook does: only DTSTART, RRULE and the two offsets of each observance.

Outlook turns a VTIMEZONE into yearly rules. It reads, from each STANDARD and
DAYLIGHT observance, DTSTART (the local time of the change, in the offset before
it), TZOFFSETFROM, TZOFFSETTO and the RRULE (FREQ=YEARLY with BYMONTH and an nth or
last weekday BYDAY, ended by UNTIL or COUNT). An observance without an RRULE does
not say when anything changes: its date is ignored and it only gives the zone's
base offset. RDATE is not read.

This reader is written from that description alone, on icalendar's parser, and
never imports kyphoprep's VTIMEZONE code, so it can check that code.

Resolution:
- every RRULE occurrence is a change at ``local onset - TZOFFSETFROM`` (UTC) to
  TZOFFSETTO; an occurrence after UNTIL (compared in UTC, as RFC 5545 says for
  VTIMEZONE) or past COUNT is not one;
- the offset at an instant is the TZOFFSETTO of the last change at or before it;
- before the first change it is the base offset: the TZOFFSETTO of the first
  observance without an RRULE (a STANDARD one if there is one), or, if every
  observance has an RRULE, the TZOFFSETFROM of the first change.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar

_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_READ = {"FREQ", "BYMONTH", "BYDAY", "UNTIL", "COUNT"}


class NotOutlookReadable(ValueError):
    """The VTIMEZONE uses something this reader (and Outlook) cannot read."""


@dataclass(frozen=True)
class Rule:
    """One observance with an RRULE: a yearly change on the nth (or last) weekday of a month."""

    onset: datetime  # naive local DTSTART, in offset_from
    offset_from: timedelta
    offset_to: timedelta
    month: int
    weekday: int  # 0 = Monday
    week: int  # 1..5, or -1 for the last
    until: datetime | None  # aware, UTC
    count: int | None

    def changes(self, last_year: int) -> list[tuple[datetime, timedelta, timedelta]]:
        """(UTC instant, offset before, offset after) of every occurrence up to *last_year*."""
        found: list[tuple[datetime, timedelta, timedelta]] = []
        for year in range(self.onset.year, last_year + 1):
            day = nth_weekday(year, self.month, self.weekday, self.week)
            if day is None:  # a 5th weekday the month does not have: no occurrence that year
                continue
            local = datetime.combine(day, self.onset.time())
            if local < self.onset:
                continue
            instant = (local - self.offset_from).replace(tzinfo=UTC)
            if self.until is not None and instant > self.until:
                break
            if self.count is not None and len(found) >= self.count:
                break
            found.append((instant, self.offset_from, self.offset_to))
        return found


def nth_weekday(year: int, month: int, weekday: int, week: int) -> date | None:
    """The *week*-th *weekday* of the month (week -1: the last), or None if there is no such day."""
    days = [
        d
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    if week == -1:
        return date(year, month, days[-1])
    if 1 <= week <= len(days):
        return date(year, month, days[week - 1])
    return None


def _one(values: Any, part: str) -> Any:
    values = values if isinstance(values, list) else [values]
    if len(values) != 1:
        raise NotOutlookReadable(f"RRULE {part} with {len(values)} values")
    return values[0]


def _rule(component: icalendar.cal.Component) -> Rule:
    recur = component["RRULE"]
    if not isinstance(recur, icalendar.vRecur):  # a list of them: more than one RRULE
        raise NotOutlookReadable(f"RRULE {recur!r} is not one yearly rule")
    unknown = set(recur) - _READ
    if unknown:
        raise NotOutlookReadable(f"RRULE parts Outlook does not read: {sorted(unknown)}")
    if _one(recur["FREQ"], "FREQ") != "YEARLY":
        raise NotOutlookReadable(f"RRULE FREQ={recur['FREQ']}")
    if "BYMONTH" not in recur or "BYDAY" not in recur:
        raise NotOutlookReadable("RRULE without BYMONTH and BYDAY")
    byday = str(_one(recur["BYDAY"], "BYDAY"))
    week_text, weekday = byday[:-2], byday[-2:]
    if weekday not in _WEEKDAYS or week_text.lstrip("+") not in {"1", "2", "3", "4", "5", "-1"}:
        raise NotOutlookReadable(f"RRULE BYDAY={byday}")
    until = None
    if "UNTIL" in recur:
        until = _one(recur["UNTIL"], "UNTIL")
        if not isinstance(until, datetime) or until.utcoffset() != timedelta(0):
            raise NotOutlookReadable(f"UNTIL {until!r} is not a UTC date-time (RFC 5545 3.6.5)")
        until = until.astimezone(UTC)
    count = int(_one(recur["COUNT"], "COUNT")) if "COUNT" in recur else None
    onset = component.decoded("DTSTART")
    if not isinstance(onset, datetime) or onset.tzinfo is not None:
        raise NotOutlookReadable(f"DTSTART {onset!r} is not a local date-time")
    return Rule(
        onset=onset,
        offset_from=component.decoded("TZOFFSETFROM"),
        offset_to=component.decoded("TZOFFSETTO"),
        month=int(_one(recur["BYMONTH"], "BYMONTH")),
        weekday=_WEEKDAYS[weekday],
        week=int(week_text),
        until=until,
        count=count,
    )


@dataclass
class OutlookZone:
    """A VTIMEZONE as Outlook sees it."""

    tzid: str
    rules: list[Rule]
    base: timedelta | None  # from the observances without an RRULE
    _changes: dict[int, list[tuple[datetime, timedelta, timedelta]]] = field(default_factory=dict)

    def changes(self, last_year: int) -> list[tuple[datetime, timedelta, timedelta]]:
        """Every change up to *last_year*, in time order."""
        if last_year not in self._changes:
            found = [c for rule in self.rules for c in rule.changes(last_year)]
            self._changes[last_year] = sorted(found)
        return self._changes[last_year]

    def offset_at(self, instant: datetime) -> timedelta:
        """The UTC offset at *instant* (aware)."""
        instant = instant.astimezone(UTC)
        changes = self.changes(instant.year + 1)
        offset = self.base
        if offset is None:
            if not changes:
                raise NotOutlookReadable("no observance gives an offset")
            offset = changes[0][1]
        for moment, _before, after in changes:
            if moment > instant:
                break
            offset = after
        return offset

    def to_utc(self, local: datetime) -> datetime:
        """The UTC instant of the naive wall time *local*; the earlier one if the time repeats.

        Raises ``ValueError`` for a wall time that this reading of the zone skips.
        """
        offsets = {offset for _m, *pair in self.changes(local.year + 1) for offset in pair}
        if self.base is not None:
            offsets.add(self.base)
        valid = sorted(
            (local - offset).replace(tzinfo=UTC)
            for offset in offsets
            if self.offset_at((local - offset).replace(tzinfo=UTC)) == offset
        )
        if not valid:
            raise ValueError(f"{local} does not exist in {self.tzid} as Outlook reads it")
        return valid[0]


def read_zones(data: bytes) -> dict[str, OutlookZone]:
    """Every VTIMEZONE of the calendar (or lone VTIMEZONE) *data*, by TZID."""
    parsed = icalendar.Calendar.from_ical(data)
    timezones = [parsed] if parsed.name == "VTIMEZONE" else parsed.walk("VTIMEZONE")
    zones = {}
    for vtimezone in timezones:
        rules, bases = [], []
        for part in vtimezone.subcomponents:
            if part.name not in ("STANDARD", "DAYLIGHT"):
                continue
            if "RRULE" in part:
                rules.append(_rule(part))
            else:
                bases.append((part.name != "STANDARD", part.decoded("TZOFFSETTO")))
        base = min(bases, key=lambda b: b[0])[1] if bases else None  # the first STANDARD, else the first
        tzid = str(vtimezone["TZID"])
        zones[tzid] = OutlookZone(tzid, rules, base)
    return zones


def read_zone(data: bytes) -> OutlookZone:
    """The one VTIMEZONE in *data*."""
    zones = read_zones(data)
    if len(zones) != 1:
        raise ValueError(f"expected one VTIMEZONE, found {len(zones)}")
    return next(iter(zones.values()))
