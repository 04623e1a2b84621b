"""Value objects shared by the loader, the planner and the renderers.

Everything here is immutable. Protocol objects describe *rules* (read from
``checklists/*.toml``); plan objects hold *resolved* times for one person.
All datetimes in a plan are aware and expressed in the plan's IANA zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum
from typing import Literal

from kyphoprep.i18n.languages import SOURCE_LANGUAGE


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


@dataclass(frozen=True, slots=True)
class DaysBefore:
    """*days* calendar days before the procedure day, at local clock time *at*."""

    days: int
    at: time


@dataclass(frozen=True, slots=True)
class MidnightBefore:
    """The midnight that starts the procedure day (its first instant, local time)."""


@dataclass(frozen=True, slots=True)
class BeforeProcedure:
    """*minutes* of elapsed time before the procedure starts."""

    minutes: int


@dataclass(frozen=True, slots=True)
class Arrival:
    """The arrival time, shifted by *minutes* (negative: before arriving)."""

    minutes: int = 0


@dataclass(frozen=True, slots=True)
class ProcedureStart:
    """The moment the procedure starts."""


@dataclass(frozen=True, slots=True)
class AfterProcedure:
    """*minutes* of elapsed time after the procedure is expected to end."""

    minutes: int


@dataclass(frozen=True, slots=True)
class DaysAfter:
    """*days* calendar days after the procedure day, at local clock time *at*."""

    days: int
    at: time


TimingRule = (
    DaysBefore | MidnightBefore | BeforeProcedure | Arrival | ProcedureStart | AfterProcedure | DaysAfter
)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a step's facts come from."""

    key: str
    citation: str


FastingRule = Literal["midnight", "asa"]
"""How the plan tells the person to stop eating and drinking.

``midnight``: nothing by mouth from midnight (the seeds' instruction, and
still common). ``asa``: the ASA fasting times, counted back from the
procedure (solids 8 hours, a light meal 6 hours, clear liquids 2 hours).
The clinic decides which one its patients follow.
"""
FASTING_RULES: tuple[FastingRule, ...] = ("midnight", "asa")

CaregiverPart = Literal["arrive", "pickup", "stay"]
"""A part of the caregiver's sheet: getting there, picking the person up, staying with them."""
CAREGIVER_PARTS: tuple[CaregiverPart, ...] = ("arrive", "pickup", "stay")

HoldRange = Literal["longest", "shortest"]
"""Which end of a typical range ("3 to 5 days") a plan uses; a clinic setting, "longest" by default."""
HOLD_RANGES: tuple[HoldRange, ...] = ("longest", "shortest")
DateOrder = Literal["mdy", "dmy"]
"""How a date such as 03/12/2026 is read: month first or day first."""
DATE_ORDERS: tuple[DateOrder, ...] = ("mdy", "dmy")

Intake = Literal["meals", "light-meal", "liquids", "clear-liquids", "nothing"]
"""The most a person may eat or drink while a food-and-drink step is in force.

From least to most strict: ``meals`` (anything), ``light-meal`` (a light snack and
drinks), ``liquids`` (any drink, milk too, but no food), ``clear-liquids`` (water,
pulp-free juice, black coffee), ``nothing`` (not even water). A later step may make
the rule stricter, never looser, while an earlier one is still in force; the
contradiction check (``kyphoprep.core.contradictions``) holds every plan to that.
"""
INTAKE_ORDER: tuple[Intake, ...] = ("meals", "light-meal", "liquids", "clear-liquids", "nothing")

Clock = Literal["exact", "reminder"]
"""``exact``: the time matters (stop drinking at 11:00 AM, arrive at 11:30 AM).
``reminder``: a to-do that belongs to a day; its clock time was chosen by kyphoprep
for the calendar alarm and is shown as "by this day", never as an appointment."""

DoseEffect = Literal["last", "skip", "take", "restart", "ask"]
"""What a step says about a medicine's doses, for the contradiction check:
``last`` (the last dose; none after it until a restart), ``skip`` (no dose from the
start of the procedure day until ``dose_until``), ``take`` (take a dose, perhaps a
changed one), ``restart`` (doses may start again), ``ask`` (ask whether to stop:
it must come before the last dose it is about)."""


@dataclass(frozen=True, slots=True)
class StepText:
    """A step's words in one language."""

    title: str
    detail: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
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
    fasting: FastingRule | None = None
    """Set on a step that belongs to one fasting rule; it is planned only under that rule."""
    intake: Intake | None = None
    """For a food-and-drink step: the most a person may eat or drink while it is in force."""
    before_last_doses: bool = False
    """A step that asks about stopping medicines: the planner moves it to the day before
    the earliest last dose when the protocol's day for it would be too late."""
    appointment: bool = False
    """A calendar-day step whose clock time is real (the clinic's own booking); without it
    such a step is a to-do for its day and its time only a reminder."""
    caregiver: tuple[CaregiverPart, ...] = ()
    """The parts of the caregiver's sheet that cite this step (``CAREGIVER_PARTS``)."""
    translations: Mapping[str, StepText] = field(default_factory=dict, compare=False, hash=False)
    """The step's words in other languages, by language code (``es``)."""

    def in_language(self, language: str) -> StepSpec:
        """This step with its words in *language* (which it must have, unless it is English)."""
        if language == SOURCE_LANGUAGE:
            return self
        text = self.translations[language]
        return replace(self, title=text.title, detail=text.detail, items=text.items)


@dataclass(frozen=True, slots=True)
class WarningSign:
    """A sign that means: call the doctor, or get emergency care now."""

    id: str
    text: str
    level: Literal["call", "emergency"]
    sources: tuple[Source, ...]
    translations: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """The text in other languages, by language code."""


@dataclass(frozen=True, slots=True)
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
    translations: Mapping[str, tuple[str, str]] = field(default_factory=dict, compare=False, hash=False)
    """The name and summary in other languages, by language code."""
    revision: str = ""
    """The protocol file's ``revision`` (or a digest of its text), printed on every plan."""
    recovery_minutes: int = 180
    """How long after the procedure the person is still in care: calendar alarms stay silent then,
    and the caregiver's pick-up window ends."""
    pickup_minutes: int = 60
    """The earliest most people go home after the procedure: the pick-up window's start."""
    companion_hours: int = 24
    """How long an adult stays with the person after the procedure (sedation)."""
    language: str = "en"
    """The language of the words in this object (see ``in_language``)."""

    def missing_words(self, language: str) -> list[str]:
        """What has no text in *language*: "name", "summary", step and warning-sign ids."""
        if language == SOURCE_LANGUAGE:
            return []
        missing = [] if language in self.translations else ["name and summary"]
        for step in self.steps:
            text = step.translations.get(language)
            if text is None or len(text.items) != len(step.items):
                missing.append(f"step {step.id}")
        missing += [
            f"warning sign {sign.id}" for sign in self.warning_signs if language not in sign.translations
        ]
        return missing

    def in_language(self, language: str) -> Protocol:
        """This protocol with every text in *language*; ``missing_words`` must be empty."""
        if language == self.language:
            return self
        if self.language != SOURCE_LANGUAGE:
            raise ValueError("translate from the English protocol")
        if language == SOURCE_LANGUAGE:
            return self
        name, summary = self.translations[language]
        return replace(
            self,
            name=name,
            summary=summary,
            steps=tuple(step.in_language(language) for step in self.steps),
            warning_signs=tuple(
                replace(sign, text=sign.translations[language]) for sign in self.warning_signs
            ),
            language=language,
        )

    @property
    def fasting_rules(self) -> tuple[FastingRule, ...]:
        """The fasting rules this protocol has steps for.

        A protocol whose steps are not marked with a rule has its own fasting
        instructions, which count as the default, "midnight".
        """
        marked = {step.fasting for step in self.steps if step.fasting is not None}
        return tuple(rule for rule in FASTING_RULES if rule in marked) if marked else ("midnight",)

    def steps_for(self, fasting: FastingRule) -> tuple[StepSpec, ...]:
        """The steps planned under *fasting*: all unmarked steps and those marked with it."""
        return tuple(step for step in self.steps if step.fasting in (None, fasting))


@dataclass(frozen=True, slots=True)
class Hold:
    """How long before the procedure a medicine is stopped (the doctor's, or a catalogue default)."""

    amount: int
    unit: Literal["days", "hours"]
    given_as: str
    """The text as typed (or the catalogue's wording), quoted back on every output."""


# --- The medicine catalogue (checklists/medications.toml) -----------------------

Action = Literal[
    "stop",
    "skip-procedure-day",
    "skip-morning-dose",
    "change-dose",
    "move-dose",
    "ask-doctor",
    "keep-taking",
]
"""What typical guidance says to do with a medicine before the procedure."""

RESTARTED_ACTIONS: frozenset[str] = frozenset(
    {"stop", "skip-procedure-day", "skip-morning-dose", "change-dose"}
)
"""Actions that change the usual doses, so after-care says when to go back to them."""

Grade = Literal["A", "B", "C", "D"]
"""Confidence of a catalogue value (clinical reference): C and D are shown as "unconfirmed"."""


@dataclass(frozen=True, slots=True)
class Restart:
    """When a stopped medicine is typically started again."""

    kind: Literal["hours", "eating", "next-dose", "ask"]
    """``next-dose``: a weekly medicine, taken again on its usual day once eating normally."""
    hours: int = 0
    """Earliest typical restart, in hours after the procedure ends (kind "hours")."""
    to_hours: int = 0
    """Latest typical restart, when the guidance gives a range (else equal to *hours*)."""


@dataclass(frozen=True, slots=True)
class LabCheck:
    """A blood test the catalogue names for a medicine (INR for warfarin)."""

    id: str
    title: str
    detail: str
    when: TimingRule
    translations: Mapping[str, tuple[str, str]] = field(default_factory=dict, compare=False, hash=False)
    """Title and detail in other languages, by language code."""

    def words(self, language: str) -> tuple[str, str]:
        """The title and detail in *language* (English when it has none)."""
        return self.translations.get(language, (self.title, self.detail))


@dataclass(frozen=True, slots=True)
class MedicineRule:
    """The typical guidance for one medicine (or one form of it)."""

    action: Action
    hold: Hold | None
    """The hold this plan uses when the doctor gave none (action "stop")."""
    hold_from: int | None
    """The short end of a range such as "3 to 5 days" (the plan uses the long end)."""
    when: TimingRule | None
    """When the reminder goes, for actions other than "stop"."""
    instruction: str
    """Extra plain-language guidance (the dose change, why to ask the prescriber)."""
    restart: Restart
    labs: tuple[LabCheck, ...]
    liquid_diet_hours: int | None
    """Newer advice for GLP-1 medicines: liquids only for this many hours before."""
    grade: Grade
    sources: tuple[Source, ...]
    restart_grade: Grade | None = None
    """The grade of the restart advice when it differs from *grade* (clopidogrel: B, restart C)."""
    counting: Literal["dose-free-days", "weekly"] = "dose-free-days"
    """How a hold in days becomes a last-dose day. ``dose-free-days``: no dose on the N days
    before the procedure day nor on it. ``weekly``: a weekly dose may still be taken N days
    before, so only the one dose in the week before is skipped (ASA 2023, GLP-1)."""
    low_kidney: tuple[int, MedicineRule] | None = None
    """The rule that replaces this one when the creatinine clearance is below the number."""
    translations: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """The instruction in other languages, by language code."""

    def instruction_in(self, language: str) -> str:
        """The instruction in *language* (English when it has none, or when there is none)."""
        return self.translations.get(language, self.instruction) if self.instruction else ""

    @property
    def unconfirmed(self) -> bool:
        """Grade C or D: could not be read in the guideline itself."""
        return self.grade in ("C", "D")

    @property
    def restart_unconfirmed(self) -> bool:
        """The restart advice is grade C or D."""
        return (self.restart_grade or self.grade) in ("C", "D")


@dataclass(frozen=True, slots=True)
class MedicineForm:
    """A form of a medicine with its own rule: a dose, a use, a schedule or a kidney function."""

    id: str
    """Empty for a medicine with a single rule."""
    label: str
    brands: tuple[str, ...]
    """Brand names that always mean this form (Rybelsus is daily semaglutide)."""
    crcl_at_least: int | None
    crcl_below: int | None
    rule: MedicineRule
    translations: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """The label in other languages, by language code."""

    def label_in(self, language: str) -> str:
        """The label in *language* (English when it has none)."""
        return self.translations.get(language, self.label)

    def fits_crcl(self, crcl: int) -> bool:
        """Whether a creatinine clearance of *crcl* mL/min selects this form."""
        low = self.crcl_at_least if self.crcl_at_least is not None else 0
        high = self.crcl_below if self.crcl_below is not None else 10_000
        return low <= crcl < high


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One medicine of the catalogue, by its generic name."""

    id: str
    generic: str
    brands: tuple[str, ...]
    aliases: tuple[str, ...]
    """Other names people use (``Effexor`` for Effexor XR, ``fish oil``)."""
    drug_class: str
    blood_thinner: bool
    """An anticoagulant or antiplatelet: ``--require-doctor-holds`` insists on the doctor's interval."""
    forms: tuple[MedicineForm, ...]
    """At least one; a single form with an empty id when nothing changes the rule."""
    form_question: str
    """What the person must say to pick a form ("the dose", "kidney function")."""
    translations: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """The generic name in other languages, by language code (``warfarina``)."""

    def generic_in(self, language: str) -> str:
        """The generic name in *language* (English when it has none)."""
        return self.translations.get(language, self.generic)

    @property
    def all_brands(self) -> tuple[str, ...]:
        """The entry's brands, then the brands that belong to one form (Ozempic, Rybelsus)."""
        return self.brands + tuple(brand for form in self.forms for brand in form.brands)

    @property
    def has_forms(self) -> bool:
        """Whether the rule depends on a form the person must name."""
        return len(self.forms) > 1

    def form(self, form_id: str) -> MedicineForm | None:
        """The form called *form_id*, if there is one."""
        return next((f for f in self.forms if f.id == form_id), None)


# --- Inputs -----------------------------------------------------------------


HoldSource = Literal["doctor", "catalogue", "none"]


@dataclass(frozen=True, slots=True)
class MedicineOrder:
    """One ``--med`` value: a medicine, what the doctor said about it, and its catalogue entry.

    The doctor's word (*hold* or *keep_taking*) always wins over the catalogue.
    """

    name: str
    """As shown: ``Eliquis (apixaban)`` for a brand, the typed name otherwise."""
    hold: Hold | None = None
    """The doctor's interval, when given."""
    keep_taking: bool = False
    """The doctor said not to stop it."""
    entry: CatalogueEntry | None = None
    form: MedicineForm | None = None
    """The form of *entry* whose rule applies (always set when *entry* is)."""
    typed: str = ""
    """The text of the ``--med`` value, for JSON readers."""
    range_end: HoldRange = "longest"
    """Which end of a range such as "3 to 5 days" the plan uses (a clinic setting)."""
    brand: str = ""
    """The brand name typed, when it was one (``Eliquis``), to name it in any language."""

    def name_in(self, language: str) -> str:
        """The name in *language*: ``Eliquis (apixabán)``, ``warfarina``; the typed name if unlisted."""
        if self.entry is None or language == SOURCE_LANGUAGE:
            return self.name
        generic = self.entry.generic_in(language)
        if self.brand:
            return f"{self.brand} ({generic})"
        return generic if self.name == self.entry.generic else self.name

    @property
    def key(self) -> str:
        """An id part: the catalogue id, else the name in lower case joined by '-' (``co-codamol``)."""
        if self.entry is not None:
            return self.entry.id
        slug = "".join(ch if ch.isalnum() else "-" for ch in self.name.casefold())
        return "-".join(part for part in slug.split("-") if part) or "medicine"

    @property
    def rule(self) -> MedicineRule | None:
        """The catalogue's typical guidance, if the medicine is in the catalogue."""
        return None if self.form is None else self.form.rule

    @property
    def hold_source(self) -> HoldSource:
        """Where the instruction comes from: the doctor, the catalogue, or nowhere (ask the team)."""
        if self.hold is not None or self.keep_taking:
            return "doctor"
        return "catalogue" if self.rule is not None else "none"

    @property
    def action(self) -> Action | None:
        """What this plan does with the medicine before the procedure (None: ask the care team)."""
        if self.hold is not None:
            return "stop"
        if self.keep_taking:
            return "keep-taking"
        return None if self.rule is None else self.rule.action

    @property
    def effective_hold(self) -> Hold | None:
        """The hold the plan uses: the doctor's, else the catalogue's for a "stop" rule."""
        if self.hold is not None:
            return self.hold
        rule = self.rule
        if rule is not None and rule.action == "stop" and not self.keep_taking:
            if self.range_end == "shortest" and rule.hold_from is not None and rule.hold is not None:
                return Hold(rule.hold_from, rule.hold.unit, f"{rule.hold_from}{rule.hold.unit[0]}")
            return rule.hold
        return None


@dataclass(frozen=True, slots=True)
class PreviousEvent:
    """One calendar event of an earlier version of a plan, read from its JSON."""

    uid: str
    title: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class PreviousPlan:
    """The earlier version a new plan replaces (``--replaces PREVIOUS.json``).

    Its events that the new plan no longer has are written to the new calendar
    as cancelled, so a calendar app that honours cancellations removes them.
    """

    plan_id: str
    version: int
    events: tuple[PreviousEvent, ...]


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything the planner needs; the planner reads nothing else."""

    procedure_start: datetime
    """Aware, in the zone named by *timezone*."""
    timezone: str
    now: datetime
    """Aware; "today" for past steps, warnings and DTSTAMP. Never read from a clock."""
    protocol: Protocol
    arrive_minutes: int
    medicines: tuple[MedicineOrder, ...] = ()
    reminder_minutes: int | None = None
    """How long before each step a calendar alarm rings; None means the protocol's value."""
    fasting: FastingRule = "midnight"
    discreet_titles: bool = True
    """Keep medicine and procedure names out of calendar titles and alarms (lock screens show them)."""
    language: str = "en"
    crcl: int | None = None
    """Creatinine clearance in mL/min, when given (selects a form such as dabigatran's)."""
    patient: str | None = None
    driver: str | None = None
    facility: str | None = None
    address: str | None = None
    """The facility's street address, shown with its name."""
    phone: str | None = None
    plan_id: str | None = None
    """A stable identity for calendar UIDs; defaults to patient + protocol."""
    catalogue_revision: str = ""
    """The medicine catalogue's revision, printed on every plan so a nurse can trace its advice."""
    replaces: PreviousPlan | None = None
    """The earlier version of this plan, when the new one replaces it."""


# --- Results ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
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
    medicine: MedicineOrder | None = None
    """Set on a step made for a medicine (last dose, restart, lab check)."""
    clock: Clock = "exact"
    intake: Intake | None = None
    """For a food-and-drink step: the most a person may eat or drink while it is in force."""
    dose: DoseEffect | None = None
    dose_until: datetime | None = None
    """For a ``skip`` step: the end of the time without a dose."""
    caregiver: tuple[CaregiverPart, ...] = ()
    """The parts of the caregiver's sheet that cite this step (from its protocol step)."""


@dataclass(frozen=True, slots=True)
class PlanWarning:
    """Something the person must act on before anything else (shown at the top)."""

    code: str
    message: str
    step_id: str | None = None


@dataclass(frozen=True, slots=True)
class MedicineSummary:
    """One medicine as the "Bring this list" table and the JSON show it."""

    order: MedicineOrder
    instruction: str
    """What to do, labelled with where it comes from ("Your doctor said: stop 5 days before")."""
    last_dose: datetime | None
    """The last dose (or the last day to take it) when the plan sets one."""
    last_dose_text: str
    name: str
    """The medicine's name in the plan's language (``warfarina``)."""
    counting: str = ""
    """One plain line on how the last-dose date was counted from the interval."""
    table_counting: str = ""
    """The same in a few words, for the "Bring this list" table, whose narrow cell sits beside
    the interval (the full line is on the last-dose step)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A dated preparation plan: the one thing every renderer draws."""

    request: PlanRequest
    procedure_end: datetime
    arrival: datetime
    plan_id: str
    steps: tuple[PlannedStep, ...]
    warnings: tuple[PlanWarning, ...]
    pickup_from: datetime
    """When the driver may first be needed back (the protocol's ``pickup_minutes`` after the end)."""
    pickup_to: datetime
    """When most people have gone home (the protocol's ``recovery_minutes`` after the end)."""
    stay_until: datetime
    """Until when an adult stays with the person (``companion_hours`` after the end)."""
    medicines: tuple[MedicineSummary, ...] = ()

    @property
    def protocol(self) -> Protocol:
        """The protocol this plan was built from."""
        return self.request.protocol

    @property
    def reminder_minutes(self) -> int:
        """Minutes before each step that its calendar alarm rings."""
        if self.request.reminder_minutes is not None:
            return self.request.reminder_minutes
        return self.request.protocol.reminder_minutes

    @property
    def version(self) -> int:
        """The plan's version: 0, or one more than the version it replaces (the calendar's SEQUENCE)."""
        previous = self.request.replaces
        return 0 if previous is None else previous.version + 1

    @property
    def procedure_date(self) -> date:
        """The local date of the procedure."""
        return self.request.procedure_start.date()
