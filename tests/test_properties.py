"""Properties that hold for any zone, time, hold and "today", checked in UTC.

Profiles: "ci" (fixed, derandomized; the default) and "long" (HYPOTHESIS_PROFILE=long).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kyphoprep.catalogue import load_catalogue
from kyphoprep.medicines import parse_medicines
from kyphoprep.models import Hold, MedicineOrder, PlanRequest
from kyphoprep.planner import build_plan
from kyphoprep.protocols import load_builtin_protocol
from kyphoprep.render import OutputFormat, RenderOptions, renderer_for

ZONES = [
    "America/Chicago",
    "America/New_York",
    "America/Los_Angeles",
    "America/Santiago",
    "America/St_Johns",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
    "UTC",
]

local_times = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 6, 30)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
holds = st.one_of(
    st.integers(1, 60).map(lambda n: Hold(n, "days", f"{n}d")),
    st.integers(1, 1440).map(lambda n: Hold(n, "hours", f"{n}h")),
)


def valid_local(naive: datetime, zone: ZoneInfo) -> datetime:
    """*naive* in *zone*, or reject the example if that wall time is skipped or repeated."""
    early, late = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    assume(early.utcoffset() == late.utcoffset())
    return early


def make_request(zone_name: str, naive: datetime, hold: Hold, lead: timedelta, protocol: str) -> PlanRequest:
    """A request for a procedure at *naive* local time, made *lead* before it."""
    zone = ZoneInfo(zone_name)
    start = valid_local(naive, zone)
    return PlanRequest(
        procedure_start=start,
        timezone=zone_name,
        now=start.astimezone(UTC) - lead,
        protocol=load_builtin_protocol(protocol),
        arrive_minutes=90,
        medicines=(MedicineOrder("testdrug", hold),),
    )


request_args = (
    st.sampled_from(ZONES),
    local_times,
    holds,
    st.timedeltas(min_value=timedelta(hours=1), max_value=timedelta(days=90)),
    st.sampled_from(["kyphoplasty", "vertebroplasty"]),
)


@given(*request_args)
def test_every_rule_lands_where_it_says_in_utc(
    zone_name: str, naive: datetime, hold: Hold, lead: timedelta, protocol: str
) -> None:
    """Steps are sorted; holds, arrival and elapsed rules are exact in UTC; calendar rules hit local dates."""
    request = make_request(zone_name, naive, hold, lead, protocol)
    plan = build_plan(request)
    zone = ZoneInfo(zone_name)
    start_utc = request.procedure_start.astimezone(UTC)
    starts = [s.start.astimezone(UTC) for s in plan.steps]
    assert starts == sorted(starts)
    # In UTC: Python compares two times of one zone by wall clock, wrong in a repeated hour.
    assert all(s.end.astimezone(UTC) > s.start.astimezone(UTC) for s in plan.steps)
    medicine = next(s for s in plan.steps if s.medicine is not None)
    if hold.unit == "hours":
        assert start_utc - medicine.start.astimezone(UTC) == timedelta(hours=hold.amount)
    else:
        last_day = naive.date() - timedelta(days=hold.amount + 1)
        assert medicine.start.astimezone(zone).date() == last_day
        # No dose on the N days before the procedure day, nor on the day itself.
        assert (naive.date() - medicine.start.astimezone(zone).date()).days == hold.amount + 1
    by_id = {s.id: s for s in plan.steps}
    assert start_utc - by_id["arrive"].start.astimezone(UTC) == timedelta(minutes=90)
    assert start_utc - by_id["morning-medicines"].start.astimezone(UTC) == timedelta(minutes=150)
    end_utc = start_utc + timedelta(minutes=request.protocol.procedure_minutes)
    assert by_id["no-driving"].end.astimezone(UTC) - end_utc == timedelta(hours=24)
    assert by_id["checkup-visit"].start.astimezone(zone).date() == naive.date() - timedelta(days=7)
    fasting = by_id["no-food-or-drink"].start.astimezone(zone)
    assert fasting.date() == naive.date()
    # One real minute earlier (in UTC: wall-clock arithmetic would land in Santiago's skipped hour).
    assert (fasting.astimezone(UTC) - timedelta(minutes=1)).astimezone(zone).date() < naive.date()
    now_utc = request.now.astimezone(UTC)
    for step in plan.steps:
        if step.id != medicine.id or hold.unit == "hours":
            assert step.past is (step.start.astimezone(UTC) < now_utc)
        else:  # still in time on the last day itself
            assert step.past is (step.start.astimezone(zone).date() < now_utc.astimezone(zone).date())


@given(*request_args)
def test_every_format_agrees_with_the_json(
    zone_name: str, naive: datetime, hold: Hold, lead: timedelta, protocol: str
) -> None:
    """JSON, the .ics (read back) and the text handout describe the same steps at the same instants."""
    plan = build_plan(make_request(zone_name, naive, hold, lead, protocol))
    options = RenderOptions()
    data = json.loads(renderer_for(OutputFormat.JSON).render(plan, options))
    calendar = icalendar.Calendar.from_ical(renderer_for(OutputFormat.ICS).render(plan, options))
    events = [e for e in calendar.walk("VEVENT") if not str(e["SUMMARY"]).startswith("IMPORTANT")]
    assert [str(e["SUMMARY"]) for e in events] == [s["title"] for s in data["steps"]]
    for event, step in zip(events, data["steps"], strict=True):
        assert event.decoded("DTSTART").astimezone(UTC) == datetime.fromisoformat(step["start"]).astimezone(
            UTC
        )
        assert event.decoded("DTEND").astimezone(UTC) == datetime.fromisoformat(step["end"]).astimezone(UTC)
    text = renderer_for(OutputFormat.TEXT).render(plan, options).decode()
    assert max(len(line) for line in text.splitlines()) <= 72
    flat = " ".join(text.split())
    assert all(step["title"] in flat for step in data["steps"])
    assert bool(data["warnings"]) == ("!!! IMPORTANT - READ THIS FIRST !!!" in text)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("KYPHOPREP_INTEROP_EXAMPLES", "12")))
@given(*request_args)
def test_real_parsers_agree_for_any_plan(
    zone_name: str, naive: datetime, hold: Hold, lead: timedelta, protocol: str
) -> None:
    """libical and ical.js read every event at the plan's UTC instants, whatever the zone and date."""
    from tests.interop_tools import parse_with_icaljs, parse_with_libical, require_interop

    require_interop()
    plan = build_plan(make_request(zone_name, naive, hold, lead, protocol))
    with TemporaryDirectory() as folder:
        path = Path(folder) / "plan.ics"
        path.write_bytes(renderer_for(OutputFormat.ICS).render(plan, RenderOptions()))
        expected = [(s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in plan.steps]
        for parse in (parse_with_libical, parse_with_icaljs):
            events = parse(path)[len(plan.warnings) :]
            assert [(e.start, e.end) for e in events] == expected, parse.__name__


# Every catalogue form whose typical guidance is a stop, named so that no other choice is needed.
CATALOGUE_STOPS = sorted(
    f"{entry.generic}:{form.id}" if form.id else entry.generic
    for entry in load_catalogue().entries
    for form in entry.forms
    if form.rule.action == "stop" and form.crcl_at_least is None and form.crcl_below is None
)


@given(
    st.sampled_from(ZONES),
    local_times,
    st.sampled_from(CATALOGUE_STOPS),
    st.one_of(st.none(), holds),
    st.timedeltas(min_value=timedelta(hours=1), max_value=timedelta(days=90)),
)
def test_catalogue_last_dose_lands_where_the_rule_says_in_utc(
    zone_name: str, naive: datetime, med: str, doctor: Hold | None, lead: timedelta
) -> None:
    """For any catalogue stop, zone and time, the last dose is exactly where its hold puts it.

    With the doctor's interval, the doctor's hold is the one used; without it, the catalogue's.
    """
    zone = ZoneInfo(zone_name)
    start = valid_local(naive, zone)
    typed = med if doctor is None else f"{med}={doctor.given_as}"
    (order,) = parse_medicines([typed])
    plan = build_plan(
        PlanRequest(
            procedure_start=start,
            timezone=zone_name,
            now=start.astimezone(UTC) - lead,
            protocol=load_builtin_protocol("kyphoplasty"),
            arrive_minutes=90,
            medicines=(order,),
        )
    )
    hold = order.effective_hold
    assert hold is not None
    assert hold == (doctor if doctor is not None else order.rule.hold if order.rule else None)
    assert order.hold_source == ("catalogue" if doctor is None else "doctor")
    last = next(s for s in plan.steps if s.id == f"medicine-{order.key}")
    if hold.unit == "hours":
        assert start.astimezone(UTC) - last.start.astimezone(UTC) == timedelta(hours=hold.amount)
    else:
        local = last.start.astimezone(zone)
        assert local.date() == naive.date() - timedelta(days=hold.amount + 1)
        # 08:00 that day, or later if a daylight-saving jump skips 08:00.
        assert local.replace(tzinfo=None) >= datetime.combine(local.date(), time(8, 0))
        assert local.utcoffset() == local.replace(fold=1).utcoffset()
    restart = next(s for s in plan.steps if s.id == f"restart-{order.key}")
    assert restart.start > start
