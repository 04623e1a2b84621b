"""What the clinical review (issue 14) asked for, one finding per test.

Contradictions between steps have their own file (tests/test_contradictions.py); this one
holds the rest: how defaults are explained, the catalogue's new medicines and names, and
what every plan must also carry. Times are asserted in UTC.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from kyphoprep import __version__
from kyphoprep.cli.app import app
from kyphoprep.core.models import HoldRange, Plan, PlannedStep, PlanRequest
from kyphoprep.data.catalogue import load_catalogue
from kyphoprep.data.protocols import load_builtin_protocol, protocol_in_language
from kyphoprep.io.med_options import parse_medicine, parse_medicines
from tests.plan_model import planned

CHICAGO = ZoneInfo("America/Chicago")
# Thursday, December 3, 2026 at 1:00 PM in Chicago (CST, UTC-6), made on November 1.
START = datetime(2026, 12, 3, 13, 0, tzinfo=CHICAGO)
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=CHICAGO)
WHEN = ["2026-12-03 13:00", "--tz", "America/Chicago", "--today", "2026-11-01"]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def plan_for(
    *meds: str,
    crcl: int | None = None,
    now: datetime = NOW,
    language: str = "en",
    hold_range: HoldRange = "longest",
    phone: str | None = None,
) -> Plan:
    """The kyphoplasty plan for START with these --med values."""
    protocol = protocol_in_language(load_builtin_protocol("kyphoplasty"), language)
    return planned(
        PlanRequest(
            procedure_start=START,
            timezone="America/Chicago",
            now=now,
            protocol=protocol,
            arrive_minutes=90,
            medicines=parse_medicines(list(meds), crcl=crcl, hold_range=hold_range),
            crcl=crcl,
            language=language,
            phone=phone,
        )
    )


def by_id(plan: Plan) -> dict[str, PlannedStep]:
    """The plan's steps by id."""
    return {step.id: step for step in plan.steps}


# --- invented clock times ----------------------------------------------------------------------


def test_day_todos_read_by_this_day_and_real_times_keep_their_clock(runner: CliRunner) -> None:
    """A check-up or "stop smoking" is a to-do for its day; arriving and fasting keep their time."""
    steps = by_id(plan_for("warfarin"))
    reminders = {"checkup-visit", "stop-smoking", "arrange-driver", "pack-bag", "medicine-warfarin"}
    assert {step_id for step_id in reminders if steps[step_id].clock == "reminder"} == reminders
    assert {steps[s].clock for s in ("arrive", "no-food-or-drink", "procedure")} == {"exact"}
    text = runner.invoke(app, ["plan", *WHEN, "--med", "warfarin", "-f", "text"]).stdout
    assert "[ ] By this day - Check-up visit before the day" in text
    assert "[ ] By this day - Stop smoking, or smoke less" in text
    assert "9:00 AM - Check-up visit" not in text
    assert "[ ] 11:30 AM - Arrive for check-in" in text


def test_the_calendar_keeps_a_reminder_time_labelled_as_a_reminder(runner: CliRunner) -> None:
    """In the .ics a to-do keeps its alarm time, and its description says it is not an appointment."""
    ics = re.sub(r"\r?\n ", "", runner.invoke(app, ["plan", *WHEN, "-f", "ics"]).stdout)
    event = ics.split("SUMMARY:Check-up visit before the day")[1].split("END:VEVENT")[0]
    assert "kyphoprep chose the time of this reminder. It is not an appointment." in event
    arrive = ics.split("SUMMARY:Arrive for check-in")[1].split("END:VEVENT")[0]
    assert "It is not an appointment" not in arrive


def test_a_clinic_step_marked_as_an_appointment_keeps_its_time() -> None:
    """``appointment = true`` says a calendar-day step's clock time is the clinic's real booking."""
    from dataclasses import replace

    protocol = load_builtin_protocol("kyphoplasty")
    steps = tuple(replace(s, appointment=True) if s.id == "checkup-visit" else s for s in protocol.steps)
    request = PlanRequest(
        procedure_start=START,
        timezone="America/Chicago",
        now=NOW,
        protocol=replace(protocol, steps=steps),
        arrive_minutes=90,
    )
    assert by_id(planned(request))["checkup-visit"].clock == "exact"


# --- defaults the patient can reconcile -------------------------------------------------------------


def test_every_last_dose_date_explains_how_it_was_counted() -> None:
    """ "Stop 3 to 5 days before — last dose Friday, November 27" says why Friday: the dose-free days."""
    plan = plan_for("Eliquis")
    step = by_id(plan)["medicine-apixaban"]
    counting = (
        "How we counted: no Eliquis (apixaban) from Saturday, November 28 to Thursday, December 3. That "
        "is 5 days before the procedure day, and that day."
    )
    assert counting in step.detail
    assert plan.medicines[0].counting == counting


def test_an_hours_hold_explains_its_counting_too() -> None:
    """Lovenox=24h: the last dose time is 24 hours before the start."""
    plan = plan_for("Lovenox=24h")
    assert plan.medicines[0].counting == "How we counted: this is 24 hours before the start."
    assert by_id(plan)["medicine-enoxaparin"].start.astimezone(UTC) == utc(2026, 12, 2, 19, 0)


def test_the_bring_list_and_json_show_the_counting(runner: CliRunner) -> None:
    """The "Bring this list" row and the JSON carry the counting line beside the last-dose date; the
    printed list says it in a few words (the full line is on the step)."""
    text = runner.invoke(app, ["plan", *WHEN, "--med", "warfarin=5d", "-f", "text"]).stdout
    bring = text.split("BRING THIS LIST")[1]
    assert "Last dose: Friday, November 27. How we counted: no warfarin from" in " ".join(bring.split())
    page = runner.invoke(app, ["plan", *WHEN, "--med", "warfarin=5d", "-f", "html"]).stdout
    assert "<strong>Last dose:</strong> Friday, November 27. None from Saturday, November 28.</li>" in page
    data = json.loads(runner.invoke(app, ["plan", *WHEN, "--med", "warfarin=5d", "-f", "json"]).stdout)
    assert data["inputs"]["medicines"][0]["counting"].startswith("How we counted: no warfarin from")


@pytest.mark.parametrize(
    ("hold_range", "last_day", "says"),
    [
        (
            "longest",
            27,
            "This plan uses the long end, 5 days, as the risk of bleeding is high.",
        ),
        ("shortest", 29, "This plan uses 3 days, the short end. Your clinic chose it."),
    ],
)
def test_a_range_says_which_end_was_used_and_why(hold_range: HoldRange, last_day: int, says: str) -> None:
    """Apixaban 3 to 5 days: the plan names the end it used, the reason, and quotes PAUSE's 2 days."""
    step = by_id(plan_for("apixaban", hold_range=hold_range))["medicine-apixaban"]
    assert says in step.detail
    assert "Some doctors use a shorter stop of 2 days (PAUSE study)." in step.detail
    assert step.start.astimezone(UTC) == utc(2026, 11, last_day, 14, 0)


def test_the_shorter_end_is_a_clinic_setting(runner: CliRunner, tmp_path: Path) -> None:
    """``hold_range = "shortest"`` in the settings file; anything else is refused."""
    config = tmp_path / "clinic.toml"
    config.write_text('[defaults]\nhold_range = "shortest"\n', encoding="utf-8")
    result = runner.invoke(app, ["plan", *WHEN, "--med", "Eliquis", "--config", str(config), "-f", "json"])
    assert result.exit_code == 0, result.output
    medicine = json.loads(result.stdout)["inputs"]["medicines"][0]
    assert medicine["hold"] == {"amount": 3, "unit": "days", "given_as": "3d"}
    config.write_text('[defaults]\nhold_range = "middle"\n', encoding="utf-8")
    result = runner.invoke(app, ["plan", *WHEN, "--config", str(config)])
    assert result.exit_code == 4
    assert "hold_range" in result.stderr


def test_too_late_reads_for_both_readings_and_gives_the_phone() -> None:
    """Not "your last dose was due" (a missed dose?): if you took it after the day, call."""
    plan = plan_for("warfarin=5d", now=datetime(2026, 11, 30, 9, 0, tzinfo=CHICAGO), phone="555-0100")
    assert plan.warnings[0].message == (
        "TOO LATE TO STOP WARFARIN ON TIME. If you took WARFARIN after Friday, November 27, call your care "
        "team at 555-0100 before your procedure. Do not change your doses on your own."
    )


def test_weekly_glp1_keeps_the_dose_a_week_before_and_restarts_on_the_usual_day() -> None:
    """ASA 2023: a Thursday injector takes Thursday, November 26 and skips only December 3."""
    steps = by_id(plan_for("Ozempic"))
    last = steps["medicine-semaglutide"]
    assert last.start.astimezone(UTC) == utc(2026, 11, 26, 14, 0)
    assert last.title.startswith("Last weekly dose of Ozempic (semaglutide)")
    assert last.detail.startswith("Take this last dose on Thursday, November 26 or before.")
    restart = steps["restart-semaglutide"]
    assert restart.title == "Next dose of Ozempic (semaglutide) on your usual day"
    assert restart.clock == "reminder"  # not "8:30 AM after the procedure"
    assert "(unconfirmed)" in restart.detail


def test_a_doctors_interval_for_a_weekly_medicine_counts_dose_free_days() -> None:
    """Ozempic=7d is the doctor's rule: no dose on the 7 days before nor on the day."""
    last = by_id(plan_for("Ozempic=7d"))["medicine-semaglutide"]
    assert last.start.astimezone(UTC) == utc(2026, 11, 25, 14, 0)


@pytest.mark.parametrize("insulin", ["Lantus", "NPH insulin", "Humalog", "Humulin 70/30", "Soliqua"])
def test_insulin_gets_a_blood_sugar_check_before_leaving(insulin: str) -> None:
    """Fasting on insulin: check blood sugar before leaving, what to do if low, bring the meter."""
    steps = [s for s in plan_for(insulin).steps if s.id.startswith("lab-blood-sugar-")]
    assert len(steps) == 1
    (check,) = steps
    assert check.start.astimezone(UTC) == utc(2026, 12, 3, 16, 30)  # an hour before arriving at 11:30
    assert check.clock == "exact"
    assert "If your blood sugar is under 70 (unconfirmed), or you feel shaky" in check.detail
    assert "Bring your meter" in check.detail


def test_restart_values_graded_c_say_unconfirmed_wherever_they_appear(runner: CliRunner) -> None:
    """Clopidogrel's 7 days are grade B but its 12 to 24 hour restart is C; metformin's restart is C."""
    steps = by_id(plan_for("clopidogrel", "metformin"))
    assert "start again 12 to 24 hours after (unconfirmed)" in steps["restart-clopidogrel"].detail
    assert "(unconfirmed)" in steps["restart-metformin"].detail
    card = runner.invoke(app, ["meds", "clopidogrel"]).stdout
    assert "Restart:       12 to 24 hours after the procedure (unconfirmed)" in card


def test_enoxaparin_with_weak_kidneys_asks_the_doctor_for_the_longer_stop() -> None:
    """CrCl under 30: the reference says "longer" with no number, so the plan asks instead of a date."""
    plan = plan_for("enoxaparin:treatment", crcl=25)
    step = by_id(plan)["medicine-enoxaparin"]
    assert step.title == "Ask your doctor about enoxaparin"
    assert "is under 30, so this medicine stays in your body longer" in step.detail
    assert plan.medicines[0].order.effective_hold is None
    assert by_id(plan_for("enoxaparin:treatment", crcl=45))["medicine-enoxaparin"].title.startswith(
        "Last dose of enoxaparin by"
    )


def test_heparin_gets_its_aptt_check() -> None:
    """Heparin: the aPTT blood test, marked unconfirmed (grade C in the reference)."""
    steps = by_id(plan_for("heparin:iv"))
    assert steps["lab-aptt-heparin"].title == "Ask about your aPTT blood test"
    assert "(unconfirmed)" in steps["lab-aptt-heparin"].detail


@pytest.mark.parametrize(
    ("med", "crcl", "note"),
    [
        ("Xarelto", None, "2 days (PAUSE study)"),
        ("Pradaxa", 60, "2 days (PAUSE study)"),
        ("Pradaxa", 40, "4 days"),
    ],
)
def test_rivaroxaban_and_dabigatran_quote_pause(med: str, crcl: int | None, note: str) -> None:
    """Like apixaban, the other DOACs quote the PAUSE study's shorter stop for the doctor."""
    plan = plan_for(med, crcl=crcl)
    (last,) = (s for s in plan.steps if s.id.startswith("medicine-"))
    assert note in last.detail


KEEP = "or if the doctor said to keep taking it as usual:"


@pytest.mark.parametrize(
    ("name", "use"),
    [
        ("NPH insulin", f"--med 'NPH insulin', {KEEP} --med 'NPH insulin=continue'"),
        ("celecoxib", f"--med 'celecoxib', {KEEP} --med 'celecoxib=continue'"),
        ("warfarin", "--med 'warfarin', or with the doctor's interval: --med 'warfarin=5d'"),
    ],
)
def test_meds_suggests_only_forms_that_fit_the_rule(runner: CliRunner, name: str, use: str) -> None:
    """No "NPH insulin=5d" example for a dose change; a stop keeps the interval example."""
    card = " ".join(runner.invoke(app, ["meds", name]).stdout.split())
    assert f"Use: {use}" in card
    assert "NPH insulin=5d" not in card


# --- names and medicines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "form"),
    [
        ("ASA:primary", "primary"),
        ("baby aspirin:secondary", "secondary"),
        ("aspirin 81:primary", "primary"),
        ("Excedrin", "pain"),
        ("Goody's", "pain"),
        ("BC Powder", "pain"),
    ],
)
def test_aspirin_names_resolve_sensibly(typed: str, form: str) -> None:
    """ASA, baby aspirin, aspirin 81 are aspirin; Excedrin and aspirin powders are the pain use."""
    order = parse_medicine(typed)
    assert order.entry is not None
    assert order.entry.id == "aspirin"
    assert order.form is not None
    assert order.form.id == form


def test_excedrin_is_a_six_day_stop_for_pain_use() -> None:
    """Excedrin (headache use, not heart prevention) is stopped like primary-prevention aspirin."""
    last = by_id(plan_for("Excedrin"))["medicine-aspirin"]
    assert last.start.astimezone(UTC) == utc(2026, 11, 26, 14, 0)  # 6 days


def test_meds_asa_finds_aspirin_not_basaglar(runner: CliRunner) -> None:
    """ "ASA" is inside "Basaglar" by chance; a short query must begin a word."""
    result = runner.invoke(app, ["meds", "ASA", "--json"])
    assert result.exit_code == 0, result.output
    assert [entry["id"] for entry in json.loads(result.stdout)] == ["aspirin"]


@pytest.mark.parametrize(
    ("typed", "entry_id", "action"),
    [
        ("Zontivity", "vorapaxar", "ask-doctor"),
        ("Humulin 70/30", "insulin-premixed", "ask-doctor"),
        ("Novolog Mix 70/30", "insulin-premixed", "ask-doctor"),
        ("Soliqua", "insulin-glargine-lixisenatide", "ask-doctor"),
        ("Xultophy", "insulin-degludec-liraglutide", "ask-doctor"),
        ("Arthrotec", "diclofenac", "stop"),
        ("Vimovo", "naproxen", "stop"),
        ("Duexis", "ibuprofen", "stop"),
        ("Alka-Seltzer", "aspirin", "stop"),
        ("ginger", "ginger", "stop"),
        ("feverfew", "feverfew", "stop"),
        ("echinacea", "echinacea", "stop"),
        ("St John's wort", "st-johns-wort", "stop"),
        ("krill oil", "fish-oil", "ask-doctor"),
        ("Prolia", "denosumab", "keep-taking"),
        ("Forteo", "teriparatide", "keep-taking"),
        ("Tymlos", "abaloparatide", "keep-taking"),
        ("Evenity", "romosozumab", "keep-taking"),
        ("Fosamax", "alendronate", "move-dose"),
        ("Reclast", "zoledronic-acid", "keep-taking"),
        ("Actonel", "risedronate", "move-dose"),
        ("Boniva", "ibandronate", "move-dose"),
    ],
)
def test_the_missing_medicines_are_in_the_catalogue(typed: str, entry_id: str, action: str) -> None:
    """Each medicine the review found missing resolves, with a source and a grade."""
    order = parse_medicine(typed)
    assert order.entry is not None
    assert order.entry.id == entry_id
    assert order.action == action
    assert order.rule is not None
    assert order.rule.sources
    assert order.rule.grade in "ABCD"


def test_a_bisphosphonate_due_on_the_procedure_morning_moves_to_the_next_morning() -> None:
    """Alendronate needs a full glass of water and 30 minutes upright: not on the fasting morning."""
    steps = by_id(plan_for("Fosamax"))
    step = steps["medicine-alendronate"]
    assert step.title == "Fosamax (alendronate): skip a dose due that morning — confirm with doctor"
    assert "Is a dose of Fosamax (alendronate) due on Thursday, December 3?" in step.detail
    assert "Take it on Friday, December 4, then go back to your usual day." in step.detail
    assert "restart-alendronate" not in steps


@pytest.mark.parametrize(
    ("typed", "spanish"),
    [
        ("warfarina", "warfarina"),
        ("aspirina:primary", "aspirina"),
        ("metformina", "metformina"),
        ("Eliquis", "Eliquis (apixabán)"),
        ("apixaban", "apixabán"),
    ],
)
def test_spanish_names_resolve_and_spanish_plans_show_them(typed: str, spanish: str) -> None:
    """Spanish generic names find the medicine, and a Spanish plan names it in Spanish."""
    plan = plan_for(typed, language="es")
    assert plan.medicines[0].name == spanish
    assert any(spanish in step.title for step in plan.steps if step.medicine is not None)
    english = plan_for(typed)
    assert all("warfarina" not in step.title for step in english.steps)


# --- what every plan carries --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_allergies_are_asked_about_and_on_the_bring_list(runner: CliRunner, language: str) -> None:
    """A step to tell the team about allergies, and an allergy line to fill in on the bring list."""
    steps = by_id(plan_for(language=language))
    assert "tell-allergies" in steps
    assert any("allergies" in item or "alergias" in item for item in steps["pack-bag"].items)
    text = runner.invoke(app, ["plan", *WHEN, "--lang", language, "-f", "text"]).stdout
    line = "[ ] My allergies (X-ray dye," if language == "en" else "[ ] Mis alergias (tinte de rayos X,"
    assert line in text


def test_new_leg_weakness_is_an_emergency_warning_sign() -> None:
    """Clinical reference section 7: new weakness in a leg."""
    signs = {sign.id: sign for sign in load_builtin_protocol("kyphoplasty").warning_signs}
    assert signs["leg-weakness"].level == "emergency"
    assert signs["leg-weakness"].text == "You have new leg weakness"


@pytest.mark.parametrize("output_format", ["text", "html", "json", "ics"])
def test_every_output_names_the_version_and_revisions(runner: CliRunner, output_format: str) -> None:
    """A nurse can tell which advice a patient was given: version, protocol and catalogue revision."""
    result = runner.invoke(app, ["plan", *WHEN, "-f", output_format])
    assert result.exit_code == 0, result.output
    revision = load_catalogue().revision
    shown = " ".join(re.sub(r"\r?\n ", "", result.stdout).replace("\\,", ",").split())
    if output_format == "json":
        assert json.loads(result.stdout)["made_by"] == {
            "kyphoprep": __version__,
            "protocol": "kyphoplasty",
            "protocol_revision": load_builtin_protocol("kyphoplasty").revision,
            "catalogue_revision": revision,
        }
    else:
        assert f"Made by kyphoprep {__version__}. Protocol: kyphoplasty, revision" in shown
        assert f"Medicine list: revision {revision}." in shown


def test_a_clinic_protocol_without_a_revision_is_named_by_its_content() -> None:
    """A clinic file without ``revision`` gets a digest, which changes when its text changes."""
    from kyphoprep.data.protocols import parse_protocol_text

    text = (Path(__file__).parent.parent / "docs" / "examples" / "sacroplasty.toml").read_text(
        encoding="utf-8"
    )
    text = "\n".join(line for line in text.splitlines() if not line.startswith("revision"))
    first = parse_protocol_text(text, "clinic.toml").revision
    second = parse_protocol_text(text.replace("Sacroplasty", "Sacroplastia", 1), "clinic.toml").revision
    assert first.startswith("sha256:")
    assert first != second


# --- Spanish mode ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["2026-10-01 07:30"],
            "La hora del procedimiento (jueves, 1 de octubre de 2026 a las 7:30 a.\u00a0m.) ya pasó.",
        ),
        (
            ["03/04/2027 07:30"],
            "'03/04/2027' puede ser el jueves, 4 de marzo de 2027 o el sábado, 3 de abril de 2027.",
        ),
        (
            ["2026-12-03 07:30", "--med", "Eliquiss"],
            "'Eliquiss' no está en la lista de medicamentos de kyphoprep.",
        ),
        (["2026-12-03 07:30", "--med", "warfarin=soon"], "'soon' no es un tiempo que kyphoprep entienda"),
        (
            ["2026-12-03 07:30", "--med", "warfarin=90d"],
            "--med 'warfarin=90d': el tiempo debe ser de 1 a 60 días.",
        ),
        (["2026-11-01 01:30"], "La hora 1:30 a.\u00a0m. pasa dos veces el domingo, 1 de noviembre de 2026"),
        (
            ["2026-12-03 07:30", "--crcl", "500", "--med", "Pradaxa"],
            "--crcl 500 no es una depuración de creatinina.",
        ),
    ],
)
def test_spanish_plans_get_their_errors_in_spanish(runner: CliRunner, args: list[str], message: str) -> None:
    """With --lang es, the usual mistakes are explained in Spanish (same exit code)."""
    result = runner.invoke(
        app, ["plan", *args, "--tz", "America/Chicago", "--today", "2026-11-01", "--lang", "es"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {message}")
    assert result.stderr.count("\n") == 1


def test_a_wrong_zone_in_a_spanish_plan_is_said_in_spanish(runner: CliRunner) -> None:
    """The zone is checked before the settings are settled; --lang es still applies."""
    result = runner.invoke(app, ["plan", "2026-12-03 07:30", "--tz", "America/Chicagoo", "--lang", "es"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: No conozco la zona horaria 'America/Chicagoo'. ¿Quiso decir: America/Chicago, "
        "America/Curacao, America/Bahia?\n"
    )


def test_an_english_run_after_a_spanish_one_is_english_again(runner: CliRunner) -> None:
    """The language of errors is the command's own, never left over from an earlier run."""
    runner.invoke(app, ["plan", "2026-10-01 07:30", "--tz", "America/Chicago", "--lang", "es"])
    result = runner.invoke(
        app, ["plan", "2026-10-01 07:30", "--tz", "America/Chicago", "--today", "2026-11-01"]
    )
    assert result.stderr.startswith(
        "Error: The procedure time Thursday, October 1, 2026 at 7:30 AM has already passed"
    )


def test_a_weekly_medicines_last_dose_is_titled_as_weekly() -> None:
    """ "Last weekly dose of Ozempic", not "Last day to take": the dose is once a week."""
    assert by_id(plan_for("Ozempic"))["medicine-semaglutide"].title == (
        "Last weekly dose of Ozempic (semaglutide) — confirm with doctor"
    )
    assert by_id(plan_for("Ozempic", language="es"))["medicine-semaglutide"].title == (
        "Su última dosis de la semana de Ozempic (semaglutida) — confírmelo con su médico"
    )
