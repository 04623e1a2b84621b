"""A short sheet for the person who drives the patient and stays with them: plain text, 72 columns.

It answers only what that person needs: when and where to arrive, roughly when
to pick the patient up, until when to stay, what to watch for and whom to call.
It speaks to that person, about the patient by name ("Call the clinic if Ann Lee
has:"; "the patient" when no name was given), and names the driver when one was given.
The times are the plan's (``Plan.pickup_from``, ``pickup_to``, ``stay_until``); each part
cites the protocol steps marked for it (``caregiver = ["pickup"]`` in the protocol file)
and the warning signs, so a clinic's own protocol changes the citations with its steps.

What the sheet says is worked out once (``caregiver_sheet``); this module draws it as
text, ``caregiver_html`` as a large-print page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kyphoprep.core.models import CaregiverPart, Plan
from kyphoprep.i18n.words import Words
from kyphoprep.render import RenderOptions
from kyphoprep.render.common import Citations, warning_signs, words_of
from kyphoprep.render.text import RULE, THIN_RULE, wrap


@dataclass(frozen=True, slots=True)
class Part:
    """One part of the sheet: a heading, its text, and the numbers of the sources it cites."""

    heading: str
    text: str
    marks: str = ""


@dataclass(frozen=True, slots=True)
class CaregiverSheet:
    """Everything the caregiver's sheet says, in the plan's language, in order."""

    title: str
    for_driver: str | None
    """``For Tom Lee, who drives Ann Lee home and stays``, when a driver was given."""
    warnings: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]
    parts: tuple[Part, ...]
    watch_heading: str
    call_heading: str
    call_signs: tuple[str, ...]
    emergency_heading: str
    emergency_signs: tuple[str, ...]
    who: Part
    care_team_first: str
    calendar_update: str
    sources_heading: str
    sources: tuple[tuple[int, str], ...]
    end: str


def caregiver_sheet(plan: Plan) -> CaregiverSheet:
    """What the sheet says for *plan*: the same for the text and the HTML sheet."""
    words = words_of(plan)
    request = plan.request
    patient = request.patient or words("caregiver_the_patient")
    clinic = request.facility or words("caregiver_the_clinic")
    cited = Citations()

    def marks(part: CaregiverPart) -> str:
        """``[1] [2]``: the sources of this plan's steps marked for *part* of the sheet."""
        return cited.marks(source for step in plan.steps if part in step.caregiver for source in step.sources)

    facts = [
        (words("label_patient"), request.patient or words("not_given")),
        (words("label_procedure"), f"{plan.protocol.name}, {words.moment(request.procedure_start)}"),
        (words("label_driver"), request.driver or words("not_given")),
    ]
    if request.facility:
        facts.append((words("label_facility"), request.facility))
    if request.address:
        facts.append((words("label_address"), request.address))
    facts.append((words("label_phone"), request.phone or words("not_given")))

    end = plan.procedure_end
    parts = (
        Part(
            words("caregiver_arrive_heading"),
            words("caregiver_arrive", patient=patient, arrival=_when(words, plan.arrival)),
            marks("arrive"),
        ),
        Part(
            words("caregiver_pickup_heading"),
            words(
                "caregiver_pickup",
                patient=patient,
                start=words.time(request.procedure_start),
                end=words.time(end),
                pickup_from=words.time(plan.pickup_from),
                pickup_to=_until(words, plan.pickup_from, plan.pickup_to),
            ),
            marks("pickup"),
        ),
        Part(
            words("caregiver_stay_heading"),
            words("caregiver_stay", patient=patient, until=_when(words, plan.stay_until)),
            marks("stay"),
        ),
    )
    call = words("caregiver_call", clinic=clinic, patient=patient)
    if request.phone:
        call += f" ({words('label_call')} {request.phone})"
    for sign in plan.protocol.warning_signs:
        cited.cite(sign.sources)
    phone = request.phone or words("caregiver_phone_on_papers")
    return CaregiverSheet(
        title=words("caregiver_title"),
        for_driver=(
            words("caregiver_for_driver", driver=request.driver, patient=patient) if request.driver else None
        ),
        warnings=tuple(warning.message for warning in plan.warnings),
        facts=tuple(facts),
        parts=parts,
        watch_heading=words("caregiver_watch_heading"),
        call_heading=call,
        call_signs=tuple(warning_signs(plan, "call")),
        emergency_heading=words("caregiver_emergency", patient=patient),
        emergency_signs=tuple(warning_signs(plan, "emergency")),
        who=Part(words("caregiver_who_heading"), words("caregiver_who", clinic=clinic, phone=phone)),
        care_team_first=words("care_team_first"),
        calendar_update=words("calendar_update"),
        sources_heading=words("heading_sources"),
        sources=tuple(cited.listed()),
        end=words("end_of_plan"),
    )


class CaregiverRenderer:
    """Renders the driver's and companion's summary."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the summary as UTF-8 text with LF line endings."""
        sheet = caregiver_sheet(plan)
        words = words_of(plan)
        lines = [RULE, *wrap(sheet.title.upper()), RULE]
        if sheet.for_driver:
            lines += wrap(sheet.for_driver)
        if sheet.warnings:
            lines += ["", f"!!! {words('heading_warnings')} !!!"]
            for warning in sheet.warnings:
                lines += wrap(warning, "* ", "  ")
        label_width = max(len(label) for label, _ in sheet.facts) + 2
        lines.append("")
        for label, value in sheet.facts:
            lines += wrap(value, f"{label + ':':<{label_width}}", " " * label_width)

        for part in sheet.parts:
            text = f"{part.text} {part.marks}" if part.marks else part.text
            lines += ["", THIN_RULE, part.heading.upper(), THIN_RULE, *wrap(text)]

        lines += ["", THIN_RULE, sheet.watch_heading.upper(), THIN_RULE]
        lines += wrap(sheet.call_heading + ":")
        lines += [line for text in sheet.call_signs for line in wrap(text, "* ", "  ")]
        lines += ["", *wrap(sheet.emergency_heading + ":")]
        lines += [line for text in sheet.emergency_signs for line in wrap(text, "* ", "  ")]

        lines += ["", THIN_RULE, sheet.who.heading.upper(), THIN_RULE, *wrap(sheet.who.text)]
        lines += ["", *wrap(sheet.care_team_first), "", *wrap(sheet.calendar_update)]
        lines += ["", sheet.sources_heading + ":"]
        for number, citation in sheet.sources:
            lines += wrap(citation, f"[{number}] ", " " * (len(str(number)) + 3))
        lines += ["", sheet.end, ""]
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
