"""The steps one medicine adds to a plan: last dose, day-of change, restart, lab check.

The doctor's instruction decides what happens; the catalogue's typical guidance
is used only when the doctor gave none, and then every text says so ("Typical
guidance — confirm with your doctor", "(unconfirmed)" for grade C and D values).
Part of the pure planner: no clock, no files.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kyphoprep.core.models import (
    RESTARTED_ACTIONS,
    AfterProcedure,
    BeforeProcedure,
    Category,
    Clock,
    DoseEffect,
    Hold,
    Intake,
    LabCheck,
    MedicineOrder,
    MedicineRule,
    MedicineSummary,
    PlannedStep,
    PlanRequest,
    PlanWarning,
    ProcedureStart,
    Source,
    TimingRule,
)
from kyphoprep.core.timing import Anchors, clock_of, describe_rule, is_before, local_instant, shift_elapsed

if TYPE_CHECKING:
    from kyphoprep.i18n.words import Words

MEDICINE_STEP_MINUTES = 15
DOCTOR_SOURCE_KEY = "doctor"

_DAY_OF_STEPS = {
    "skip-procedure-day": ("skip_day_title", "skip_day_detail"),
    "skip-morning-dose": ("skip_morning_title", "skip_morning_detail"),
    "change-dose": ("change_dose_title", "change_dose_detail"),
    "move-dose": ("move_dose_title", "move_dose_detail"),
    "ask-doctor": ("ask_title", "ask_detail"),
}
_INSTRUCTION_IS_THE_DETAIL = frozenset({"change-dose"})
"""Day-of actions whose detail message only restates the title ("Your dose of X changes for the
procedure."): the catalogue's instruction (the new dose) takes its place; the message is used
only when a medicine has no instruction. The others' messages say what the instruction adds to."""
_DAY_OF_DOSE: dict[str, DoseEffect] = {
    "skip-procedure-day": "skip",
    "skip-morning-dose": "skip",
    "move-dose": "skip",
    "change-dose": "take",
    "ask-doctor": "ask",
}
_BRING_TYPICAL = {
    "skip-procedure-day": "bring_typical_skip_day",
    "skip-morning-dose": "bring_typical_skip_morning",
    "change-dose": "bring_typical_change",
    "move-dose": "bring_typical_move",
    "ask-doctor": "bring_typical_ask",
    "keep-taking": "bring_typical_keep",
}


class MedicineSteps:
    """Everything the plan shows for one medicine order."""

    def __init__(
        self, order: MedicineOrder, request: PlanRequest, anchors: Anchors, now: datetime, words: Words
    ) -> None:
        self.order = order
        self.request = request
        self.anchors = anchors
        self.now = now
        self.rule: MedicineRule | None = order.rule
        self.from_doctor = order.hold_source == "doctor"
        self.language = request.language
        self.words = words
        self.name = order.name_in(request.language)
        self._last_dose: PlannedStep | None = None
        self._counting = ""
        self._table_counting = ""
        self._steps = self._build()

    # -- public ---------------------------------------------------------------

    def steps(self) -> list[PlannedStep]:
        """The steps, in the order made (the planner sorts the whole plan by time)."""
        return self._steps

    def warnings(self) -> list[PlanWarning]:
        """A warning when the last dose of a medicine to stop is already past."""
        step, hold = self._last_dose, self.order.effective_hold
        if step is None or hold is None or not step.past:
            return []
        due = self.words.last_dose(step.start, hold)
        phone = self.request.phone
        call = self.words("call_team_at", phone=phone) if phone else self.words("call_team")
        return [
            PlanWarning(
                code="last-dose-passed",
                message=self.words("too_late", medicine=self.name.upper(), due=due, call=call),
                step_id=step.id,
            )
        ]

    def summary(self) -> MedicineSummary:
        """The row of the "Bring this list" table."""
        order, rule = self.order, self.rule
        mark = self.words.unconfirmed(rule)
        hold = order.effective_hold
        if order.keep_taking:
            instruction = self.words("bring_doctor_keep")
        elif order.hold is not None:
            instruction = self.words("bring_doctor_stop", hold=self.words.hold(order.hold))
        elif rule is None:
            instruction = self.words("bring_unknown")
        elif rule.action == "stop":
            instruction = self.words(
                "bring_typical_stop", typical=self.words.typical_hold(rule), unconfirmed=mark
            )
        else:  # "ask-doctor" quotes no value, so its text has no {unconfirmed} to fill
            instruction = self.words(_BRING_TYPICAL[rule.action], unconfirmed=mark)
        if self._last_dose is not None and hold is not None:
            return MedicineSummary(
                order,
                instruction,
                self._last_dose.start,
                self.words.last_dose(self._last_dose.start, hold),
                counting=self._counting,
                table_counting=self._table_counting,
                name=self.name,
            )
        if order.action in ("skip-procedure-day", "skip-morning-dose", "move-dose"):
            day_before = self.anchors.start.date() - timedelta(days=1)
            text = self.words("day_before_procedure", date=self.words.date(day_before, year=False))
            return MedicineSummary(order, instruction, None, text, name=self.name)
        return MedicineSummary(order, instruction, None, self.words("bring_no_last_dose"), name=self.name)

    # -- building ---------------------------------------------------------------

    def _build(self) -> list[PlannedStep]:
        order, rule = self.order, self.rule
        hold = order.effective_hold
        steps: list[PlannedStep] = []
        if hold is not None:
            self._last_dose = self._last_dose_step(hold)
            steps.append(self._last_dose)
        elif order.action in _DAY_OF_STEPS and rule is not None and rule.when is not None:
            steps.append(self._day_of_step(rule, rule.when))
        if order.action in RESTARTED_ACTIONS:
            steps.append(self._restart_step())
        if rule is not None:
            steps += [self._lab_step(rule, lab) for lab in rule.labs]
            if rule.liquid_diet_hours is not None and not self.from_doctor:
                steps.append(self._liquid_diet_step(rule.liquid_diet_hours))
        return steps

    def _sources(self) -> tuple[Source, ...]:
        if self.from_doctor or self.rule is None:
            return (Source(key=DOCTOR_SOURCE_KEY, citation=self.words("med_source")),)
        return self.rule.sources

    def _step(
        self,
        kind: str,
        title: str,
        detail: str,
        start: datetime,
        timing: dict[str, int | str],
        *,
        end: datetime | None = None,
        category: Category = Category.MEDICINES,
        past: bool | None = None,
        sources: tuple[Source, ...] | None = None,
        clock: Clock = "exact",
        dose: DoseEffect | None = None,
        dose_until: datetime | None = None,
        intake: Intake | None = None,
    ) -> PlannedStep:
        return PlannedStep(
            id=f"{kind}-{self.order.key}",
            title=title,
            detail=detail,
            category=category,
            start=start,
            end=end if end is not None else shift_elapsed(start, MEDICINE_STEP_MINUTES),
            sources=self._sources() if sources is None else sources,
            actionable=True,  # every medicine step is something to do or to ask
            past=is_before(start, self.now) if past is None else past,
            timing=timing,
            medicine=self.order,
            clock=clock,
            dose=dose,
            dose_until=dose_until,
            intake=intake,
        )

    def _typical_title(self, title: str) -> str:
        return title if self.from_doctor else self.words("confirm_title", title=title)

    def _last_dose_step(self, hold: Hold) -> PlannedStep:
        name, words, rule = self.name, self.words, self.rule
        procedure_day = self.anchors.start.date()
        clock: Clock = "reminder"
        weekly = not self.from_doctor and rule is not None and rule.counting == "weekly"
        if hold.unit == "days":
            # N days of hold = no dose on the N calendar days before the procedure day nor on
            # the procedure day itself, so the last dose is on day -(N+1). A weekly medicine's
            # typical stop (ASA 2023: skip the dose in the week before) keeps the dose on day -N.
            last_day = procedure_day - timedelta(days=hold.amount if weekly else hold.amount + 1)
            last_date = words.date(last_day, year=False)
            if weekly:
                detail = words("med_weekly_detail", medicine=name, last_date=last_date)
                self._counting = words("count_weekly", days=hold.amount)
                self._table_counting = words("bring_count_weekly")
            else:
                detail = words("med_days_detail", medicine=name, last_date=last_date)
                first = words.date(last_day + timedelta(days=1), year=False)
                self._counting = words(
                    "count_days",
                    medicine=name,
                    hold=words.hold(hold),
                    first=first,
                    procedure=words.date(procedure_day, year=False),
                )
                self._table_counting = words("bring_count_days", first=first)
            start = local_instant(last_day, self.request.protocol.medicine_reminder_at, self.anchors.zone)
            title = words("med_weekly_title" if weekly else "med_days_title", medicine=name)
            # On the last day itself there is still time to take the last dose.
            past = last_day < self.now.date()
            timing: dict[str, int | str] = {"rule": "last-dose-day", "days": hold.amount}
            if weekly:
                timing["counting"] = "weekly"
        else:
            clock = "exact"
            start = shift_elapsed(self.anchors.start, -60 * hold.amount)
            title = words("med_hours_title", medicine=name, time=words.time(start))
            detail = words(
                "med_hours_detail",
                medicine=name,
                time=words.time(start),
                last_date=words.date(start.date(), year=False),
            )
            self._counting = words("count_hours", hold=words.hold(hold))
            self._table_counting = words("bring_count_hours", hold=words.hold(hold))
            past = is_before(start, self.now)
            timing = {"rule": "last-dose-by", "minutes": 60 * hold.amount}
        detail += " " + self._counting
        if self.from_doctor:
            detail += " " + words("med_doctor_said", medicine=name, hold=words.hold(hold))
        elif rule is not None:
            detail += " " + words(
                "med_typical_stop",
                medicine=name,
                typical=words.typical_hold(rule),
                unconfirmed=words.unconfirmed(rule),
            )
            if rule.hold_from is not None:
                key = "range_shortest" if self.order.range_end == "shortest" else "range_longest"
                detail += " " + words(key, typical=words.typical_hold(rule), hold=words.hold(hold))
            if self.order.form is not None and self.order.form.id:
                detail += " " + words("med_form_used", form=self.order.form.label_in(self.language))
            if rule.instruction:
                detail += " " + rule.instruction_in(self.language)
        return self._step(
            "medicine", self._typical_title(title), detail, start, timing, past=past, clock=clock, dose="last"
        )

    def _day_of_step(self, rule: MedicineRule, when: TimingRule) -> PlannedStep:
        title_key, detail_key = _DAY_OF_STEPS[rule.action]
        name = self.name
        procedure_day = self.anchors.start.date()
        procedure_date = self.words.date(procedure_day, year=False)
        next_date = self.words.date(procedure_day + timedelta(days=1), year=False)
        detail = self.words(detail_key, medicine=name, procedure_date=procedure_date, next_date=next_date)
        if rule.instruction:
            instruction = rule.instruction_in(self.language)
            detail = instruction if rule.action in _INSTRUCTION_IS_THE_DETAIL else f"{detail} {instruction}"
        title = self.words(title_key, medicine=name)
        # "Ask your doctor" is not a typical value to confirm; its own
        # instruction marks any unconfirmed figure it quotes.
        if rule.action != "ask-doctor":
            title = self._typical_title(title)
            # The title already says to confirm with the doctor; the detail says whose advice it is.
            detail += " " + self.words("typical_note", unconfirmed=self.words.unconfirmed(rule))
        dose = _DAY_OF_DOSE[rule.action]
        return self._step(
            "medicine",
            title,
            detail,
            self.anchors.resolve(when),
            describe_rule(when),
            clock=clock_of(when),
            dose=dose,
            # A skipped dose is skipped until the procedure is over, not the whole day.
            dose_until=self.anchors.end if dose == "skip" else None,
        )

    def _restart_step(self) -> PlannedStep:
        name, rule = self.name, self.rule
        restart = rule.restart if rule is not None else None
        restart_unconfirmed = (
            self.words("unconfirmed_mark") if rule is not None and rule.restart_unconfirmed else ""
        )
        clock: Clock = "exact"
        if restart is not None and restart.kind == "next-dose":
            title = self.words("restart_next_title", medicine=name)
            detail = self.words("restart_next_detail", medicine=name)
            detail += " " + self.words("typical_footer", unconfirmed=restart_unconfirmed)
            rule_at: TimingRule = AfterProcedure(0)
            clock = "reminder"
        elif restart is not None and restart.kind == "eating":
            dose_change = self.order.action == "change-dose"
            title = self.words("restart_dose_title" if dose_change else "restart_eating_title", medicine=name)
            detail = self.words(
                "restart_dose_detail" if dose_change else "restart_eating_detail", medicine=name
            )
            detail += " " + self.words("typical_footer", unconfirmed=restart_unconfirmed)
            rule_at = AfterProcedure(0)
            clock = "reminder"
        elif restart is not None and restart.kind == "hours":
            title = self.words("restart_ask_title", medicine=name)
            detail = self.words(
                "restart_hours_detail",
                medicine=name,
                hours=self.words.restart_hours(restart),
                unconfirmed=restart_unconfirmed,
            )
            # The reminder comes at the earliest typical time, to ask then.
            rule_at = AfterProcedure(60 * restart.hours)
        else:
            title = self.words("restart_ask_title", medicine=name)
            detail = self.words("restart_ask_detail", medicine=name)
            rule_at = AfterProcedure(0)
        sources = self._sources()
        if rule is not None and restart is not None and restart.kind != "ask" and self.from_doctor:
            # The doctor set the stop; the typical restart time comes from the catalogue.
            sources += rule.sources
        return self._step(
            "restart",
            title,
            detail,
            self.anchors.resolve(rule_at),
            describe_rule(rule_at),
            category=Category.AFTER_CARE,
            sources=sources,
            clock=clock,
            dose="restart",
        )

    def _lab_step(self, rule: MedicineRule, lab: LabCheck) -> PlannedStep:
        title, detail = lab.words(self.language)
        return self._step(
            f"lab-{lab.id}",
            title,
            detail.format(medicine=self.name),
            self.anchors.resolve(lab.when),
            describe_rule(lab.when),
            clock=clock_of(lab.when),
            category=Category.PREPARE,
            # Lab advice comes from the catalogue even when the hold is the doctor's.
            sources=rule.sources,
        )

    def _liquid_diet_step(self, hours: int) -> PlannedStep:
        rule_at = BeforeProcedure(60 * hours)
        return self._step(
            "liquid-diet",
            self.words("liquid_title", medicine=self.name),
            self.words("liquid_detail", medicine=self.name, hours=hours),
            self.anchors.resolve(rule_at),
            describe_rule(rule_at),
            end=self.anchors.resolve(ProcedureStart()),
            category=Category.FOOD_AND_DRINK,
            intake="liquids",
        )
