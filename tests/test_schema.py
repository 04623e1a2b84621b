"""The shipped JSON Schemas describe the JSON output exactly, and reject anything else.

``kyphoprep/schemas/plan.schema.json`` is the contract of ``kyphoprep plan --format json``
and ``kyphoprep/schemas/meds.schema.json`` that of ``kyphoprep meds --json``
(see docs/json-schema.md). After changing a description, rewrite the field reference
in docs/json-schema.md with ``python -m tests.test_schema --write``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.data.catalogue import load_catalogue
from kyphoprep.render.json import SCHEMA_VERSION
from kyphoprep.schemas import SCHEMA_NAMES, schema_text
from tests.conftest import GOLDEN

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "json-schema.md"
# The plan JSON goldens: not the FHIR ones (*.fhir.json, checked against FHIR in tests/test_fhir.py)
# nor the batch's call list (tests/test_batch_nurse.py).
GOLDEN_JSON = sorted(
    path
    for path in GOLDEN.glob("*.json")
    if not path.name.endswith(".fhir.json") and path.name != "batch-report.json"
)
# A clinic's settings file must not leak into these runs.
NO_CONFIG = {"KYPHOPREP_CONFIG": None}


def load_schema(name: str) -> dict[str, Any]:
    """A shipped schema, read the way a clinic script reads it."""
    schema: dict[str, Any] = json.loads(schema_text(name))
    return schema


def validator(name: str) -> Draft202012Validator:
    """A validator that also checks ``format`` where a format checker is installed."""
    return Draft202012Validator(load_schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(name: str, document: object) -> None:
    """Fail with every error (path and message), not only the first."""
    errors = sorted(validator(name).iter_errors(document), key=lambda e: e.json_path)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def _subschemas(node: object) -> Iterator[dict[str, Any]]:
    """Every schema object inside *node*, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _subschemas(value)


# --- (a) the schemas themselves ----------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    """Each schema is valid against the draft 2020-12 metaschema and names itself."""
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/{name}.schema.json")
    assert schema["title"]
    assert schema["description"]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_strict_and_described(name: str) -> None:
    """Every object is closed, lists what is always there as required, and every property is described.

    (The if/then rules between fields only narrow properties declared here, so they have no type.)
    """
    objects = [node for node in _subschemas(load_schema(name)) if node.get("type") == "object"]
    assert objects
    for node in objects:
        properties = node["properties"]
        assert node["additionalProperties"] is False, sorted(properties)
        assert set(node["required"]) <= set(properties)
        for key, value in properties.items():
            assert value.get("description"), f"property {key!r} has no description"


def test_schema_version_matches_the_renderer() -> None:
    """(f) The schema's const is the renderer's SCHEMA_VERSION."""
    assert load_schema("plan")["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_bring_list_medicine_extends_the_step_medicine() -> None:
    """inputs.medicines[] is a step's medicine and three more fields, written out to stay closed."""
    defs = load_schema("plan")["$defs"]
    summary, medicine = defs["medicineSummary"], defs["medicine"]
    assert {k: v for k, v in summary["properties"].items() if k in medicine["properties"]} == medicine[
        "properties"
    ]
    assert set(summary["properties"]) - set(medicine["properties"]) == {
        "what_to_do",
        "last_dose",
        "last_dose_text",
        "counting",
        "name_in_language",
    }
    assert summary["allOf"] == medicine["allOf"]


def test_schema_text_refuses_unknown_names() -> None:
    """Only shipped schemas can be read, by name."""
    with pytest.raises(ValueError, match="unknown schema"):
        schema_text("../pyproject")


# --- (b) every golden file ---------------------------------------------------------------


def test_there_are_golden_json_files() -> None:
    """The parametrized test below is not vacuous."""
    assert GOLDEN_JSON, f"no *.json in {GOLDEN}"


@pytest.mark.parametrize("path", GOLDEN_JSON, ids=lambda path: path.stem)
def test_golden_json_validates(path: Path) -> None:
    """Every golden JSON plan validates against plan.schema.json."""
    assert_valid("plan", json.loads(path.read_text(encoding="utf-8")))


# --- (c) live plans through the CLI ------------------------------------------------------


def _catalogue_meds(form_index: int) -> list[str]:
    """--med values naming the *form_index*-th form of every catalogue entry that has one."""
    values = []
    for entry in load_catalogue().entries:
        if form_index < len(entry.forms):
            form = entry.forms[form_index]
            values.append(f"{entry.generic}:{form.id}" if form.id else entry.generic)
    return values


LIVE_PLANS: dict[str, list[str]] = {
    "example": ["example", "--format", "json", "--today", "2026-11-21", "--tz", "America/Chicago"],
    "outside-the-catalogue": [
        *("plan", "2027-05-12 13:45", "--tz", "Asia/Kolkata", "--today", "2027-05-01"),
        *("--plan-id", "MRN-0042", "--procedure", "vertebroplasty", "--patient", "Ana  María  Pérez"),
        *("--med", "other:Zarelto=3 days", "--med", "Tylenol", "--med", "co-codamol=continue"),
        *("--med", "heparin:iv", "--med", "dabigatran", "--crcl", "80", "--format", "json"),
    ],
    "clinic-options": [
        *("plan", "2027-01-14 10:15", "--tz", "America/Chicago", "--today", "2027-01-02"),
        *("--facility", "Lakeside Spine Center", "--address", "100 Main St, Springfield"),
        *("--fasting", "asa", "--reminder-minutes", "0", "--discreet-titles", "--lang", "en"),
        *("--arrive-minutes", "360", "--med", "Ozempic", "--med", "Lantus", "--format", "json"),
    ],
    "too-late-hours": [
        *("plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-12-02T20:00"),
        *("--med", "enoxaparin=24 hours", "--med", "Rybelsus", "--format", "json"),
    ],
}
for _index in range(max(len(entry.forms) for entry in load_catalogue().entries)):
    LIVE_PLANS[f"catalogue-form-{_index + 1}"] = [
        *("plan", "2027-03-18 08:00", "--tz", "America/Denver", "--today", "2027-02-20"),
        *[arg for med in _catalogue_meds(_index) for arg in ("--med", med)],
        *("--format", "json"),
    ]


@pytest.mark.parametrize("name", sorted(LIVE_PLANS))
def test_live_plan_validates(runner: CliRunner, name: str) -> None:
    """Plans made now through the CLI (every catalogue form, outside names, warnings) validate."""
    result = runner.invoke(app, LIVE_PLANS[name], env=NO_CONFIG)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["inputs"]["medicines"]
    assert_valid("plan", document)


# --- (d) kyphoprep meds --json -----------------------------------------------------------


@pytest.mark.parametrize("query", [[], ["Eliquis"], ["enoxaparin"], ["insulin"], ["nsaid"]])
def test_meds_json_validates(runner: CliRunner, query: list[str]) -> None:
    """kyphoprep meds --json validates against meds.schema.json, for all entries and for a search."""
    result = runner.invoke(app, ["meds", *query, "--json"], env=NO_CONFIG)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document
    if not query:
        assert len(document) == len(load_catalogue().entries)
    assert_valid("meds", document)


# --- (e) the schema bites ----------------------------------------------------------------

Mutation = Callable[[Any], None]


def _set(path: str, value: object) -> Mutation:
    """Set the value at a '/'-separated *path* (list indexes are numbers)."""

    def mutate(document: Any) -> None:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split("/")]
        node: Any = document
        for part in parents:
            node = node[part]
        node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(document: Any) -> None:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split("/")]
        node: Any = document
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


# (mutation, the keyword that must fail, the path of the failing instance)
BAD_PLANS: dict[str, tuple[Mutation, str, str]] = {
    "missing-top-level-key": (_delete("notice"), "required", ""),
    "missing-input": (_delete("inputs/timezone"), "required", "inputs"),
    "missing-step-key": (_delete("steps/0/timing"), "required", "steps/0"),
    "missing-medicine-key": (_delete("inputs/medicines/0/hold_source"), "required", "inputs/medicines/0"),
    "extra-top-level-key": (_set("colour", "red"), "additionalProperties", ""),
    "extra-step-key": (_set("steps/0/priority", 1), "additionalProperties", "steps/0"),
    "extra-hold-key": (
        _set("inputs/medicines/0/hold/doses", 2),
        "additionalProperties",
        "inputs/medicines/0/hold",
    ),
    "extra-warning-sign-key": (_set("warning_signs/urgent", []), "additionalProperties", "warning_signs"),
    "wrong-type-integer": (_set("inputs/arrive_minutes", "90"), "type", "inputs/arrive_minutes"),
    "wrong-type-boolean": (_set("steps/0/past", "no"), "type", "steps/0/past"),
    "wrong-type-not-null": (_set("procedure/name", None), "type", "procedure/name"),
    "wrong-type-list": (_set("steps/0/items", "Photo ID"), "type", "steps/0/items"),
    "bad-category": (_set("steps/0/category", "homework"), "enum", "steps/0/category"),
    "bad-action": (_set("inputs/medicines/0/action", "pause"), "enum", "inputs/medicines/0/action"),
    "bad-hold-source": (
        _set("inputs/medicines/0/hold_source", "nurse"),
        "enum",
        "inputs/medicines/0/hold_source",
    ),
    "bad-unit": (_set("inputs/medicines/0/hold/unit", "weeks"), "enum", "inputs/medicines/0/hold/unit"),
    "bad-grade": (_set("inputs/medicines/0/grade", "E"), "enum", "inputs/medicines/0/grade"),
    "bad-warning-code": (
        _set("warnings", [{"code": "oops", "message": "x", "step_id": None}]),
        "enum",
        "warnings/0/code",
    ),
    "time-without-offset": (_set("procedure/start", "2027-03-18T08:00:00"), "pattern", "procedure/start"),
    "time-in-utc-z": (_set("inputs/when", "2027-03-18T14:00:00Z"), "pattern", "inputs/when"),
    "date-only": (_set("inputs/today", "2027-03-01"), "pattern", "inputs/today"),
    "bad-clock": (_set("steps/0/timing/at", "25:00"), "pattern", "steps/0/timing/at"),
    "other-schema-version": (_set("schema_version", SCHEMA_VERSION + 1), "const", "schema_version"),
    "hold-too-long": (
        _set("inputs/medicines/0/hold/amount", 61),
        "maximum",
        "inputs/medicines/0/hold/amount",
    ),
    "unknown-timing-rule": (_set("steps/0/timing/rule", "whenever"), "const", "steps/0/timing/rule"),
    "empty-title": (_set("steps/0/title", ""), "minLength", "steps/0/title"),
    "control-character-in-name": (_set("inputs/patient", "Lou\nPark"), "pattern", "inputs/patient"),
    "unconfirmed-doctor-hold": (
        _set("inputs/medicines/2/unconfirmed", True),
        "const",
        "inputs/medicines/2/hold_source",
    ),
}


def _errors(document: object) -> Iterator[ValidationError]:
    """Every error, including those inside anyOf/oneOf branches."""
    pending = list(validator("plan").iter_errors(document))
    while pending:
        error = pending.pop()
        yield error
        pending += error.context or []


@pytest.mark.parametrize("case", sorted(BAD_PLANS))
def test_schema_rejects_a_broken_plan(case: str) -> None:
    """A golden plan with a key removed or added, a wrong type, enum value or time fails, where expected."""
    mutate, keyword, where = BAD_PLANS[case]
    document = json.loads((GOLDEN / "catalogue-mix.json").read_text(encoding="utf-8"))
    assert_valid("plan", document)  # the starting point is good, and has what the cases change:
    medicines = document["inputs"]["medicines"]
    assert medicines[0]["hold"]["unit"] == "days", "medicines/0 should be a catalogue hold in days"
    assert medicines[2]["hold_source"] == "doctor", "medicines/2 should be the doctor's"
    assert document["steps"][0]["timing"]["rule"] == "days-before", "steps/0 should be at a clock time"
    broken = copy.deepcopy(document)
    mutate(broken)
    assert not validator("plan").is_valid(broken)
    found = {(e.validator, "/".join(map(str, e.absolute_path))) for e in _errors(broken)}
    assert (keyword, where) in found, sorted(found)


BAD_MEDS: dict[str, tuple[Mutation, str, str]] = {
    "missing-key": (_delete("0/forms/0/grade"), "required", "0/forms/0"),
    "extra-key": (_set("0/forms/0/dose", "5 mg"), "additionalProperties", "0/forms/0"),
    "wrong-type": (_set("0/blood_thinner", "yes"), "type", "0/blood_thinner"),
    "bad-action": (_set("0/forms/0/action", "ask-care-team"), "enum", "0/forms/0/action"),
    "grade-and-unconfirmed-disagree": (
        _set("0/forms/0/unconfirmed", False),
        "const",
        "0/forms/0/unconfirmed",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_MEDS))
def test_meds_schema_rejects_broken_entries(runner: CliRunner, case: str) -> None:
    """meds.schema.json is as strict as the plan's."""
    result = runner.invoke(app, ["meds", "Eliquis", "--json"], env=NO_CONFIG)
    document = json.loads(result.stdout)
    assert document[0]["forms"][0]["grade"] == "C"  # so the last case contradicts it
    mutate, keyword, where = BAD_MEDS[case]
    mutate(document)
    errors = list(validator("meds").iter_errors(document))
    found = {(e.validator, "/".join(map(str, e.absolute_path))) for e in errors}
    assert (keyword, where) in found, sorted(found)


# --- the field reference in docs/json-schema.md ------------------------------------------

SCALAR_DEFS = {"isoTime": "time", "utcTime": "UTC time", "oneLine": "text"}
"""$defs that are strings with a pattern, named as the docs name them."""


def _def_name(prop: dict[str, Any]) -> str | None:
    ref = prop.get("$ref")
    return None if ref is None else str(ref).rsplit("/", 1)[1]


def _type_of(prop: dict[str, Any]) -> str:
    """A short type for the table: `step`, list of `source`, time or null, `A` | `B`."""
    name = _def_name(prop)
    if name is not None:
        return SCALAR_DEFS.get(name, f"`{name}`")
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    if "anyOf" in prop:
        return " or ".join(_type_of(branch) for branch in prop["anyOf"])
    if "enum" in prop:
        return " \\| ".join("null" if value is None else f"`{value}`" for value in prop["enum"])
    kinds = prop.get("type", "object")
    if kinds == "array":
        return f"list of {_type_of(prop['items'])}"
    return " or ".join(kinds) if isinstance(kinds, list) else str(kinds)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rows(node: dict[str, Any], prefix: str, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """A row for each property of *node*, and of the objects written inline in it."""
    for key, prop in node["properties"].items():
        if key in skip:
            continue
        yield f"| `{prefix}{key}` | {_type_of(prop)} | {_cell(prop['description'])} |"
        inline = prop if prop.get("type") == "object" else prop.get("items", {})
        if inline.get("type") == "object":
            suffix = "." if inline is prop else "[]."
            yield from _rows(inline, f"{prefix}{key}{suffix}")


def reference_table(name: str) -> str:
    """The Markdown table of every field of schema *name*, from its descriptions.

    Fields written inline come first, by their path; then each object of $defs once,
    by its name (a type in backticks names one of them).
    """
    schema = load_schema(name)
    lines = ["| field | type | meaning |", "|---|---|---|"]
    if "properties" in schema:
        lines += _rows(schema, "")
    else:
        lines.append(f"| (top level) | {_type_of(schema)} | {_cell(schema['description'])} |")
    defs: dict[str, dict[str, Any]] = schema["$defs"]
    for def_name, node in defs.items():
        if "properties" in node:
            shared: frozenset[str] = frozenset()
            if def_name == "medicineSummary":
                shared = frozenset(defs["medicine"]["properties"])
                lines.append(f"| `{def_name}` | | every field of `medicine`, and: |")
            lines += _rows(node, f"{def_name}.", shared)
        elif "oneOf" in node:
            for variant in node["oneOf"]:
                rule = variant["properties"]["rule"]["const"]
                fields = {key: prop for key, prop in variant["properties"].items() if key != "rule"}
                meaning = " ".join(
                    [
                        _cell(variant["description"]),
                        *(f"`{k}`: {_cell(v['description'])}" for k, v in fields.items()),
                    ]
                )
                names = ", ".join(f"`{key}`" for key in fields) or "—"
                lines.append(f"| `{def_name}` `{rule}` | {names} | {meaning} |")
        elif def_name in SCALAR_DEFS:
            lines.append(f"| {SCALAR_DEFS[def_name]} | {node['type']} | {_cell(node['description'])} |")
    return "\n".join(lines)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_docs_field_reference_is_current(name: str) -> None:
    """docs/json-schema.md carries the field table generated from the schema's descriptions."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- fields:{name} -->\n(.*?)\n<!-- /fields:{name} -->", text, re.DOTALL)
    assert match, f"no <!-- fields:{name} --> block in {DOC}"
    assert match.group(1) == reference_table(name), "stale table: run python -m tests.test_schema --write"


def _block(name: str) -> str:
    return f"<!-- fields:{name} -->\n{reference_table(name)}\n<!-- /fields:{name} -->"


if __name__ == "__main__":
    # python -m tests.test_schema          print the tables
    # python -m tests.test_schema --write  rewrite them in docs/json-schema.md
    import sys

    if sys.argv[1:] == ["--write"]:
        text = DOC.read_text(encoding="utf-8")
        for _name in SCHEMA_NAMES:
            pattern = rf"<!-- fields:{_name} -->\n.*?\n<!-- /fields:{_name} -->"
            literal = _block(_name).replace("\\", "\\\\")  # a replacement string reads backslashes
            text = re.sub(pattern, literal, text, flags=re.DOTALL)
        DOC.write_text(text, encoding="utf-8")
    else:
        print("\n\n".join(_block(_name) for _name in SCHEMA_NAMES))


@pytest.mark.parametrize("name", ["plan", "meds"])
def test_schema_command_prints_the_shipped_schema(runner: CliRunner, name: str) -> None:
    """`kyphoprep schema NAME` prints exactly the file that ships in the package."""
    from kyphoprep.schemas import schema_text

    result = runner.invoke(app, ["schema", name])
    assert result.exit_code == 0
    assert result.stdout == schema_text(name)
    assert json.loads(result.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_command_refuses_an_unknown_name(runner: CliRunner) -> None:
    """``kyphoprep schema`` with a name it has no schema for exits 2 and lists the names it has."""
    result = runner.invoke(app, ["schema", "roster"])
    assert result.exit_code == 2
    assert "'roster' is not one of 'plan', 'meds'" in result.stderr
