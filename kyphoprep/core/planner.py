"""The planner: one pure function from a ``PlanRequest`` to a dated ``Plan``.

It never reads the clock, the environment or a file; "now" and identity come in
through the request. Where each rule lands in time is worked out in
``kyphoprep.core.timing``; the steps for medicines are made in ``kyphoprep.core.medicine_steps``.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kyphoprep.core.medicine_steps import MedicineSteps
from kyphoprep.core.models import (
    INTAKE_ORDER,
    Category,
    DaysBefore,
    MedicineSummary,
    Plan,
    PlannedStep,
    PlanRequest,
    PlanWarning,
    StepSpec,
)
from kyphoprep.core.timing import Anchors, clock_of, describe_rule, is_before, local_instant, shift_elapsed
from kyphoprep.errors import InputError

if TYPE_CHECKING:
    from kyphoprep.i18n.words import Words  # the words come in; the core never reads them

MINUTE = timedelta(minutes=1)

__all__ = ["build_plan", "default_plan_id", "local_instant", "shift_elapsed"]


def default_plan_id(request: PlanRequest) -> str:
    """A stable identity for the plan: the same person and protocol give the same id.

    It deliberately leaves out the date, so calendar entries keep their UIDs
    when the procedure is rescheduled.
    """
    if request.plan_id:
        basis = f"id:{request.plan_id}"
    else:
        patient = " ".join((request.patient or "").casefold().split())
        basis = f"patient:{patient}|protocol:{request.protocol.id}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def build_plan(request: PlanRequest, words: Words) -> Plan:
    """Place every protocol step and every medicine's steps in time for one person.

    Args:
        request: the procedure time and zone, "now", the protocol and the
            medicines with the doctor's instructions.

    Returns:
        The plan, with steps in time order (ties: medicine reminders, then the
        protocol's steps, then restart steps) and warnings for anything already too late.
    """
    zone = ZoneInfo(request.timezone)
    anchors = Anchors(request, zone)
    now = request.now.astimezone(zone)

    before: list[PlannedStep] = []
    after: list[PlannedStep] = []
    warnings: list[PlanWarning] = []
    summaries: list[MedicineSummary] = []
    for medicine in request.medicines:
        medicine_steps = MedicineSteps(medicine, request, anchors, now, words)
        for step in medicine_steps.steps():
            (after if step.category is Category.AFTER_CARE else before).append(step)
        warnings += medicine_steps.warnings()
        summaries.append(medicine_steps.summary())
    if request.fasting not in request.protocol.fasting_rules:
        raise InputError(
            f"The {request.protocol.name} protocol ({request.protocol.file}) has no steps for "
            f'fasting = "{request.fasting}". Choose '
            + " or ".join(f'"{rule}"' for rule in request.protocol.fasting_rules)
            + ", or add those steps to the protocol."
        )
    specs = request.protocol.steps_for(request.fasting)
    protocol_steps = [_protocol_step(spec, anchors, now) for spec in specs]
    protocol_steps = _ask_before_last_doses(protocol_steps, before, anchors, now, words)
    protocol_steps = _defer_to_medicine_diets(protocol_steps, before, words)
    # At the same minute, a medicine reminder comes before the protocol's steps,
    # and a restart question after them (after "lie flat", not before it).
    steps = before + protocol_steps + after

    order = {id(step): index for index, step in enumerate(steps)}
    steps.sort(key=lambda s: (s.start.astimezone(UTC), order[id(s)]))
    return Plan(
        request=request,
        procedure_end=anchors.end,
        arrival=anchors.arrival,
        plan_id=default_plan_id(request),
        steps=tuple(steps),
        warnings=tuple(warnings),
        medicines=tuple(summaries),
        pickup_from=shift_elapsed(anchors.end, request.protocol.pickup_minutes),
        pickup_to=shift_elapsed(anchors.end, request.protocol.recovery_minutes),
        stay_until=shift_elapsed(anchors.end, 60 * request.protocol.companion_hours),
    )


def _ask_before_last_doses(
    steps: list[PlannedStep],
    medicine_steps: list[PlannedStep],
    anchors: Anchors,
    now: datetime,
    words: Words,
) -> list[PlannedStep]:
    """Move each step that asks about stopping medicines to before the earliest last dose.

    "Tell the care team every medicine" a week before is too late for a medicine whose
    last dose is ten days before; such a step moves to the day before that last dose,
    at its own clock time, and says why.
    """
    last_doses = [step for step in medicine_steps if step.dose == "last"]
    if not last_doses:
        return steps
    earliest = min(last_doses, key=lambda step: step.start.astimezone(UTC))
    moved = []
    for step in steps:
        # A protocol step that asks about stopping (before_last_doses) is planned as dose "ask".
        if step.dose == "ask" and step.start.date() >= earliest.start.date():
            day = earliest.start.date() - timedelta(days=1)
            clock = step.start.timetz().replace(tzinfo=None)
            start = local_instant(day, clock, anchors.zone)
            assert earliest.medicine is not None
            note = words(
                "moved_early",
                medicine=earliest.medicine.name_in(words.language),
                date=words.date(earliest.start.date(), year=False),
            )
            days_before = (anchors.start.date() - day).days
            step = replace(
                step,
                start=start,
                end=shift_elapsed(start, (step.end.astimezone(UTC) - step.start.astimezone(UTC)) // MINUTE),
                detail=f"{step.detail} {note}",
                past=is_before(start, now),
                timing=describe_rule(DaysBefore(days=days_before, at=clock)) | {"moved_for": earliest.id},
            )
        moved.append(step)
    return moved


def _defer_to_medicine_diets(
    steps: list[PlannedStep], medicine_steps: list[PlannedStep], words: Words
) -> list[PlannedStep]:
    """A fasting step that still allows food while a medicine's liquids-only step is in force
    says plainly that the medicine's rule comes first (GLP-1: liquids only for 24 hours)."""
    diets = [step for step in medicine_steps if step.intake is not None]
    result = []
    for step in steps:
        for diet in diets:
            assert diet.intake is not None
            assert diet.medicine is not None
            in_force = not is_before(step.start, diet.start) and is_before(step.start, diet.end)
            if (
                step.intake is not None
                and in_force
                and INTAKE_ORDER.index(step.intake) < INTAKE_ORDER.index(diet.intake)
            ):
                note = words("diet_defers", medicine=diet.medicine.name_in(words.language))
                step = replace(step, detail=f"{step.detail} {note}", intake=diet.intake)
        result.append(step)
    return result


def _protocol_step(spec: StepSpec, anchors: Anchors, now: datetime) -> PlannedStep:
    start = anchors.resolve(spec.when)
    end = anchors.resolve(spec.until) if spec.until is not None else shift_elapsed(start, spec.minutes)
    # A badly written custom protocol could end a step before it starts; a
    # calendar event must not, so such a step becomes a short one.
    if not is_before(start, end):
        end = shift_elapsed(start, spec.minutes)
    timing = describe_rule(spec.when)
    return PlannedStep(
        id=spec.id,
        title=spec.title,
        detail=spec.detail,
        category=spec.category,
        start=start,
        end=end,
        sources=spec.sources,
        actionable=spec.actionable,
        past=is_before(start, now),
        timing=timing,
        items=spec.items,
        clock="exact" if spec.appointment else clock_of(spec.when),
        intake=spec.intake,
        dose="ask" if spec.before_last_doses else None,
        caregiver=spec.caregiver,
    )
