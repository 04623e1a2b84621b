"""The printable handout: plain UTF-8 text, at most 72 columns, no escape codes.

72 columns fit a printed page in any monospaced font at a large size, and
survive being pasted into an email. Every action gets a ``[ ]`` box to tick.
"""

from __future__ import annotations

import textwrap

from kyphoprep.core.models import Plan, PlannedStep
from kyphoprep.i18n.words import Words
from kyphoprep.render import RenderOptions
from kyphoprep.render.calendar import removed_reminders
from kyphoprep.render.common import (
    Citations,
    after_care_steps,
    bring_rows,
    call_heading,
    days,
    header_rows,
    made_by,
    sentence,
    step_time,
    warning_signs,
    words_of,
)

WIDTH = 72
RULE = "=" * WIDTH
THIN_RULE = "-" * WIDTH
INDENT = "    "


def wrap(text: str, first: str = "", rest: str | None = None) -> list[str]:
    """Wrap *text* to the page width; long words are broken rather than overflow."""
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [first.rstrip()]


class TextRenderer:
    """Renders the plan as a printable handout."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the handout as UTF-8 text with LF line endings."""
        lines: list[str] = []
        message = words = words_of(plan)
        cited = Citations.of_plan(plan)
        if plan.warnings:
            lines += [RULE, f"!!! {message('heading_warnings')} !!!", RULE]
            for warning in plan.warnings:
                lines += wrap(warning.message, "* ", "  ")
            lines.append("")
        lines += [RULE, *wrap(message("plan_title", procedure=plan.protocol.name.lower()).upper()), RULE]
        header = header_rows(plan)
        label_width = max(len(label) for label, _ in header) + 2
        for label, value in header:
            lines += wrap(value, f"{label + ':':<{label_width}}", " " * label_width)
        lines.append("")
        lines += wrap(message("care_team_first"))
        lines.append("")
        removed = removed_reminders(plan)
        if removed:
            lines += [RULE, message("heading_removed").upper(), RULE, *wrap(message("removed_intro"))]
            lines += [line for text in removed for line in wrap(text, "* ", "  ")]
            lines.append("")

        lines += [RULE, message("heading_plan").upper(), RULE]
        for group in days(plan):
            lines += ["", group.heading, THIN_RULE]
            for step in group.steps:
                lines += self._step(step, cited, words)

        lines += ["", RULE, message("heading_bring").upper(), RULE]
        lines += wrap(message("bring_intro"))
        rows = bring_rows(plan)
        if rows:
            for name, what, last in rows:
                line = sentence(f"{name}: {what}")
                if last != message("bring_no_last_dose"):
                    line += " " + sentence(f"{message('label_last_dose')}: {last}")
                lines += wrap(line, "[ ] ", INDENT)
        else:
            lines += wrap(message("bring_none"))
        for _ in range(3):
            lines.append(f"[ ] {message('bring_other')} " + "_" * (WIDTH - 6 - len(message("bring_other"))))
        lines += wrap(message("bring_allergies"), "[ ] ", INDENT)
        lines.append(INDENT + "_" * (WIDTH - len(INDENT)))

        lines += ["", RULE, message("heading_after_care").upper(), RULE]
        for step in after_care_steps(plan):
            lines += wrap(f"{step.title} ({words.date(step.start.date(), year=False)})", "* ", "  ")

        lines += ["", RULE, *wrap(call_heading(plan).upper() + ":"), RULE]
        lines += [line for text in warning_signs(plan, "call") for line in wrap(text, "* ", "  ")]
        lines += ["", RULE, *wrap(message("heading_emergency").upper() + ":"), RULE]
        lines += [line for text in warning_signs(plan, "emergency") for line in wrap(text, "* ", "  ")]

        lines += ["", THIN_RULE]
        lines += wrap(message("care_team_first"))
        lines += ["", *wrap(message("calendar_tip"))]
        lines += ["", message("heading_sources") + ":"]
        for number, citation in cited.listed():
            lines += wrap(citation, f"[{number}] ", " " * (len(str(number)) + 3))
        lines += ["", *wrap(made_by(plan)), "", message("end_of_plan"), ""]
        return "\n".join(lines).encode("utf-8")

    def _step(self, step: PlannedStep, cited: Citations, message: Words) -> list[str]:
        box = "[ ] " if step.actionable else "  - "
        title = f"{step_time(step, message)} - {step.title}"
        if step.past:
            title += f" ({message('past_marker')})"
        lines = wrap(title, box, INDENT)
        lines += wrap(step.detail, INDENT)
        for item in step.items:
            lines += wrap(item, INDENT + "[ ] ", INDENT * 2)
        if step.past:
            lines += wrap(message("past_note"), INDENT)
        lines += wrap(f"{message('label_sources')}: {cited.marks(step.sources)}", INDENT)
        lines.append("")
        return lines


RENDERER = TextRenderer()
