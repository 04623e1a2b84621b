"""FHIR R4 (4.0.1) JSON: a plan as a ``CarePlan``, a protocol as a ``PlanDefinition``.

Plain JSON from the standard library (no FHIR library at run time: start-up cost
matters); the tests validate every output against the R4 models of ``fhirclient``.
The mapping, and why each choice was made, is in docs/fhir.md. In short:

- every time is the plan's, ISO 8601 with its UTC offset, as in the kyphoprep JSON;
- ids come from the plan's identity (like the calendar's UIDs), never a clock or chance;
- a step's id is the ``code`` of its activity (R4 activities have no identifier), in
  kyphoprep's step code system, the same code its PlanDefinition action carries;
- a step whose time had passed when the plan was made has status ``unknown``: kyphoprep
  cannot know whether it was done, so it says neither "completed" nor "cancelled";
- a step about a medicine's doses names the medicine as its ``productCodeableConcept`` (text
  only: the catalogue has no RxNorm codes).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time
from typing import Any

from kyphoprep.core.models import (
    AfterProcedure,
    Arrival,
    BeforeProcedure,
    DaysAfter,
    DaysBefore,
    MidnightBefore,
    Plan,
    PlannedStep,
    ProcedureStart,
    Protocol,
    Source,
    StepSpec,
    TimingRule,
)
from kyphoprep.render import RenderOptions
from kyphoprep.render.calendar import UID_NAMESPACE
from kyphoprep.render.common import made_by, rule_words, words_of

BASE = "https://kyphoprep.invalid/fhir"
"""kyphoprep's canonical URLs; ``.invalid`` (RFC 2606) as in the JSON Schemas' ``$id``: names, not links."""
STEP_SYSTEM = f"{BASE}/CodeSystem/step"
"""The code system of step ids (``checkup-visit``, ``last-dose-warfarin``)."""
PLAN_ID_SYSTEM = f"{BASE}/plan-id"
"""The identifier system of a plan's identity (``plan_id`` in the JSON, the UIDs' basis)."""
CLOCK_EXTENSION = f"{BASE}/StructureDefinition/local-clock-time"
"""On a ``relatedAction`` of a calendar-day rule: the local clock time on the day its offset lands on."""
UCUM = "http://unitsofmeasure.org"
PLAN_DEFINITION_TYPE = "http://terminology.hl7.org/CodeSystem/plan-definition-type"

PROCEDURE_ACTION = "anchor.procedure"
ARRIVAL_ACTION = "anchor.arrival"
PROCEDURE_DAY_ACTION = "anchor.procedure-day"
"""The ids of the three actions every step is timed from; a step id has no dot, so none clashes."""


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _fhir_id(part: str) -> str:
    # A FHIR id is at most 64 of [A-Za-z0-9-.]: a UUID made from the plan's identity fits.
    return str(uuid.uuid5(UID_NAMESPACE, part))


def _dump(resource: dict[str, Any]) -> bytes:
    # Not sorted: resourceType first, then the elements in the order of the R4 specification.
    return (json.dumps(resource, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def plan_definition_url(protocol: Protocol) -> str:
    """The PlanDefinition's canonical URL (without its version)."""
    return f"{BASE}/PlanDefinition/{protocol.id}"


def _canonical(protocol: Protocol) -> str:
    """The PlanDefinition's URL with its version (the protocol's revision), as a plan cites it."""
    url = plan_definition_url(protocol)
    return f"{url}|{protocol.revision}" if protocol.revision else url


def _without_empty(resource: dict[str, Any]) -> dict[str, Any]:
    """*resource* without its empty texts and lists: FHIR JSON allows none."""
    return {key: value for key, value in resource.items() if value not in ("", [], None)}


# --- CarePlan ----------------------------------------------------------------------------


def care_plan(plan: Plan) -> dict[str, Any]:
    """The plan as a FHIR R4 CarePlan resource (JSON-ready data)."""
    request, words = plan.request, words_of(plan)
    protocol = plan.protocol
    first = min(plan.steps, key=lambda s: s.start.astimezone(UTC), default=None)
    last_end = max([plan.procedure_end, *(s.end for s in plan.steps)], key=lambda m: m.astimezone(UTC))
    subject: dict[str, str] = {"type": "Patient"}
    if request.patient:
        subject["display"] = request.patient
    return _without_empty(
        {
            "resourceType": "CarePlan",
            "id": _fhir_id(f"{plan.plan_id}/fhir/CarePlan"),
            "language": request.language,
            "identifier": [{"system": PLAN_ID_SYSTEM, "value": plan.plan_id}],
            "instantiatesCanonical": [_canonical(protocol)],
            "status": "active",
            "intent": "plan",
            "title": words("plan_title", procedure=protocol.name.lower()),
            "description": protocol.summary,
            "subject": subject,
            "period": {
                "start": _iso(request.procedure_start if first is None else first.start),
                "end": _iso(last_end),
            },
            "created": _iso(request.now.astimezone(request.procedure_start.tzinfo)),
            "activity": [_activity(plan, step) for step in plan.steps],
            "note": [{"text": text} for text in _notes(plan) if text],
        }
    )


def _activity(plan: Plan, step: PlannedStep) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "code": {
            "coding": [{"system": STEP_SYSTEM, "code": step.id, "display": step.title}],
            "text": step.title,
        },
        # Past when the plan was made: kyphoprep cannot know whether it was done.
        "status": "unknown" if step.past else "not-started",
        "scheduledPeriod": {"start": _iso(step.start), "end": _iso(step.end)},
    }
    if step.medicine is not None and step.dose is not None:
        # A step about the medicine's doses; a lab check for it (INR) consumes no product.
        detail["productCodeableConcept"] = {"text": step.medicine.name_in(plan.request.language)}
    description = "\n".join(line for line in [step.detail, *(f"- {item}" for item in step.items)] if line)
    if description:  # FHIR allows no empty strings
        detail["description"] = description
    return {"detail": detail}


def _notes(plan: Plan) -> list[str]:
    """Warnings first, then who comes first, each source with the steps citing it, and who made it."""
    cited: dict[str, tuple[Source, list[str]]] = {}
    for step in plan.steps:
        for source in step.sources:
            cited.setdefault(source.key, (source, []))[1].append(step.id)
    sources = [
        f"[{source.key}] {source.citation} (steps: {', '.join(step_ids)})"
        for source, step_ids in cited.values()
    ]
    return [
        *(warning.message for warning in plan.warnings),
        words_of(plan)("care_team_first"),
        *sources,
        made_by(plan),
    ]


class FhirRenderer:
    """Renders the plan as a FHIR R4 CarePlan in JSON."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the CarePlan as indented UTF-8 JSON with a final newline."""
        return _dump(care_plan(plan))


RENDERER = FhirRenderer()


# --- PlanDefinition ----------------------------------------------------------------------


def plan_definition(protocol: Protocol) -> dict[str, Any]:
    """The protocol as a FHIR R4 PlanDefinition (type clinical-protocol), JSON-ready."""
    return _without_empty(
        {
            "resourceType": "PlanDefinition",
            "id": protocol.id,
            "language": protocol.language,
            "url": plan_definition_url(protocol),
            "version": protocol.revision,
            "name": _computable_name(protocol.id),
            "title": protocol.name,
            "type": {
                "coding": [
                    {
                        "system": PLAN_DEFINITION_TYPE,
                        "code": "clinical-protocol",
                        "display": "Clinical Protocol",
                    }
                ]
            },
            "status": "active",
            "description": protocol.summary,
            "relatedArtifact": _citations(
                tuple({s.key: s for step in protocol.steps for s in step.sources}.values())
            ),
            "action": [*_anchor_actions(protocol), *(_step_action(step) for step in protocol.steps)],
        }
    )


def plan_definition_bytes(protocol: Protocol) -> bytes:
    """The PlanDefinition as indented UTF-8 JSON with a final newline."""
    return _dump(plan_definition(protocol))


def _computable_name(protocol_id: str) -> str:
    # R4's pdf-0 asks for a name a machine can use: a capital letter, then letters, digits, "_".
    name = "".join(part.capitalize() for part in protocol_id.split("-"))
    return name if name[:1].isalpha() else f"Protocol{name}"


def _duration(minutes: int) -> dict[str, Any]:
    """Elapsed time as a UCUM Duration: whole hours, else minutes (days are kept for calendar days)."""
    if minutes % 60 == 0:
        return {"value": minutes // 60, "unit": "hours", "system": UCUM, "code": "h"}
    return {"value": minutes, "unit": "minutes", "system": UCUM, "code": "min"}


def _days(days: int) -> dict[str, Any]:
    return {"value": days, "unit": "days", "system": UCUM, "code": "d"}


def _citations(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    return [{"type": "citation", "label": s.key, "citation": s.citation} for s in sources]


def _anchor_actions(protocol: Protocol) -> list[dict[str, Any]]:
    """The procedure, the arrival before it and the procedure's calendar day: what steps are timed from."""
    return [
        {
            "id": PROCEDURE_ACTION,
            "title": protocol.name,
            "description": "The procedure itself; the plan's procedure time is its start.",
            "timingDuration": _duration(protocol.procedure_minutes),
        },
        {
            "id": ARRIVAL_ACTION,
            "title": "Arrival",
            "description": "Arriving at the facility (a plan may change how long before, --arrive-minutes).",
            "relatedAction": [
                {
                    "actionId": PROCEDURE_ACTION,
                    "relationship": "before-start",
                    "offsetDuration": _duration(protocol.arrive_minutes),
                }
            ],
        },
        {
            "id": PROCEDURE_DAY_ACTION,
            "title": "The procedure day",
            "description": (
                "The local calendar day of the procedure, from midnight to midnight. Steps on a "
                "calendar-day rule are timed from its start: their offset counts calendar days and "
                f"the extension {CLOCK_EXTENSION} gives the local clock time on that day."
            ),
            "relatedAction": [{"actionId": PROCEDURE_ACTION, "relationship": "concurrent"}],
        },
    ]


def _step_action(step: StepSpec) -> dict[str, Any]:
    timing = f"Starts: {rule_words(step.when)}. " + (
        f"Ends: {rule_words(step.until)}." if step.until is not None else f"Lasts {step.minutes} minutes."
    )
    action: dict[str, Any] = _without_empty(
        {
            "id": step.id,
            "title": step.title,
            "description": step.detail,
            "textEquivalent": timing,
            "code": [{"coding": [{"system": STEP_SYSTEM, "code": step.id, "display": step.title}]}],
            "documentation": _citations(step.sources),
        }
    )
    if step.fasting is not None:
        action["condition"] = [
            {
                "kind": "applicability",
                "expression": {
                    "description": f'Only in plans made with the fasting rule "{step.fasting}".',
                    "language": "text/cql",
                    "expression": f"FastingRule = '{step.fasting}'",
                },
            }
        ]
    action["relatedAction"] = [related_action(step.when)]
    if step.until is None:
        action["timingDuration"] = _duration(step.minutes)
    return action


def related_action(rule: TimingRule) -> dict[str, Any]:
    """Where a step starts, as a relationship to one of the anchor actions."""
    match rule:
        case DaysBefore(days=days, at=at):
            return _on_day("before-start" if days else "concurrent-with-start", days, at)
        case DaysAfter(days=days, at=at):
            return _on_day("after-start" if days else "concurrent-with-start", days, at)
        case MidnightBefore():
            return {"actionId": PROCEDURE_DAY_ACTION, "relationship": "concurrent-with-start"}
        case BeforeProcedure(minutes=0) | ProcedureStart():
            return {"actionId": PROCEDURE_ACTION, "relationship": "concurrent-with-start"}
        case BeforeProcedure(minutes=minutes):
            return _offset(PROCEDURE_ACTION, "before-start", minutes)
        case AfterProcedure(minutes=0):
            return {"actionId": PROCEDURE_ACTION, "relationship": "concurrent-with-end"}
        case AfterProcedure(minutes=minutes):
            return _offset(PROCEDURE_ACTION, "after-end", minutes)
        case Arrival(minutes=0):
            return {"actionId": ARRIVAL_ACTION, "relationship": "concurrent-with-start"}
        case Arrival(minutes=minutes):
            relationship = "before-start" if minutes < 0 else "after-start"
            return _offset(ARRIVAL_ACTION, relationship, abs(minutes))
    raise AssertionError(f"unhandled timing rule {rule!r}")  # pragma: no cover


def _offset(action_id: str, relationship: str, minutes: int) -> dict[str, Any]:
    return {"actionId": action_id, "relationship": relationship, "offsetDuration": _duration(minutes)}


def _on_day(relationship: str, days: int, at: time) -> dict[str, Any]:
    """A calendar-day rule: *days* calendar days from the procedure day's start, at local clock *at*."""
    related: dict[str, Any] = {
        "extension": [{"url": CLOCK_EXTENSION, "valueTime": at.strftime("%H:%M:%S")}],
        "actionId": PROCEDURE_DAY_ACTION,
        "relationship": relationship,
    }
    if days:
        related["offsetDuration"] = _days(days)
    return related
