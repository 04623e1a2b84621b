"""Find steps of a plan that contradict each other: the rules a plan must never break.

A plan is read as a nurse would read it. Each step says what it allows or asks
(``PlannedStep.intake`` for food and drink, ``PlannedStep.dose`` for a medicine's
doses), and four rules must hold between them:

1. **Food and drink** never get looser: while one food-and-drink step is in force,
   a later one may not allow more ("nothing after midnight", then "you may still
   have a light snack").
2. **No dose after the last dose**: a step that tells the person to take a medicine
   may not come after that medicine's last dose (before a restart).
3. **No restart before the procedure is over**, and no restart inside the time a
   step says to skip the medicine ("no metformin on Thursday", then "restart
   metformin" on Thursday afternoon).
4. **Ask before stopping**: a step that asks about stopping medicines comes before
   the last dose it is about: the protocol's general steps ("tell the care team
   every medicine") before every last dose, a medicine's own question before its
   own last dose.

The tests walk every protocol, fasting rule and catalogue medicine through these
rules, and ``kyphoprep protocols check`` holds a clinic's own protocol to them.
Part of the pure core: it reads nothing but the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kyphoprep.core.models import INTAKE_ORDER, MedicineOrder, Plan, PlannedStep, PlanRequest, Protocol
from kyphoprep.core.planner import build_plan
from kyphoprep.core.timing import Anchors, describe_rule, is_before

if TYPE_CHECKING:
    from kyphoprep.i18n.words import Words


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Two steps of one plan that say opposite things."""

    rule: str
    """``intake``, ``dose-after-last``, ``restart-early``, ``restart-while-skipped`` or ``ask-late``."""
    first: str
    """The id of the earlier (or governing) step."""
    second: str
    """The id of the step that contradicts it."""
    message: str

    def __str__(self) -> str:
        return self.message


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def find_contradictions(plan: Plan) -> list[Contradiction]:
    """Every pair of steps in *plan* that breaks one of the four rules (none: the plan is sound)."""
    found: list[Contradiction] = []
    found += _intake(plan)
    found += _doses(plan)
    return found


def _intake(plan: Plan) -> list[Contradiction]:
    rules = [s for s in plan.steps if s.intake is not None]
    found = []
    for first in rules:
        for second in rules:
            if first is second:
                continue
            assert first.intake is not None
            assert second.intake is not None
            starts_inside = _utc(first.start) <= _utc(second.start) < _utc(first.end)
            looser = INTAKE_ORDER.index(second.intake) < INTAKE_ORDER.index(first.intake)
            if starts_inside and looser:
                found.append(
                    Contradiction(
                        "intake",
                        first.id,
                        second.id,
                        f"'{second.title}' allows {second.intake} while '{first.title}' "
                        f"(only {first.intake}) is still in force",
                    )
                )
    return found


def _doses(plan: Plan) -> list[Contradiction]:
    found = []
    by_medicine: dict[str, list[PlannedStep]] = {}
    for step in plan.steps:
        if step.medicine is not None and step.dose is not None:
            by_medicine.setdefault(step.medicine.key, []).append(step)
    procedure_end = _utc(plan.procedure_end)
    all_last = [s for steps in by_medicine.values() for s in steps if s.dose == "last"]

    for steps in by_medicine.values():
        last = [s for s in steps if s.dose == "last"]
        restarts = [s for s in steps if s.dose == "restart"]
        first_restart = min((_utc(s.start) for s in restarts), default=None)
        for restart in restarts:
            if _utc(restart.start) < procedure_end:
                found.append(
                    Contradiction(
                        "restart-early",
                        restart.id,
                        restart.id,
                        f"'{restart.title}' comes before the procedure is over",
                    )
                )
        for skip in (s for s in steps if s.dose == "skip"):
            until = _utc(skip.dose_until) if skip.dose_until is not None else procedure_end
            for restart in restarts:
                if _utc(restart.start) < until:
                    found.append(
                        Contradiction(
                            "restart-while-skipped",
                            skip.id,
                            restart.id,
                            f"'{restart.title}' comes while '{skip.title}' still says not to take it",
                        )
                    )
        for stop in last:
            # A last dose in days allows the whole of its day; one in hours only up to its time.
            for take in (s for s in steps if s.dose == "take"):
                after = (
                    take.start.date() > stop.start.date()
                    if stop.clock == "reminder"
                    else _utc(take.start) > _utc(stop.start)
                )
                before_restart = first_restart is None or _utc(take.start) < first_restart
                if after and before_restart:
                    found.append(
                        Contradiction(
                            "dose-after-last",
                            stop.id,
                            take.id,
                            f"'{take.title}' asks for a dose after '{stop.title}'",
                        )
                    )
        for ask in (s for s in steps if s.dose == "ask"):
            found += [_late_ask(stop, ask) for stop in last if _asks_late(stop, ask)]

    general_asks = [s for s in plan.steps if s.dose == "ask" and s.medicine is None]
    for ask in general_asks:
        found += [_late_ask(stop, ask) for stop in all_last if _asks_late(stop, ask)]
    return found


def _asks_late(stop: PlannedStep, ask: PlannedStep) -> bool:
    """Whether a question about stopping comes too late for *stop*: not on an earlier day
    for a last day, or not before the last dose by the hour."""
    if stop.clock == "reminder":
        return ask.start.date() >= stop.start.date()
    return _utc(ask.start) >= _utc(stop.start)


def _late_ask(stop: PlannedStep, ask: PlannedStep) -> Contradiction:
    return Contradiction(
        "ask-late",
        stop.id,
        ask.id,
        f"'{ask.title}' asks about stopping medicines after '{stop.title}'",
    )


def check_protocol(protocol: Protocol, medicines: Sequence[MedicineOrder], words: Words) -> list[str]:
    """Every contradiction a protocol's plans can hold, as lines for ``kyphoprep protocols check``.

    Plans are made under each of the protocol's fasting rules, on time and too late, with no
    medicine and then with each of *medicines* (one plan per form of a medicine), so a clinic's
    own steps are held to the same rules as the built-in ones. *words* are English: the
    plans are read, not shown.
    """
    start = datetime(2027, 1, 14, 13, 0, tzinfo=UTC)
    groups: dict[int, list[MedicineOrder]] = {}
    seen: dict[str, int] = {}
    for order in medicines:
        # Two forms of one medicine cannot be in one plan; each goes to the next plan.
        index = seen[order.key] = seen.get(order.key, -1) + 1
        groups.setdefault(index, []).append(order)
    found: dict[tuple[str, str, str], str] = {}
    for line in _steps_ending_before_they_start(protocol, start):
        found[("until", line, "")] = line
    for fasting in protocol.fasting_rules:
        for lead in (timedelta(days=60), timedelta(days=2)):
            for orders in [[], *groups.values()]:
                request = PlanRequest(
                    procedure_start=start,
                    timezone="UTC",
                    now=start - lead,
                    protocol=protocol,
                    arrive_minutes=protocol.arrive_minutes,
                    medicines=tuple(orders),
                    fasting=fasting,
                )
                for contradiction in find_contradictions(build_plan(request, words)):
                    key = (contradiction.rule, contradiction.first, contradiction.second)
                    found.setdefault(key, f'{contradiction} (fasting = "{fasting}")')
    return list(found.values())


def _steps_ending_before_they_start(protocol: Protocol, start: datetime) -> list[str]:
    """Steps whose ``until`` comes at or before their ``when``.

    The planner would quietly give such a step its ``minutes`` instead, so the clinic would
    never learn that what it wrote cannot be; ``protocols check`` says so.
    """
    request = PlanRequest(
        procedure_start=start,
        timezone="UTC",
        now=start - timedelta(days=60),
        protocol=protocol,
        arrive_minutes=protocol.arrive_minutes,
    )
    anchors = Anchors(request, ZoneInfo("UTC"))
    lines = []
    for spec in protocol.steps:
        if spec.until is not None and not is_before(anchors.resolve(spec.when), anchors.resolve(spec.until)):
            lines.append(
                f"'{spec.id}' ends before it starts: its until {_rule_text(describe_rule(spec.until))} "
                f"is not after its when {_rule_text(describe_rule(spec.when))}"
            )
    return lines


def _rule_text(rule: dict[str, int | str]) -> str:
    parts = (
        f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}" for key, value in rule.items()
    )
    return "{ " + ", ".join(parts) + " }"
