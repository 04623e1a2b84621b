"""The calendar file: RFC 5545, one VCALENDAR, no METHOD, CRLF; written with icalendar.

Choices, each from what real calendar apps do on import (see the README's calendar section):
- no METHOD: the file is meant to be imported, not an iTIP message (RFC 5545 section
  3.7.2). ``METHOD:PUBLISH`` would require an ORGANIZER in every event (RFC 5546
  section 3.2.1), and an ORGANIZER makes apps treat the file as an invitation;
- every time carries the IANA TZID, with a VTIMEZONE in the file (never floating,
  never a ``Z`` after a TZID); an instant inside the hour that repeats when clocks go
  back is written in UTC (see ``calendar_time``), and a plan in UTC has no VTIMEZONE;
- what the events say, when they ring and which are cancelled is decided in
  ``kyphoprep.render.calendar``; this module only writes it down.

The whole file is built from icalendar's public objects (``Calendar``, ``Event``,
``Alarm``, ``Timezone``) and its serialiser, which folds every line. Texts are escaped by
``Text``, a ``vText`` whose only change is the escaping: icalendar 7.3 turns a typed
backslash-N into a line break before escaping (``tests/test_ics_text.py`` found it with a
clinic address), and a name must come back exactly as it was typed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vText

from kyphoprep.core.models import Plan
from kyphoprep.render import RenderOptions
from kyphoprep.render.calendar import (
    CalendarEvent,
    alarm_trigger,
    calendar_description,
    calendar_events,
    calendar_name,
    content_stamp,
    event_uid,
)
from kyphoprep.render.common import made_by
from kyphoprep.render.vtimezone import observances

__all__ = ["PRODID", "RENDERER", "build_vtimezone", "calendar_time", "event_uid"]

PRODID = "-//kyphoprep//Procedure preparation plan//EN"
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})
"""Zone names that mean UTC itself: their times are written with ``Z`` and need no VTIMEZONE."""


class Text(vText):
    """A TEXT value escaped as RFC 5545 section 3.3.11 says, backslash first, so every text round-trips."""

    def to_ical(self) -> bytes:
        escaped = (
            self.replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\n")
            .replace("\r", "\n")
            .replace("\n", "\\n")
        )
        return escaped.encode("utf-8")


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


def _window(first: datetime, last: datetime) -> tuple[datetime, datetime]:
    # Whole months keep the cache warm across patients with nearby dates.
    return _month_floor(first), _month_floor(last + timedelta(days=32))


def build_vtimezone(zone_name: str, first: datetime, last: datetime) -> Timezone:
    """The VTIMEZONE for *zone_name*, correct for every time between *first* and *last*."""
    return _vtimezone(zone_name, *_window(first, last))


@lru_cache(maxsize=256)
def _vtimezone(zone_name: str, start: datetime, end: datetime) -> Timezone:
    # Built once per zone and window; a batch shares it between calendars (serialising never changes it).
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


def _event(item: CalendarEvent, stamp: datetime, sequence: int, utc: bool) -> Event:
    event = Event()
    event.add("SUMMARY", Text(item.title))
    for name, moment in (("DTSTART", item.start), ("DTEND", item.end)):
        event.add(name, moment.astimezone(UTC) if utc else calendar_time(moment))
    event.add("DTSTAMP", stamp)
    event.add("UID", item.uid)
    event.add("SEQUENCE", sequence)
    if item.status == "CANCELLED":
        event.add("STATUS", "CANCELLED")
    if item.category:
        event.add("CATEGORIES", [item.category])
    event.add("DESCRIPTION", Text(item.description))
    if item.location:
        event.add("LOCATION", Text(item.location))
    event.add("TRANSP", "OPAQUE" if item.busy else "TRANSPARENT")
    return event


def _alarm(plan: Plan, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", Text(text))
    alarm.add("TRIGGER", alarm_trigger(plan))
    return alarm


def reminder_ics(plan: Plan, uids: list[str]) -> dict[str, str]:
    """Events of the plan's calendar, each as a calendar of its own: what a reminder's QR code holds.

    The same UID, title, times and alarm as in the ``.ics`` file, so importing both gives one event,
    not two. Times are in UTC (no VTIMEZONE: the code must stay small enough to scan), and the
    description is left out for the same reason: the handout beside the code says it. The calendar
    is worked out once for all of *uids*.
    """
    events = calendar_events(plan)
    stamp = content_stamp(plan, events)
    by_uid = {event.uid: event for event in events}
    return {uid: _one_event(plan, by_uid[uid], stamp) for uid in uids}


def _one_event(plan: Plan, item: CalendarEvent, stamp: datetime) -> str:
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    event = Event()
    event.add("UID", item.uid)
    event.add("DTSTAMP", stamp)
    event.add("DTSTART", item.start.astimezone(UTC))
    event.add("DTEND", item.end.astimezone(UTC))
    event.add("SUMMARY", Text(item.title))
    if item.alarm is not None:
        event.add_component(_alarm(plan, item.alarm))
    calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data.decode("utf-8")


class IcsRenderer:
    """Renders the plan as an iCalendar file."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the calendar as bytes with CRLF line endings."""
        zone = plan.request.timezone
        utc = zone in UTC_ZONES
        events = calendar_events(plan)
        stamp = content_stamp(plan, events)
        calendar = Calendar()
        calendar.add("VERSION", "2.0")
        calendar.add("PRODID", PRODID)
        calendar.add("CALSCALE", "GREGORIAN")
        # X- properties are only escaped as TEXT when given as a TEXT value.
        calendar.add("X-WR-CALNAME", Text(calendar_name(plan)))
        calendar.add("X-WR-CALDESC", Text(calendar_description(plan)))
        # Which kyphoprep, protocol and catalogue made this file, so a nurse can trace its advice.
        calendar.add("X-KYPHOPREP-MADE-BY", Text(made_by(plan)))
        if not utc:
            times = [t for e in events for t in (e.start, e.end)]
            calendar.add_component(build_vtimezone(zone, min(times), max(times)))
        for item in events:
            event = _event(item, stamp, plan.version, utc)
            if item.alarm is not None:
                event.add_component(_alarm(plan, item.alarm))
            calendar.add_component(event)
        data: bytes = calendar.to_ical()
        return data


RENDERER = IcsRenderer()
