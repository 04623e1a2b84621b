"""No two steps of any plan contradict each other (kyphoprep.core.contradictions).

The sweep walks every built-in protocol x fasting rule x catalogue medicine and form
(and the weak-kidney rule where there is one), made on time and too late, with the
catalogue's advice and with doctors' intervals. The other tests show the checker has
teeth: each kind of contradiction the clinical review found is built by hand, or by
switching off the planner's fix, and must be reported.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kyphoprep.core import planner
from kyphoprep.core.contradictions import find_contradictions
from kyphoprep.core.models import FASTING_RULES, FastingRule, Hold, MedicineOrder, Plan, PlanRequest
from kyphoprep.data.catalogue import load_catalogue
from kyphoprep.data.protocols import builtin_protocol_names, load_builtin_protocol
from kyphoprep.io.med_options import parse_medicine
from tests.plan_model import planned

ZONE = "America/Chicago"
START = datetime(2026, 12, 3, 13, 0, tzinfo=ZoneInfo(ZONE))
ON_TIME = START - timedelta(days=40)
TOO_LATE = START - timedelta(days=2)


def make_plan(
    *orders: MedicineOrder,
    fasting: FastingRule = "asa",
    protocol: str = "kyphoplasty",
    now: datetime = ON_TIME,
) -> Plan:
    """A plan for Thursday, December 3, 2026 at 1:00 PM in Chicago."""
    return planned(
        PlanRequest(
            procedure_start=START,
            timezone=ZONE,
            now=now,
            protocol=load_builtin_protocol(protocol),
            arrive_minutes=90,
            medicines=orders,
            fasting=fasting,
        )
    )


def every_catalogue_order() -> list[MedicineOrder]:
    """One order per catalogue medicine and form, and the weak-kidney rule where there is one."""
    orders = []
    for entry in load_catalogue().entries:
        for form in entry.forms:
            orders.append(MedicineOrder(name=entry.generic, entry=entry, form=form))
            if form.rule.low_kidney is not None:
                weak = replace(form, rule=form.rule.low_kidney[1])
                orders.append(MedicineOrder(name=entry.generic, entry=entry, form=weak))
    return orders


DOCTOR_HOLDS = [Hold(d, "days", f"{d}d") for d in (1, 3, 5, 7, 10, 14, 30)] + [
    Hold(h, "hours", f"{h}h") for h in (6, 24, 240)
]


@pytest.mark.parametrize("protocol", builtin_protocol_names())
@pytest.mark.parametrize("fasting", FASTING_RULES)
@pytest.mark.parametrize("now", [ON_TIME, TOO_LATE], ids=["on-time", "too-late"])
def test_no_catalogue_medicine_makes_a_contradiction(
    protocol: str, fasting: FastingRule, now: datetime
) -> None:
    """Every catalogue medicine and form, with its typical advice, gives a plan with no contradiction."""
    problems = {
        f"{order.key}:{order.form.id if order.form else ''}": [
            str(c) for c in find_contradictions(make_plan(order, fasting=fasting, protocol=protocol, now=now))
        ]
        for order in every_catalogue_order()
    }
    assert {key: found for key, found in problems.items() if found} == {}


@pytest.mark.parametrize("fasting", FASTING_RULES)
@pytest.mark.parametrize("now", [ON_TIME, TOO_LATE], ids=["on-time", "too-late"])
def test_no_doctors_interval_makes_a_contradiction(fasting: FastingRule, now: datetime) -> None:
    """Every catalogue medicine with a doctor's interval of 1 to 30 days or 6 to 240 hours."""
    problems = {}
    for entry in load_catalogue().entries:
        for hold in DOCTOR_HOLDS:
            order = MedicineOrder(name=entry.generic, entry=entry, form=entry.forms[0], hold=hold)
            found = find_contradictions(make_plan(order, fasting=fasting, now=now))
            if found:
                problems[f"{entry.id}={hold.given_as}"] = [str(c) for c in found]
    assert problems == {}


def test_all_medicines_together_make_no_contradiction() -> None:
    """One plan with a form of every catalogue medicine at once (pairs between medicines count too)."""
    orders = {order.key: order for order in every_catalogue_order()}
    for fasting in FASTING_RULES:
        assert find_contradictions(make_plan(*orders.values(), fasting=fasting)) == []


# --- the checker finds each contradiction the clinical review found ---------------------


def test_glp1_liquids_step_and_a_light_snack_is_found_without_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ozempic's "liquids only for 24 hours" and ASA's "a light snack is fine" at 5 AM contradict."""
    monkeypatch.setattr(planner, "_defer_to_medicine_diets", lambda steps, medicine_steps, words: steps)
    found = find_contradictions(make_plan(parse_medicine("Ozempic")))
    assert [(c.rule, c.first, c.second) for c in found] == [
        ("intake", "liquid-diet-semaglutide", "asa-stop-meals")
    ]


def test_glp1_with_asa_fasting_says_the_medicines_rule_wins() -> None:
    """With the fix, the 5 AM step says plainly that the liquids-only rule comes first."""
    plan = make_plan(parse_medicine("Ozempic"))
    meals = next(s for s in plan.steps if s.id == "asa-stop-meals")
    assert meals.intake == "liquids"
    assert meals.detail.endswith(
        "Did your care team ask you to have only liquids because you take Ozempic (semaglutide)? "
        "Then that rule comes first: do not eat any food now."
    )
    assert find_contradictions(plan) == []


def test_glp1_with_midnight_fasting_needs_no_change() -> None:
    """Nothing after midnight is stricter than liquids only, so the midnight step keeps its words."""
    plan = make_plan(parse_medicine("Ozempic"), fasting="midnight")
    midnight = next(s for s in plan.steps if s.id == "no-food-or-drink")
    assert midnight.intake == "nothing"
    assert "liquids" not in midnight.detail
    assert find_contradictions(plan) == []


def test_ask_steps_after_the_earliest_last_dose_are_found_without_the_move(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """clopidogrel=7d: its last dose (Wednesday, Nov 25) came before "Ask about blood thinners" (Nov 26)."""
    monkeypatch.setattr(planner, "_ask_before_last_doses", lambda steps, *rest: steps)
    found = find_contradictions(make_plan(parse_medicine("clopidogrel=7d")))
    assert {(c.rule, c.second) for c in found} == {
        ("ask-late", "tell-medicines"),
        ("ask-late", "ask-blood-thinners"),
    }


@pytest.mark.parametrize(
    ("typed", "moved_to"),
    [
        ("clopidogrel=7d", datetime(2026, 11, 24)),  # last dose Wednesday, Nov 25
        ("prasugrel", datetime(2026, 11, 21)),  # the catalogue's 10 days: last dose Sunday, Nov 22
    ],
)
def test_ask_steps_move_to_the_day_before_the_earliest_last_dose(typed: str, moved_to: datetime) -> None:
    """The steps that ask about stopping move to the day before the last dose, at their own clock time."""
    plan = make_plan(parse_medicine(typed))
    for step_id, hour in (("tell-medicines", 15), ("ask-blood-thinners", 16)):  # 9:30 and 10:00 CST
        step = next(s for s in plan.steps if s.id == step_id)
        assert step.start.astimezone(UTC) == moved_to.replace(
            hour=hour, minute=30 if hour == 15 else 0, tzinfo=UTC
        )
        assert "Early, as your last dose of" in step.detail
        moved_for = step.timing["moved_for"]
        assert isinstance(moved_for, str)
        assert moved_for.startswith("medicine-")


def test_fish_oil_is_asked_about_before_the_three_weeks_its_note_quotes() -> None:
    """Fish oil's note says clinics stop it 1 to 3 weeks before: the question comes 22 days before."""
    plan = make_plan(parse_medicine("fish oil"))
    ask = next(s for s in plan.steps if s.id == "medicine-fish-oil")
    assert (START.date() - ask.start.date()).days == 22
    assert "1 to 3 weeks before" in ask.detail


def test_every_ask_doctor_note_is_asked_before_the_longest_time_it_quotes() -> None:
    """An "ask your doctor" step comes before every number of days or weeks its note mentions."""
    import re

    late = []
    for order in every_catalogue_order():
        rule = order.rule
        assert rule is not None
        if rule.action != "ask-doctor" or rule.when is None:
            continue
        quoted = [
            int(n) * (7 if unit.startswith("week") else 1)
            for n, unit in re.findall(r"(\d+) (days?|weeks?)", rule.instruction.replace(" to ", " "))
        ]
        ask_days = getattr(rule.when, "days", 0)
        if quoted and ask_days <= max(quoted):
            late.append((order.key, ask_days, max(quoted)))
    assert late == []


def test_metformin_skip_and_restart_are_found_when_the_skip_lasts_all_day() -> None:
    """The old "Do not take metformin on Thursday" and a Thursday restart contradict."""
    plan = make_plan(parse_medicine("metformin"))
    skip = next(s for s in plan.steps if s.id == "medicine-metformin")
    end_of_day = datetime(2026, 12, 4, tzinfo=ZoneInfo(ZONE))
    whole_day = replace(
        plan, steps=tuple(replace(s, dose_until=end_of_day) if s is skip else s for s in plan.steps)
    )
    assert [c.rule for c in find_contradictions(whole_day)] == ["restart-while-skipped"]


def test_metformin_says_skip_the_morning_dose_and_restart_with_the_first_meal() -> None:
    """No metformin before the procedure; start again with the first normal meal after it."""
    plan = make_plan(parse_medicine("metformin"))
    skip = next(s for s in plan.steps if s.id == "medicine-metformin")
    restart = next(s for s in plan.steps if s.id == "restart-metformin")
    assert skip.title == "No metformin on the day, until it is done — confirm with doctor"
    assert skip.detail.startswith(
        "On Thursday, December 3, the day of your procedure, do not take metformin before it."
    )
    assert skip.dose_until == plan.procedure_end
    assert restart.title == "Restart metformin with your first normal meal"
    assert restart.title == "Restart metformin with your first normal meal"
    assert restart.detail.startswith("Not before that meal.")
    assert "(unconfirmed)" in restart.detail  # the restart advice is grade C
    assert find_contradictions(plan) == []


def test_a_restart_before_the_procedure_ends_is_found() -> None:
    """A restart step placed before the procedure is over is a contradiction."""
    plan = make_plan(parse_medicine("warfarin=5d"))
    restart = next(s for s in plan.steps if s.id == "restart-warfarin")
    early = replace(restart, start=START - timedelta(hours=1))
    broken = replace(plan, steps=tuple(early if s is restart else s for s in plan.steps))
    assert [c.rule for c in find_contradictions(broken)] == ["restart-early"]


def test_a_dose_after_the_last_dose_is_found() -> None:
    """A "take" step for a medicine after its last day is a contradiction."""
    plan = make_plan(parse_medicine("insulin glargine=5d"))
    last = next(s for s in plan.steps if s.id == "medicine-insulin-glargine")
    take = replace(last, id="take-insulin-glargine", dose="take", start=last.start + timedelta(days=2))
    broken = replace(plan, steps=(*plan.steps, take))
    assert [c.rule for c in find_contradictions(broken)] == ["dose-after-last"]
