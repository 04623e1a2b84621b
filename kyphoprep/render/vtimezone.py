"""Build a small, correct VTIMEZONE for one IANA zone and a window of time.

Plain Python on ``zoneinfo``, not ``icalendar``'s ``Timezone.from_tzinfo``: that
writes the spring-forward onset in the *new* offset (RFC 5545 wants the local time
before the change) and one observance per change without an RRULE. Outlook reads
only DTSTART, RRULE and the two offsets of each observance, and ignores the date of
an observance without an RRULE, so every change here is written as a yearly RRULE
(``FREQ=YEARLY;BYMONTH=m;BYDAY=nWD``, n = 1..4 or -1 for the last).

The rules are decided from the changes the plan needs: those in the window and in
the 400 days before it (so the onset in force at the window's start, and the
year's other change, are there). Changes of the same kind (same offsets, name and
local time) in consecutive years that fall on the same nth weekday share one
observance. Where a zone's date is not one nth weekday every year (Chile's
"Sunday on or after the 2nd", Morocco's Ramadan, Palestine, Egypt's "last Thursday
at 24:00", Greenland and Israel's Saturday or Friday before a last Sunday), a
single date is still some nth weekday of its month, so the years are split into
runs, each ended by an ``UNTIL`` (UTC, RFC 5545 section 3.6.5): no rule claims a
year it is wrong for. Only the last run of each kind is left open, and only if its
rule holds in every year of the window. A zone with no change is one STANDARD
observance. The result is cached per zone and window.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_LOOKBACK = timedelta(days=400)  # a yearly rule always has an onset in the 400 days before the window


@dataclass(frozen=True, slots=True)
class Observance:
    """One STANDARD or DAYLIGHT part of a VTIMEZONE."""

    kind: str  # "STANDARD" or "DAYLIGHT"
    onset: datetime  # naive local time, in the offset that applied before the change
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rrule: dict[str, str | int | datetime] | None = None


@dataclass(frozen=True, slots=True)
class _Change:
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
    """(month, weekday, week) rules that could describe *change*, the last weekday first; week -1: last."""
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


@dataclass(frozen=True, slots=True)
class _Run:
    """Changes of one kind in consecutive years, and the rules that give every one of them."""

    changes: tuple[_Change, ...]
    rules: tuple[tuple[int, int, int], ...]


def _runs(changes: list[_Change]) -> list[_Run]:
    """*changes* (one kind, in time order) split where no one rule carries on to the next year."""
    runs: list[_Run] = []
    for change in changes:
        candidates = _rule_candidates(change)
        if runs:
            last = runs[-1]
            common = tuple(rule for rule in last.rules if rule in candidates)
            if common and change.local_onset.year == last.changes[-1].local_onset.year + 1:
                runs[-1] = _Run((*last.changes, change), common)
                continue
        runs.append(_Run((change,), tuple(candidates)))
    return runs


def _observance(zone: ZoneInfo, run: _Run, open_to: int | None) -> Observance:
    """The observance for *run*; without an end if one of its rules holds every year up to *open_to*."""
    first, last = run.changes[0], run.changes[-1]
    rule = run.rules[0]
    until: datetime | None = last.instant
    if open_to is not None:
        years = range(last.local_onset.year + 1, open_to + 1)
        for candidate in run.rules:
            if all(_holds(zone, last, candidate, year) for year in years):
                rule, until = candidate, None
                break
    month, weekday, week = rule
    rrule: dict[str, str | int | datetime] = {"FREQ": "YEARLY", "BYMONTH": month}
    rrule["BYDAY"] = f"{week}{_WEEKDAYS[weekday]}"
    if until is not None:
        rrule["UNTIL"] = until
    kind = _kind(first.is_dst)
    return Observance(kind, first.local_onset, first.offset_from, first.offset_to, first.name, rrule)


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
    kinds: dict[tuple[timedelta, timedelta, bool, str, time], list[_Change]] = {}
    for change in changes:
        key = (change.offset_from, change.offset_to, change.is_dst, change.name, change.local_onset.time())
        kinds.setdefault(key, []).append(change)
    result = []
    for same_kind in kinds.values():
        runs = _runs(same_kind)
        for number, run in enumerate(runs, start=1):
            result.append(_observance(zone, run, end.year if number == len(runs) else None))
    return tuple(sorted(result, key=lambda o: o.onset))
