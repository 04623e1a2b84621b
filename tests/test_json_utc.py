"""Reminder-ready JSON (schema 7): each step's start_utc, end_utc and alarm_utc are the .ics event's.

A clinic's reminder system reads these instead of parsing the calendar, so they must be the very
instants a calendar app reads from the ``.ics`` (DTSTART, DTEND, and DTSTART plus the alarm's
TRIGGER), on every side of a daylight-saving change, in any zone.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.core.models import PlanRequest
from kyphoprep.data.protocols import load_builtin_protocol
from kyphoprep.io.med_options import parse_medicines
from kyphoprep.render import OutputFormat, RenderOptions, renderer_for
from tests.calendar_rules import check_alarms
from tests.plan_model import planned, wall_clock, wall_instant

UTC_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ZONES = [
    "America/Chicago",
    "America/New_York",
    "America/Santiago",
    "America/St_Johns",
    "Europe/Berlin",
    "Europe/Dublin",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "UTC",
]
Instants = dict[str, tuple[datetime, datetime, datetime | None]]


def _utc(value: Any) -> datetime:
    moment = value.dt if hasattr(value, "dt") else value
    assert isinstance(moment, datetime), moment
    assert moment.tzinfo is not None, moment  # never floating
    return moment.astimezone(UTC)


def ics_instants(ics: bytes) -> Instants:
    """Each VEVENT's UTC start, end and alarm instant (DTSTART + TRIGGER, or None), by UID."""
    found: Instants = {}
    for event in icalendar.Calendar.from_ical(ics).walk("VEVENT"):
        start, end = _utc(event["DTSTART"]), _utc(event["DTEND"])
        alarms = event.walk("VALARM")
        assert len(alarms) <= 1
        rings = None
        if alarms:
            trigger: Any = alarms[0].decoded("TRIGGER")
            assert isinstance(trigger, timedelta)
            rings = start + trigger
        found[str(event["UID"])] = (start, end, rings)
    return found


def json_instants(data: dict[str, Any]) -> Instants:
    """Each step's start_utc, end_utc and alarm_utc, read back, by UID; each text must end in Z."""
    found: Instants = {}
    for step in data["steps"]:
        texts = [step["start_utc"], step["end_utc"]] + ([step["alarm_utc"]] if step["alarm_utc"] else [])
        assert all(UTC_TEXT.match(text) for text in texts), texts
        start, end = (datetime.fromisoformat(step[k]) for k in ("start_utc", "end_utc"))
        rings = None if step["alarm_utc"] is None else datetime.fromisoformat(step["alarm_utc"])
        found[step["uid"]] = (start, end, rings)
    return found


def check_same_instants(data: dict[str, Any], ics: bytes) -> None:
    """Every step of the JSON is an event of the .ics at the same UTC start, end and alarm."""
    in_json, in_ics = json_instants(data), ics_instants(ics)
    assert in_json, "no steps"
    for uid, instants in in_json.items():
        assert in_ics[uid] == instants, uid
    # The step's own start (with its offset) is the event's start too, and the alarms keep their rules.
    for step in data["steps"]:
        assert datetime.fromisoformat(step["start"]).astimezone(UTC) == in_json[step["uid"]][0]
    check_alarms(data, {step["id"]: in_json[step["uid"]][2] for step in data["steps"]})


DST_PLANS = {
    # Clocks go forward on Sunday, March 8, 2026 at 2:00 AM: the last dose is before, the day after.
    "chicago-spring": ["2026-03-10 07:30", "--today", "2026-02-25"],
    # Clocks go back on Sunday, November 1, 2026 at 2:00 AM.
    "chicago-fall": ["2026-11-03 07:30", "--today", "2026-10-20"],
}


@pytest.mark.parametrize("name", sorted(DST_PLANS))
def test_utc_fields_equal_the_calendar_across_daylight_saving(runner: CliRunner, name: str) -> None:
    """Chicago plans across the March 8 and November 1, 2026 changes: every step's UTC start, end and
    alarm in the JSON are the .ics DTSTART, DTEND and DTSTART + TRIGGER of its event."""
    args = ["plan", *DST_PLANS[name], "--tz", "America/Chicago", "--med", "warfarin=5d", "--med", "Eliquis"]
    made = runner.invoke(app, [*args, "--format", "json"])
    ics = runner.invoke(app, [*args, "--format", "ics"])
    assert made.exit_code == 0, made.output
    assert ics.exit_code == 0, ics.output
    data = json.loads(made.stdout)
    assert data["schema_version"] == 7
    # The plan really crosses the change: its steps are on both UTC offsets.
    offsets = {datetime.fromisoformat(step["start"]).utcoffset() for step in data["steps"]}
    assert offsets == {timedelta(hours=-6), timedelta(hours=-5)}
    assert any(step["alarm_utc"] for step in data["steps"])
    assert any(step["alarm_utc"] is None for step in data["steps"])
    check_same_instants(data, ics.stdout_bytes)


def test_a_long_state_ends_where_its_calendar_reminder_ends(runner: CliRunner) -> None:
    """'No driving for 24 hours' is a 15-minute reminder in the calendar: end_utc is that reminder's
    end, while 'end' stays the end of the state itself."""
    args = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-20", "-f", "json"]
    data = json.loads(runner.invoke(app, args).stdout)
    long_steps = [
        s
        for s in data["steps"]
        if datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"]) >= timedelta(hours=12)
    ]
    assert long_steps
    for step in long_steps:
        start_utc = datetime.fromisoformat(step["start_utc"])
        assert datetime.fromisoformat(step["end_utc"]) - start_utc == timedelta(minutes=15)
        assert datetime.fromisoformat(step["end"]) - start_utc >= timedelta(hours=12)


def test_the_plan_id_given_is_echoed_only_when_given(runner: CliRunner) -> None:
    """inputs.plan_id is the --plan-id as typed (the caller's own id), and null without one; the
    top-level plan_id stays the hash the calendar's UIDs are made from."""
    base = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-20", "-f", "json"]
    given_id = json.loads(runner.invoke(app, [*base, "--plan-id", "MRN 00123"]).stdout)
    without = json.loads(runner.invoke(app, [*base, "--patient", "Ann Lee"]).stdout)
    assert given_id["inputs"]["plan_id"] == "MRN 00123"
    assert without["inputs"]["plan_id"] is None
    assert re.fullmatch("[0-9a-f]{16}", given_id["plan_id"])
    ics = runner.invoke(app, [*base[:-2], "--plan-id", "MRN 00123", "-f", "ics"]).stdout
    assert "MRN" not in ics  # the calendar, which apps sync, never holds it


@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    minutes=st.integers(min_value=6 * 4, max_value=17 * 4).map(lambda q: q * 15),
    zone_name=st.sampled_from(ZONES),
    lead_days=st.integers(min_value=1, max_value=45),
    reminder=st.sampled_from([0, 30, 45, 120]),
    warfarin=st.booleans(),
)
def test_utc_fields_equal_the_calendar_for_any_date_and_zone(
    day: date, minutes: int, zone_name: str, lead_days: int, reminder: int, warfarin: bool
) -> None:
    """For any procedure date, time, zone, lead time and reminder, the JSON's UTC fields are the
    .ics instants of the same plan."""
    zone = ZoneInfo(zone_name)
    clock = time(minutes // 60, minutes % 60)
    start_utc = wall_instant(day, clock, zone)
    assume(wall_clock(zone, start_utc) == datetime.combine(day, clock))  # a time the clocks skip
    start = start_utc.astimezone(zone)
    request = PlanRequest(
        procedure_start=start,
        timezone=zone_name,
        now=start_utc - timedelta(days=lead_days, hours=3),
        protocol=load_builtin_protocol("kyphoplasty"),
        arrive_minutes=90,
        reminder_minutes=reminder,
        medicines=parse_medicines(["warfarin=5d"] if warfarin else []),
    )
    plan = planned(request)
    data = json.loads(renderer_for(OutputFormat.JSON).render(plan, RenderOptions()))
    check_same_instants(data, renderer_for(OutputFormat.ICS).render(plan, RenderOptions()))
