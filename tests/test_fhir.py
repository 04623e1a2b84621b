"""FHIR R4 output: ``plan --format fhir`` (a CarePlan), ``protocols show --format fhir`` (a PlanDefinition).

Every resource is validated with the R4 models (``tests/fhir_tools.py``) and compared with
what the kyphoprep JSON of the same plan says, so the FHIR renderer only draws. The golden
CarePlans are kept by ``tests/test_golden.py`` (format ``fhir``); the PlanDefinition's golden
and the examples in docs/ are checked here.
"""

from __future__ import annotations

import copy
import json
import shlex
import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.core.models import (
    AfterProcedure,
    Arrival,
    BeforeProcedure,
    DaysAfter,
    DaysBefore,
    MidnightBefore,
    ProcedureStart,
    TimingRule,
)
from kyphoprep.data.protocols import builtin_protocol_names
from kyphoprep.render import OutputFormat, RenderOptions, format_for_file, renderer_for
from kyphoprep.render.fhir import (
    ARRIVAL_ACTION,
    CLOCK_EXTENSION,
    PROCEDURE_ACTION,
    PROCEDURE_DAY_ACTION,
    STEP_SYSTEM,
    related_action,
)
from tests.conftest import Golden
from tests.fhir_tools import assert_valid_r4, rule_problems
from tests.plan_model import planned
from tests.scenarios import SCENARIOS
from tests.test_properties import Case, case_request, cases

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "fhir.md"
EXAMPLES = ROOT / "docs" / "examples"
SACROPLASTY = str(EXAMPLES / "sacroplasty.toml")
DOC_COMMANDS: dict[str, list[str]] = {
    "careplan.json": [
        "plan",
        "2026-12-03 07:30",
        "--tz",
        "America/Chicago",
        "--today",
        "2026-11-21",
        "--patient",
        "Ann Lee",
        "--med",
        "warfarin=5d",
        "--format",
        "fhir",
    ],
    "planDefinition.json": ["protocols", "show", "kyphoplasty", "--format", "fhir"],
}
"""The command that writes each example in docs/examples/, as docs/fhir.md shows it."""
PLAN_DEFINITION_GOLDEN = "kyphoplasty.plandefinition.fhir.json"


def run(runner: CliRunner, args: list[str]) -> dict[str, Any]:
    """The JSON document a kyphoprep command writes to stdout."""
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def utc(text: str) -> datetime:
    """An ISO 8601 time with its offset, as a UTC instant."""
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, text
    return moment.astimezone(UTC)


def check_care_plan_draws_the_plan(care_plan: dict[str, Any], data: dict[str, Any]) -> None:
    """*care_plan* says what the kyphoprep JSON *data* of the same plan says, step by step."""
    assert care_plan["status"] == "active"
    assert care_plan["intent"] == "plan"
    assert care_plan["identifier"][0]["value"] == data["plan_id"]
    assert care_plan["language"] == data["inputs"]["language"]
    assert care_plan["subject"].get("display") == data["inputs"]["patient"]
    steps = data["steps"]
    activities = [activity["detail"] for activity in care_plan["activity"]]
    assert [a["code"]["coding"][0]["code"] for a in activities] == [s["id"] for s in steps]
    for detail, step in zip(activities, steps, strict=True):
        assert detail["code"]["coding"][0]["system"] == STEP_SYSTEM
        assert detail["code"]["text"] == step["title"]
        assert detail["scheduledPeriod"] == {"start": step["start"], "end": step["end"]}
        assert detail["status"] == ("unknown" if step["past"] else "not-started")
        assert detail.get("description", "").startswith(step["detail"])
        medicine = step.get("medicine") if step["dose"] is not None else None
        product = detail.get("productCodeableConcept")
        assert (product is None) == (medicine is None), step["id"]
        if medicine is not None:
            assert product == {
                "text": next(
                    m["name_in_language"]
                    for m in data["inputs"]["medicines"]
                    if m["name"] == medicine["name"]
                )
            }
    starts = [utc(s["start"]) for s in steps]
    ends = [utc(s["end"]) for s in steps] + [utc(data["procedure"]["end"])]
    assert utc(care_plan["period"]["start"]) == min(starts)
    assert utc(care_plan["period"]["end"]) == max(ends)
    notes = [note["text"] for note in care_plan["note"]]
    assert notes[: len(data["warnings"])] == [w["message"] for w in data["warnings"]]
    assert notes[len(data["warnings"])] == data["notice"]
    cited = {source["key"] for step in steps for source in step["source"]}
    assert {note.split("]")[0][1:] for note in notes if note.startswith("[")} == cited


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_golden_scenario_is_a_valid_care_plan(runner: CliRunner, scenario: str) -> None:
    """Each golden scenario's CarePlan is valid R4 and holds the JSON plan's steps, times and status."""
    care_plan = run(runner, [*SCENARIOS[scenario], "--format", "fhir"])
    assert_valid_r4(care_plan)
    check_care_plan_draws_the_plan(care_plan, run(runner, [*SCENARIOS[scenario], "--format", "json"]))


def test_a_step_already_past_is_unknown_not_completed(runner: CliRunner) -> None:
    """A plan made late has steps whose time had passed: status "unknown" (kyphoprep cannot know
    whether they were done), the rest "not-started"; the too-late warning is the first note."""
    care_plan = run(runner, [*SCENARIOS["too-late"], "--format", "fhir"])
    assert_valid_r4(care_plan)
    statuses = {
        a["detail"]["code"]["coding"][0]["code"]: a["detail"]["status"] for a in care_plan["activity"]
    }
    assert statuses["checkup-visit"] == "unknown"
    assert statuses["procedure"] == "not-started"
    assert set(statuses.values()) == {"unknown", "not-started"}
    assert care_plan["note"][0]["text"].startswith("TOO LATE TO STOP WARFARIN ON TIME")


def test_a_spanish_plan_is_a_spanish_care_plan(runner: CliRunner) -> None:
    """``--lang es``: the resource's language, its title, its steps and its medicines are Spanish."""
    care_plan = run(runner, [*SCENARIOS["spanish-los-angeles"], "--format", "fhir"])
    assert_valid_r4(care_plan)
    assert care_plan["language"] == "es"
    assert care_plan["title"] == "Su plan para la cifoplastia"
    products = {
        a["detail"]["productCodeableConcept"]["text"]
        for a in care_plan["activity"]
        if "productCodeableConcept" in a["detail"]
    }
    assert "warfarina" in products
    assert care_plan["subject"] == {"type": "Patient", "display": "María Gómez"}


def test_without_a_patient_the_subject_is_an_unnamed_patient(runner: CliRunner) -> None:
    """R4 requires a subject: with no --patient it is a Patient reference with no name in it."""
    args = ["plan", "2026-12-03 07:30", "--tz", "UTC", "--today", "2026-11-21", "--format", "fhir"]
    care_plan = run(runner, args)
    assert_valid_r4(care_plan)
    assert care_plan["subject"] == {"type": "Patient"}


def test_the_care_plan_cites_its_plan_definition(runner: CliRunner) -> None:
    """The CarePlan's instantiatesCanonical is the PlanDefinition's url and version."""
    care_plan = run(runner, [*SCENARIOS["eu-berlin"], "--format", "fhir"])
    definition = run(runner, ["protocols", "show", "vertebroplasty", "--format", "fhir"])
    assert care_plan["instantiatesCanonical"] == [f"{definition['url']}|{definition['version']}"]


def test_ids_come_from_the_plan_identity_not_the_date(runner: CliRunner) -> None:
    """The same person and protocol keep the CarePlan's id when the date moves (like the UIDs)."""
    first = run(runner, [*SCENARIOS["us-chicago"], "--format", "fhir"])
    moved = [*SCENARIOS["us-chicago"], "--format", "fhir"]
    moved[moved.index("2026-12-03 07:30")] = "2026-12-04 09:00"
    second = run(runner, moved)
    assert first["id"] == second["id"]
    assert first["activity"] != second["activity"]
    other = [*SCENARIOS["us-chicago"], "--format", "fhir"]
    other[other.index("Ann Lee")] = "Bea Lee"
    assert run(runner, other)["id"] != first["id"]


@given(cases())
def test_any_plan_is_a_valid_care_plan(case: Case) -> None:
    """Any zone, time (near daylight-saving changes too), medicines, protocol, fasting rule and
    language gives a valid R4 CarePlan whose activities are the plan's steps at the same instants."""
    plan = planned(case_request(case))
    care_plan = json.loads(renderer_for(OutputFormat.FHIR).render(plan, RenderOptions()))
    assert_valid_r4(care_plan)
    details = [activity["detail"] for activity in care_plan["activity"]]
    assert len(details) == len(plan.steps)
    for detail, step in zip(details, plan.steps, strict=True):
        assert detail["code"]["coding"][0]["code"] == step.id
        assert utc(detail["scheduledPeriod"]["start"]) == step.start.astimezone(UTC)
        assert utc(detail["scheduledPeriod"]["end"]) == step.end.astimezone(UTC)


# --- PlanDefinition ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*builtin_protocol_names(), SACROPLASTY])
def test_every_protocol_is_a_valid_plan_definition(runner: CliRunner, name: str) -> None:
    """Both built-in protocols and a clinic's own file are valid R4 PlanDefinitions: a clinical
    protocol, the three anchor actions and then one action per step, each timed from an anchor."""
    definition = run(runner, ["protocols", "show", name, "--format", "fhir"])
    assert_valid_r4(definition)
    protocol = run(runner, ["protocols", "show", name, "--json"])
    assert definition["type"]["coding"][0]["code"] == "clinical-protocol"
    assert definition["status"] == "active"
    anchors = [PROCEDURE_ACTION, ARRIVAL_ACTION, PROCEDURE_DAY_ACTION]
    actions = definition["action"]
    assert [a["id"] for a in actions] == [*anchors, *(s["id"] for s in protocol["steps"])]
    for action, step in zip(actions[3:], protocol["steps"], strict=True):
        assert action["title"] == step["title"]
        assert action["code"][0]["coding"][0] == {
            "system": STEP_SYSTEM,
            "code": step["id"],
            "display": step["title"],
        }
        assert [d["label"] for d in action["documentation"]] == [s["key"] for s in step["sources"]]
        (related,) = action["relatedAction"]
        assert related["actionId"] in anchors
        assert ("condition" in action) == (step["fasting"] is not None)
        assert ("timingDuration" in action) == (step["until"] is None)


UCUM = "http://unitsofmeasure.org"
RULES: list[tuple[TimingRule, dict[str, Any]]] = [
    (
        DaysBefore(7, time(9, 0)),
        {
            "extension": [{"url": CLOCK_EXTENSION, "valueTime": "09:00:00"}],
            "actionId": PROCEDURE_DAY_ACTION,
            "relationship": "before-start",
            "offsetDuration": {"value": 7, "unit": "days", "system": UCUM, "code": "d"},
        },
    ),
    (
        DaysBefore(0, time(6, 30)),
        {
            "extension": [{"url": CLOCK_EXTENSION, "valueTime": "06:30:00"}],
            "actionId": PROCEDURE_DAY_ACTION,
            "relationship": "concurrent-with-start",
        },
    ),
    (
        DaysAfter(42, time(9, 0)),
        {
            "extension": [{"url": CLOCK_EXTENSION, "valueTime": "09:00:00"}],
            "actionId": PROCEDURE_DAY_ACTION,
            "relationship": "after-start",
            "offsetDuration": {"value": 42, "unit": "days", "system": UCUM, "code": "d"},
        },
    ),
    (MidnightBefore(), {"actionId": PROCEDURE_DAY_ACTION, "relationship": "concurrent-with-start"}),
    (
        BeforeProcedure(480),
        {
            "actionId": PROCEDURE_ACTION,
            "relationship": "before-start",
            "offsetDuration": {"value": 8, "unit": "hours", "system": UCUM, "code": "h"},
        },
    ),
    (BeforeProcedure(0), {"actionId": PROCEDURE_ACTION, "relationship": "concurrent-with-start"}),
    (ProcedureStart(), {"actionId": PROCEDURE_ACTION, "relationship": "concurrent-with-start"}),
    (AfterProcedure(0), {"actionId": PROCEDURE_ACTION, "relationship": "concurrent-with-end"}),
    (
        AfterProcedure(1440),
        {
            "actionId": PROCEDURE_ACTION,
            "relationship": "after-end",
            "offsetDuration": {"value": 24, "unit": "hours", "system": UCUM, "code": "h"},
        },
    ),
    (Arrival(0), {"actionId": ARRIVAL_ACTION, "relationship": "concurrent-with-start"}),
    (
        Arrival(-45),
        {
            "actionId": ARRIVAL_ACTION,
            "relationship": "before-start",
            "offsetDuration": {"value": 45, "unit": "minutes", "system": UCUM, "code": "min"},
        },
    ),
    (
        Arrival(10),
        {
            "actionId": ARRIVAL_ACTION,
            "relationship": "after-start",
            "offsetDuration": {"value": 10, "unit": "minutes", "system": UCUM, "code": "min"},
        },
    ),
]


@pytest.mark.parametrize(("rule", "expected"), RULES, ids=lambda value: repr(value)[:40])
def test_each_timing_rule_is_a_related_action(rule: TimingRule, expected: dict[str, Any]) -> None:
    """Elapsed rules are offsets from the procedure or the arrival (hours or minutes); calendar-day
    rules count days from the procedure day's start, with the local clock time in an extension."""
    assert related_action(rule) == expected


def test_plan_definition_matches_its_golden(runner: CliRunner, golden: Golden) -> None:
    """The kyphoplasty PlanDefinition is byte for byte its golden file."""
    result = runner.invoke(app, ["protocols", "show", "kyphoplasty", "--format", "fhir"])
    assert result.exit_code == 0, result.output
    golden.check(PLAN_DEFINITION_GOLDEN, result.stdout_bytes)


def test_json_and_another_format_are_refused_together(runner: CliRunner) -> None:
    """``protocols show --json --format fhir`` is a usage error (exit 2), not a guess."""
    result = runner.invoke(app, ["protocols", "show", "kyphoplasty", "--json", "--format", "fhir"])
    assert result.exit_code == 2
    assert "--json and --format fhir ask for two formats" in result.stderr
    same = runner.invoke(app, ["protocols", "show", "kyphoplasty", "--json", "--format", "json"])
    assert same.exit_code == 0, same.output
    assert same.stdout == runner.invoke(app, ["protocols", "show", "kyphoplasty", "--json"]).stdout


# --- the command line ----------------------------------------------------------------------------


def test_file_names_pick_fhir_only_for_fhir_json(runner: CliRunner, tmp_path: Path) -> None:
    """``-o plan.fhir.json`` writes the CarePlan; ``-o plan.json`` is still kyphoprep's own JSON."""
    assert format_for_file("plan.fhir.json") is OutputFormat.FHIR
    assert format_for_file("PLAN.FHIR.JSON") is OutputFormat.FHIR
    assert format_for_file("plan.json") is OutputFormat.JSON
    for name, kind in (("plan.fhir.json", "CarePlan"), ("plan.json", None)):
        result = runner.invoke(app, [*SCENARIOS["us-chicago"], "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        document = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        assert document.get("resourceType") == kind


def test_plan_help_lists_the_fhir_format(runner: CliRunner) -> None:
    """``plan --help`` names the format and what it is (both come from FORMATS)."""
    result = runner.invoke(app, ["plan", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "fhir (a FHIR R4 CarePlan, for health records (JSON))" in " ".join(result.stdout.split())


def test_batch_writes_a_care_plan_per_row(runner: CliRunner, tmp_path: Path) -> None:
    """``batch --format fhir`` writes ``<patient_id>.fhir.json``, each a valid CarePlan."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "patient_id,name,when,tz,procedure,meds\n"
        "P-1,Ann Lee,2026-12-03 07:30,America/Chicago,kyphoplasty,warfarin=5d\n"
        "P-2,Bob Ray,2026-12-03 09:00,America/Chicago,vertebroplasty,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["batch", str(roster), "--out", str(out), "--format", "fhir", "--today", "2026-11-21"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.json") if not p.name.startswith(".")) == [
        "P-1.fhir.json",
        "P-2.fhir.json",
    ]
    # The batch's own record of what it wrote (``.kyphoprep-batch.json``) is not a FHIR resource.
    for path in out.glob("*.fhir.json"):
        assert_valid_r4(json.loads(path.read_text(encoding="utf-8")))


# --- the checks themselves -----------------------------------------------------------------------


def test_the_validator_refuses_what_r4_forbids(runner: CliRunner) -> None:
    """Each mistake is caught: an unknown element, a missing required one, a time without its
    offset, a code outside a required value set, an empty text, a non-UCUM duration."""
    good = run(runner, [*SCENARIOS["us-chicago"], "--format", "fhir"])
    assert_valid_r4(good)
    definition = run(runner, ["protocols", "show", "kyphoplasty", "--format", "fhir"])
    assert_valid_r4(definition)

    def broken(document: dict[str, Any], path: list[str | int], value: object) -> dict[str, Any]:
        copied = copy.deepcopy(document)
        node: Any = copied
        for key in path[:-1]:
            node = node[key]
        if value is None:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return copied

    mistakes = [
        broken(good, ["activity", 0, "detail", "identifier"], "checkup-visit"),
        broken(good, ["subject"], None),
        broken(good, ["activity", 0, "detail", "scheduledPeriod", "start"], "2026-11-26T09:00:00"),
        broken(good, ["activity", 0, "detail", "status"], "done"),
        broken(good, ["intent"], "instruction"),
        broken(good, ["title"], ""),
        broken(definition, ["action", 1, "relatedAction", 0, "relationship"], "before-arrival"),
        broken(definition, ["action", 1, "relatedAction", 0, "offsetDuration", "code"], "minutes"),
        broken(definition, ["name"], "kyphoplasty protocol"),
    ]
    for mistake in mistakes:
        with pytest.raises(AssertionError):
            assert_valid_r4(mistake)
    assert rule_problems(good) == []


def test_docs_examples_are_what_the_tool_writes_now(
    runner: CliRunner, request: pytest.FixtureRequest
) -> None:
    """docs/examples/careplan.json and planDefinition.json are today's output of the commands
    docs/fhir.md shows (``pytest --update-golden`` rewrites them too)."""
    text = DOC.read_text(encoding="utf-8")
    for name, args in DOC_COMMANDS.items():
        command = f"kyphoprep {shlex.join(args)}"
        assert command in " ".join(text.replace("\\\n", " ").split()), (
            f"docs/fhir.md does not show: {command}"
        )
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        path = EXAMPLES / name
        if request.config.getoption("--update-golden"):
            path.write_bytes(result.stdout_bytes)
        assert path.read_bytes() == result.stdout_bytes, f"{path} is out of date: pytest --update-golden"
        assert_valid_r4(json.loads(path.read_text(encoding="utf-8")))


def test_the_fhir_renderer_is_imported_only_when_asked_for() -> None:
    """Start-up: loading the command line imports neither the FHIR renderer nor the calendar's
    module it uses (``protocols show --format fhir`` imports them when run)."""
    code = (
        "import sys, kyphoprep.cli.app; "
        "print(sorted(m for m in sys.modules if m in ('kyphoprep.render.fhir', 'kyphoprep.render.calendar')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"
