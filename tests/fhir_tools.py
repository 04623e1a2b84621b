"""Check a resource against FHIR R4 (4.0.1): the R4 models of ``fhirclient``, and the rules they skip.

Why fhirclient: its models are generated from FHIR 4.0.1 (``careplan.py`` says "Generated from
FHIR 4.0.1-9346c8cc45"); it refuses unknown elements, missing required ones, wrong types, a
list where one value belongs and a date or time that is not FHIR's ``dateTime`` (an offset is
required with a time). fhir.resources cannot be used: the versions with R4 models (6.4.0 and
earlier; 6.5.0 is already R4B, 4.3.0, and 7 and 8 are R5 with R4B and STU3 beside it) are built
on pydantic 1, and typer needs pydantic 2.

fhirclient does not check codes against the value sets of required bindings, the lexical form
of ``code`` and ``id``, or that no value is empty; :func:`rule_problems` does, for the elements
kyphoprep writes. The sets are copied from the R4 specification (hl7.org/fhir/R4/valueset-*.html).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from fhirclient.models.careplan import CarePlan
from fhirclient.models.fhirabstractbase import FHIRValidationError
from fhirclient.models.plandefinition import PlanDefinition

MODELS: dict[str, Any] = {"CarePlan": CarePlan, "PlanDefinition": PlanDefinition}

_ARTIFACT_TYPES = frozenset(
    [
        "documentation",
        "justification",
        "citation",
        "predecessor",
        "successor",
        "derived-from",
        "depends-on",
        "composed-of",
    ]
)
REQUIRED_CODES: dict[str, frozenset[str]] = {
    # request-status
    "CarePlan.status": frozenset(
        ["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"]
    ),
    # care-plan-intent
    "CarePlan.intent": frozenset(["proposal", "plan", "order", "option"]),
    # care-plan-activity-status
    "CarePlan.activity.detail.status": frozenset(
        [
            "not-started",
            "scheduled",
            "in-progress",
            "on-hold",
            "completed",
            "cancelled",
            "stopped",
            "unknown",
            "entered-in-error",
        ]
    ),
    # publication-status
    "PlanDefinition.status": frozenset(["draft", "active", "retired", "unknown"]),
    # action-relationship-type
    "PlanDefinition.action.relatedAction.relationship": frozenset(
        [
            "before-start",
            "before",
            "before-end",
            "concurrent-with-start",
            "concurrent",
            "concurrent-with-end",
            "after-start",
            "after",
            "after-end",
        ]
    ),
    # action-condition-kind
    "PlanDefinition.action.condition.kind": frozenset(["applicability", "start", "stop"]),
    # related-artifact-type
    "PlanDefinition.relatedArtifact.type": _ARTIFACT_TYPES,
    "PlanDefinition.action.documentation.type": _ARTIFACT_TYPES,
}
"""Elements bound to a value set with strength "required", and that value set's codes."""

CODE = re.compile(r"[^\s]+( [^\s]+)*")
ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
NAME = re.compile(r"[A-Z]([A-Za-z0-9_]){0,254}")  # PlanDefinition's pdf-0
UCUM = "http://unitsofmeasure.org"
TIME_UNITS = frozenset({"ms", "s", "min", "h", "d", "wk", "mo", "a"})
DURATIONS = ("offsetDuration", "timingDuration")


def _walk(node: object, path: str) -> Iterator[tuple[str, object]]:
    """Every (path, value) below *node*; list indexes are left out of the path, as in FHIR's paths."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, path)


def rule_problems(resource: dict[str, Any]) -> list[str]:
    """What the R4 specification forbids in *resource* that fhirclient lets through."""
    problems = []
    root = str(resource.get("resourceType"))
    if not ID.fullmatch(str(resource.get("id", ""))):
        problems.append(f"{root}.id: {resource.get('id')!r} is not a FHIR id")
    for path, value in _walk(resource, root):
        if value in ("", [], {}, None):
            problems.append(f"{path}: empty values are not allowed in FHIR JSON")
        if path in REQUIRED_CODES and value not in REQUIRED_CODES[path]:
            problems.append(f"{path}: {value!r} is not in the required value set")
        leaf = path.rsplit(".", 1)[-1]
        if (
            leaf in ("status", "intent", "relationship", "kind", "code", "language")
            and isinstance(value, str)
            and not CODE.fullmatch(value)
        ):
            problems.append(f"{path}: {value!r} is not a FHIR code")
        if leaf in DURATIONS and isinstance(value, dict):
            # drt-1: a Duration with a value has a UCUM code for a unit of time.
            if value.get("system") != UCUM or value.get("code") not in TIME_UNITS:
                problems.append(f"{path}: {value!r} is not a UCUM duration")
            if not isinstance(value.get("value"), int) or value["value"] < 0:
                problems.append(f"{path}: {value!r} has no whole, non-negative value")
    if root == "PlanDefinition" and not NAME.fullmatch(str(resource.get("name", ""))):
        problems.append(f"PlanDefinition.name: {resource.get('name')!r} breaks pdf-0")
    if root == "CarePlan":
        # cpl-3: an activity has a reference or a detail, not both.
        problems += [
            "CarePlan.activity: both a reference and a detail (cpl-3)"
            for activity in resource.get("activity", [])
            if "reference" in activity and "detail" in activity
        ]
    return problems


def assert_valid_r4(resource: dict[str, Any]) -> None:
    """Fail unless *resource* is a valid FHIR R4 CarePlan or PlanDefinition, with every problem."""
    kind = resource.get("resourceType")
    assert kind in MODELS, f"not a CarePlan or PlanDefinition: {kind!r}"
    try:
        parsed = MODELS[kind](copy.deepcopy(resource), strict=True)
    except FHIRValidationError as error:
        raise AssertionError(f"not a valid FHIR R4 {kind}:\n{error}") from None
    # Nothing kyphoprep wrote is lost or changed when an R4 model reads it back.
    assert parsed.as_json() == resource, f"the R4 {kind} model does not give the same JSON back"
    problems = rule_problems(resource)
    assert not problems, "\n".join(problems)
