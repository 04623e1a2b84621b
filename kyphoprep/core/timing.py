"""Where a timing rule lands for one procedure: the clock arithmetic, kept in one place.

Elapsed-time rules ("8 hours before") are computed on UTC instants, because
wall-clock subtraction is an hour off across a daylight-saving change.
Calendar-day rules ("7 days before at 9:00") land on a local date and clock
time, which is what a person expects on their calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kyphoprep.core.models import (
    AfterProcedure,
    Arrival,
    BeforeProcedure,
    Clock,
    DaysAfter,
    DaysBefore,
    MidnightBefore,
    PlanRequest,
    ProcedureStart,
    TimingRule,
)


def local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The instant a wall clock in *zone* shows *clock* on *day*.

    A clock time that does not exist that day (skipped by a daylight-saving
    jump) moves forward by the size of the jump; one that happens twice is the
    first of the two. Both are what a person setting an alarm would get.
    """
    naive = datetime.combine(day, clock, tzinfo=zone)
    return naive.astimezone(UTC).astimezone(zone)


def shift_elapsed(moment: datetime, minutes: int) -> datetime:
    """*moment* moved by *minutes* of real elapsed time (computed in UTC)."""
    zone = moment.tzinfo
    return (moment.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(zone)


class Anchors:
    """The fixed points of one plan that every timing rule is measured from."""

    def __init__(self, request: PlanRequest, zone: ZoneInfo) -> None:
        self.zone = zone
        self.start = request.procedure_start.astimezone(zone)
        self.end = shift_elapsed(self.start, request.protocol.procedure_minutes)
        self.arrival = shift_elapsed(self.start, -request.arrive_minutes)

    def resolve(self, rule: TimingRule) -> datetime:
        day = self.start.date()
        match rule:
            case DaysBefore(days=days, at=at):
                return local_instant(day - timedelta(days=days), at, self.zone)
            case DaysAfter(days=days, at=at):
                return local_instant(day + timedelta(days=days), at, self.zone)
            case MidnightBefore():
                # In a few zones (e.g. America/Santiago) the clocks skip
                # midnight itself; the day then starts at 01:00.
                return local_instant(day, time(0, 0), self.zone)
            case BeforeProcedure(minutes=minutes):
                return shift_elapsed(self.start, -minutes)
            case AfterProcedure(minutes=minutes):
                return shift_elapsed(self.end, minutes)
            case Arrival(minutes=minutes):
                return shift_elapsed(self.arrival, minutes)
            case ProcedureStart():
                return self.start
        raise AssertionError(f"unhandled timing rule {rule!r}")  # pragma: no cover


def describe_rule(rule: TimingRule) -> dict[str, int | str]:
    """The rule as plain data, for JSON readers who want to know why a time was chosen."""
    match rule:
        case DaysBefore(days=days, at=at):
            return {"rule": "days-before", "days": days, "at": at.strftime("%H:%M")}
        case DaysAfter(days=days, at=at):
            return {"rule": "days-after", "days": days, "at": at.strftime("%H:%M")}
        case MidnightBefore():
            return {"rule": "midnight-before"}
        case BeforeProcedure(minutes=minutes):
            return {"rule": "before", "minutes": minutes}
        case AfterProcedure(minutes=minutes):
            return {"rule": "after", "minutes": minutes}
        case Arrival(minutes=minutes):
            return {"rule": "arrival", "minutes": minutes}
        case ProcedureStart():
            return {"rule": "procedure"}
    raise AssertionError(f"unhandled timing rule {rule!r}")  # pragma: no cover


def clock_of(rule: TimingRule) -> Clock:
    """A calendar-day rule places a to-do on its day ("reminder"); other rules give a real time."""
    return "reminder" if isinstance(rule, DaysBefore | DaysAfter) else "exact"


def is_before(first: datetime, second: datetime) -> bool:
    """Whether instant *first* is before *second*, compared in UTC.

    Python compares two datetimes of the same zone by their wall clocks, which is
    wrong in the hour that repeats when clocks go back (02:30 the second time is
    "before" 02:45 the first time).
    """
    return first.astimezone(UTC) < second.astimezone(UTC)
