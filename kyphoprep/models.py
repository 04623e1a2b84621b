"""Value objects shared by the loader, the planner and the renderers.

Everything here is immutable. Protocol objects describe *rules* (read from
``checklists/*.toml``); plan objects hold *resolved* times for one person.
All datetimes in a plan are aware and expressed in the plan's IANA zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Literal


class Category(StrEnum):
    """What kind of step this is; renderers group and label by it."""

    PREPARE = "prepare"
    MEDICINES = "medicines"
    FOOD_AND_DRINK = "food-and-drink"
    DAY_OF = "day-of"
    AFTER_CARE = "after-care"


# --- Timing rules -----------------------------------------------------------
# Calendar-day rules ("days-before", "days-after", "midnight-before") are
# wall-clock rules: they land on a local date at a local clock time. Elapsed
# rules ("before", "after", "arrival") are exact durations, computed in UTC so
# that a daylight-saving change in between is counted correctly.


@dataclass(frozen=True)
class DaysBefore:
    """*days* calendar days before the procedure day, at local clock time *at*."""

    days: int
    at: time


@dataclass(frozen=True)
class MidnightBefore:
    """The midnight that starts the procedure day (its first instant, local time)."""


@dataclass(frozen=True)
class BeforeProcedure:
    """*minutes* of elapsed time before the procedure starts."""

    minutes: int


@dataclass(frozen=True)
class Arrival:
    """The arrival time, shifted by *minutes* (negative: before arriving)."""

    minutes: int = 0


@dataclass(frozen=True)
class ProcedureStart:
    """The moment the procedure starts."""


@dataclass(frozen=True)
class AfterProcedure:
    """*minutes* of elapsed time after the procedure is expected to end."""

    minutes: int


@dataclass(frozen=True)
class DaysAfter:
    """*days* calendar days after the procedure day, at local clock time *at*."""

    days: int
    at: time


TimingRule = (
    DaysBefore | MidnightBefore | BeforeProcedure | Arrival | ProcedureStart | AfterProcedure | DaysAfter
)


@dataclass(frozen=True)
class Source:
    """Where a step's facts come from."""

    key: str
    citation: str


@dataclass(frozen=True)
class StepSpec:
    """One step of a protocol, before it is placed in time."""

    id: str
    title: str
    detail: str
    category: Category
    when: TimingRule
    until: TimingRule | None
    """When the step ends; without it the step lasts *minutes*."""
    minutes: int
    sources: tuple[Source, ...]
    actionable: bool
    """Something the person must do: it gets a calendar reminder."""
    items: tuple[str, ...] = ()
    """A checklist inside the step (what to bring)."""


@dataclass(frozen=True)
class WarningSign:
    """A sign that means: call the doctor, or get emergency care now."""

    id: str
    text: str
    level: Literal["call", "emergency"]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Protocol:
    """A whole protocol file: steps, warning signs and defaults."""

    id: str
    name: str
    summary: str
    file: str
    procedure_minutes: int
    arrive_minutes: int
    reminder_minutes: int
    medicine_reminder_at: time
    steps: tuple[StepSpec, ...]
    warning_signs: tuple[WarningSign, ...]


# --- Inputs -----------------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """How long before the procedure a medicine is stopped, as the doctor said."""

    amount: int
    unit: Literal["days", "hours"]
    given_as: str
    """The text as typed, quoted back on every output."""


@dataclass(frozen=True)
class MedicineHold:
    """A medicine the doctor said to stop, with the doctor's interval."""

    name: str
    hold: Hold

    @property
    def key(self) -> str:
        """The name as an id part: lower case, letters and digits joined by '-' (``co-codamol``)."""
        slug = "".join(ch if ch.isalnum() else "-" for ch in self.name.casefold())
        return "-".join(part for part in slug.split("-") if part) or "medicine"


@dataclass(frozen=True)
class PlanRequest:
    """Everything the planner needs; the planner reads nothing else."""

    procedure_start: datetime
    """Aware, in the zone named by *timezone*."""
    timezone: str
    now: datetime
    """Aware; "today" for past steps, warnings and DTSTAMP. Never read from a clock."""
    protocol: Protocol
    arrive_minutes: int
    medicines: tuple[MedicineHold, ...] = ()
    patient: str | None = None
    driver: str | None = None
    facility: str | None = None
    phone: str | None = None
    plan_id: str | None = None
    """A stable identity for calendar UIDs; defaults to patient + protocol."""


# --- Results ----------------------------------------------------------------


@dataclass(frozen=True)
class PlannedStep:
    """A step placed in time for one person."""

    id: str
    title: str
    detail: str
    category: Category
    start: datetime
    end: datetime
    sources: tuple[Source, ...]
    actionable: bool
    past: bool
    timing: dict[str, int | str]
    """The rule that placed it, for JSON readers (e.g. ``{"rule": "days-before", ...}``)."""
    items: tuple[str, ...] = ()
    medicine: MedicineHold | None = None
    """Set on a medicine step: its timing is the doctor's, not the protocol's."""


@dataclass(frozen=True)
class PlanWarning:
    """Something the person must act on before anything else (shown at the top)."""

    code: str
    message: str
    step_id: str | None = None


@dataclass(frozen=True)
class Plan:
    """A dated preparation plan: the one thing every renderer draws."""

    request: PlanRequest
    procedure_end: datetime
    arrival: datetime
    plan_id: str
    steps: tuple[PlannedStep, ...]
    warnings: tuple[PlanWarning, ...]

    @property
    def protocol(self) -> Protocol:
        """The protocol this plan was built from."""
        return self.request.protocol

    @property
    def procedure_date(self) -> date:
        """The local date of the procedure."""
        return self.request.procedure_start.date()
