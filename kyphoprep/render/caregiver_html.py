"""The caregiver's sheet in large print (``-o plan.caregiver.html``, ``--format caregiver-html``).

The same words as the text sheet (``caregiver.caregiver_sheet``), laid out with the handout's own
stylesheet (``handout.css``: black on white, the clinic's name and phone at the foot of every
printed page), and nothing smaller than 14pt: the handout's 11pt source list is set at 14pt here.
Self-contained like the handout: no scripts, images, fonts or links; every text is HTML-escaped.
"""

from __future__ import annotations

import html

from kyphoprep.core.models import Plan
from kyphoprep.render import RenderOptions
from kyphoprep.render.caregiver import CaregiverSheet, caregiver_sheet
from kyphoprep.render.common import words_of
from kyphoprep.render.html import _style

LARGER = """.caregiver .sources, .caregiver .refs, .caregiver .made-by {
  font-size: 14pt;
}
.caregiver .for {
  font-weight: bold;
}"""
"""What the caregiver's page sets apart from the handout: no text under 14pt."""


def _text(value: str) -> str:
    return html.escape(value, quote=False)


class CaregiverHtmlRenderer:
    """Renders the driver's and companion's summary as a large-print page to print."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the page as one UTF-8 HTML5 document with LF line endings."""
        sheet = caregiver_sheet(plan)
        words = words_of(plan)
        patient = plan.request.patient
        title = f"{sheet.title} · {patient}" if patient else sheet.title
        lines = [
            "<!DOCTYPE html>",
            f'<html lang="{html.escape(words.language)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_text(title)}</title>",
            "<style>",
            _style(plan).rstrip("\n") + "\n" + LARGER,
            "</style>",
            "</head>",
            "<body>",
            '<main class="caregiver">',
            *self._warnings(sheet, words("heading_warnings")),
            "<header>",
            f"<h1>{_text(sheet.title)}</h1>",
            *([f'<p class="for">{_text(sheet.for_driver)}</p>'] if sheet.for_driver else []),
            '<table class="facts">',
            *(
                f'<tr><th scope="row">{_text(label)}</th><td>{_text(value)}</td></tr>'
                for label, value in sheet.facts
            ),
            "</table>",
            "</header>",
        ]
        for part in sheet.parts:
            refs = f' <span class="refs">{part.marks}</span>' if part.marks else ""
            lines += [
                "<section>",
                f"<h2>{_text(part.heading)}</h2>",
                f"<p>{_text(part.text)}{refs}</p>",
                "</section>",
            ]
        for level, heading, signs in (
            ("call", sheet.call_heading, sheet.call_signs),
            ("emergency", sheet.emergency_heading, sheet.emergency_signs),
        ):
            lines += [
                f'<section class="signs {level}">',
                f"<h2>{_text(heading)}:</h2>",
                "<ul>",
                *(f"<li>{_text(sign)}</li>" for sign in signs),
                "</ul>",
                "</section>",
            ]
        lines += [
            "<section>",
            f"<h2>{_text(sheet.who.heading)}</h2>",
            f"<p>{_text(sheet.who.text)}</p>",
            "</section>",
            '<section class="closing">',
            f'<p class="first">{_text(sheet.care_team_first)}</p>',
            f"<h2>{_text(sheet.sources_heading)}</h2>",
            '<ol class="sources">',
            *(f"<li>[{number}] {_text(citation)}</li>" for number, citation in sheet.sources),
            "</ol>",
            f'<p class="end">{_text(sheet.end)}</p>',
            "</section>",
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
        return "\n".join(lines).encode("utf-8")

    def _warnings(self, sheet: CaregiverSheet, heading: str) -> list[str]:
        if not sheet.warnings:
            return []
        return [
            '<section class="warnings" aria-labelledby="warnings">',
            f'<h2 id="warnings">{_text(heading)}</h2>',
            "<ul>",
            *(f"<li>{_text(warning)}</li>" for warning in sheet.warnings),
            "</ul>",
            "</section>",
        ]


RENDERER = CaregiverHtmlRenderer()
