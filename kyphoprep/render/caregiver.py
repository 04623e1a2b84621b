"""A short sheet for the person who drives the patient and stays with them: plain text, 72 columns.

It answers only what that person needs: when and where to arrive, roughly when
to pick the patient up, until when to stay, what to watch for and whom to call.
The times are the plan's (``Plan.pickup_from``, ``pickup_to``, ``stay_until``); each part
cites the protocol steps marked for it (``caregiver = ["pickup"]`` in the protocol file)
and the warning signs, so a clinic's own protocol changes the citations with its steps.
"""

from __future__ import annotations

from datetime import datetime

from kyphoprep.core.models import CaregiverPart, Plan
from kyphoprep.i18n.words import Words
from kyphoprep.render import RenderOptions
from kyphoprep.render.common import Citations, call_heading, warning_signs, words_of
from kyphoprep.render.text import RULE, THIN_RULE, wrap


class CaregiverRenderer:
    """Renders the driver's and companion's summary."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the summary as UTF-8 text with LF line endings."""
        words = words_of(plan)
        request = plan.request
        patient = request.patient or words("caregiver_the_patient")
        cited = Citations()

        def refs(part: CaregiverPart) -> str:
            """`` [1] [2]``: the sources of this plan's steps marked for *part* of the sheet."""
            marks = cited.marks(
                source for step in plan.steps if part in step.caregiver for source in step.sources
            )
            return f" {marks}" if marks else ""

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
        sections = [
            (
                "caregiver_arrive_heading",
                words(
                    "caregiver_arrive",
                    patient=patient,
                    arrival=_when(words, plan.arrival),
                )
                + refs("arrive"),
            ),
            (
                "caregiver_pickup_heading",
                words(
                    "caregiver_pickup",
                    patient=patient,
                    start=words.time(request.procedure_start),
                    end=words.time(end),
                    pickup_from=words.time(plan.pickup_from),
                    pickup_to=_until(words, plan.pickup_from, plan.pickup_to),
                )
                + refs("pickup"),
            ),
            (
                "caregiver_stay_heading",
                words("caregiver_stay", patient=patient, until=_when(words, plan.stay_until)) + refs("stay"),
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
            cited.cite(sign.sources)

        lines += ["", THIN_RULE, words("caregiver_who_heading").upper(), THIN_RULE]
        clinic = request.facility or words("caregiver_the_clinic")
        phone = request.phone or words("caregiver_phone_on_papers")
        lines += wrap(words("caregiver_who", clinic=clinic, phone=phone))

        lines += ["", *wrap(words("care_team_first")), "", *wrap(words("calendar_update"))]
        lines += ["", words("heading_sources") + ":"]
        for number, citation in cited.listed():
            lines += wrap(citation, f"[{number}] ", " " * (len(str(number)) + 3))
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
