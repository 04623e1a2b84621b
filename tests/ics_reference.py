"""The test oracle for the calendar: the same calendar built with the icalendar library.

kyphoprep writes its .ics files itself, line by line, for speed
(``kyphoprep.render.ics``). This module is the renderer as it was before: it
builds the identical calendar from icalendar's own objects and serialiser. Tests
assert that both give the same bytes, so kyphoprep's writer is held to
icalendar's escaping, folding and property order.

Original notes:

Choices, each from what real calendar apps do on import (see the README):
- every time carries the IANA TZID, with a VTIMEZONE in the file (never floating,
  never a ``Z`` after a TZID); the one exception is an instant inside the hour
  that repeats when clocks go back, written in UTC (see ``calendar_time``);
- each action is its own timed event at the moment to act, so the event is the
  reminder even where an app drops alarms; actionable events get one DISPLAY alarm;
- UIDs come from the plan's identity and the step id, not the date, so a
  rescheduled plan updates the same events; DTSTAMP is "today", so the same
  input always gives the same bytes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vText

from kyphoprep.models import Category, Plan, PlannedStep
from kyphoprep.render import RenderOptions
from kyphoprep.render.common import calendar_title, place_text
from kyphoprep.render.vtimezone import observances
from kyphoprep.wording import format_date, format_moment, message

PRODID = "-//kyphoprep//Procedure preparation plan//EN"
UID_NAMESPACE = uuid.UUID("6f1c2a52-4a0e-4d59-9d67-6b7a3b1f0c11")
WARNING_MINUTES = 15


def event_uid(plan_id: str, part: str) -> str:
    """A UID that stays the same for the same plan identity and step, whatever the date."""
    return f"{uuid.uuid5(UID_NAMESPACE, f'{plan_id}/{part}')}@kyphoprep"


def calendar_time(moment: datetime) -> datetime:
    """*moment* as it should be written: local with its TZID, or UTC if the local time is ambiguous.

    In the hour that repeats when clocks go back, a local time names two
    instants, and calendar apps disagree on which one they read (libical and
    ical.js take the second, the RFC and Python the first). Such an instant is
    written in UTC (``...Z``, no TZID), which every parser reads the same way.
    """
    first, second = moment.replace(fold=0), moment.replace(fold=1)
    if first.utcoffset() != second.utcoffset():
        return moment.astimezone(UTC)
    return moment


def _month_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def build_vtimezone(zone_name: str, first: datetime, last: datetime) -> Timezone:
    """The VTIMEZONE for *zone_name*, correct for every time between *first* and *last*."""
    # Whole months keep the cache warm across patients with nearby dates.
    start = _month_floor(first)
    end = _month_floor(last + timedelta(days=32))
    vtimezone = Timezone()
    vtimezone.add("TZID", zone_name)
    for observance in observances(zone_name, start, end):
        part = TimezoneDaylight() if observance.kind == "DAYLIGHT" else TimezoneStandard()
        part.add("DTSTART", observance.onset)
        if observance.rrule is not None:
            part.add("RRULE", observance.rrule)
        part.add("TZOFFSETFROM", observance.offset_from)
        part.add("TZOFFSETTO", observance.offset_to)
        if observance.name:
            part.add("TZNAME", observance.name)
        vtimezone.add_component(part)
    return vtimezone


class IcsRenderer:
    """Renders the plan as an iCalendar file."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the calendar as bytes with CRLF line endings."""
        request = plan.request
        stamp = request.now.astimezone(UTC).replace(microsecond=0)
        calendar = Calendar()
        calendar.add("PRODID", PRODID)
        calendar.add("VERSION", "2.0")
        calendar.add("CALSCALE", "GREGORIAN")
        calendar.add("METHOD", "PUBLISH")
        calendar.add("X-WR-CALNAME", message("plan_title", procedure=plan.protocol.name.lower()))
        description = [w.message for w in plan.warnings] + [message("care_team_first")]
        # X- properties are not escaped unless typed as TEXT explicitly.
        calendar.add("X-WR-CALDESC", vText("\n\n".join(description)))

        now_local = request.now.astimezone(request.procedure_start.tzinfo).replace(microsecond=0)
        times = [s.start for s in plan.steps] + [s.end for s in plan.steps]
        if plan.warnings:
            times.append(now_local)
        calendar.add_component(build_vtimezone(request.timezone, min(times), max(times)))

        for warning in plan.warnings:
            event = Event()
            event.add("UID", event_uid(plan.plan_id, f"warning/{warning.code}/{warning.step_id}"))
            event.add("DTSTAMP", stamp)
            event.add("DTSTART", calendar_time(now_local))
            event.add("DTEND", calendar_time(now_local + timedelta(minutes=WARNING_MINUTES)))
            event.add("SUMMARY", message("heading_warnings"))
            event.add("DESCRIPTION", warning.message)
            event.add("TRANSP", "TRANSPARENT")
            calendar.add_component(event)

        made_on = (
            f"{plan.protocol.name}: {format_moment(request.procedure_start)} ({request.timezone}).\n"
            f"{message('label_made_on')}: {format_date(now_local.date())}"
        )
        for step in plan.steps:
            calendar.add_component(self._event(plan, step, stamp, made_on))
        data: bytes = calendar.to_ical()
        return data

    def _event(self, plan: Plan, step: PlannedStep, stamp: datetime, made_on: str) -> Event:
        event = Event()
        event.add("UID", event_uid(plan.plan_id, step.id))
        event.add("DTSTAMP", stamp)
        event.add("DTSTART", calendar_time(step.start))
        event.add("DTEND", calendar_time(step.end))
        title = calendar_title(plan, step)
        event.add("SUMMARY", title)
        parts = [step.detail]
        if step.past:
            parts.insert(0, f"{message('past_marker')}: {message('past_note')}")
        if step.items:
            parts.append("\n".join(f"- {item}" for item in step.items))
        parts.append(f"{message('label_sources')}: " + "; ".join(s.citation for s in step.sources))
        parts.append(message("care_team_first"))
        parts.append(made_on)
        event.add("DESCRIPTION", "\n\n".join(parts))
        place = place_text(plan)
        if step.category is Category.DAY_OF and place:
            event.add("LOCATION", place)
        event.add("CATEGORIES", [step.category.value])
        # Only the hours at the facility block the calendar; reminders and
        # day-long rules (no driving) should not make the person look busy.
        event.add("TRANSP", "OPAQUE" if step.category is Category.DAY_OF else "TRANSPARENT")
        if step.actionable and not step.past:
            alarm = Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("DESCRIPTION", title)
            alarm.add("TRIGGER", timedelta(minutes=-plan.reminder_minutes))
            event.add_component(alarm)
        return event


REFERENCE = IcsRenderer()
