"""The planner's rules, asserted as UTC instants (wall-clock checks miss DST errors)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from kyphoprep.core.models import Hold, MedicineOrder, Plan, PlannedStep, PlanRequest
from kyphoprep.core.planner import local_instant
from kyphoprep.data.protocols import load_builtin_protocol
from tests.plan_model import planned


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_plan(zone: str, start: datetime, now: datetime, *medicines: MedicineOrder, arrive: int = 90) -> Plan:
    """A kyphoplasty plan for *start* (local wall time in *zone*)."""
    protocol = load_builtin_protocol("kyphoplasty")
    request = PlanRequest(
        procedure_start=start.replace(tzinfo=ZoneInfo(zone)),
        timezone=zone,
        now=now,
        protocol=protocol,
        arrive_minutes=arrive,
        medicines=medicines,
    )
    return planned(request)


def step(plan: Plan, step_id: str) -> PlannedStep:
    """The planned step *step_id*."""
    return next(s for s in plan.steps if s.id == step_id)


def med(name: str, amount: int, unit: Literal["days", "hours"]) -> MedicineOrder:
    """A doctor's hold."""
    return MedicineOrder(name, Hold(amount, unit, f"{amount}{unit[0]}"))


NOW = utc(2026, 11, 21, 12)


def test_days_hold_last_dose_is_day_minus_n_plus_one() -> None:
    """warfarin=5d before Thursday Dec 3 means the last dose is Friday Nov 27 (no dose Nov 28 - Dec 3)."""
    plan = make_plan("America/Chicago", datetime(2026, 12, 3, 7, 30), NOW, med("warfarin", 5, "days"))
    last = step(plan, "medicine-warfarin")
    assert last.start.astimezone(UTC) == utc(2026, 11, 27, 14, 0)  # 08:00 CST
    assert last.detail.startswith("Then stop until your doctor says to start again.")
    assert "How we counted: no warfarin from Saturday, November 28 to Thursday, December 3." in last.detail
    assert "Your doctor said: stop warfarin 5 days before the procedure." in last.detail


def test_hours_hold_is_elapsed_time_across_spring_forward() -> None:
    """72 hours before 07:00 EDT on Mar 16 2027 is 06:00 EST on Mar 13: a real 72 hours."""
    plan = make_plan(
        "America/New_York", datetime(2027, 3, 16, 7, 0), utc(2027, 3, 1), med("enoxaparin", 72, "hours")
    )
    last = step(plan, "medicine-enoxaparin")
    assert last.start.astimezone(UTC) == utc(2027, 3, 13, 11, 0)
    assert (
        plan.request.procedure_start.astimezone(UTC) - last.start.astimezone(UTC)
    ).total_seconds() == 72 * 3600
    assert last.title == "Last dose of enoxaparin by 6:00 AM"


def test_arrival_is_elapsed_before_procedure_on_a_fall_back_morning() -> None:
    """Arriving 90 minutes before 02:30 CST on the fall-back day is 01:00 CDT (07:00 + 1:30 = 08:30 UTC)."""
    plan = make_plan("America/Chicago", datetime(2026, 11, 1, 2, 30), utc(2026, 10, 1), arrive=90)
    assert plan.request.procedure_start.astimezone(UTC) == utc(2026, 11, 1, 8, 30)
    assert step(plan, "arrive").start.astimezone(UTC) == utc(2026, 11, 1, 7, 0)


def test_midnight_rule_is_the_first_instant_of_the_procedure_day() -> None:
    """Fasting starts at local midnight: 06:00 UTC in Chicago in winter."""
    plan = make_plan("America/Chicago", datetime(2026, 12, 3, 7, 30), NOW)
    fasting = step(plan, "no-food-or-drink")
    assert fasting.start.astimezone(UTC) == utc(2026, 12, 3, 6, 0)
    assert fasting.end == plan.request.procedure_start


def test_midnight_rule_when_midnight_does_not_exist() -> None:
    """In Santiago the clocks skip from 24:00 to 01:00 on Sep 6 2026: the day starts at 01:00 (04:00 UTC)."""
    plan = make_plan("America/Santiago", datetime(2026, 9, 6, 9, 0), utc(2026, 8, 1))
    fasting = step(plan, "no-food-or-drink")
    assert fasting.start.astimezone(UTC) == utc(2026, 9, 6, 4, 0)
    assert fasting.start.hour == 1


def test_days_before_keeps_the_wall_clock_across_dst() -> None:
    """'7 days before at 09:00' stays 09:00 local even though the offset changed in between."""
    plan = make_plan("Europe/Berlin", datetime(2027, 4, 1, 8, 0), utc(2027, 3, 1))
    visit = step(plan, "checkup-visit")
    assert visit.start.astimezone(UTC) == utc(2027, 3, 25, 8, 0)  # 09:00 CET
    assert plan.request.procedure_start.astimezone(UTC) == utc(2027, 4, 1, 6, 0)  # 08:00 CEST


def test_after_rules_use_the_expected_end_and_elapsed_hours() -> None:
    """No driving runs 24 real hours from the end of the procedure, across Sydney's DST end."""
    plan = make_plan("Australia/Sydney", datetime(2027, 4, 3, 9, 0), utc(2027, 3, 1))
    no_driving = step(plan, "no-driving")
    assert no_driving.start.astimezone(UTC) == utc(2027, 4, 2, 23, 0)  # 10:00 AEDT
    assert no_driving.end.astimezone(UTC) == utc(2027, 4, 3, 23, 0)  # 09:00 AEST next day
    assert no_driving.end.hour == 9


def test_local_instant_moves_a_skipped_clock_time_forward() -> None:
    """09:00 always exists; 02:30 on a spring-forward day becomes 03:30."""
    zone = ZoneInfo("America/Chicago")
    moved = local_instant(datetime(2027, 3, 14).date(), time(2, 30), zone)
    assert moved.astimezone(UTC) == utc(2027, 3, 14, 8, 30)
    assert (moved.hour, moved.minute) == (3, 30)


def test_steps_are_in_time_order_with_medicines_first_on_ties() -> None:
    """Steps come out sorted by UTC start; a medicine step wins a tie."""
    plan = make_plan("America/Chicago", datetime(2026, 12, 3, 7, 30), NOW, med("heparin", 24, "hours"))
    starts = [s.start.astimezone(UTC) for s in plan.steps]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("now", "past_ids", "warned"),
    [
        (utc(2026, 11, 21, 12), [], False),
        (utc(2026, 11, 27, 20), ["checkup-visit"], False),  # the last day itself: still in time
        (utc(2026, 11, 28, 16), ["checkup-visit", "medicine-warfarin"], True),
    ],
)
def test_past_steps_and_too_late_warning(now: datetime, past_ids: list[str], warned: bool) -> None:
    """Steps before "now" are marked past; a passed last-dose day warns."""
    plan = make_plan("America/Chicago", datetime(2026, 12, 3, 7, 30), now, med("warfarin", 5, "days"))
    for step_id in ["checkup-visit", "medicine-warfarin"]:
        assert step(plan, step_id).past is (step_id in past_ids)
    assert bool(plan.warnings) is warned
    if warned:
        assert plan.warnings[0].message.startswith(
            "TOO LATE TO STOP WARFARIN ON TIME. If you took WARFARIN after Friday, November 27, call "
            "your care team before your procedure."
        )


def test_hours_hold_warns_once_its_time_has_passed() -> None:
    """An hours hold is late the moment its latest dose time has passed."""
    start = datetime(2026, 12, 3, 7, 30)
    before = make_plan("America/Chicago", start, utc(2026, 12, 2, 13, 29), med("enoxaparin", 24, "hours"))
    after = make_plan("America/Chicago", start, utc(2026, 12, 2, 13, 31), med("enoxaparin", 24, "hours"))
    assert before.warnings == ()
    assert after.warnings[0].message == (
        "TOO LATE TO STOP ENOXAPARIN ON TIME. If you took ENOXAPARIN after Wednesday, December 2 at 7:30 AM, "
        "call your care team before your procedure. Do not change your doses on your own."
    )


def test_plan_id_ignores_the_date_but_not_the_person() -> None:
    """Rescheduling keeps the identity; another patient gets another one."""
    protocol = load_builtin_protocol("kyphoplasty")
    zone = ZoneInfo("America/Chicago")

    def plan_id(patient: str, day: int) -> str:
        request = PlanRequest(
            datetime(2026, 12, day, 7, 30, tzinfo=zone), "America/Chicago", NOW, protocol, 90, patient=patient
        )
        return planned(request).plan_id

    assert plan_id("Ann Lee", 3) == plan_id("ann  lee", 10)
    assert plan_id("Ann Lee", 3) != plan_id("Bob Lee", 3)


def test_times_in_the_repeated_hour_are_compared_as_instants() -> None:
    """Berlin, October 31, 2027: clocks go back at 03:00, so 02:00-03:00 happens twice.

    Going home at 02:45 (first time, CEST) is before "now" at 02:15 (second time, CET),
    though the wall clock says otherwise; its hour also ends after it starts.
    """
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2027, 10, 31, 0, 45, tzinfo=berlin)
    now = datetime(2027, 10, 31, 2, 15, fold=1, tzinfo=berlin)
    plan = make_plan("Europe/Berlin", start, now)
    go_home = next(s for s in plan.steps if s.id == "go-home")
    assert go_home.start.astimezone(UTC) == utc(2027, 10, 31, 0, 45)
    assert go_home.end.astimezone(UTC) == utc(2027, 10, 31, 1, 45)
    assert go_home.past is True
