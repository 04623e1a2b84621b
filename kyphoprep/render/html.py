"""The large-print handout as one self-contained HTML page, made to be printed.

A nurse opens the file in a browser and prints it, so the page is designed for
paper first:

* Sizes are in points (``pt``), the unit of print, so the printed size is
  exact: body text 14pt, headings 18pt and up, nothing smaller.
* Black on white, one column, a system font stack (DejaVu Sans and Verdana
  are wide, open faces that stay readable at a distance; Arial after them).
* ``@page`` sets only the margins, never the paper size, so the same file
  prints on Letter and on A4.
* The clinic's name and phone are at the foot of every page, the patient and
  the page number at the top, in CSS page-margin boxes, which Chrome and Edge
  print (131 and later). The phone has its own box that never wraps, so the
  number is never split across lines. A ``position: fixed`` footer was tried
  instead: Chromium places it inside the page area, over the text.
* Each day is a ``<section>`` that must not break across pages, so a day's
  steps are read together; so are the warning-sign boxes. A day longer than
  a whole page (the procedure day can be) has to run on: each day is a table
  whose header row holds the date, and browsers repeat a table's header at
  the top of every page it runs onto, so no step is ever printed without its
  date. Single steps never break.
* Checkboxes are real ``<input type="checkbox">`` elements drawn as plain
  18pt squares with a heavy border (``appearance: none``), which print the
  same in every browser and can be ticked on screen.
* Nothing is fetched: the CSS (``handout.css``, beside this module) is inlined;
  no scripts, images, fonts or links. Every text from the person (names,
  medicines, phone) is HTML-escaped, and text placed in CSS ``content``
  strings is CSS-escaped so it cannot end the style.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Template

from kyphoprep.core.models import Category, Plan, PlannedStep
from kyphoprep.i18n.words import Words
from kyphoprep.render import RenderOptions
from kyphoprep.render.calendar import removed_reminders
from kyphoprep.render.common import (
    Citations,
    DayGroup,
    bring_rows,
    days,
    header_rows,
    made_by,
    step_time,
    warning_signs,
    words_of,
)

BLANK_BRING_ROWS = 4
"""Empty rows at the end of the "Bring this list" table, to add medicines by hand."""

COLUMNS = ("name", "what", "last")
"""Classes of the "Bring this list" columns named by the message ``bring_columns``."""

FONTS = '"DejaVu Sans", Verdana, Arial, Helvetica, sans-serif'

STYLESHEET = Path(__file__).with_name("handout.css")
"""The handout's stylesheet, inlined into every page's ``<style>``. It is a :class:`string.Template`:
``$footer_left``, ``$footer_right`` and ``$header_right`` are filled with :func:`css_string` values,
``$fonts`` with :data:`FONTS`; a literal dollar sign would be written ``$$``."""


@cache
def _stylesheet() -> Template:
    """The stylesheet as a template, read once."""
    return Template(STYLESHEET.read_text(encoding="utf-8"))


def _text(value: str) -> str:
    """*value* escaped for HTML text."""
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    """*value* escaped for a double-quoted HTML attribute."""
    return html.escape(value, quote=True)


def css_string(value: str) -> str:
    """*value* as a quoted CSS string that cannot end the string, the rule or the ``<style>`` element.

    Backslash and double quote are backslash-escaped; ``<``, ``>``, ``&``, control
    characters and anything outside printable ASCII become CSS hex escapes.
    """
    out: list[str] = []
    for char in value:
        if char in '\\"':
            out.append("\\" + char)
        elif " " <= char <= "~" and char not in "<>&":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


def footer_left(plan: Plan) -> str:
    """The clinic's name for the foot of every page; the plan's title when it was not given."""
    return plan.request.facility or _title(plan)


def footer_right(plan: Plan) -> str:
    """The clinic's phone ("Phone 555-0100") beside its name, kept on one line; empty when not given."""
    phone = plan.request.phone
    return f"{words_of(plan)('label_phone')} {phone}" if phone else ""


def header_right(plan: Plan) -> str:
    """The patient's name before the page number at the top of every page, when it was given."""
    return f"{plan.request.patient} · " if plan.request.patient else ""


def _title(plan: Plan) -> str:
    return words_of(plan)("plan_title", procedure=plan.protocol.name.lower())


def _style(plan: Plan) -> str:
    return _stylesheet().substitute(
        footer_left=css_string(footer_left(plan)),
        footer_right=css_string(footer_right(plan)),
        header_right=css_string(header_right(plan)),
        fonts=FONTS,
    )


def _checkbox(label: str) -> str:
    """A real checkbox, named for screen readers by what it ticks off."""
    return f'<input type="checkbox" aria-label="{_attr(label)}">'


class HtmlRenderer:
    """Renders the plan as a print-ready, large-print HTML handout."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the handout as one UTF-8 HTML5 document with LF line endings."""
        words = words_of(plan)
        cited = Citations.of_plan(plan)
        before = tuple(s for s in plan.steps if s.category is not Category.AFTER_CARE)
        after = tuple(s for s in plan.steps if s.category is Category.AFTER_CARE)
        title = _title(plan)
        head_title = f"{title} · {plan.request.patient}" if plan.request.patient else title
        lines = [
            "<!DOCTYPE html>",
            f'<html lang="{_attr(words.language)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_text(head_title)}</title>",
            "<style>",
            _style(plan).rstrip("\n"),
            "</style>",
            "</head>",
            "<body>",
            *self._warnings(plan, words),
            *self._header(plan, words),
            *self._removed(plan, words),
            f"<h2>{_text(words('heading_plan'))}</h2>",
            *(line for group in days(plan, before) for line in self._day(group, cited, words)),
            *self._bring(plan, words),
            *self._after_care(plan, after, cited, words),
            *self._signs(plan, words),
            *self._closing(plan, cited, words),
            "</body>",
            "</html>",
            "",
        ]
        return "\n".join(lines).encode("utf-8")

    def _warnings(self, plan: Plan, words: Words) -> list[str]:
        if not plan.warnings:
            return []
        return [
            '<section class="warnings">',
            f"<h2>{_text(words('heading_warnings'))}</h2>",
            "<ul>",
            *(f"<li>{_text(warning.message)}</li>" for warning in plan.warnings),
            "</ul>",
            "</section>",
        ]

    def _removed(self, plan: Plan, words: Words) -> list[str]:
        removed = removed_reminders(plan)
        if not removed:
            return []
        return [
            '<section class="removed">',
            f"<h2>{_text(words('heading_removed'))}</h2>",
            f"<p>{_text(words('removed_intro'))}</p>",
            "<ul>",
            *(f"<li>{_text(text)}</li>" for text in removed),
            "</ul>",
            "</section>",
        ]

    def _header(self, plan: Plan, words: Words) -> list[str]:
        rows = (
            f"<tr><th>{_text(label)}</th><td>{_text(value)}</td></tr>" for label, value in header_rows(plan)
        )
        return [
            "<header>",
            f"<h1>{_text(_title(plan))}</h1>",
            '<table class="facts">',
            *rows,
            "</table>",
            "</header>",
            f'<p class="first">{_text(words("care_team_first"))}</p>',
        ]

    def _day(self, group: DayGroup, cited: Citations, words: Words) -> list[str]:
        return [
            '<section class="day">',
            '<table class="steps">',
            "<thead><tr>",
            f'<th colspan="2"><span class="day-heading">{_text(group.heading)}</span></th>',
            "</tr></thead>",
            "<tbody>",
            *(line for step in group.steps for line in self._step(step, cited, words)),
            "</tbody>",
            "</table>",
            "</section>",
        ]

    def _step(self, step: PlannedStep, cited: Citations, words: Words) -> list[str]:
        mark = (
            _checkbox(step.title) if step.actionable else '<span class="bullet" aria-hidden="true">•</span>'
        )
        what = f'<span class="time">{_text(step_time(step, words))}</span> — {_text(step.title)}'
        if step.past:
            what += f' <span class="past">{_text(words("past_marker"))}</span>'
        refs = f'<span class="refs">{_text(words("label_sources"))}: {cited.marks(step.sources)}</span>'
        lines = [
            '<tr class="step">',
            f'<td class="mark">{mark}</td>',
            "<td>",
            f'<p class="what">{what}</p>',
            f'<p class="detail">{_text(step.detail)} {refs}</p>',
        ]
        if step.items:
            lines.append('<ul class="items">')
            lines += [f"<li>{_checkbox(item)}{_text(item)}</li>" for item in step.items]
            lines.append("</ul>")
        if step.past:
            lines.append(f'<p class="past-note">{_text(words("past_note"))}</p>')
        lines += ["</td>", "</tr>"]
        return lines

    def _bring(self, plan: Plan, words: Words) -> list[str]:
        names = [name.strip() for name in words("bring_columns").split("|")]
        columns = "".join(
            f'<th class="{cls}">{_text(name)}</th>' for cls, name in zip(COLUMNS, names, strict=True)
        )
        rows = bring_rows(plan)
        other = _checkbox(words("bring_other"))
        allergies = words("bring_allergies")
        lines = [f"<h2>{_text(words('heading_bring'))}</h2>", f"<p>{_text(words('bring_intro'))}</p>"]
        if not rows:
            lines.append(f"<p><strong>{_text(words('bring_none'))}</strong></p>")
        lines += [
            '<table class="bring">',
            f'<thead><tr><th class="box"></th>{columns}</tr></thead>',
            "<tbody>",
            *(
                f'<tr><td class="box">{_checkbox(name)}</td><td>{_text(name)}</td>'
                f"<td>{_text(what)}</td><td>{_text(last)}</td></tr>"
                for name, what, last in rows
            ),
            *[f'<tr class="blank"><td class="box">{other}</td><td></td><td></td><td></td></tr>']
            * BLANK_BRING_ROWS,
            "</tbody>",
            "</table>",
            f'<p class="allergies">{_checkbox(allergies)}{_text(allergies)}</p>',
        ]
        return lines

    def _after_care(
        self, plan: Plan, steps: tuple[PlannedStep, ...], cited: Citations, words: Words
    ) -> list[str]:
        return [
            '<section class="box-set after-care">',
            f"<h2>{_text(words('heading_after_care'))}</h2>",
            *(line for group in days(plan, steps) for line in self._day(group, cited, words)),
            "</section>",
        ]

    def _signs(self, plan: Plan, words: Words) -> list[str]:
        call = _text(words("heading_call"))
        if plan.request.phone:
            call += f' ({_text(words("label_call"))} <span class="phone">{_text(plan.request.phone)}</span>)'
        lines: list[str] = []
        for level, heading in (("call", call), ("emergency", _text(words("heading_emergency")))):
            lines += [
                f'<section class="signs {level}">',
                f"<h2>{heading}:</h2>",
                "<ul>",
                *(f"<li>{_text(text)}</li>" for text in warning_signs(plan, level)),
                "</ul>",
                "</section>",
            ]
        return lines

    def _closing(self, plan: Plan, cited: Citations, words: Words) -> list[str]:
        return [
            f'<p class="first">{_text(words("care_team_first"))}</p>',
            f"<p>{_text(words('calendar_tip'))}</p>",
            f"<h2>{_text(words('heading_sources'))}</h2>",
            '<ol class="sources">',
            *(f"<li>[{n}] {_text(citation)}</li>" for n, citation in cited.listed()),
            "</ol>",
            f'<p class="made-by">{_text(made_by(plan))}</p>',
            f'<p class="end">{_text(words("end_of_plan"))}</p>',
        ]


RENDERER = HtmlRenderer()
