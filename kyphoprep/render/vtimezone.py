"""Build a small, correct VTIMEZONE for one IANA zone and a window of time.

Why not ``icalendar``'s ``Timezone.from_tzinfo``: it writes the spring-forward
onset in the *new* offset (RFC 5545 wants the local time before the change),
and a long list of one-off observances. Outlook reads only DTSTART, RRULE and
the offsets of each observance, so where the zone follows a yearly rule (as
almost all do) this writes that rule as an RRULE, checked against the zone
database for the years around the plan. Other zones get one observance per
change inside the window. The result is cached per zone and window.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from kyphoprep.records import Record

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_LOOKBACK = timedelta(days=400)  # a yearly rule always has an onset in the 400 days before the window


class Observance(Record):
    """One STANDARD or DAYLIGHT part of a VTIMEZONE."""

    kind: str  # "STANDARD" or "DAYLIGHT"
    onset: datetime  # naive local time, in the offset that applied before the change
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rrule: dict[str, str | int] | None = None


class _Change(Record):
    instant: datetime  # UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def local_onset(self) -> datetime:
        return (self.instant + self.offset_from).replace(tzinfo=None)


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset() or timedelta(0)


def _changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[_Change]:
    """Every UTC-offset change of *zone* between *start* and *end* (UTC instants)."""
    found = []
    step = timedelta(hours=12)
    previous = start
    previous_offset = _offset(zone, start)
    while previous < end:
        current = min(previous + step, end)
        current_offset = _offset(zone, current)
        if current_offset != previous_offset:
            low, high = previous, current
            while high - low > timedelta(seconds=1):  # bisect to the second
                middle = low + (high - low) / 2
                if _offset(zone, middle) == previous_offset:
                    low = middle
                else:
                    high = middle
            high = high.replace(microsecond=0)
            local = high.astimezone(zone)
            found.append(
                _Change(high, previous_offset, current_offset, local.tzname() or "", bool(local.dst()))
            )
        previous, previous_offset = current, current_offset
    return found


def _rule_candidates(change: _Change) -> list[tuple[int, int, int]]:
    """(month, weekday, week) rules that could describe *change*; week -1 means last."""
    onset = change.local_onset
    days_in_month = calendar.monthrange(onset.year, onset.month)[1]
    week = (onset.day - 1) // 7 + 1
    candidates = []
    if onset.day + 7 > days_in_month:
        candidates.append((onset.month, onset.weekday(), -1))
    if week <= 4:
        candidates.append((onset.month, onset.weekday(), week))
    return candidates


def _rule_date(year: int, month: int, weekday: int, week: int) -> date:
    days = [
        d
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    return date(year, month, days[week] if week == -1 else days[week - 1])


def _holds(zone: ZoneInfo, change: _Change, rule: tuple[int, int, int], year: int) -> bool:
    """Does *zone* make the same change by *rule* in *year*?"""
    onset = datetime.combine(_rule_date(year, *rule), change.local_onset.time())
    instant = (onset - change.offset_from).replace(tzinfo=UTC)
    before = _offset(zone, instant - timedelta(seconds=1))
    after = _offset(zone, instant)
    return before == change.offset_from and after == change.offset_to


def _kind(is_dst: bool) -> str:
    return "DAYLIGHT" if is_dst else "STANDARD"


def _yearly(
    zone: ZoneInfo, changes: list[_Change], start: datetime, end: datetime
) -> list[Observance] | None:
    """Observances with RRULEs if every change follows a yearly rule around the window."""
    rules: dict[tuple[timedelta, timedelta, tuple[int, int, int]], _Change] = {}
    for change in changes:
        for rule in _rule_candidates(change):
            years = range(start.year - 1, end.year + 2)
            if all(_holds(zone, change, rule, year) for year in years):
                rules.setdefault((change.offset_from, change.offset_to, rule), change)
                break
        else:
            return None
    if len(rules) > 2:  # more than one DST rule pair: not a simple yearly pattern
        return None
    observances = []
    for (offset_from, offset_to, (month, weekday, week)), first in rules.items():
        observances.append(
            Observance(
                kind=_kind(first.is_dst),
                onset=first.local_onset,
                offset_from=offset_from,
                offset_to=offset_to,
                name=first.name,
                rrule={"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": f"{week}{_WEEKDAYS[weekday]}"},
            )
        )
    return sorted(observances, key=lambda o: o.onset)


@lru_cache(maxsize=256)
def observances(zone_name: str, start: datetime, end: datetime) -> tuple[Observance, ...]:
    """The observances that describe *zone_name* correctly from *start* to *end* (UTC).

    Callers should round the window (e.g. to whole months) so the cache is hit.
    """
    zone = ZoneInfo(zone_name)
    look_from = start - _LOOKBACK
    changes = _changes(zone, look_from, end)
    if not changes:
        local = look_from.astimezone(zone)
        offset = local.utcoffset() or timedelta(0)
        return (Observance("STANDARD", datetime(1970, 1, 1), offset, offset, local.tzname() or ""),)
    yearly = _yearly(zone, changes, start, end)
    if yearly is not None:
        return tuple(yearly)
    first_local = look_from.astimezone(zone)
    base_offset = changes[0].offset_from
    result = [
        Observance(
            _kind(bool(first_local.dst())),
            first_local.replace(tzinfo=None, microsecond=0),
            base_offset,
            base_offset,
            first_local.tzname() or "",
        )
    ]
    result += [
        Observance(_kind(c.is_dst), c.local_onset, c.offset_from, c.offset_to, c.name) for c in changes
    ]
    return tuple(result)
