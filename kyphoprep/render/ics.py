"""The calendar file: RFC 5545, one VCALENDAR, METHOD:PUBLISH, CRLF.

Choices, each from what real calendar apps do on import (see the README):
- every time carries the IANA TZID, with a VTIMEZONE in the file (never floating,
  never a ``Z`` after a TZID); the one exception is an instant inside the hour
  that repeats when clocks go back, written in UTC (see ``calendar_time``);
- each action is its own timed event at the moment to act, so the event is the
  reminder even where an app drops alarms; actionable events get one DISPLAY alarm;
- UIDs come from the plan's identity and the step id, not the date, so a
  rescheduled plan updates the same events; DTSTAMP is "today", so the same
  input always gives the same bytes.

The VTIMEZONE is built with the icalendar library and serialised once per zone
and window. The events are written here, line by line: a batch writes
thousands of calendars, and icalendar's general-purpose serialiser was 70% of
the time of a whole row. The output is byte-for-byte what icalendar writes for
the same calendar (a test builds every golden scenario with icalendar and
compares), except that a literal ``\\N`` in a text stays as typed, where
icalendar reads it as a line break.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vDuration
from icalendar.parser import Contentline, Parameters
from icalendar.timezone.tzid import is_utc

from kyphoprep.models import Category, Plan, PlannedStep
from kyphoprep.render import RenderOptions
from kyphoprep.render.common import calendar_title, made_by, place_text, words_of
from kyphoprep.render.vtimezone import observances

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


def _window(first: datetime, last: datetime) -> tuple[datetime, datetime]:
    # Whole months keep the cache warm across patients with nearby dates.
    return _month_floor(first), _month_floor(last + timedelta(days=32))


def build_vtimezone(zone_name: str, first: datetime, last: datetime) -> Timezone:
    """The VTIMEZONE for *zone_name*, correct for every time between *first* and *last*."""
    return _vtimezone(zone_name, *_window(first, last))


def vtimezone_text(zone_name: str, first: datetime, last: datetime) -> str:
    """``build_vtimezone`` serialised (CRLF lines, the last one ending in CRLF)."""
    return _vtimezone_text(zone_name, *_window(first, last))


def _vtimezone(zone_name: str, start: datetime, end: datetime) -> Timezone:
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


@lru_cache(maxsize=256)
def _vtimezone_text(zone_name: str, start: datetime, end: datetime) -> str:
    """The serialised VTIMEZONE: built once per zone and window, then shared by every calendar."""
    vtimezone = _vtimezone(zone_name, start, end)
    text: str = vtimezone.to_ical().decode("utf-8")
    return text


# --- writing content lines (RFC 5545 section 3.1) ---------------------------------------------

FOLD_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 section 3.3.11); line breaks become ``\\n``."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line so no line is longer than 75 octets (with the CRLF and space added).

    Like icalendar: the first line holds at most 74 octets, each continuation
    a space and at most 74 more; a character's UTF-8 bytes are never split, and
    a backslash or caret is kept with the character it escapes.
    """
    if line.isascii():
        return _fold_ascii(line)
    parts: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = 1 if char < "\x80" else len(char.encode("utf-8"))
        if current and count + size >= FOLD_OCTETS:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                parts.append("".join(current))
                current, count = [carried], 1
            else:
                parts.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _fold_ascii(line: str) -> str:
    """``fold`` for a line of one-byte characters (nearly every line): slices, not a loop per character."""
    room = FOLD_OCTETS - 1
    parts: list[str] = []
    start = 0
    while len(line) - start > room:
        piece = line[start : start + room]
        if piece[-1] in "\\^":
            piece = piece[:-1]  # keep an escape with the character it escapes
        parts.append(piece)
        start += len(piece)
    parts.append(line[start:])
    return "\r\n ".join(parts)


@lru_cache(maxsize=256)
def _tzid_prefix(name: str, zone_name: str) -> str:
    # icalendar quotes a parameter value only when it must; ask it once per zone.
    line = str(Contentline.from_parts(name, Parameters({"TZID": zone_name}), "X"))
    return line[: -len(":X")]


@lru_cache(maxsize=256)
def _is_utc_zone(zone_name: str) -> bool:
    # icalendar writes times in a zone it takes for UTC with "Z" and no TZID; so do we.
    return bool(is_utc(ZoneInfo(zone_name)))


@lru_cache(maxsize=64)
def _duration(minutes: int) -> str:
    text: str = vDuration(timedelta(minutes=minutes)).to_ical().decode("ascii")  # type: ignore[no-untyped-call]
    return text


class _Writer:
    """Collects the content lines of one calendar."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def raw(self, line: str) -> None:
        self.lines.append(fold(line))

    def text(self, name: str, value: str) -> None:
        self.lines.append(fold(f"{name}:{escape_text(value)}"))

    def time(self, name: str, moment: datetime, zone_name: str) -> None:
        moment = calendar_time(moment)
        if moment.tzinfo is UTC or _is_utc_zone(zone_name):
            self.lines.append(f"{name}:{moment:%Y%m%dT%H%M%S}Z")
        else:
            self.lines.append(f"{_tzid_prefix(name, zone_name)}:{moment:%Y%m%dT%H%M%S}")

    def stamp(self, moment: datetime) -> None:
        self.lines.append(f"DTSTAMP:{moment.astimezone(UTC):%Y%m%dT%H%M%S}Z")

    def bytes(self) -> bytes:
        return ("\r\n".join(self.lines) + "\r\n").encode("utf-8")


class IcsRenderer:
    """Renders the plan as an iCalendar file."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the calendar as bytes with CRLF line endings."""
        request = plan.request
        message = words = words_of(plan)
        zone = request.timezone
        stamp = request.now.astimezone(UTC).replace(microsecond=0)
        out = _Writer()
        out.raw("BEGIN:VCALENDAR")
        out.raw("VERSION:2.0")
        out.raw(f"PRODID:{PRODID}")
        out.raw("CALSCALE:GREGORIAN")
        out.raw("METHOD:PUBLISH")
        description = [w.message for w in plan.warnings] + [message("care_team_first")]
        out.text("X-WR-CALDESC", "\n\n".join(description))
        out.text("X-WR-CALNAME", message("plan_title", procedure=plan.protocol.name.lower()))
        # Which kyphoprep, protocol and catalogue made this file, so a nurse can trace its advice.
        out.text("X-KYPHOPREP-MADE-BY", made_by(plan))

        now_local = request.now.astimezone(request.procedure_start.tzinfo).replace(microsecond=0)
        times = [s.start for s in plan.steps] + [s.end for s in plan.steps]
        if plan.warnings:
            times.append(now_local)
        out.lines.append(vtimezone_text(zone, min(times), max(times)).removesuffix("\r\n"))

        for warning in plan.warnings:
            out.raw("BEGIN:VEVENT")
            out.text("SUMMARY", message("heading_warnings"))
            out.time("DTSTART", now_local, zone)
            out.time("DTEND", now_local + timedelta(minutes=WARNING_MINUTES), zone)
            out.stamp(stamp)
            out.raw(f"UID:{event_uid(plan.plan_id, f'warning/{warning.code}/{warning.step_id}')}")
            out.text("DESCRIPTION", warning.message)
            out.raw("TRANSP:TRANSPARENT")
            out.raw("END:VEVENT")

        made_on = (
            f"{plan.protocol.name}: {words.moment(request.procedure_start)} ({zone}).\n"
            f"{message('label_made_on')}: {words.date(now_local.date())}\n"
            f"{made_by(plan)}"
        )
        place = place_text(plan)
        for step in plan.steps:
            self._event(out, plan, step, stamp, made_on, place)
        out.raw("END:VCALENDAR")
        return out.bytes()

    def _event(
        self, out: _Writer, plan: Plan, step: PlannedStep, stamp: datetime, made_on: str, place: str | None
    ) -> None:
        zone = plan.request.timezone
        message = words_of(plan)
        title = calendar_title(plan, step)
        out.raw("BEGIN:VEVENT")
        out.text("SUMMARY", title)
        out.time("DTSTART", step.start, zone)
        out.time("DTEND", step.end, zone)
        out.stamp(stamp)
        out.raw(f"UID:{event_uid(plan.plan_id, step.id)}")
        out.text("CATEGORIES", step.category.value)
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
        out.text("DESCRIPTION", "\n\n".join(parts))
        if step.category is Category.DAY_OF and place:
            out.text("LOCATION", place)
        # Only the hours at the facility block the calendar; reminders and
        # day-long rules (no driving) should not make the person look busy.
        out.raw(f"TRANSP:{'OPAQUE' if step.category is Category.DAY_OF else 'TRANSPARENT'}")
        if step.actionable and not step.past:
            out.raw("BEGIN:VALARM")
            out.raw("ACTION:DISPLAY")
            out.text("DESCRIPTION", title)
            out.raw(f"TRIGGER:{_duration(-plan.reminder_minutes)}")
            out.raw("END:VALARM")
        out.raw("END:VEVENT")


RENDERER = IcsRenderer()
