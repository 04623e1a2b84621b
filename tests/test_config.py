"""The clinic settings file (--config, KYPHOPREP_CONFIG): what each key does, precedence, every error."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from kyphoprep.cli.app import app
from kyphoprep.errors import ChecklistError, ConfigError, InputError
from tests.protocol_texts import MINIMAL_PROTOCOL

ROOT = Path(__file__).parent.parent
SACROPLASTY = ROOT / "docs" / "examples" / "sacroplasty.toml"
WHEN = "2026-12-03 07:30"
TODAY = "2026-11-21"
MEDICINES = ["--med", "Eliquis", "--med", "metformin", "--med", "warfarin=5d"]
MEDICINE_NAMES = ("eliquis", "apixaban", "metformin", "warfarin")

# A protocol with no fasting marks: it only has the "midnight" rule.
NO_ASA_PROTOCOL = MINIMAL_PROTOCOL


@pytest.fixture
def runner(runner: CliRunner) -> CliRunner:
    """The shared runner, with no KYPHOPREP_CONFIG leaking in from the developer's shell."""
    return CliRunner(env={**runner.env, "KYPHOPREP_CONFIG": None})


def write(folder: Path, text: str, name: str = "clinic.toml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def plan(runner: CliRunner, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return runner.invoke(app, ["plan", WHEN, "--today", TODAY, *args], env=env)


def plan_json(runner: CliRunner, *args: str, env: dict[str, str | None] | None = None) -> dict[str, Any]:
    result = plan(runner, *args, "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def ics_lines(data: str) -> list[str]:
    """The content lines of a calendar file, unfolded (RFC 5545 section 3.1)."""
    assert "\r\n" in data
    return re.sub(r"\r\n[ \t]", "", data).split("\r\n")


def ics_properties(data: str) -> dict[str, list[str]]:
    """Values of SUMMARY, LOCATION, TRIGGER, and DESCRIPTION split by where it is: VEVENT or VALARM."""
    found: dict[str, list[str]] = {
        "SUMMARY": [],
        "LOCATION": [],
        "TRIGGER": [],
        "EVENT DESCRIPTION": [],
        "ALARM DESCRIPTION": [],
    }
    in_alarm = False
    for line in ics_lines(data):
        if line == "BEGIN:VALARM":
            in_alarm = True
        elif line == "END:VALARM":
            in_alarm = False
        name, _, value = line.partition(":")
        name = name.split(";")[0]
        if name == "DESCRIPTION":
            found["ALARM DESCRIPTION" if in_alarm else "EVENT DESCRIPTION"].append(value)
        elif name in found:
            found[name].append(value)
    return found


# --- each setting reaches the plan ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "key", "built_in", "from_file"),
    [
        ('timezone = "Europe/Berlin"', "timezone", "America/Chicago", "Europe/Berlin"),
        ("arrive_minutes = 60", "arrive_minutes", 90, 60),
        ('fasting = "asa"', "fasting", "midnight", "asa"),
        ("reminder_minutes = 45", "reminder_minutes", 30, 45),
        ("discreet_titles = false", "discreet_titles", True, False),
        ('procedure = "vertebroplasty"', "procedure", "kyphoplasty", "vertebroplasty"),
    ],
    ids=["timezone", "arrive_minutes", "fasting", "reminder_minutes", "discreet_titles", "procedure"],
)
def test_each_default_changes_the_plan(
    runner: CliRunner, tmp_path: Path, setting: str, key: str, built_in: object, from_file: object
) -> None:
    """Each [defaults] key replaces kyphoprep's own default, as the JSON inputs show."""
    assert plan_json(runner)["inputs"][key] == built_in
    config = write(tmp_path, f"[defaults]\n{setting}\n")
    assert plan_json(runner, "--config", str(config))["inputs"][key] == from_file


def test_timezone_and_arrival_from_the_file_move_the_times(runner: CliRunner, tmp_path: Path) -> None:
    """The file's zone places WHEN in that zone; its arrive_minutes sets the arrival time."""
    config = write(tmp_path, '[defaults]\ntimezone = "Europe/Berlin"\narrive_minutes = 60\n')
    data = plan_json(runner, "--config", str(config))
    assert data["procedure"]["start"] == "2026-12-03T07:30:00+01:00"
    assert data["procedure"]["arrival"] == "2026-12-03T06:30:00+01:00"
    data = plan_json(runner)
    assert data["procedure"]["start"] == "2026-12-03T07:30:00-06:00"
    assert data["procedure"]["arrival"] == "2026-12-03T06:00:00-06:00"


def test_procedure_from_the_file_is_the_protocol_used(runner: CliRunner, tmp_path: Path) -> None:
    """A settings file's procedure, named in any case, chooses the protocol the plan follows, so a
    vertebroplasty clinic need not pass -p every time."""
    config = write(tmp_path, '[defaults]\nprocedure = "Vertebroplasty"\n')
    data = plan_json(runner, "--config", str(config))
    assert data["procedure"]["id"] == "vertebroplasty"
    assert data["procedure"]["name"] == "Vertebroplasty"


def test_language_en_is_accepted(runner: CliRunner, tmp_path: Path) -> None:
    """language = "en" in the settings file is accepted and recorded, so writing the default out explicitly
    is not an error."""
    config = write(tmp_path, '[defaults]\nlanguage = "en"\n')
    assert plan_json(runner, "--config", str(config))["inputs"]["language"] == "en"


# Clocks spring forward at 2:00 AM on Sunday, March 14, 2027 in Chicago: 8 real hours before
# 9:00 AM CDT is midnight CST, while 6 and 2 hours before are 3:00 and 7:00 AM CDT.
DST_WHEN = [
    "plan",
    "2027-03-14 09:00",
    "--tz",
    "America/Chicago",
    "--today",
    "2027-03-01",
    "--format",
    "json",
]


def steps_by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in data["steps"]}


def test_asa_fasting_counts_real_hours_back(runner: CliRunner, tmp_path: Path) -> None:
    """fasting = "asa": meals stop 8 hours, food 6 hours and drinks 2 hours before, in real (UTC) time."""
    config = write(tmp_path, '[defaults]\nfasting = "asa"\n')
    result = runner.invoke(app, [*DST_WHEN, "--config", str(config)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    start = datetime.fromisoformat(data["procedure"]["start"])
    steps = steps_by_id(data)
    assert "no-food-or-drink" not in steps
    expected = {"asa-stop-meals": (8, 6), "asa-stop-food": (6, 2), "asa-stop-drinks": (2, 0)}
    for step_id, (begin_hours, end_hours) in expected.items():
        step = steps[step_id]
        assert start - datetime.fromisoformat(step["start"]) == timedelta(hours=begin_hours), step_id
        assert start - datetime.fromisoformat(step["end"]) == timedelta(hours=end_hours), step_id
        assert step["category"] == "food-and-drink"
    assert steps["asa-stop-meals"]["start"] == "2027-03-14T00:00:00-06:00"
    assert steps["asa-stop-food"]["start"] == "2027-03-14T03:00:00-05:00"
    assert steps["asa-stop-drinks"]["start"] == "2027-03-14T07:00:00-05:00"


def test_midnight_fasting_has_no_asa_steps(runner: CliRunner, tmp_path: Path) -> None:
    """fasting = "midnight" (and the built-in default): one step from midnight, no ASA steps."""
    config = write(tmp_path, '[defaults]\nfasting = "midnight"\n')
    for extra in (["--config", str(config)], []):
        result = runner.invoke(app, [*DST_WHEN, *extra])
        assert result.exit_code == 0, result.output
        steps = steps_by_id(json.loads(result.stdout))
        assert not [step_id for step_id in steps if step_id.startswith("asa-")]
        assert steps["no-food-or-drink"]["start"] == "2027-03-14T00:00:00-06:00"


def test_asa_fasting_with_a_protocol_without_asa_steps(runner: CliRunner, tmp_path: Path) -> None:
    """The planner refuses a fasting rule the protocol has no steps for (exit 2), naming the file."""
    protocol = write(tmp_path, NO_ASA_PROTOCOL, "demo.toml")
    config = write(tmp_path, '[defaults]\nfasting = "asa"\nprocedure = "demo.toml"\n')
    message = (
        f'Error: The Demo protocol ({protocol}) has no steps for fasting = "asa". Choose "midnight", '
        "or add those steps to the protocol.\n"
    )
    for args in (["--config", str(config)], ["--protocol", str(protocol), "--fasting", "asa"]):
        result = plan(runner, *args, "--format", "json")
        assert result.exit_code == InputError.exit_code, result.output
        assert result.stderr == message
        assert result.stdout == ""
    # The same protocol under the midnight rule is fine.
    result = plan(runner, "--config", str(config), "--fasting", "midnight", "--format", "json")
    assert result.exit_code == 0, result.output


# --- [clinic] on the handout and the calendar ------------------------------------------------------

CLINIC = """\
[clinic]
name = "Lakeside Spine Center"
address = "100 Main St, Springfield"
phone = "555-0100"
"""


def test_clinic_details_on_the_handout_and_calendar(runner: CliRunner, tmp_path: Path) -> None:
    """The clinic's name, address and phone from the settings file appear on the handout and, escaped, as
    every calendar event's LOCATION, so patients know where to go."""
    config = write(tmp_path, CLINIC)
    result = plan(runner, "--config", str(config), "--format", "text")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Place:         Lakeside Spine Center" in lines
    assert "Address:       100 Main St, Springfield" in lines
    assert "Phone:         555-0100" in lines
    result = plan(runner, "--config", str(config), "--format", "ics")
    assert result.exit_code == 0, result.output
    locations = ics_properties(result.stdout_bytes.decode())["LOCATION"]
    assert locations
    assert set(locations) == {r"Lakeside Spine Center\, 100 Main St\, Springfield"}


def test_no_clinic_no_place_or_location(runner: CliRunner) -> None:
    """Without clinic details the handout says "not given" (and shows no address line) and the calendar has
    no LOCATION, rather than inventing a place."""
    result = plan(runner, "--format", "text")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Place:         not given" in lines
    assert "Phone:         not given" in lines
    assert not [line for line in lines if line.startswith("Address:")]
    result = plan(runner, "--format", "ics")
    assert ics_properties(result.stdout_bytes.decode())["LOCATION"] == []


def test_discreet_titles_keep_medicine_names_off_the_lock_screen(runner: CliRunner, tmp_path: Path) -> None:
    """No medicine name in any SUMMARY or alarm; the event descriptions still say which medicine."""
    config = write(tmp_path, "[defaults]\ndiscreet_titles = true\n")
    result = plan(runner, "--config", str(config), *MEDICINES, "--format", "ics")
    assert result.exit_code == 0, result.output
    found = ics_properties(result.stdout_bytes.decode())
    assert found["SUMMARY"]
    assert found["ALARM DESCRIPTION"]
    for name in MEDICINE_NAMES:
        for kind in ("SUMMARY", "ALARM DESCRIPTION"):
            leaks = [value for value in found[kind] if name in value.lower()]
            assert leaks == [], (name, kind)
        assert any(name in value.lower() for value in found["EVENT DESCRIPTION"]), name
    assert "Medicine reminder: open it to read more" in found["SUMMARY"]

    # The same plan with full titles does name them (so the check above can fail).
    result = plan(runner, "--config", str(config), "--full-titles", *MEDICINES, "--format", "ics")
    titles = " ".join(ics_properties(result.stdout_bytes.decode())["SUMMARY"]).lower()
    for name in ("eliquis", "metformin", "warfarin"):
        assert name in titles


@pytest.mark.parametrize(("setting", "trigger"), [("reminder_minutes = 45", "-PT45M"), ("", "-PT30M")])
def test_reminder_minutes_moves_every_alarm(
    runner: CliRunner, tmp_path: Path, setting: str, trigger: str
) -> None:
    """reminder_minutes moves every alarm of the calendar (30 minutes when unset), not just some of them."""
    config = write(tmp_path, f"[defaults]\n{setting}\n")
    result = plan(runner, "--config", str(config), *MEDICINES, "--format", "ics")
    assert result.exit_code == 0, result.output
    triggers = ics_properties(result.stdout_bytes.decode())["TRIGGER"]
    assert len(triggers) > 10
    assert set(triggers) == {trigger}


# --- precedence -----------------------------------------------------------------------------------

PRECEDENCE = [
    # (id, settings file, key in JSON inputs, its value from the file, option, its value)
    (
        "tz",
        '[defaults]\ntimezone = "Europe/Berlin"\n',
        "timezone",
        "Europe/Berlin",
        ["--tz", "Asia/Tokyo"],
        "Asia/Tokyo",
    ),
    ("arrive", "[defaults]\narrive_minutes = 60\n", "arrive_minutes", 60, ["--arrive-minutes", "120"], 120),
    ("fasting", '[defaults]\nfasting = "asa"\n', "fasting", "asa", ["--fasting", "midnight"], "midnight"),
    (
        "reminder",
        "[defaults]\nreminder_minutes = 45\n",
        "reminder_minutes",
        45,
        ["--reminder-minutes", "10"],
        10,
    ),
    (
        "discreet",
        "[defaults]\ndiscreet_titles = false\n",
        "discreet_titles",
        False,
        ["--discreet-titles"],
        True,
    ),
    ("full", "[defaults]\ndiscreet_titles = true\n", "discreet_titles", True, ["--full-titles"], False),
    (
        "protocol",
        '[defaults]\nprocedure = "vertebroplasty"\n',
        "procedure",
        "vertebroplasty",
        ["--protocol", "kyphoplasty"],
        "kyphoplasty",
    ),
    (
        "facility",
        '[clinic]\nname = "File Clinic"\n',
        "facility",
        "File Clinic",
        ["--facility", "Cli Clinic"],
        "Cli Clinic",
    ),
    (
        "address",
        '[clinic]\naddress = "1 File St"\n',
        "address",
        "1 File St",
        ["--address", "2 Cli Ave"],
        "2 Cli Ave",
    ),
    ("phone", '[clinic]\nphone = "555-0001"\n', "phone", "555-0001", ["--phone", "555-0002"], "555-0002"),
]


@pytest.mark.parametrize(
    ("text", "key", "from_file", "option", "from_option"),
    [case[1:] for case in PRECEDENCE],
    ids=[case[0] for case in PRECEDENCE],
)
def test_option_beats_file_beats_built_in(
    runner: CliRunner,
    tmp_path: Path,
    text: str,
    key: str,
    from_file: object,
    option: list[str],
    from_option: object,
) -> None:
    """For each setting, a command-line option beats the settings file, which beats the built-in default,
    so a one-off choice never needs the file edited."""
    config = write(tmp_path, text)
    assert plan_json(runner, "--config", str(config))["inputs"][key] == from_file
    assert plan_json(runner, "--config", str(config), *option)["inputs"][key] == from_option
    assert plan_json(runner, *option)["inputs"][key] == from_option


def test_environment_variable_names_the_file(runner: CliRunner, tmp_path: Path) -> None:
    """KYPHOPREP_CONFIG is read when --config is not given; --config wins over it."""
    from_env = write(tmp_path, '[clinic]\nname = "From Env"\n', "env.toml")
    from_option = write(tmp_path, '[clinic]\nname = "From Option"\n', "option.toml")
    env: dict[str, str | None] = {"KYPHOPREP_CONFIG": str(from_env)}
    assert plan_json(runner, env=env)["inputs"]["facility"] == "From Env"
    assert plan_json(runner, "--config", str(from_option), env=env)["inputs"]["facility"] == "From Option"
    assert plan_json(runner, "--facility", "Typed", env=env)["inputs"]["facility"] == "Typed"
    assert plan_json(runner, env={"KYPHOPREP_CONFIG": ""})["inputs"]["facility"] is None


def test_environment_variable_with_a_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    """A KYPHOPREP_CONFIG naming a missing file is refused with a message that names the variable, and
    --config overrides the broken variable."""
    missing = tmp_path / "gone.toml"
    result = plan(runner, env={"KYPHOPREP_CONFIG": str(missing)})
    assert result.exit_code == ConfigError.exit_code
    assert result.stderr == (
        f"Error: {missing}: no such file. Check the path given with --config or KYPHOPREP_CONFIG.\n"
    )
    # --config is used instead, so the broken variable does not matter.
    good = write(tmp_path, "")
    assert plan(runner, "--config", str(good), env={"KYPHOPREP_CONFIG": str(missing)}).exit_code == 0


# --- procedure = a file ---------------------------------------------------------------------------


def test_relative_procedure_path_is_read_from_the_settings_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative protocol path in the settings file is read beside that file, not from the current folder,
    and --protocol still wins over it."""
    clinic = tmp_path / "clinic"
    (clinic / "protocols").mkdir(parents=True)
    shutil.copy(SACROPLASTY, clinic / "protocols" / "sacroplasty.toml")
    config = write(clinic, '[defaults]\nprocedure = "protocols/sacroplasty.toml"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    data = plan_json(runner, "--config", str(config))
    assert data["inputs"]["procedure"] == "sacroplasty"
    assert data["procedure"]["name"] == "Sacroplasty"
    # --protocol still wins over the file's protocol.
    assert plan_json(runner, "--config", str(config), "--protocol", "kyphoplasty")["inputs"]["procedure"] == (
        "kyphoplasty"
    )


def test_missing_procedure_file_names_the_resolved_path(runner: CliRunner, tmp_path: Path) -> None:
    """A protocol file that does not exist is reported by the path it was looked for at, so the clinic sees
    where kyphoprep looked."""
    config = write(tmp_path, '[defaults]\nprocedure = "nothere.toml"\n')
    result = plan(runner, "--config", str(config))
    assert result.exit_code == ChecklistError.exit_code
    assert result.stderr == f"Error: {tmp_path / 'nothere.toml'}: no such protocol file. Check the path.\n"


# --- every error ----------------------------------------------------------------------------------

LONG_TAIL = (
    "[defaults] takes: timezone, arrive_minutes, fasting, reminder_minutes, discreet_titles, language, "
    "procedure, hold_range, date_order."
)
ERRORS = [
    # (id, file text, where, message)
    ("unknown-table", "[colours]\nx = 1\n", "[colours]", "unknown table. Use [clinic] and [defaults]."),
    (
        "table-near-miss",
        '[clinc]\nname = "X"\n',
        "[clinc]",
        "unknown table. Did you mean 'clinic'? Use [clinic] and [defaults].",
    ),
    ("not-a-table", "clinic = 5\n", "clinic", "must be a table: write [clinic] on its own line."),
    ("unknown-key", "[defaults]\ncolour = 1\n", "[defaults] colour", f"unknown setting. {LONG_TAIL}"),
    (
        "key-near-miss",
        '[defaults]\nfastng = "asa"\n',
        "[defaults] fastng",
        f"unknown setting. Did you mean 'fasting'? {LONG_TAIL}",
    ),
    (
        "clinic-key-near-miss",
        '[clinic]\nphon = "555"\n',
        "[clinic] phon",
        "unknown setting. Did you mean 'phone'? [clinic] takes: name, address, phone.",
    ),
    (
        "arrive-text",
        '[defaults]\narrive_minutes = "60"\n',
        "[defaults] arrive_minutes",
        "must be a whole number of minutes from 10 to 360.",
    ),
    (
        "arrive-float",
        "[defaults]\narrive_minutes = 60.0\n",
        "[defaults] arrive_minutes",
        "must be a whole number of minutes from 10 to 360.",
    ),
    (
        "arrive-bool",
        "[defaults]\narrive_minutes = true\n",
        "[defaults] arrive_minutes",
        "must be a whole number of minutes from 10 to 360.",
    ),
    (
        "arrive-low",
        "[defaults]\narrive_minutes = 9\n",
        "[defaults] arrive_minutes",
        "must be a whole number of minutes from 10 to 360.",
    ),
    (
        "arrive-high",
        "[defaults]\narrive_minutes = 361\n",
        "[defaults] arrive_minutes",
        "must be a whole number of minutes from 10 to 360.",
    ),
    (
        "reminder-negative",
        "[defaults]\nreminder_minutes = -1\n",
        "[defaults] reminder_minutes",
        "must be a whole number of minutes from 0 to 1440.",
    ),
    (
        "reminder-high",
        "[defaults]\nreminder_minutes = 1441\n",
        "[defaults] reminder_minutes",
        "must be a whole number of minutes from 0 to 1440.",
    ),
    (
        "discreet-text",
        '[defaults]\ndiscreet_titles = "yes"\n',
        "[defaults] discreet_titles",
        "must be true or false (no quotes).",
    ),
    (
        "discreet-number",
        "[defaults]\ndiscreet_titles = 1\n",
        "[defaults] discreet_titles",
        "must be true or false (no quotes).",
    ),
    (
        "fasting-noon",
        '[defaults]\nfasting = "noon"\n',
        "[defaults] fasting",
        'must be "midnight" or "asa", not "noon".',
    ),
    (
        "fasting-number",
        "[defaults]\nfasting = 1\n",
        "[defaults] fasting",
        'must be "midnight" or "asa", not 1.',
    ),
    (
        "fasting-case",
        '[defaults]\nfasting = "ASA"\n',
        "[defaults] fasting",
        'must be "midnight" or "asa", not "ASA".',
    ),
    (
        "language-fr",
        '[defaults]\nlanguage = "fr"\n',
        "[defaults] language",
        'must be "en" or "es", not "fr".',
    ),
    (
        "timezone-number",
        "[defaults]\ntimezone = 5\n",
        "[defaults] timezone",
        'must be text such as "America/Chicago".',
    ),
    (
        "timezone-case",
        '[defaults]\ntimezone = "america/chicago"\n',
        "[defaults] timezone",
        "Unknown time zone 'america/chicago'. Did you mean America/Chicago? (Zone names are case-sensitive.)",
    ),
    (
        "timezone-city",
        '[defaults]\ntimezone = "Chicago"\n',
        "[defaults] timezone",
        "Unknown time zone 'Chicago'. Did you mean: America/Chicago?",
    ),
    (
        "timezone-unknown",
        '[defaults]\ntimezone = "Mars/Olympus_Mons"\n',
        "[defaults] timezone",
        "Unknown time zone 'Mars/Olympus_Mons'. Use an IANA name such as America/Chicago.",
    ),
    (
        "timezone-empty",
        '[defaults]\ntimezone = " "\n',
        "[defaults] timezone",
        'is empty. Give an IANA zone name such as "America/Chicago".',
    ),
    (
        "procedure-empty",
        '[defaults]\nprocedure = ""\n',
        "[defaults] procedure",
        'must be a protocol name such as "kyphoplasty", or a file path.',
    ),
    (
        "procedure-number",
        "[defaults]\nprocedure = 1\n",
        "[defaults] procedure",
        'must be a protocol name such as "kyphoplasty", or a file path.',
    ),
    (
        "procedure-unknown",
        '[defaults]\nprocedure = "discectomy"\n',
        "[defaults] procedure",
        (
            'unknown protocol "discectomy". Choose one of: kyphoplasty, vertebroplasty, or give the path of '
            "a protocol file."
        ),
    ),
    ("name-number", "[clinic]\nname = 5\n", "[clinic] name", 'must be text in quotes, such as "555-0100".'),
    (
        "name-newline",
        '[clinic]\nname = "Lakeside\\nBEGIN:VEVENT"\n',
        "[clinic] name",
        "this setting contains a line break or control character; type it on one line.",
    ),
    (
        "address-multiline",
        '[clinic]\naddress = """100 Main St\nSpringfield"""\n',
        "[clinic] address",
        "this setting contains a line break or control character; type it on one line.",
    ),
    (
        "phone-control",
        '[clinic]\nphone = "555\\u001b[31m0100"\n',
        "[clinic] phone",
        "this setting contains a line break or control character; type it on one line.",
    ),
    (
        "name-empty",
        '[clinic]\nname = "   "\n',
        "[clinic] name",
        "this setting is empty; leave it out or give a value.",
    ),
    (
        "name-81",
        f'[clinic]\nname = "{"N" * 81}"\n',
        "[clinic] name",
        "is longer than 80 characters; shorten it.",
    ),
    (
        "name-300",
        f'[clinic]\nname = "{"N" * 300}"\n',
        "[clinic] name",
        "is longer than 80 characters; shorten it.",
    ),
    (
        "address-201",
        f'[clinic]\naddress = "{"A" * 201}"\n',
        "[clinic] address",
        "is longer than 200 characters; shorten it.",
    ),
    (
        "phone-41",
        f'[clinic]\nphone = "{"5" * 41}"\n',
        "[clinic] phone",
        "is longer than 40 characters; shorten it.",
    ),
    (
        "long-with-newline",
        f'[clinic]\nname = "{"N" * 300}\\n"\n',
        "[clinic] name",
        "this setting contains a line break or control character; type it on one line.",
    ),
]


@pytest.mark.parametrize(("text", "where", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_bad_settings_file(runner: CliRunner, tmp_path: Path, text: str, where: str, message: str) -> None:
    """Every bad value stops with exit 4 and one line: the file, the table and key, what is wrong."""
    config = write(tmp_path, text)
    result = plan(runner, "--config", str(config), "--format", "json")
    assert result.exit_code == ConfigError.exit_code, result.output
    assert result.stderr == f"Error: {config}, {where}: {message}\n"
    assert result.stdout == ""


def test_a_bad_value_fails_even_when_the_option_overrides_it(runner: CliRunner, tmp_path: Path) -> None:
    """A mistake in the file is never hidden by an option given on one run."""
    config = write(tmp_path, '[defaults]\nfasting = "noon"\n')
    result = plan(runner, "--config", str(config), "--fasting", "asa")
    assert result.exit_code == ConfigError.exit_code
    assert result.stderr == f'Error: {config}, [defaults] fasting: must be "midnight" or "asa", not "noon".\n'


def test_zone_typo_is_suggested(runner: CliRunner, tmp_path: Path) -> None:
    """A misspelt zone in the settings file is refused in one line with the likely zone suggested."""
    config = write(tmp_path, '[defaults]\ntimezone = "America/Chicgo"\n')
    result = plan(runner, "--config", str(config))
    assert result.exit_code == ConfigError.exit_code
    assert result.stderr.startswith(
        f"Error: {config}, [defaults] timezone: Unknown time zone 'America/Chicgo'. "
        "Did you mean: America/Chicago"
    )
    assert result.stderr.count("\n") == 1


def test_not_toml(runner: CliRunner, tmp_path: Path) -> None:
    """A settings file that is not TOML is refused with the parser's reason and nothing goes to standard
    output."""
    config = write(tmp_path, '[clinic\nname = "X"\n')
    result = plan(runner, "--config", str(config))
    assert result.exit_code == ConfigError.exit_code
    assert re.fullmatch(re.escape(f"Error: {config}: not valid TOML (") + r".+\)\.\n", result.stderr)
    assert result.stdout == ""


def test_not_utf8(runner: CliRunner, tmp_path: Path) -> None:
    """A settings file that is not UTF-8 is refused with the fix (save it as UTF-8) instead of a decoding
    traceback."""
    config = tmp_path / "clinic.toml"
    config.write_bytes('[clinic]\nname = "Müller"\n'.encode("latin-1"))
    result = plan(runner, "--config", str(config))
    assert result.exit_code == ConfigError.exit_code
    assert result.stderr == f"Error: {config}: is not UTF-8 text. Save it as UTF-8.\n"


def test_byte_order_mark_is_accepted(runner: CliRunner, tmp_path: Path) -> None:
    """A UTF-8 byte-order mark, as Windows Notepad writes, does not stop the settings file being read."""
    config = tmp_path / "clinic.toml"
    config.write_bytes(b'\xef\xbb\xbf[clinic]\nname = "BOM Clinic"\n')
    assert plan_json(runner, "--config", str(config))["inputs"]["facility"] == "BOM Clinic"


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    """A --config file that does not exist is refused in one line that names the path and where it came
    from."""
    missing = tmp_path / "nope.toml"
    result = plan(runner, "--config", str(missing))
    assert result.exit_code == ConfigError.exit_code
    assert result.stderr == (
        f"Error: {missing}: no such file. Check the path given with --config or KYPHOPREP_CONFIG.\n"
    )


def test_folder(runner: CliRunner, tmp_path: Path) -> None:
    """A folder given as --config is refused with a hint to give the file itself."""
    result = plan(runner, "--config", str(tmp_path))
    assert result.exit_code == ConfigError.exit_code
    assert result.stderr == (
        f"Error: {tmp_path}: is a folder; give the settings file itself, such as clinic.toml.\n"
    )


def test_huge_file(runner: CliRunner, tmp_path: Path) -> None:
    """A settings file over 64 KiB is refused before it is parsed, since a file that large is surely the
    wrong one."""
    config = write(tmp_path, "#" * (64 * 1024 + 1))
    result = plan(runner, "--config", str(config))
    assert result.exit_code == ConfigError.exit_code
    assert result.stderr == f"Error: {config}: is larger than 64 KiB; is this the right file?\n"


def test_a_file_of_exactly_64_kib_is_read(runner: CliRunner, tmp_path: Path) -> None:
    """The limit is read with the file (at most 64 KiB and one byte), not asked of its size."""
    text = '[clinic]\nname = "Padded"\n'
    config = write(tmp_path, text + "#" * (64 * 1024 - len(text) - 1) + "\n")
    assert config.stat().st_size == 64 * 1024
    assert plan_json(runner, "--config", str(config))["inputs"]["facility"] == "Padded"


def test_a_pipe_is_read_like_a_file(runner: CliRunner, tmp_path: Path) -> None:
    """--config <(command) in a shell is a pipe: read to its end (it has no size to ask)."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs named pipes")
    pipe = tmp_path / "clinic.toml"
    os.mkfifo(pipe)
    feeder = threading.Thread(target=pipe.write_text, args=('[clinic]\nname = "Piped"\n',), daemon=True)
    feeder.start()
    assert plan_json(runner, "--config", str(pipe))["inputs"]["facility"] == "Piped"
    feeder.join(timeout=10)


@pytest.mark.parametrize(("path", "shown"), [("", "empty"), (" ", "only spaces")])
def test_an_empty_config_path_names_the_option(runner: CliRunner, path: str, shown: str) -> None:
    """Path('') is the current folder: --config '' was reported as ': is a folder', naming no file."""
    result = plan(runner, "--config", path)
    assert result.exit_code == ConfigError.exit_code
    assert result.stderr == (
        f"Error: --config is {shown}. Give the clinic's settings file, such as clinic.toml.\n"
    )
    assert result.stdout == ""


def test_a_blank_environment_variable_names_it(runner: CliRunner) -> None:
    """KYPHOPREP_CONFIG set but empty means no settings file; set to spaces, it is named in the error."""
    result = plan(runner, env={"KYPHOPREP_CONFIG": "  "})
    assert result.exit_code == ConfigError.exit_code
    assert result.stderr == (
        "Error: KYPHOPREP_CONFIG is only spaces. Give the clinic's settings file, such as clinic.toml.\n"
    )


@pytest.mark.parametrize(
    "text", ["", "# only a comment\n", "[clinic]\n[defaults]\n"], ids=["empty", "comment", "tables"]
)
def test_empty_file_means_all_built_in_defaults(runner: CliRunner, tmp_path: Path, text: str) -> None:
    """An empty settings file, or one with only comments or empty tables, gives exactly the plan the
    built-in defaults give."""
    config = write(tmp_path, text)
    with_file = plan(runner, "--config", str(config), *MEDICINES, "--format", "json")
    without = plan(runner, *MEDICINES, "--format", "json")
    assert with_file.exit_code == 0, with_file.output
    assert with_file.stdout == without.stdout


# --- the settings folder: clinic.toml found without --config (issue 18) --------------------------

FOUND_CLINIC = '[clinic]\nname = "Found Clinic"\nphone = "555-0199"\n\n[defaults]\nfasting = "asa"\n'


def test_the_settings_folder_file_is_used_and_named(runner: CliRunner, no_user_settings: Path) -> None:
    """$XDG_CONFIG_HOME/kyphoprep/clinic.toml is read when neither --config nor KYPHOPREP_CONFIG is
    given, and stderr names it; --quiet leaves the note out."""
    found = write(no_user_settings / "kyphoprep", FOUND_CLINIC)
    result = plan(runner, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["inputs"]["facility"], data["inputs"]["fasting"]) == ("Found Clinic", "asa")
    assert (
        result.stderr == f"Settings: {found} (the clinic settings file in kyphoprep's settings folder; "
        "--config chooses another).\n"
    )
    quiet = plan(runner, "--format", "json", "--quiet")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    assert json.loads(quiet.stdout)["inputs"]["facility"] == "Found Clinic"


def test_config_and_the_variable_beat_the_settings_folder(
    runner: CliRunner, no_user_settings: Path, tmp_path: Path
) -> None:
    """--config, then KYPHOPREP_CONFIG, win over the settings folder's file, which is then not read
    at all (a broken one there does not matter)."""
    write(no_user_settings / "kyphoprep", "this is not TOML")
    chosen = write(tmp_path / "mine", '[clinic]\nname = "Chosen"\n')
    by_option = plan(runner, "--format", "json", "--config", str(chosen))
    by_variable = plan(runner, "--format", "json", env={"KYPHOPREP_CONFIG": str(chosen)})
    for result in (by_option, by_variable):
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["inputs"]["facility"] == "Chosen"
        assert result.stderr == ""


def test_no_file_in_the_settings_folder_is_no_error(runner: CliRunner, no_user_settings: Path) -> None:
    """Most people have no settings file: an empty (or missing) settings folder changes nothing."""
    result = plan(runner, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout)["inputs"]["facility"] is None


@pytest.mark.parametrize("text", ["fasting = ", '[defaults]\nfastng = "asa"\n'])
def test_a_bad_settings_folder_file_is_the_settings_error(
    runner: CliRunner, no_user_settings: Path, text: str
) -> None:
    """A broken clinic.toml in the settings folder stops with the settings-file error (exit 4) and
    names its path, as a broken --config file does; nothing goes to stdout."""
    found = write(no_user_settings / "kyphoprep", text)
    result = plan(runner, "--format", "json")
    assert result.exit_code == ConfigError.exit_code == 4
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {found}")


def test_batch_reads_the_settings_folder_file_too(
    runner: CliRunner, no_user_settings: Path, tmp_path: Path
) -> None:
    """batch reads the settings folder's file as plan does, and names it unless --quiet."""
    write(no_user_settings / "kyphoprep", FOUND_CLINIC)
    roster = write(tmp_path, "patient_id,when,tz\nP-1,2026-12-03 07:30,America/Chicago\n", "r.csv")
    out = tmp_path / "out"
    args = ["batch", str(roster), "--out", str(out), "--format", "json", "--today", TODAY]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Settings: ")
    assert json.loads((out / "P-1.json").read_text(encoding="utf-8"))["inputs"]["facility"] == "Found Clinic"
    quiet = runner.invoke(app, [*args, "--force", "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""


@pytest.mark.parametrize(
    ("platform", "environ", "home", "expected"),
    [
        ("linux", {"XDG_CONFIG_HOME": "/x/conf"}, "/home/ann", "/x/conf/kyphoprep"),
        ("linux", {}, "/home/ann", "/home/ann/.config/kyphoprep"),
        ("linux", {"XDG_CONFIG_HOME": ""}, "/home/ann", "/home/ann/.config/kyphoprep"),
        (
            "linux",
            {"XDG_CONFIG_HOME": "relative"},
            "/home/ann",
            "/home/ann/.config/kyphoprep",
        ),  # XDG: ignored
        ("freebsd14", {}, "/home/ann", "/home/ann/.config/kyphoprep"),
        (
            "darwin",
            {"XDG_CONFIG_HOME": "/x"},
            "/Users/ann",
            "/Users/ann/Library/Application Support/kyphoprep",
        ),
        (
            "win32",
            {"APPDATA": "C:/Users/ann/AppData/Roaming"},
            "C:/Users/ann",
            "C:/Users/ann/AppData/Roaming/kyphoprep",
        ),
        ("win32", {}, "C:/Users/ann", "C:/Users/ann/AppData/Roaming/kyphoprep"),
        ("linux", {}, None, None),
    ],
)
def test_the_settings_folder_of_each_platform(
    platform: str, environ: dict[str, str], home: str | None, expected: str | None
) -> None:
    """Linux and other Unix: $XDG_CONFIG_HOME (absolute only) else ~/.config; macOS: Application
    Support; Windows: %APPDATA%; no home and no variable: none."""
    from kyphoprep.cli.planning import config_folder

    folder = config_folder(environ, platform, None if home is None else Path(home))
    assert folder == (None if expected is None else Path(expected))
