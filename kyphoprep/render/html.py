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
from datetime import timedelta
from functools import cache
from pathlib import Path
from string import Template

import segno

from kyphoprep.core.models import Category, Plan, PlannedStep
from kyphoprep.i18n.words import Words
from kyphoprep.render import RenderOptions
from kyphoprep.render.calendar import event_title, removed_reminders, step_uid
from kyphoprep.render.common import (
    Citations,
    DayGroup,
    bring_rows,
    call_heading,
    days,
    header_rows,
    key_steps,
    made_by,
    printed_citation,
    sentence,
    step_time,
    warning_signs,
    words_of,
)
from kyphoprep.render.ics import reminder_ics

BLANK_BRING_ROWS = 1
"""An empty line at the end of the "Bring this list" list, to add a medicine by hand (more go
under it: the intro says to add any others; a second line cost a line a plan)."""
BLANK_ROWS_WITHOUT_MEDICINES = 4
"""As many when the plan lists no medicine, so the person writes them all down."""

LONG_DAY_STEPS = 3
"""A day with more steps than this may run onto the next page, between steps, its date repeated:
kept whole, a long day leaves half a page blank before it (the short days stay whole)."""

FONTS = 'Arial, "Liberation Sans", Helvetica, "DejaVu Sans", Verdana, sans-serif'

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
        qr_size=QR_SIZE,
    )


def _checkbox(label: str) -> str:
    """A real checkbox, named for screen readers by what it ticks off."""
    return f'<input type="checkbox" aria-label="{_attr(label)}">'


QR_SIZE = "0.85in"
"""Printed size of a reminder's QR code: big enough for a phone camera at arm's length."""


def _qr_svg(payload: str, label: str) -> str:
    """*payload* as an inline SVG QR code whose text alternative is *label* (the reminder in words)."""
    # make_qr, not make: a short text would become a Micro QR code, which phone cameras and zbar
    # do not read; UTF-8 with an ECI header, or a reader takes "Última" for Shift JIS.
    code = segno.make_qr(payload, error="l", boost_error=False, encoding="utf-8", eci=True)
    svg = code.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", lineclass=None, title=label)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(label)}" ', 1)


def _key_when(step: PlannedStep, words: Words) -> str:
    """``Friday, November 27, 6:00 AM``, or ``By Friday, November 27`` for a to-do."""
    day = words.date(step.start.date(), year=False)
    if step.clock == "reminder":
        return words("by_day_heading", date=day)
    return f"{day}, {step_time(step, words)}"


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
            "<main>",
            *self._warnings(plan, words),
            *self._header(plan, words),
            *self._key_dates(plan, words),
            *self._removed(plan, words),
            '<section class="plan">',
            f"<h2>{_text(words('heading_plan'))}</h2>",
            (
                '<p class="legend"><span class="box-sample" aria-hidden="true"></span> '
                f"{_text(words('key_legend'))}</p>"
            ),
            *(line for group in days(plan, before) for line in self._day(group, cited, words)),
            "</section>",
            *self._bring(plan, words),
            *self._after_care(plan, after, cited, words),
            *self._signs(plan, words),
            *self._closing(plan, cited, words),
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
        return "\n".join(lines).encode("utf-8")

    def _warnings(self, plan: Plan, words: Words) -> list[str]:
        if not plan.warnings:
            return []
        return [
            '<section class="warnings" aria-labelledby="warnings">',
            f'<h2 id="warnings">{_text(words("heading_warnings"))}</h2>',
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
        # Two columns of label and value: the facts take three or four lines, not six, on page 1.
        rows = (
            f"<div><dt>{_text(k)}</dt> <dd>{_text(v)}</dd></div>" for k, v in header_rows(plan, printed=True)
        )
        return [
            "<header>",
            f"<h1>{_text(_title(plan))}</h1>",
            '<dl class="facts">',
            *rows,
            "</dl>",
            "</header>",
        ]

    def _key_dates(self, plan: Plan, words: Words) -> list[str]:
        """Page 1: every date that decides whether the procedure goes ahead, each with its QR code."""
        rows = []
        steps = key_steps(plan)
        payloads = reminder_ics(plan, [step_uid(plan, step) for step in steps])
        for step in steps:
            when = _key_when(step, words)
            payload = payloads[step_uid(plan, step)]
            label = words("key_code_label", what=event_title(plan, step), when=when)
            rows.append(
                f'<tr><td class="when">{_text(when)}</td>'
                f'<td class="what">{_text(step.title)}</td>'
                f'<td class="code">{_qr_svg(payload, label)}</td></tr>'
            )
        request = plan.request
        pickup = words.time(plan.pickup_from)
        until = f"{words.time(plan.stay_until)}, {words.date(plan.stay_until.date(), year=False)}"
        if request.driver:
            who = words("key_driver", driver=request.driver, pickup=pickup, until=until)
        else:
            who = words("key_no_driver", pickup=pickup, until=until)
        if request.phone:
            call = words(
                "key_phone", clinic=request.facility or words("caregiver_the_clinic"), phone=request.phone
            )
        else:
            call = words("key_no_phone")
        # The column heads are for screen readers: on paper they took a line of page 1, and each
        # row says what it is (a date, a thing to do, a code the legend explains).
        head = "".join(
            f'<th scope="col" class="{cls}"><span class="hidden">{_text(words(key))}</span></th>'
            for cls, key in (
                ("when", "key_column_when"),
                ("what", "key_column_what"),
                ("code", "key_column_code"),
            )
        )
        return [
            '<section class="key" aria-labelledby="key-dates">',
            f'<h2 id="key-dates">{_text(words("heading_key_dates"))}</h2>',
            # What the codes are for. What a box means is said where the boxes begin, at "Day by
            # day": page 1 has none, and six key dates leave it no line to spare.
            f'<p class="legend">{_text(words("key_scan"))}</p>',
            '<table class="key-dates">',
            f"<thead><tr>{head}</tr></thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
            # The month floats right of who drives and whom to call, so page 1 holds them all.
            *self._month(plan, words),
            f'<p class="who">{_text(who)}</p>',
            f'<p class="call">{_text(call)}</p>',
            '<div class="clear"></div>',
            # Once, on page 1 under the key dates, read before any step (it was also at the end
            # and at the head of "Day by day": one is read, more take paper).
            f'<p class="first">{_text(words("care_team_first"))}</p>',
            "</section>",
        ]

    def _month(self, plan: Plan, words: Words) -> list[str]:
        """A small month grid from the first step to the procedure, each day with something to do boxed."""
        first = plan.steps[0].start.date()
        last = plan.request.procedure_start.date()
        first = min(first, last)
        acting = {step.start.date() for step in plan.steps if step.actionable}
        start = first - timedelta(days=first.weekday())
        end = last + timedelta(days=6 - last.weekday())
        names = words.names("weekdays")
        head = "".join(f'<th scope="col"><abbr title="{_attr(n)}">{_text(n[:3])}</abbr></th>' for n in names)
        weeks = []
        day = start
        while day <= end:
            cells = []
            for _ in range(7):
                if first <= day <= last:
                    classes = ["in"]
                    if day in acting:
                        classes.append("act")
                    text = str(day.day)
                    if day == last:
                        classes.append("procedure")
                        text += f' <span class="hidden">{_text(words("month_procedure"))}</span>'
                    label = words.date(day, year=False)
                    cells.append(f'<td class="{" ".join(classes)}" title="{_attr(label)}">{text}</td>')
                else:
                    cells.append("<td></td>")
                day += timedelta(days=1)
            weeks.append("<tr>" + "".join(cells) + "</tr>")
        months = sorted({(d.year, d.month) for d in (first, last)})
        caption = " \N{EN DASH} ".join(f"{words.month_name(m)} {y}" for y, m in months)
        # In a block of its own that floats: Chromium kept a floated table's caption on one page
        # and moved its weeks to the next.
        return [
            '<div class="month-box">',
            '<table class="month">',
            f"<caption>{_text(caption)}</caption>",
            f"<thead><tr>{head}</tr></thead>",
            "<tbody>",
            *weeks,
            "</tbody>",
            # The legend is part of the grid, so it never prints on another page than the grid.
            f'<tfoot><tr><td colspan="7" class="month-key">{_text(words("month_caption"))}</td></tr></tfoot>',
            "</table>",
            "</div>",
        ]

    def _day(self, group: DayGroup, cited: Citations, words: Words) -> list[str]:
        past = [step for step in group.steps if step.past]
        rows = []
        if past:
            text = words("past_collapsed", titles="; ".join(step.title for step in past))
            rows.append(
                f'<tr class="past-row"><td colspan="2"><p class="past-line">{_text(text)}</p></td></tr>'
            )
        shown = [step for step in group.steps if not step.past]
        # A day of to-dos only says "By Thursday, November 26" once, not "By this day" a step.
        by_day = all(step.clock == "reminder" for step in shown)
        heading = words("by_day_heading", date=words.date(group.day)) if by_day else group.heading
        rows += [line for step in shown for line in self._step(step, cited, words, timed=not by_day)]
        return [
            '<section class="day long">' if len(shown) > LONG_DAY_STEPS else '<section class="day">',
            '<table class="steps">',
            "<thead><tr>",
            f'<th colspan="2" scope="colgroup"><span class="day-heading">{_text(heading)}</span></th>',
            "</tr></thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
            "</section>",
        ]

    def _step(self, step: PlannedStep, cited: Citations, words: Words, *, timed: bool) -> list[str]:
        mark = (
            _checkbox(step.title) if step.actionable else '<span class="bullet" aria-hidden="true">•</span>'
        )
        # The title runs into its text, in bold: a step is one paragraph, which saves a line a step.
        title = step.title if step.title[-1:] in ".?!" else f"{step.title}."
        what = _text(title)
        if timed:
            what = f'<span class="time">{_text(step_time(step, words))}</span> — {what}'
        refs = f'<span class="refs">{cited.marks(step.sources)}</span>'
        lines = [
            '<tr class="step">',
            f'<td class="mark">{mark}</td>',
            "<td>",
            f'<p class="detail"><strong class="what">{what}</strong> {_text(step.detail)} {refs}</p>',
        ]
        if step.items:
            lines.append('<ul class="items">')
            lines += [f"<li>{_checkbox(item)} {_text(item)}</li>" for item in step.items]
            lines.append("</ul>")
        lines += ["</td>", "</tr>"]
        return lines

    def _bring(self, plan: Plan, words: Words) -> list[str]:
        # A list, one medicine a line or two: as a four-column table at 14 pt its narrow cells
        # wrapped every row onto three lines, which cost the five-medicine plan a page.
        last_label = _text(words("label_last_dose"))
        items = []
        for name, what, last in bring_rows(plan, narrow=True):
            line = f"{_checkbox(name)}<strong>{_text(name)}</strong>: {_text(sentence(what))}"
            if last != words("bring_no_last_dose"):
                line += f" <strong>{last_label}:</strong> {_text(sentence(last))}"
            items.append(f"<li>{line}</li>")
        other = f"{_checkbox(words('bring_other'))}{_text(words('bring_other'))}"
        blank = BLANK_BRING_ROWS if items else BLANK_ROWS_WITHOUT_MEDICINES
        allergies = words("bring_allergies")
        lines = [
            '<section class="bring-list">',
            '<div class="bring-head">',
            f"<h2>{_text(words('heading_bring'))}</h2>",
            f"<p>{_text(words('bring_intro'))}</p>",
        ]
        if not items:
            lines.append(f"<p><strong>{_text(words('bring_none'))}</strong></p>")
        return [
            *lines,
            "</div>",
            '<ul class="bring">',
            *items,
            *[f'<li class="blank">{other}</li>'] * blank,
            "</ul>",
            f'<p class="allergies">{_checkbox(allergies)} {_text(allergies)}</p>',
            "</section>",
        ]

    def _after_care(
        self, plan: Plan, steps: tuple[PlannedStep, ...], cited: Citations, words: Words
    ) -> list[str]:
        return [
            '<section class="after-care">',
            f"<h2>{_text(words('heading_after_care'))}</h2>",
            *(line for group in days(plan, steps) for line in self._day(group, cited, words)),
            "</section>",
        ]

    def _signs(self, plan: Plan, words: Words) -> list[str]:
        call = _text(call_heading(plan))
        if plan.request.phone:  # kept on one line
            phone = _text(plan.request.phone)
            call = call.replace(phone, f'<span class="phone">{phone}</span>', 1)
        lines: list[str] = ['<div class="signs-pair">']  # each box whole on a page
        for level, heading in (("call", call), ("emergency", _text(words("heading_emergency")))):
            lines += [
                f'<section class="signs {level}">',
                f"<h2>{heading}:</h2>",
                "<ul>",
                *(f"<li>{_text(text)}</li>" for text in warning_signs(plan, level)),
                "</ul>",
                "</section>",
            ]
        return [*lines, "</div>"]

    def _closing(self, plan: Plan, cited: Citations, words: Words) -> list[str]:
        return [
            '<section class="closing">',
            f"<h2>{_text(words('heading_sources'))}</h2>",
            '<ol class="sources">',
            *(f"<li>[{n}] {_text(printed_citation(citation))}</li>" for n, citation in cited.listed()),
            "</ol>",
            # No "End of plan." line: every page's head says "6 / 6", and the line cost the last page.
            f'<p class="made-by">{_text(made_by(plan))}</p>',
            "</section>",
        ]


RENDERER = HtmlRenderer()
