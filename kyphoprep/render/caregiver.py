"""A short sheet for the person who drives the patient and stays with them: plain text, 72 columns.

It answers only what that person needs: when and where to arrive, roughly when
to pick the patient up, until when to stay, what to watch for and whom to call.
Each part cites the protocol steps (and warning signs) its facts come from, so a
clinic's own protocol changes the citations with the steps.
"""

from __future__ import annotations

from datetime import datetime

from kyphoprep.core.models import Plan, Source
from kyphoprep.core.timing import shift_elapsed
from kyphoprep.i18n.words import Words
from kyphoprep.render import RenderOptions
from kyphoprep.render.common import call_heading, warning_signs, words_of
from kyphoprep.render.text import RULE, THIN_RULE, wrap

PICKUP_FROM_HOURS = 1
"""Most people go home 1 to 3 hours after the procedure (seeds 000, 001, 004; the "go-home" step)."""
PICKUP_TO_HOURS = 3
STAY_HOURS = 24
"""An adult stays 24 hours after sedation (ASA; the "arrange-companion" and "no-driving" steps)."""


class CaregiverRenderer:
    """Renders the driver's and companion's summary."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the summary as UTF-8 text with LF line endings."""
        words = words_of(plan)
        request = plan.request
        patient = request.patient or words("caregiver_the_patient")
        cited: dict[str, Source] = {}

        def refs(*step_ids: str) -> str:
            """`` [1] [2]``: the sources of the protocol steps *step_ids* that this plan has."""
            numbers = []
            for step in plan.steps:
                if step.id in step_ids:
                    for source in step.sources:
                        cited.setdefault(source.key, source)
                        numbers.append(list(cited).index(source.key) + 1)
            return "".join(f" [{n}]" for n in sorted(set(numbers)))

        lines = [RULE, *wrap(words("caregiver_title").upper()), RULE]
        if plan.warnings:
            lines += ["", f"!!! {words('heading_warnings')} !!!"]
            for warning in plan.warnings:
                lines += wrap(warning.message, "* ", "  ")
        rows = [
            (words("label_patient"), request.patient or words("not_given")),
            (words("label_procedure"), f"{plan.protocol.name}, {words.moment(request.procedure_start)}"),
        ]
        if request.facility:
            rows.append((words("label_facility"), request.facility))
        if request.address:
            rows.append((words("label_address"), request.address))
        rows.append((words("label_phone"), request.phone or words("not_given")))
        label_width = max(len(label) for label, _ in rows) + 2
        lines.append("")
        for label, value in rows:
            lines += wrap(value, f"{label + ':':<{label_width}}", " " * label_width)

        end = plan.procedure_end
        pickup_from = shift_elapsed(end, 60 * PICKUP_FROM_HOURS)
        pickup_to = shift_elapsed(end, 60 * PICKUP_TO_HOURS)
        stay_until = shift_elapsed(end, 60 * STAY_HOURS)
        sections = [
            (
                "caregiver_arrive_heading",
                words(
                    "caregiver_arrive",
                    patient=patient,
                    arrival=_when(words, plan.arrival),
                )
                + refs("arrive", "arrange-driver"),
            ),
            (
                "caregiver_pickup_heading",
                words(
                    "caregiver_pickup",
                    patient=patient,
                    start=words.time(request.procedure_start),
                    end=words.time(end),
                    pickup_from=words.time(pickup_from),
                    pickup_to=_until(words, pickup_from, pickup_to),
                )
                + refs("go-home", "arrange-driver"),
            ),
            (
                "caregiver_stay_heading",
                words("caregiver_stay", patient=patient, until=_when(words, stay_until))
                + refs("arrange-companion", "no-driving", "rest-first-day"),
            ),
        ]
        for heading, text in sections:
            lines += ["", THIN_RULE, words(heading).upper(), THIN_RULE, *wrap(text)]

        lines += ["", THIN_RULE, words("caregiver_watch_heading").upper(), THIN_RULE]
        lines += wrap(call_heading(plan) + ":")
        lines += [line for text in warning_signs(plan, "call") for line in wrap(text, "* ", "  ")]
        lines += ["", *wrap(words("heading_emergency") + ":")]
        lines += [line for text in warning_signs(plan, "emergency") for line in wrap(text, "* ", "  ")]
        for sign in plan.protocol.warning_signs:
            for source in sign.sources:
                cited.setdefault(source.key, source)

        lines += ["", THIN_RULE, words("caregiver_who_heading").upper(), THIN_RULE]
        clinic = request.facility or words("caregiver_the_clinic")
        phone = request.phone or words("caregiver_phone_on_papers")
        lines += wrap(words("caregiver_who", clinic=clinic, phone=phone))

        lines += ["", *wrap(words("care_team_first")), "", *wrap(words("calendar_update"))]
        lines += ["", words("heading_sources") + ":"]
        for number, source in enumerate(cited.values(), start=1):
            lines += wrap(source.citation, f"[{number}] ", " " * (len(str(number)) + 3))
        lines += ["", words("end_of_plan"), ""]
        return "\n".join(lines).encode("utf-8")


def _when(words: Words, moment: datetime) -> str:
    """The time, and the date without the year: ``7:30 AM, Thursday, December 3``."""
    return f"{words.time(moment)}, {words.date(moment.date(), year=False)}"


def _until(words: Words, start: datetime, end: datetime) -> str:
    """The end of a window: its time, with its date only when it falls on another day."""
    if end.date() == start.date():
        return words.time(end)
    return _when(words, end)


RENDERER = CaregiverRenderer()
