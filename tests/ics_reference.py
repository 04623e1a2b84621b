"""The test oracle for the calendar: the same calendar built with the icalendar library.

kyphoprep writes its .ics files itself, line by line, for speed
(``kyphoprep.render.ics``). This module is the renderer as it was before: it
builds the identical calendar from icalendar's own objects and serialiser. Tests
assert that both give the same bytes, so kyphoprep's writer is held to
icalendar's escaping, folding and property order.
The VTIMEZONE, UIDs and the choice of local or UTC time are kyphoprep's own
(imported), so a difference can only come from writing the lines.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vText

from kyphoprep.models import Category, Plan, PlannedStep
from kyphoprep.render import RenderOptions
from kyphoprep.render.common import calendar_title, made_by, place_text
from kyphoprep.render.ics import PRODID, build_vtimezone, calendar_time, event_uid
from kyphoprep.wording import words_for

WARNING_MINUTES = 15  # as in kyphoprep.render.ics


class IcsRenderer:
    """Renders the plan as an iCalendar file."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the calendar as bytes with CRLF line endings."""
        request = plan.request
        message = words_for(request.language)
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
        calendar.add("X-KYPHOPREP-MADE-BY", vText(made_by(plan)))

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
            f"{plan.protocol.name}: {message.moment(request.procedure_start)} ({request.timezone}).\n"
            f"{message('label_made_on')}: {message.date(now_local.date())}\n"
            f"{made_by(plan)}"
        )
        for step in plan.steps:
            calendar.add_component(self._event(plan, step, stamp, made_on))
        data: bytes = calendar.to_ical()
        return data

    def _event(self, plan: Plan, step: PlannedStep, stamp: datetime, made_on: str) -> Event:
        message = words_for(plan.request.language)
        event = Event()
        event.add("UID", event_uid(plan.plan_id, step.id))
        event.add("DTSTAMP", stamp)
        event.add("DTSTART", calendar_time(step.start))
        event.add("DTEND", calendar_time(step.end))
        title = calendar_title(plan, step)
        event.add("SUMMARY", title)
        parts = [step.detail]
        if step.clock == "reminder":
            parts.append(message("reminder_note"))
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
