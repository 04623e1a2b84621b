"""Each kind of catalogue guidance, and the doctor's word over it, placed in time and checked in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kyphoprep.core.models import Plan, PlannedStep, PlanRequest
from kyphoprep.data.protocols import load_builtin_protocol
from kyphoprep.errors import InputError
from kyphoprep.io.med_options import parse_medicine, parse_medicines
from tests.plan_model import planned

CHICAGO = ZoneInfo("America/Chicago")
# Thursday, December 3, 2026 at 7:30 AM in Chicago (CST, UTC-6); made on November 21.
START = datetime(2026, 12, 3, 7, 30, tzinfo=CHICAGO)
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=CHICAGO)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def plan_for(*meds: str, crcl: int | None = None, now: datetime = NOW) -> Plan:
    """The kyphoplasty plan for START with these --med values."""
    return planned(
        PlanRequest(
            procedure_start=START,
            timezone="America/Chicago",
            now=now,
            protocol=load_builtin_protocol("kyphoplasty"),
            arrive_minutes=90,
            medicines=parse_medicines(list(meds), crcl=crcl),
            crcl=crcl,
        )
    )


def medicine_steps(plan: Plan) -> dict[str, PlannedStep]:
    """The steps made for medicines, by id."""
    return {step.id: step for step in plan.steps if step.medicine is not None}


# (--med value, --crcl, id of the last-dose step's rule, its UTC start) for every "stop" kind.
STOPS = [
    # days: last dose on day -(N+1) at 08:00 CST = 14:00 UTC
    ("Eliquis", None, "medicine-apixaban", utc(2026, 11, 27, 14, 0)),  # 5 days (3 to 5: the longer)
    ("warfarin", None, "medicine-warfarin", utc(2026, 11, 27, 14, 0)),  # 5 days
    ("Xarelto", None, "medicine-rivaroxaban", utc(2026, 11, 29, 14, 0)),  # 3 days
    ("Pradaxa", 65, "medicine-dabigatran", utc(2026, 11, 27, 14, 0)),  # CrCl >= 50: 4 to 5 days
    ("Pradaxa", 50, "medicine-dabigatran", utc(2026, 11, 27, 14, 0)),  # 50 is ">= 50"
    ("Pradaxa", 49, "medicine-dabigatran", utc(2026, 11, 26, 14, 0)),  # under 50: 6 days
    ("Plavix", None, "medicine-clopidogrel", utc(2026, 11, 25, 14, 0)),  # 7 days
    ("Effient", None, "medicine-prasugrel", utc(2026, 11, 22, 14, 0)),  # 7 to 10: 10 days
    ("aspirin:primary", None, "medicine-aspirin", utc(2026, 11, 26, 14, 0)),  # 6 days
    ("Advil", None, "medicine-ibuprofen", utc(2026, 12, 1, 14, 0)),  # 1 day
    ("Aleve", None, "medicine-naproxen", utc(2026, 11, 28, 14, 0)),  # 4 days
    ("Jardiance", None, "medicine-empagliflozin", utc(2026, 11, 29, 14, 0)),  # 3 days
    ("Steglatro", None, "medicine-ertugliflozin", utc(2026, 11, 28, 14, 0)),  # 4 days
    # weekly: the dose 7 days before is still taken; only the one in the week before is skipped
    ("Ozempic", None, "medicine-semaglutide", utc(2026, 11, 26, 14, 0)),
    ("Mounjaro", None, "medicine-tirzepatide", utc(2026, 11, 26, 14, 0)),
    ("garlic", None, "medicine-garlic", utc(2026, 11, 25, 14, 0)),  # 7 days
    # hours: exact elapsed time before 13:30 UTC
    ("enoxaparin:preventive", None, "medicine-enoxaparin", utc(2026, 12, 3, 1, 30)),  # 12 h
    ("enoxaparin:treatment", None, "medicine-enoxaparin", utc(2026, 12, 2, 13, 30)),  # 24 h
    ("Fragmin", None, "medicine-dalteparin", utc(2026, 12, 2, 13, 30)),  # 24 h
    ("heparin:iv", None, "medicine-heparin", utc(2026, 12, 3, 7, 30)),  # 6 h
    ("ginkgo", None, "medicine-ginkgo", utc(2026, 12, 2, 1, 30)),  # 36 h
]


@pytest.mark.parametrize(
    ("med", "crcl", "step_id", "expected"), STOPS, ids=[f"{m}-{c}" for m, c, *_ in STOPS]
)
def test_catalogue_stop_lands_where_the_rule_says(
    med: str, crcl: int | None, step_id: str, expected: datetime
) -> None:
    """Without the doctor's interval, the catalogue's hold sets the last dose, labelled typical guidance."""
    step = medicine_steps(plan_for(med, crcl=crcl))[step_id]
    assert step.start.astimezone(UTC) == expected
    assert step.title.endswith(" — confirm with doctor")
    assert "Usual advice: stop " in step.detail
    # The title says to confirm it; the detail does not say it again.
    assert "Check this with your doctor." not in step.detail
    assert step.medicine is not None
    assert step.medicine.hold_source == "catalogue"
    assert step.sources[0].key != "doctor"


def test_doctor_interval_beats_the_catalogue() -> None:
    """Eliquis=2d uses the doctor's 2 days, is quoted as the doctor's, and has no 'confirm' label."""
    step = medicine_steps(plan_for("Eliquis=2d"))["medicine-apixaban"]
    assert step.start.astimezone(UTC) == utc(2026, 11, 30, 14, 0)  # day -3
    assert step.title == "Last day to take Eliquis (apixaban)"
    assert step.detail.endswith("Your doctor said: stop Eliquis (apixaban) 2 days before the procedure.")
    assert "usual advice" not in step.detail
    assert [s.key for s in step.sources] == ["doctor"]
    summary = plan_for("Eliquis=2d").medicines[0]
    assert summary.instruction == "Your doctor said: stop 2 days before"


def test_range_says_which_end_the_plan_uses_and_that_it_is_unconfirmed() -> None:
    """Apixaban (grade C, 3 to 5 days) shows the range, the 5 days used, and 'unconfirmed'."""
    step = medicine_steps(plan_for("apixaban"))["medicine-apixaban"]
    assert (
        "Usual advice: stop 3 to 5 days before (unconfirmed). "
        "The usual advice is a range: 3 to 5 days. This plan uses the long end, 5 days, as the risk of "
        "bleeding is high. Your clinic may choose less. Some doctors use a shorter "
        "stop of 2 days (PAUSE study)." in step.detail
    )
    summary = plan_for("apixaban").medicines[0]
    assert summary.instruction == (
        "Usual advice — confirm with your doctor: stop 3 to 5 days before (unconfirmed)"
    )


def test_grade_b_value_is_not_marked_unconfirmed() -> None:
    """Warfarin's 5 days (grade B) carries no 'unconfirmed' mark."""
    plan = plan_for("warfarin")
    assert "unconfirmed" not in medicine_steps(plan)["medicine-warfarin"].detail
    assert "unconfirmed" not in plan.medicines[0].instruction


def test_kidney_function_form_is_named_in_the_detail() -> None:
    """The dabigatran step says which kidney-function advice was used."""
    step = medicine_steps(plan_for("dabigatran", crcl=30))["medicine-dabigatran"]
    assert "This is for kidney function (creatinine clearance) under 50 mL/min." in step.detail


def test_aspirin_for_secondary_prevention_is_never_stopped_by_the_plan() -> None:
    """aspirin:secondary gets an 'ask your doctor' step 10 days before, and no last-dose date."""
    plan = plan_for("aspirin:secondary")
    steps = medicine_steps(plan)
    assert list(steps) == ["medicine-aspirin"]
    ask = steps["medicine-aspirin"]
    assert ask.title == "Ask your doctor about aspirin"
    assert ask.start.astimezone(UTC) == utc(2026, 11, 23, 16, 0)  # Nov 23 10:00 CST
    assert "Do not stop it on your own." in ask.detail
    assert plan.medicines[0].last_dose is None
    assert plan.medicines[0].instruction == "Ask your doctor whether to stop it"


def test_daily_glp1_is_skipped_on_the_day_with_both_advices() -> None:
    """Rybelsus: skip on procedure day (2023), liquids for 24 hours (2024), restart when eating."""
    steps = medicine_steps(plan_for("Rybelsus"))
    skip = steps["medicine-semaglutide"]
    assert skip.title == "No Rybelsus (semaglutide) on the day, until it is done — confirm with doctor"
    assert skip.start.astimezone(UTC) == utc(2026, 12, 3, 2, 0)  # Dec 2 20:00 CST
    # The step is the 2023 advice (skip it on the day); it names the 2024 one, which keeps it.
    assert "do not take Rybelsus (semaglutide) before it" in skip.detail
    assert "Newer advice (2024): many keep taking it" in skip.detail
    liquid = steps["liquid-diet-semaglutide"]
    assert liquid.start.astimezone(UTC) == utc(2026, 12, 2, 13, 30)  # exactly 24 h before
    assert liquid.end.astimezone(UTC) == utc(2026, 12, 3, 13, 30)
    assert "Newer advice (2024)" in liquid.detail
    assert steps["restart-semaglutide"].title == "Restart Rybelsus (semaglutide) with your first normal meal"


def test_weekly_glp1_with_the_doctors_interval_has_no_liquid_diet_step() -> None:
    """Once the doctor has said how to handle Ozempic, kyphoprep adds no advice of its own."""
    steps = medicine_steps(plan_for("Ozempic=7d"))
    assert "liquid-diet-semaglutide" not in steps
    assert "Older advice" not in steps["medicine-semaglutide"].detail


@pytest.mark.parametrize(
    ("med", "title"),
    [
        ("Humulin N", "Change your dose of Humulin N (NPH insulin) — confirm with doctor"),
        ("Lantus", "Change your dose of Lantus (insulin glargine) — confirm with doctor"),
        ("Humalog", "Change your dose of Humalog (insulin lispro) — confirm with doctor"),
    ],
)
def test_insulin_is_a_dose_change_not_a_stop(med: str, title: str) -> None:
    """Insulin gets a dose-change step the evening before (18:00) and no last-dose date."""
    plan = plan_for(med)
    change = next(s for s in plan.steps if s.id.startswith("medicine-insulin"))
    assert change.title == title
    assert change.start.astimezone(UTC) == utc(2026, 12, 3, 0, 0)  # Dec 2 18:00 CST
    assert plan.medicines[0].last_dose is None
    assert plan.medicines[0].order.effective_hold is None
    restart = next(s for s in plan.steps if s.id.startswith("restart-insulin"))
    assert restart.title.startswith("Usual dose of ")


def test_nph_insulin_says_half_the_morning_dose() -> None:
    """The NPH instruction is carried into the step."""
    step = next(s for s in plan_for("Novolin N").steps if s.id == "medicine-insulin-nph")
    assert "take half of your usual morning dose" in step.detail


@pytest.mark.parametrize(
    ("med", "step_id", "title"),
    [
        (
            "metformin",
            "medicine-metformin",
            "No metformin on the day, until it is done — confirm with doctor",
        ),
        (
            "Amaryl",
            "medicine-glimepiride",
            "No Amaryl (glimepiride) on the day, until it is done — confirm with doctor",
        ),
        (
            "Januvia",
            "medicine-sitagliptin",
            "No morning dose of Januvia (sitagliptin) on procedure day — confirm with doctor",
        ),
    ],
)
def test_day_of_diabetes_medicines(med: str, step_id: str, title: str) -> None:
    """Metformin, sulfonylureas and DPP-4 inhibitors: a reminder the evening before, restart when eating."""
    plan = plan_for(med)
    steps = medicine_steps(plan)
    assert steps[step_id].title == title
    assert steps[step_id].start.astimezone(UTC) == utc(2026, 12, 3, 2, 0)
    restart = steps[step_id.replace("medicine-", "restart-")]
    assert restart.start.astimezone(UTC) == utc(2026, 12, 3, 14, 30)  # when the procedure ends
    assert plan.medicines[0].last_dose_text == "Wednesday, December 2 (the day before)"


def test_warfarin_gets_an_inr_step_and_a_restart_at_six_hours() -> None:
    """INR: 3 days before at 10:00; restart question 6 hours after the procedure ends."""
    steps = medicine_steps(plan_for("Coumadin"))
    lab = steps["lab-inr-warfarin"]
    assert lab.title == "Ask about your INR blood test"
    assert lab.start.astimezone(UTC) == utc(2026, 11, 30, 16, 0)
    assert "Coumadin (warfarin)" in lab.detail
    restart = steps["restart-warfarin"]
    assert restart.start.astimezone(UTC) == utc(2026, 12, 3, 20, 30)
    assert restart.detail == (
        "Wait for your doctor to say it is safe. Usual advice: start again 6 hours after."
    )


def test_inr_step_stays_when_the_doctor_gave_the_interval() -> None:
    """The lab check comes from the catalogue even when the hold is the doctor's."""
    steps = medicine_steps(plan_for("warfarin=4d"))
    assert "lab-inr-warfarin" in steps
    assert steps["lab-inr-warfarin"].sources[0].key == "asra-2018"


def test_restart_range_and_unconfirmed_mark() -> None:
    """Clopidogrel restarts at 12 to 24 hours; the reminder comes at the earliest."""
    restart = medicine_steps(plan_for("Plavix"))["restart-clopidogrel"]
    # The restart range is grade C although clopidogrel's 7-day stop is grade B.
    assert "start again 12 to 24 hours after (unconfirmed)." in restart.detail
    assert restart.start.astimezone(UTC) == utc(2026, 12, 4, 2, 30)  # 14:30 UTC end + 12 h


def test_keep_taking_adds_no_steps() -> None:
    """aspirin=continue and celecoxib (typically not stopped) only appear in the bring list."""
    plan = plan_for("aspirin=continue", "celecoxib")
    assert medicine_steps(plan) == {}
    assert [m.instruction for m in plan.medicines] == [
        "Your doctor said: keep taking it",
        "Usual advice — confirm with your doctor: usually no need to stop (unconfirmed)",
    ]


def test_medicine_outside_the_catalogue() -> None:
    """Without a hold it is only listed, with a note; with one, a doctor's stop and a restart question."""
    listed = plan_for("Tylenol")
    assert medicine_steps(listed) == {}
    assert listed.medicines[0].instruction == "Not in kyphoprep's list: ask your care team about it"
    stopped = medicine_steps(plan_for("other:Zarelto=3d"))
    assert set(stopped) == {"medicine-zarelto", "restart-zarelto"}
    assert stopped["restart-zarelto"].detail == (
        "Do not restart Zarelto until your doctor says so. Ask them before you go home."
    )


def test_too_late_catalogue_stop_warns_with_the_name() -> None:
    """A typical-guidance last day already past gives the same loud warning as a doctor's."""
    plan = plan_for("Eliquis", now=datetime(2026, 11, 28, 9, 0, tzinfo=CHICAGO))
    assert [w.code for w in plan.warnings] == ["last-dose-passed"]
    assert plan.warnings[0].message.startswith("TOO LATE TO STOP ELIQUIS (APIXABAN) ON TIME.")
    assert "Friday, November 27" in plan.warnings[0].message


def test_last_day_itself_is_not_too_late() -> None:
    """On the last day there is still time to take the last dose: no warning."""
    plan = plan_for("Eliquis", now=datetime(2026, 11, 27, 21, 0, tzinfo=CHICAGO))
    assert plan.warnings == ()


def test_same_minute_restart_comes_after_the_protocol_steps() -> None:
    """At the end of the procedure, 'lie flat' comes before the restart question."""
    ids = [s.id for s in plan_for("metformin").steps]
    assert ids.index("lie-flat") < ids.index("restart-metformin")


def test_require_doctor_holds_accepts_doctor_words_and_non_blood_thinners() -> None:
    """Holds, 'continue', NSAIDs and diabetes medicines pass; a blood thinner without an interval fails."""
    orders = parse_medicines(
        ["Eliquis=3d", "aspirin=continue", "Advil", "metformin"], require_doctor_holds=True
    )
    assert [o.hold_source for o in orders] == ["doctor", "doctor", "catalogue", "catalogue"]
    with pytest.raises(InputError, match="Xarelto \\(rivaroxaban\\) is a blood thinner"):
        parse_medicines(["Xarelto"], require_doctor_holds=True)


@pytest.mark.parametrize(
    ("typed", "name", "form"),
    [
        ("ELIQUIS", "Eliquis (apixaban)", ""),
        ("apixaban", "apixaban", ""),
        ("St Joseph:primary", "St. Joseph (aspirin)", "primary"),
        ("semaglutide:weekly", "semaglutide", "weekly"),
        ("Bydureon", "Bydureon (exenatide)", "weekly"),
        ("heparin:injection", "heparin", "injection"),
    ],
)
def test_names_and_forms_are_read_in_any_case(typed: str, name: str, form: str) -> None:
    """Brands show as 'Brand (generic)'; a brand can imply the form; case does not matter."""
    order = parse_medicine(typed)
    assert order.name == name
    assert order.form is not None
    assert order.form.id == form


def test_doctor_interval_needs_no_form() -> None:
    """enoxaparin=24h is fine without saying the dose: the doctor already decided."""
    order = parse_medicine("enoxaparin=24h")
    assert order.form is None
    assert order.hold_source == "doctor"


@pytest.mark.parametrize(
    ("med", "step_id", "says", "day"),
    [
        ("sertraline", "medicine-sertraline", "stopping suddenly can make you feel unwell", 23),
        ("Cymbalta", "medicine-duloxetine", "Do not stop it on your own", 23),
        ("ginseng", "medicine-ginseng", "24 hours or 7 days (unconfirmed)", 23),
        # Asked before the longest time its note quotes: 3 weeks, 14 days.
        ("fish oil", "medicine-fish-oil", "1 to 3 weeks before (unconfirmed)", 11),
        ("Brenzavvy", "medicine-bexagliflozin", "(unconfirmed)", 23),
        ("Ticlid", "medicine-ticlopidine", "10 to 14 days (unconfirmed)", 18),
        ("Aggrenox", "medicine-aspirin-dipyridamole", "usually taken after a stroke", 23),
    ],
)
def test_uncertain_or_risky_stops_are_questions_for_the_doctor(
    med: str, step_id: str, says: str, day: int
) -> None:
    """SSRIs, SNRIs and grade D values never get a stop date: an 'ask your doctor' step, 10+ days before."""
    plan = plan_for(med)
    steps = medicine_steps(plan)
    assert list(steps) == [step_id]
    assert steps[step_id].title.startswith("Ask your doctor about ")
    assert says in steps[step_id].detail
    assert steps[step_id].start.astimezone(UTC) == utc(2026, 11, day, 16, 0)
    assert plan.medicines[0].order.effective_hold is None
    assert plan.warnings == ()
