"""The planner: one pure function from a ``PlanRequest`` to a dated ``Plan``.

It never reads the clock, the environment or a file; "now" and identity come in
through the request. Elapsed-time rules ("8 hours before") are computed on UTC
instants, because wall-clock subtraction is an hour off across a daylight-saving
change. Calendar-day rules ("7 days before at 9:00") land on a local date and
clock time, which is what a person expects on their calendar.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kyphoprep.models import (
    AfterProcedure,
    Arrival,
    BeforeProcedure,
    Category,
    DaysAfter,
    DaysBefore,
    MedicineHold,
    MidnightBefore,
    Plan,
    PlannedStep,
    PlanRequest,
    PlanWarning,
    ProcedureStart,
    Source,
    StepSpec,
    TimingRule,
)
from kyphoprep.wording import format_date, format_hold, format_last_dose, format_time, message

MEDICINE_STEP_MINUTES = 15


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


class _Anchors:
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


def default_plan_id(request: PlanRequest) -> str:
    """A stable identity for the plan: the same person and protocol give the same id.

    It deliberately leaves out the date, so calendar entries keep their UIDs
    when the procedure is rescheduled.
    """
    if request.plan_id:
        basis = f"id:{request.plan_id}"
    else:
        patient = " ".join((request.patient or "").casefold().split())
        basis = f"patient:{patient}|protocol:{request.protocol.id}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def build_plan(request: PlanRequest) -> Plan:
    """Place every protocol step and every medicine hold in time for one person.

    Args:
        request: the procedure time and zone, "now", the protocol and the
            medicines the doctor said to stop.

    Returns:
        The plan, with steps in time order (ties keep the protocol's order,
        medicines first) and warnings for anything already too late.
    """
    zone = ZoneInfo(request.timezone)
    anchors = _Anchors(request, zone)
    now = request.now.astimezone(zone)

    steps: list[PlannedStep] = []
    warnings: list[PlanWarning] = []
    for medicine in request.medicines:
        step = _medicine_step(medicine, request, anchors, now)
        steps.append(step)
        if step.past:
            due = format_last_dose(step.start, medicine.hold)
            warnings.append(
                PlanWarning(
                    code="last-dose-passed",
                    message=message("too_late", medicine=medicine.name.upper(), due=due),
                    step_id=step.id,
                )
            )
    for spec in request.protocol.steps:
        steps.append(_protocol_step(spec, anchors, now))

    order = {id(step): index for index, step in enumerate(steps)}
    steps.sort(key=lambda s: (s.start.astimezone(UTC), order[id(s)]))
    return Plan(
        request=request,
        procedure_end=anchors.end,
        arrival=anchors.arrival,
        plan_id=default_plan_id(request),
        steps=tuple(steps),
        warnings=tuple(warnings),
    )


def _protocol_step(spec: StepSpec, anchors: _Anchors, now: datetime) -> PlannedStep:
    start = anchors.resolve(spec.when)
    end = anchors.resolve(spec.until) if spec.until is not None else shift_elapsed(start, spec.minutes)
    # A badly written custom protocol could end a step before it starts; a
    # calendar event must not, so such a step becomes a short one.
    if end <= start:
        end = shift_elapsed(start, spec.minutes)
    timing = describe_rule(spec.when)
    return PlannedStep(
        id=spec.id,
        title=spec.title,
        detail=spec.detail,
        category=spec.category,
        start=start,
        end=end,
        sources=spec.sources,
        actionable=spec.actionable,
        past=start < now,
        timing=timing,
        items=spec.items,
    )


def _medicine_step(
    medicine: MedicineHold, request: PlanRequest, anchors: _Anchors, now: datetime
) -> PlannedStep:
    hold = medicine.hold
    if hold.unit == "days":
        # N days of hold = no dose on the N calendar days before the procedure
        # day nor on the procedure day itself, so the last dose is on day -(N+1).
        last_day = anchors.start.date() - timedelta(days=hold.amount + 1)
        start = local_instant(last_day, request.protocol.medicine_reminder_at, anchors.zone)
        title = message("med_days_title", medicine=medicine.name)
        detail = message(
            "med_days_detail",
            medicine=medicine.name,
            last_date=format_date(last_day, year=False),
            hold=format_hold(hold),
        )
        # On the last day itself there is still time to take the last dose.
        past = last_day < now.date()
        timing: dict[str, int | str] = {"rule": "last-dose-day", "days": hold.amount}
    else:
        start = shift_elapsed(anchors.start, -60 * hold.amount)
        title = message("med_hours_title", medicine=medicine.name, time=format_time(start))
        detail = message(
            "med_hours_detail",
            medicine=medicine.name,
            time=format_time(start),
            last_date=format_date(start.date(), year=False),
            hold=format_hold(hold),
        )
        past = start < now
        timing = {"rule": "last-dose-by", "minutes": 60 * hold.amount}
    return PlannedStep(
        id=f"medicine-{medicine.key}",
        title=title,
        detail=detail,
        category=Category.MEDICINES,
        start=start,
        end=shift_elapsed(start, MEDICINE_STEP_MINUTES),
        sources=(Source(key="doctor", citation=message("med_source")),),
        actionable=True,
        past=past,
        timing=timing,
        medicine=medicine,
    )
