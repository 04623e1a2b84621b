"""The HTML handout is accessible: axe-core in headless Chromium finds no violation of WCAG 2.2 AA.

Handouts of four kinds (English, Spanish, a plan made too late, a clinic's own
protocol) are checked as shown on a screen and as printed, in one browser run
for the module. First the harness itself is shown to find faults, so a clean
handout means something.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import segno
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from tests.a11y_tools import MEDIA, AxeResult, axe_results, axe_violations, describe
from tests.scenarios import SCENARIOS

AUDITED = {
    "english": "us-chicago",
    "spanish": "spanish-los-angeles",
    "too-late": "too-late",
    "clinic": "clinic-asa",
    "caregiver": "too-late",
}
"""The handouts checked, by what they stand for, with their scenario in tests/scenarios.py."""
FORMAT_OF = {"caregiver": "caregiver-html"}
"""The pages that are not the handout (--format html): the caregiver's large-print sheet."""

FAULTY = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title></title>
<style>p { color: #aaa; background: #fff; }</style></head>
<body><p>Faint text</p><input type="checkbox">
<svg role="img" width="40" height="40"><rect width="40" height="40"/></svg>
<img src="https://example.invalid/logo.png"></body></html>
"""
"""A page with one fault per rule the handout is most at risk of breaking."""
FAULTS = {"html-has-lang", "document-title", "color-contrast", "label", "svg-img-alt", "image-alt"}


def sound_page() -> str:
    """A small page done right, with a QR code inlined as the handout is to carry one."""
    code = segno.make_qr("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", encoding="utf-8", eci=True)
    svg = code.svg_inline(scale=2, title="Reminder: last dose of warfarin, Friday, November 27, 9:00 PM")
    svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Plan</title></head>\n'
        "<body><main><h1>Your key dates</h1>\n"
        '<p><input type="checkbox" aria-label="Last dose of warfarin"> Last dose of warfarin</p>\n'
        f"{svg}\n"
        '<table><tr><th scope="col">Medicine</th></tr><tr><td>Warfarin</td></tr></table>\n'
        "</main></body></html>\n"
    )


@dataclass
class Audit:
    """axe's findings on every audited handout in every media type, made once for the module."""

    results: dict[tuple[str, str], AxeResult] = field(default_factory=dict)

    def get(self, runner: CliRunner, kind: str, media: str) -> AxeResult:
        """The findings on handout *kind* shown as *media* (all handouts are checked on the first call)."""
        if not self.results:
            pages = {}
            for name, scenario in AUDITED.items():
                result = runner.invoke(app, [*SCENARIOS[scenario], "--format", FORMAT_OF.get(name, "html")])
                assert result.exit_code == 0, result.output
                pages[name] = result.stdout
            for found in axe_results(pages, MEDIA):
                self.results[(found.name, found.media)] = found
        return self.results[(kind, media)]


@pytest.fixture(scope="module")
def audit() -> Audit:
    """The module's one set of findings, filled on first use."""
    return Audit()


def test_harness_finds_faults() -> None:
    """On a faulty page axe reports each fault and the aborted request; on a sound page, nothing."""
    faulty, sound = axe_results({"faulty": FAULTY, "sound": sound_page()}, media=["screen"])
    assert {violation["id"] for violation in faulty.violations} >= FAULTS, describe(faulty.violations)
    assert faulty.requests == ["https://example.invalid/logo.png"]
    assert sound.violations == [], describe(sound.violations)
    assert {"svg-img-alt", "label", "html-has-lang", "document-title"} <= set(sound.passes)
    assert sound.requests == []


def test_one_page_function() -> None:
    """``axe_violations`` checks one page, on screen or in print."""
    assert {violation["id"] for violation in axe_violations(FAULTY, media="print")} >= FAULTS
    assert axe_violations(sound_page()) == []


@pytest.mark.parametrize("media", MEDIA)
@pytest.mark.parametrize("kind", AUDITED)
def test_handout_has_no_violations(runner: CliRunner, audit: Audit, kind: str, media: str) -> None:
    """The handout breaks no WCAG 2.2 AA rule that axe checks (tags wcag2a to wcag22aa)."""
    found = audit.get(runner, kind, media)
    assert found.violations == [], describe(found.violations)


@pytest.mark.parametrize("kind", AUDITED)
def test_handout_was_examined(runner: CliRunner, audit: Audit, kind: str) -> None:
    """axe really read the handout: its language, title, contrast and checkboxes were checked and passed
    (the caregiver's sheet has no checkboxes)."""
    expected = {"html-has-lang", "html-lang-valid", "document-title", "color-contrast"}
    if kind not in FORMAT_OF:
        expected.add("label")
    for media in MEDIA:
        passes = set(audit.get(runner, kind, media).passes)
        assert expected <= passes


@pytest.mark.parametrize("kind", AUDITED)
def test_handout_fetches_nothing(runner: CliRunner, audit: Audit, kind: str) -> None:
    """The handout is self-contained: opened offline it asks for no file, font or image."""
    for media in MEDIA:
        assert audit.get(runner, kind, media).requests == []
