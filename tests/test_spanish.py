"""Spanish (--lang es) end to end: dates and times, every format, settings file, batch, data-file errors."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.data.catalogue import parse_catalogue_text
from kyphoprep.data.protocols import check_protocol_text, parse_protocol_text
from kyphoprep.errors import ChecklistError
from kyphoprep.i18n.words import words_for
from tests.protocol_texts import MINIMAL_PROTOCOL
from tests.scenarios import SCENARIOS

ES = words_for("es")
EN = words_for("en")
LA = ZoneInfo("America/Los_Angeles")
PLAN = ["plan", "2027-03-16 13:30", "--tz", "America/Los_Angeles", "--today", "2027-03-01", "--lang", "es"]


@pytest.fixture
def runner(runner: CliRunner) -> CliRunner:
    return CliRunner(env={**runner.env, "KYPHOPREP_CONFIG": None})


# --- dates and times ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "spanish", "english"),
    [
        (time(13, 30), "martes, 16 de marzo de 2027 a la 1:30 p.\u00a0m.", "at 1:30 PM"),
        (time(1, 5), "martes, 16 de marzo de 2027 a la 1:05 a.\u00a0m.", "at 1:05 AM"),
        (time(7, 30), "martes, 16 de marzo de 2027 a las 7:30 a.\u00a0m.", "at 7:30 AM"),
        (time(0, 0), "martes, 16 de marzo de 2027 a las 12:00 de la medianoche", "at 12:00 midnight"),
        (time(12, 0), "martes, 16 de marzo de 2027 a las 12:00 del mediodía", "at 12:00 noon"),
    ],
)
def test_spanish_dates_and_times(clock: time, spanish: str, english: str) -> None:
    """Spanish says "a la 1:30" but "a las 7:30"; "p. m." never splits across lines."""
    moment = datetime.combine(date(2027, 3, 16), clock, tzinfo=LA)
    assert ES.moment(moment) == spanish
    assert EN.moment(moment) == f"Tuesday, March 16, 2027 {english}"


def test_a_day_heading_starts_with_a_capital_letter() -> None:
    """A Spanish date that heads a day starts with a capital letter while one inside a sentence does not,
    as Spanish writes them."""
    assert ES.heading_date(date(2027, 3, 16)) == "Martes, 16 de marzo de 2027"
    assert ES.date(date(2027, 3, 16), year=False) == "martes, 16 de marzo"
    assert EN.heading_date(date(2027, 3, 16)) == "Tuesday, March 16, 2027"


def test_a_time_at_the_end_of_a_sentence_gets_one_full_stop() -> None:
    """A Spanish time ending in "p. m." at the end of a sentence gets no second full stop, so the handout
    never shows ".."."""
    pickup = ES(
        "caregiver_pickup",
        patient="Ana",
        start="1:30 p. m.",
        end="2:30 p. m.",
        pickup_from="x",
        pickup_to="y",
    )
    assert "1:30 p. m. Debe" in pickup
    assert ".." not in pickup


# --- every format -----------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["text", "terminal", "html", "caregiver", "ics", "json"])
def test_every_format_is_in_spanish(runner: CliRunner, output_format: str) -> None:
    """Every output format with --lang es has the Spanish dates and wording and no English day or month
    names left over."""
    result = runner.invoke(app, [*PLAN, "--med", "warfarin=5d", "--format", output_format])
    assert result.exit_code == 0, result.output
    # Unfold calendar lines and undo their escaped commas.
    out = result.stdout.replace("\r\n ", "").replace("\n ", "").replace("\\,", ",")
    assert "martes, 16 de marzo" in out or "Martes, 16 de marzo" in out
    assert "Tuesday" not in out
    assert "March" not in out
    if output_format != "caregiver":
        assert "Último día para tomar warfarin" in out
    if output_format == "json":
        assert json.loads(out)["inputs"]["language"] == "es"


def test_the_settings_file_can_choose_spanish(runner: CliRunner, tmp_path: Path) -> None:
    """A settings file's language = "es" gives a Spanish plan, and --lang en on the command line still
    gives an English one."""
    config = tmp_path / "clinic.toml"
    config.write_text('[clinic]\nname = "Centro"\n[defaults]\nlanguage = "es"\n', encoding="utf-8")
    spanish = runner.invoke(app, [*PLAN[:-2], "--config", str(config), "--format", "text"])
    assert spanish.exit_code == 0, spanish.output
    assert spanish.stdout.splitlines()[1] == "SU PLAN PARA LA CIFOPLASTIA"
    english = runner.invoke(app, [*PLAN[:-2], "--config", str(config), "--lang", "en", "--format", "text"])
    assert english.stdout.splitlines()[1] == "YOUR PLAN TO GET READY FOR KYPHOPLASTY"


def test_batch_in_spanish_uses_each_rows_protocol_in_spanish(runner: CliRunner, tmp_path: Path) -> None:
    """batch --lang es writes every row's plan and caregiver sheet in Spanish, each with its own row's
    procedure."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "patient_id,when,tz,procedure\n"
        "A1,2027-03-16 13:30,America/Los_Angeles,kyphoplasty\n"
        "B2,2027-03-17 08:00,America/Los_Angeles,vertebroplasty\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            *("batch", str(roster), "--out", str(out), "--today", "2027-03-01"),
            "--lang",
            "es",
            "-f",
            "text,caregiver",
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".kyphoprep-batch.json",  # when each row was made (batch --skip-existing)
        "A1.caregiver.txt",
        "A1.txt",
        "B2.caregiver.txt",
        "B2.txt",
    ]
    assert (out / "A1.txt").read_text(encoding="utf-8").splitlines()[1] == "SU PLAN PARA LA CIFOPLASTIA"
    assert (out / "B2.txt").read_text(encoding="utf-8").splitlines()[1] == "SU PLAN PARA LA VERTEBROPLASTIA"
    caregiver = (out / "B2.caregiver.txt").read_text(encoding="utf-8")
    assert caregiver.splitlines()[1] == "PARA LA PERSONA QUE MANEJA Y SE QUEDA"


def test_the_spanish_golden_scenario_is_spanish_throughout(runner: CliRunner) -> None:
    """No English heading or label is left in the Spanish handout."""
    text = runner.invoke(app, [*SCENARIOS["spanish-los-angeles"], "--format", "text"]).stdout
    for key in ("heading_plan", "heading_bring", "heading_after_care", "label_patient", "label_sources"):
        assert EN(key) not in text, key
        assert ES(key).upper() in text.upper(), key


# --- Spanish in the data files ------------------------------------------------------------------------


def _protocol_with(step_extra: str, top_extra: str = "") -> str:
    head, steps = MINIMAL_PROTOCOL.split("[sources]")
    return head + top_extra + "[sources]" + steps + step_extra


def test_a_protocol_with_spanish_plans_in_spanish() -> None:
    """A protocol file with Spanish words for every step plans in Spanish with those words, nothing
    missing."""
    text = _protocol_with(
        'es.title = "Paso uno"\nes.detail = "Hágalo."\n',
        'es.name = "Demostración"\nes.summary = "Una demostración."\n',
    )
    protocol = parse_protocol_text(text, "demo.toml")
    assert protocol.missing_words("es") == []
    spanish = protocol.in_language("es")
    assert (spanish.name, spanish.steps[0].title, spanish.steps[0].detail) == (
        "Demostración",
        "Paso uno",
        "Hágalo.",
    )
    assert spanish.language == "es"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (
            'es.titel = "Paso"\n',
            "es.titel",
            "unknown field; a translation may have es.title, es.detail, es.items",
        ),
        ('es.title = ""\n', "es.title", "must be a non-empty string"),
        ('es.title = "x"\nes.items = ["a"]\n', "es.items", "must have 0 items, one for each English item"),
        ('es = "Paso"\n', "es", 'must hold translated texts, such as es.title = "..."'),
        (f'es.title = "{"x" * 61}"\nes.detail = "y"\n', "es.title", "keep titles to 60 characters"),
    ],
)
def test_protocols_check_reports_spanish_mistakes(extra: str, field: str, message: str) -> None:
    """``protocols check`` names the step and field of each mistake in a Spanish translation (a misspelt
    key, an empty or over-long title, the wrong number of items)."""
    problems = check_protocol_text(_protocol_with(extra), "demo.toml")
    assert [(p.step, p.field, str(p)) for p in problems] == [
        ("one", field, f"demo.toml, step 'one', field '{field}': {message}")
    ]


def test_catalogue_spanish_mistakes_are_reported() -> None:
    """A misspelt Spanish key in the medicine catalogue is refused with the medicine and field named, and
    once fixed the Spanish instruction is used."""
    catalogue = """\
format = 1
[reminders]
skip-procedure-day = { rule = "days-before", days = 1, at = "20:00" }
skip-morning-dose = { rule = "days-before", days = 1, at = "20:00" }
change-dose = { rule = "days-before", days = 1, at = "18:00" }
move-dose = { rule = "days-before", days = 1, at = "19:00" }
ask-doctor = { rule = "days-before", days = 10, at = "10:00" }
[sources]
s1 = "A source"

[[medicines]]
id = "demo"
generic = "demo"
class = "Demo"
action = "stop"
days = 3
restart = "24h"
grade = "B"
source = ["s1"]
instruction = "Ask first."
es.instruccion = "Pregunte antes."
"""
    with pytest.raises(ChecklistError) as caught:
        parse_catalogue_text(catalogue, "medications.toml")
    assert (caught.value.step, caught.value.field) == ("demo", "es.instruccion")
    fixed = parse_catalogue_text(catalogue.replace("es.instruccion", "es.instruction"), "medications.toml")
    rule = fixed.entries[0].forms[0].rule
    assert (rule.instruction_in("es"), rule.instruction_in("en")) == ("Pregunte antes.", "Ask first.")
