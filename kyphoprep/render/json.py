"""JSON for scripts: a versioned contract, documented in the README.

Keys are sorted and times are ISO 8601 with their UTC offset, so two runs with
the same input give the same bytes. Each step also carries its calendar event's
start, end and alarm in UTC (``..._utc``, ending in ``Z``), taken from the events the
``.ics`` file is written from (``kyphoprep.render.calendar``), so a clinic's reminder
system rings when the calendar would. Any change to the shape bumps
``SCHEMA_VERSION`` and gets a changelog entry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from kyphoprep.core.models import Hold, MedicineOrder, MedicineSummary, Plan, PlannedStep
from kyphoprep.i18n.words import Words, words_for
from kyphoprep.render import RenderOptions
from kyphoprep.render.calendar import (
    CalendarEvent,
    alarm_time,
    calendar_events,
    calendar_name,
    cancelled_events,
    step_uid,
)
from kyphoprep.render.common import provenance

SCHEMA_VERSION = 7


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _utc(moment: datetime | None) -> str | None:
    """*moment* in UTC as ISO 8601 with ``Z`` (``2026-11-27T14:00:00Z``), or None."""
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _step(plan: Plan, step: PlannedStep, event: CalendarEvent) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": step.id,
        "uid": event.uid,
        # The event as the .ics has it: a long state ends 15 minutes after its start there.
        "start_utc": _utc(event.start),
        "end_utc": _utc(event.end),
        "alarm_utc": _utc(alarm_time(plan, event)),
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
        "clock": step.clock,
        "intake": step.intake,
        "dose": step.dose,
    }
    if step.medicine is not None:
        data["medicine"] = medicine_to_dict(step.medicine)
    return data


def medicine_to_dict(order: MedicineOrder, words: Words | None = None) -> dict[str, Any]:
    """One medicine: what was typed, its catalogue entry, and where its instruction comes from.

    Its labels are in the language of *words* (default English).
    """
    message = words or words_for("en")
    entry, rule, hold = order.entry, order.rule, order.effective_hold
    label = {"doctor": "label_doctor", "catalogue": "label_typical", "none": "label_unknown"}
    return {
        "name": order.name,
        "given_as": order.typed,
        "catalogue_id": None if entry is None else entry.id,
        "form": order.form.id if order.form is not None and order.form.id else None,
        "class": None if entry is None else entry.drug_class,
        "blood_thinner": None if entry is None else entry.blood_thinner,
        "action": order.action or "ask-care-team",
        "hold": None if hold is None else _hold(hold),
        "hold_source": order.hold_source,
        "hold_label": message(label[order.hold_source]),
        "typical_hold": message.typical_hold(rule) if rule is not None and rule.hold is not None else None,
        "grade": None if rule is None else rule.grade,
        "unconfirmed": rule is not None and rule.unconfirmed and order.hold_source == "catalogue",
    }


def _hold(hold: Hold) -> dict[str, Any]:
    return {"amount": hold.amount, "unit": hold.unit, "given_as": hold.given_as}


def _summary(summary: MedicineSummary, words: Words) -> dict[str, Any]:
    return {
        **medicine_to_dict(summary.order, words),
        "what_to_do": summary.instruction,
        "last_dose": None if summary.last_dose is None else _iso(summary.last_dose),
        "last_dose_text": summary.last_dose_text,
        "counting": summary.counting or None,
        "name_in_language": summary.name,
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data (the documented contract)."""
    request = plan.request
    message = words_for(request.language)
    events = calendar_events(plan)
    by_uid = {event.uid: event for event in events}
    return {
        "schema_version": SCHEMA_VERSION,
        "plan_id": plan.plan_id,
        "inputs": {
            # The caller's own identifier, as given (--plan-id, a roster's patient_id): see the README.
            "plan_id": request.plan_id,
            "when": _iso(request.procedure_start),
            "timezone": request.timezone,
            "today": _iso(request.now.astimezone(request.procedure_start.tzinfo)),
            "procedure": plan.protocol.id,
            "patient": request.patient,
            "driver": request.driver,
            "facility": request.facility,
            "address": request.address,
            "phone": request.phone,
            "arrive_minutes": request.arrive_minutes,
            "reminder_minutes": plan.reminder_minutes,
            "fasting": request.fasting,
            "discreet_titles": request.discreet_titles,
            "language": request.language,
            "medicines": [_summary(m, message) for m in plan.medicines],
            "crcl": request.crcl,
        },
        "procedure": {
            "id": plan.protocol.id,
            "name": plan.protocol.name,
            "summary": plan.protocol.summary,
            "start": _iso(request.procedure_start),
            "start_text": message.moment(request.procedure_start),
            "end": _iso(plan.procedure_end),
            "arrival": _iso(plan.arrival),
        },
        "warnings": [{"code": w.code, "message": w.message, "step_id": w.step_id} for w in plan.warnings],
        "steps": [_step(plan, step, by_uid[step_uid(plan, step)]) for step in plan.steps],
        "version": plan.version,
        "calendar": _calendar(plan, events),
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
        "made_by": provenance(plan),
    }


def _calendar(plan: Plan, events: list[CalendarEvent]) -> dict[str, Any]:
    """The calendar's *events* as the .ics file has them; ``--replaces`` reads them back."""
    titles = {step_uid(plan, step): step.title for step in plan.steps}
    titles.update((gone.uid, gone.title) for gone in cancelled_events(plan))
    return {
        "name": calendar_name(plan),
        "sequence": plan.version,
        "events": [
            {
                "uid": event.uid,
                "title": event.title,
                "full_title": titles.get(event.uid, event.title),
                "start": _iso(event.start),
                "end": _iso(event.end),
                "status": event.status.lower(),
                "alarm": event.alarm,
                "alarm_at": None if rings is None else _iso(rings.astimezone(event.start.tzinfo)),
            }
            for event in events
            for rings in [alarm_time(plan, event)]
        ],
    }


class JsonRenderer:
    """Renders the plan as the versioned JSON document."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return indented, key-sorted UTF-8 JSON with a final newline."""
        text = json.dumps(plan_to_dict(plan), indent=2, sort_keys=True, ensure_ascii=False)
        return (text + "\n").encode("utf-8")


RENDERER = JsonRenderer()
