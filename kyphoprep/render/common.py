"""What the human-readable renderers (text, terminal) share: grouping and header facts.

Keeping these here means the handout and the screen always say the same things
in the same order; only the drawing differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from kyphoprep import __version__
from kyphoprep.core.models import (
    AfterProcedure,
    Arrival,
    BeforeProcedure,
    Category,
    DaysAfter,
    DaysBefore,
    Intake,
    MidnightBefore,
    Plan,
    PlannedStep,
    ProcedureStart,
    Source,
    TimingRule,
)
from kyphoprep.i18n.words import Words, format_time, words_for


@dataclass(frozen=True, slots=True)
class DayGroup:
    """The steps that start on one local date."""

    day: date
    heading: str
    steps: tuple[PlannedStep, ...]


def words_of(plan: Plan) -> Words:
    """The words of the plan's language."""
    return words_for(plan.request.language)


def days(plan: Plan, steps: tuple[PlannedStep, ...] | None = None) -> Iterator[DayGroup]:
    """Steps (by default all of them) grouped by local start date, in time order, under full dates."""
    words = words_of(plan)
    current: list[PlannedStep] = []
    for step in plan.steps if steps is None else steps:
        if current and step.start.date() != current[0].start.date():
            yield _group(current, words)
            current = []
        current.append(step)
    if current:
        yield _group(current, words)


def _group(steps: list[PlannedStep], words: Words) -> DayGroup:
    day = steps[0].start.date()
    return DayGroup(day=day, heading=words.heading_date(day), steps=tuple(steps))


def header_rows(plan: Plan, *, printed: bool = False) -> list[tuple[str, str]]:
    """Label/value pairs for the top of a handout or screen. The *printed* handout leaves out the
    procedure (its title names it), the arrival time and the driver (its key dates give both)."""
    request = plan.request
    words = words_of(plan)
    missing = words("not_given")
    made_on = words.date(request.now.astimezone(request.procedure_start.tzinfo).date())
    rows = [
        ("label_patient", request.patient or missing),
        ("label_procedure", plan.protocol.name),
        ("label_when", words.moment(request.procedure_start)),
        ("label_arrive", words.time(plan.arrival)),
        ("label_facility", request.facility or missing),
        *([("label_address", request.address)] if request.address else []),
        ("label_phone", request.phone or missing),
        ("label_driver", request.driver or missing),
        ("label_timezone", request.timezone),
        ("label_made_on", made_on),
    ]
    left_out = {"label_procedure", "label_arrive", "label_driver"} if printed else set()
    return [(words(key), value) for key, value in rows if key not in left_out]


def bring_rows(plan: Plan, *, narrow: bool = False) -> list[tuple[str, str, str]]:
    """Medicine, what to do (and who said so), and the last dose with how it was counted: in a few
    words when the table is *narrow* (the printed handout; the step beside it has the full line)."""
    rows = []
    for m in plan.medicines:
        counting = m.table_counting if narrow else m.counting
        last = f"{m.last_dose_text}. {counting}" if counting else m.last_dose_text
        rows.append((m.name, m.instruction, last))
    return rows


def sentence(text: str) -> str:
    """*text* ending with one full stop ("7:30 a. m." already has one)."""
    return text if text.endswith(".") else text + "."


def step_time(step: PlannedStep, words: Words) -> str:
    """The clock time of a step, or "By this day" for a to-do whose time is only a reminder."""
    return words("by_this_day") if step.clock == "reminder" else words.time(step.start)


STOPS_FOOD: frozenset[Intake] = frozenset({"liquids", "clear-liquids", "nothing"})
"""Intakes that allow no more food: the step that starts the first of them is "stop eating"."""


def key_steps(plan: Plan) -> list[PlannedStep]:
    """The steps that decide whether the procedure goes ahead, in time order: every last dose,
    when to stop eating, when to stop drinking, and when to arrive."""
    food = [step for step in plan.steps if step.intake in STOPS_FOOD]
    chosen = [step for step in plan.steps if step.dose == "last"]
    chosen += food[:1] + [step for step in food if step.intake == "nothing"][:1]
    chosen += [
        step for step in plan.steps if step.timing.get("rule") == "arrival" and step.start == plan.arrival
    ]
    order = {id(step): index for index, step in enumerate(plan.steps)}
    return sorted({id(step): step for step in chosen}.values(), key=lambda step: order[id(step)])


def provenance(plan: Plan) -> dict[str, str]:
    """Which kyphoprep, protocol and catalogue made the plan, so a nurse can trace its advice."""
    return {
        "kyphoprep": __version__,
        "protocol": plan.protocol.id,
        "protocol_revision": plan.protocol.revision,
        "catalogue_revision": plan.request.catalogue_revision,
    }


def made_by(plan: Plan) -> str:
    """``provenance`` in words, for the foot of a handout and the calendar."""
    made = provenance(plan)
    return words_of(plan)(
        "made_by",
        version=made["kyphoprep"],
        protocol=made["protocol"],
        protocol_revision=made["protocol_revision"] or "-",
        catalogue_revision=made["catalogue_revision"] or "-",
    )


def place_text(plan: Plan) -> str | None:
    """The facility with its address, on one line, if either was given."""
    parts = [part for part in (plan.request.facility, plan.request.address) if part]
    return ", ".join(parts) or None


def call_heading(plan: Plan) -> str:
    """ "Call your doctor if you have", with the clinic's phone in it when there is one."""
    words = words_of(plan)
    if plan.request.phone:
        return words("heading_call_at", phone=plan.request.phone)
    return words("heading_call")


def after_care_steps(plan: Plan) -> list[PlannedStep]:
    """After-care steps, for the summary that goes on the fridge."""
    return [s for s in plan.steps if s.category is Category.AFTER_CARE]


def warning_signs(plan: Plan, level: str) -> list[str]:
    """The texts of the warning signs at *level* ("call" or "emergency")."""
    return [sign.text for sign in plan.protocol.warning_signs if sign.level == level]


class Citations:
    """The sources a document cites, numbered once in the order they are first cited.

    The one way every handout numbers its sources: a step shows ``[1] [3]``, and the list at
    the end gives each number its citation.
    """

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._citations: list[str] = []

    @classmethod
    def of_plan(cls, plan: Plan) -> Citations:
        """Every source of the plan's steps, then of its warning signs, in that order."""
        citations = cls()
        for step in plan.steps:
            citations.cite(step.sources)
        for sign in plan.protocol.warning_signs:
            citations.cite(sign.sources)
        return citations

    def cite(self, sources: Iterable[Source]) -> list[int]:
        """The numbers of *sources*, sorted, giving each new source the next number."""
        for source in sources:
            if source.key not in self._numbers:
                self._citations.append(source.citation)
                self._numbers[source.key] = len(self._citations)
        return sorted({self._numbers[source.key] for source in sources})

    def marks(self, sources: Iterable[Source]) -> str:
        """``[1,3]``: how a step shows where its facts come from (compact, so it seldom takes a
        line of its own)."""
        numbers = self.cite(tuple(sources))
        return f"[{','.join(map(str, numbers))}]" if numbers else ""

    def listed(self) -> list[tuple[int, str]]:
        """Each number with its citation, for the list at the end."""
        return list(enumerate(self._citations, start=1))


_REMARK = re.compile(r" \((?!seed \d+\))[^()]*\)")
"""A remark in brackets, such as ``(clinical reference section 7, grade B)``; not ``(seed 003)``."""
_SUMMARY = re.compile(r'(?<=[\w")]): ')
"""The colon after a source's name that starts the summary of what it says."""


def printed_citation(citation: str) -> str:
    """*citation* as the paper handout lists it: the source's name without the summary after its
    colon or the remarks in brackets, which the JSON keeps whole. The full list takes a third of
    a page more at 11 pt; a reader who wants the detail has the name to look it up by."""
    seed = re.search(r"\(seed \d+\)", citation)
    short = _SUMMARY.split(_REMARK.sub("", citation), maxsplit=1)[0]
    if seed and seed.group(0) not in short:
        short += f" {seed.group(0)}"
    # A journal article prints as authors, journal, year, volume and pages: enough to find it.
    return _ARTICLE.sub(r"\1 \2", short)


_ARTICLE = re.compile(r"^(.+? et al\.) .+?\. ([A-Z][A-Za-z ]+ \d{4};[\d()]+:[\d-]+)$")
"""``Narouze S et al. <title>. Reg Anesth Pain Med 2018;43:225-262``: the title is left out."""


def rule_words(rule: TimingRule) -> str:
    """A timing rule as a nurse would say it: ``7 days before, 9:00 AM``, ``at arrival`` (English).

    ``kyphoprep protocols show`` prints it; the FHIR PlanDefinition quotes it as each action's
    text equivalent.
    """
    match rule:
        case DaysBefore(days=0, at=at) | DaysAfter(days=0, at=at):
            return f"the procedure day, {format_time(at)}"
        case DaysBefore(days=days, at=at):
            return f"{_plural(days, 'day')} before, {format_time(at)}"
        case DaysAfter(days=days, at=at):
            return f"{_plural(days, 'day')} after, {format_time(at)}"
        case MidnightBefore():
            return "midnight before"
        case BeforeProcedure(minutes=0) | ProcedureStart():
            return "the procedure starts"
        case BeforeProcedure(minutes=minutes):
            return f"{_duration(minutes)} before the procedure"
        case AfterProcedure(minutes=0):
            return "the procedure ends"
        case AfterProcedure(minutes=minutes):
            return f"{_duration(minutes)} after the procedure ends"
        case Arrival(minutes=0):
            return "at arrival"
        case Arrival(minutes=minutes):
            # Written in minutes, as the file gives them ("60 minutes before arrival").
            return f"{_plural(abs(minutes), 'minute')} {'before' if minutes < 0 else 'after'} arrival"
    raise AssertionError(f"unhandled timing rule {rule!r}")  # pragma: no cover


def _duration(minutes: int) -> str:
    """``8 hours`` for whole hours, else ``90 minutes``."""
    if minutes % 60 == 0:
        return _plural(minutes // 60, "hour")
    return _plural(minutes, "minute")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"
