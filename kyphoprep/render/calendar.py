"""What a plan's calendar holds: its events, their titles, alarms and texts, decided once.

The ``.ics`` writer only serialises these events; anything else that shows a calendar
entry (the JSON's UIDs, a reminder's QR code) reads them from here, so every place
agrees on what a reminder is called and when it rings.

The rules, each from what people see on their phones:

- **Discreet titles** (the default): lock screens and shared family calendars show
  titles and alarms, so a medicine's or the procedure's event is titled "Medicine
  reminder" or "Appointment"; the full title opens the DESCRIPTION.
- **Alarms only at the moment to act.** A step with a clock time of its own rings;
  the "by this day" to-dos of one day share one alarm; nothing rings while the person
  is in care (from arrival until ``recovery_minutes`` after the procedure), and
  nothing rings for a time that has passed.
- **Long states** (no driving for 24 hours, keep the bandage on for 2 days) are one
  short reminder at their start that says until when, not a bar across several days.
- **Versions.** UIDs come from the plan's identity and the step id, never the date, so
  a rescheduled plan updates the same events. Every event carries the plan's version
  as its SEQUENCE; a plan that replaces an earlier one (``--replaces``) also carries
  each of the earlier plan's events it no longer has, as cancelled.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from kyphoprep.core.models import Category, Plan, PlannedStep, PlanWarning, PreviousEvent
from kyphoprep.render.common import made_by, place_text, words_of

UID_NAMESPACE = uuid.UUID("6f1c2a52-4a0e-4d59-9d67-6b7a3b1f0c11")
WARNING_MINUTES = 15
LONG_STATE = timedelta(hours=12)
"""A step at least this long is a state ("no driving"), shown as one reminder at its start."""
STATE_MINUTES = 15


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One VEVENT, in words and instants; the writer adds nothing but syntax."""

    uid: str
    title: str
    start: datetime
    end: datetime
    description: str
    busy: bool = False
    """Only the hours at the facility make the person look busy."""
    location: str | None = None
    category: str | None = None
    alarm: str | None = None
    """The alarm's text, or None for an event that does not ring."""
    status: Literal["CONFIRMED", "CANCELLED"] = "CONFIRMED"


def event_uid(plan_id: str, part: str) -> str:
    """A UID that stays the same for the same plan identity and step, whatever the date."""
    return f"{uuid.uuid5(UID_NAMESPACE, f'{plan_id}/{part}')}@kyphoprep"


def step_uid(plan: Plan, step: PlannedStep) -> str:
    """The UID of *step*'s event."""
    return event_uid(plan.plan_id, step.id)


def warning_uid(plan: Plan, warning: PlanWarning) -> str:
    """The UID of *warning*'s event."""
    return event_uid(plan.plan_id, f"warning/{warning.code}/{warning.step_id}")


def calendar_name(plan: Plan) -> str:
    """The calendar's name (X-WR-CALNAME): without the procedure's name when titles are discreet."""
    words = words_of(plan)
    if plan.request.discreet_titles:
        return words("discreet_plan_title")
    return words("plan_title", procedure=plan.protocol.name.lower())


def calendar_description(plan: Plan) -> str:
    """The calendar's description (X-WR-CALDESC): warnings first, then how to keep it current."""
    words = words_of(plan)
    return "\n\n".join(
        [w.message for w in plan.warnings] + [words("care_team_first"), words("calendar_update")]
    )


def event_title(plan: Plan, step: PlannedStep) -> str:
    """*step*'s title on a calendar: with discreet titles, no medicine or procedure name."""
    if not plan.request.discreet_titles:
        return step.title
    if step.medicine is not None:
        return words_of(plan)("discreet_title")
    if _names_procedure(plan, step.title):
        return words_of(plan)("discreet_procedure_title")
    return step.title


def _names_procedure(plan: Plan, title: str) -> bool:
    # The protocol's name in any language it has, so a clinic's own procedure is covered too.
    names = {plan.protocol.name, *(name for name, _ in plan.protocol.translations.values())}
    folded = title.casefold()
    return any(name.casefold() in folded for name in names if name)


def _utc(moment: datetime) -> datetime:
    # Arithmetic and comparison between times of one zone ignore the UTC offset in
    # Python (the hour that repeats when clocks go back would be off), so use UTC.
    return moment.astimezone(UTC)


def in_care(plan: Plan) -> tuple[datetime, datetime]:
    """From arrival until the person is expected home (UTC): no alarm rings in this time."""
    return _utc(plan.arrival), _utc(plan.pickup_to)


def alarm_trigger(plan: Plan) -> timedelta:
    """The alarm's TRIGGER, relative to its event's start: ``--reminder-minutes`` before."""
    return timedelta(minutes=-plan.reminder_minutes)


def alarm_time(plan: Plan, event: CalendarEvent) -> datetime | None:
    """When *event*'s alarm rings (UTC), or None when it has none: its start plus ``alarm_trigger``."""
    return None if event.alarm is None else _utc(event.start) + alarm_trigger(plan)


def alarm_texts(plan: Plan) -> dict[str, str]:
    """The steps that ring, by step id, with what the alarm says."""
    reminder = timedelta(minutes=plan.reminder_minutes)
    care_start, care_end = in_care(plan)
    ringing: dict[str, str] = {}
    todo_days: dict[object, list[PlannedStep]] = {}
    for step in plan.steps:
        if not step.actionable or step.past:
            continue
        start = _utc(step.start)
        rings = start - reminder
        if care_start <= rings < care_end or care_start < start < care_end:
            continue
        if step.clock == "reminder":
            todo_days.setdefault(step.start.date(), []).append(step)
        else:
            ringing[step.id] = event_title(plan, step)
    for steps in todo_days.values():
        first = steps[0]
        if len(steps) == 1:
            ringing[first.id] = event_title(plan, first)
        else:
            ringing[first.id] = words_of(plan)("alarm_todo_many", count=len(steps))
    return ringing


def _made_on(plan: Plan) -> str:
    request, words = plan.request, words_of(plan)
    now_local = request.now.astimezone(request.procedure_start.tzinfo)
    return (
        f"{plan.protocol.name}: {words.moment(request.procedure_start)} ({request.timezone}).\n"
        f"{words('label_made_on')}: {words.date(now_local.date())}. "
        f"{words('label_version')}: {plan.version}.\n"
        f"{made_by(plan)}"
    )


def calendar_events(plan: Plan) -> list[CalendarEvent]:
    """Every event of *plan*'s calendar, in the order they are written: warnings, steps, cancelled."""
    words = words_of(plan)
    request = plan.request
    now_local = request.now.astimezone(request.procedure_start.tzinfo).replace(microsecond=0)
    made_on = _made_on(plan)
    events = [
        CalendarEvent(
            uid=warning_uid(plan, warning),
            title=words("heading_warnings"),
            start=now_local,
            end=(_utc(now_local) + timedelta(minutes=WARNING_MINUTES)).astimezone(now_local.tzinfo),
            description="\n\n".join([warning.message, words("calendar_update"), made_on]),
        )
        for warning in plan.warnings
    ]
    alarms = alarm_texts(plan)
    place = place_text(plan)
    for step in plan.steps:
        title = event_title(plan, step)
        parts = [step.detail]
        if title != step.title:
            parts.insert(0, step.title)
        if step.past:
            parts.insert(0, f"{words('past_marker')}: {words('past_note')}")
        end = step.end
        if _utc(step.end) - _utc(step.start) >= LONG_STATE:
            parts.append(words("calendar_until", end=words.moment(step.end)))
            end = (_utc(step.start) + timedelta(minutes=STATE_MINUTES)).astimezone(step.start.tzinfo)
        if step.clock == "reminder":
            parts.append(words("reminder_note"))
        if step.items:
            parts.append("\n".join(f"- {item}" for item in step.items))
        parts.append(f"{words('label_sources')}: " + "; ".join(s.citation for s in step.sources))
        parts += [words("care_team_first"), words("calendar_update"), made_on]
        day_of = step.category is Category.DAY_OF
        events.append(
            CalendarEvent(
                uid=step_uid(plan, step),
                title=title,
                start=step.start,
                end=end,
                description="\n\n".join(parts),
                busy=day_of,
                location=place if day_of else None,
                category=step.category.value,
                alarm=alarms.get(step.id),
            )
        )
    for gone in cancelled_events(plan):
        events.append(
            CalendarEvent(
                uid=gone.uid,
                title=words("cancelled_title"),
                start=gone.start.astimezone(request.procedure_start.tzinfo),
                end=gone.end.astimezone(request.procedure_start.tzinfo),
                description="\n\n".join([words("cancelled_detail", version=plan.version), made_on]),
                status="CANCELLED",
            )
        )
    return events


def current_uids(plan: Plan) -> set[str]:
    """The UIDs of the events this plan writes (not counting cancelled ones)."""
    return {warning_uid(plan, w) for w in plan.warnings} | {step_uid(plan, s) for s in plan.steps}


def cancelled_events(plan: Plan) -> list[PreviousEvent]:
    """The earlier version's events that this plan no longer has, in time order."""
    previous = plan.request.replaces
    if previous is None:
        return []
    kept = current_uids(plan)
    return sorted((e for e in previous.events if e.uid not in kept), key=lambda e: (e.start, e.uid))


def removed_reminders(plan: Plan) -> list[str]:
    """For the handouts: each cancelled reminder as "Title (when it was)"."""
    words = words_of(plan)
    zone = plan.request.procedure_start.tzinfo
    return [f"{gone.title} ({words.moment(gone.start.astimezone(zone))})" for gone in cancelled_events(plan)]


def content_stamp(plan: Plan, events: list[CalendarEvent]) -> datetime:
    """DTSTAMP: "now" to the minute, with seconds from the calendar's content.

    The same input gives the same bytes; a plan whose content changed, made the same
    minute (or the same day with --today, which gives midnight), gets another stamp, so
    two versions can be told apart. Which one is newer is told by SEQUENCE.
    """
    digest = hashlib.sha256(repr(events).encode("utf-8")).digest()
    minute = plan.request.now.astimezone(UTC).replace(second=0, microsecond=0)
    return minute + timedelta(seconds=digest[0] % 60)
