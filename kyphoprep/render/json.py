"""JSON for scripts: a versioned contract, documented in the README.

Keys are sorted and times are ISO 8601 with their UTC offset, so two runs with
the same input give the same bytes. Any change to the shape bumps
``SCHEMA_VERSION`` and gets a changelog entry.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kyphoprep.models import Plan, PlannedStep
from kyphoprep.render import RenderOptions
from kyphoprep.wording import format_moment, message

SCHEMA_VERSION = 1


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _step(step: PlannedStep) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": step.id,
        "title": step.title,
        "detail": step.detail,
        "category": step.category.value,
        "start": _iso(step.start),
        "end": _iso(step.end),
        "source": [{"key": s.key, "citation": s.citation} for s in step.sources],
        "actionable": step.actionable,
        "past": step.past,
        "timing": step.timing,
        "items": list(step.items),
    }
    if step.medicine is not None:
        hold = step.medicine.hold
        data["medicine"] = {
            "name": step.medicine.name,
            "hold": {"amount": hold.amount, "unit": hold.unit, "given_as": hold.given_as},
            "hold_source": "doctor",
        }
    return data


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data (the documented contract)."""
    request = plan.request
    return {
        "schema_version": SCHEMA_VERSION,
        "plan_id": plan.plan_id,
        "inputs": {
            "when": _iso(request.procedure_start),
            "timezone": request.timezone,
            "today": _iso(request.now.astimezone(request.procedure_start.tzinfo)),
            "procedure": plan.protocol.id,
            "patient": request.patient,
            "driver": request.driver,
            "facility": request.facility,
            "phone": request.phone,
            "arrive_minutes": request.arrive_minutes,
            "medicines": [
                {
                    "name": m.name,
                    "hold": {"amount": m.hold.amount, "unit": m.hold.unit, "given_as": m.hold.given_as},
                    "hold_source": "doctor",
                }
                for m in request.medicines
            ],
        },
        "procedure": {
            "id": plan.protocol.id,
            "name": plan.protocol.name,
            "summary": plan.protocol.summary,
            "start": _iso(request.procedure_start),
            "start_text": format_moment(request.procedure_start),
            "end": _iso(plan.procedure_end),
            "arrival": _iso(plan.arrival),
        },
        "warnings": [{"code": w.code, "message": w.message, "step_id": w.step_id} for w in plan.warnings],
        "steps": [_step(step) for step in plan.steps],
        "warning_signs": {
            level: [
                {
                    "id": sign.id,
                    "text": sign.text,
                    "source": [{"key": s.key, "citation": s.citation} for s in sign.sources],
                }
                for sign in plan.protocol.warning_signs
                if sign.level == level
            ]
            for level in ("call", "emergency")
        },
        "notice": message("care_team_first"),
    }


class JsonRenderer:
    """Renders the plan as the versioned JSON document."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return indented, key-sorted UTF-8 JSON with a final newline."""
        text = json.dumps(plan_to_dict(plan), indent=2, sort_keys=True, ensure_ascii=False)
        return (text + "\n").encode("utf-8")


RENDERER = JsonRenderer()
