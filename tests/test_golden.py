"""Golden files through the real CLI: JSON for every scenario, each other format for a few.

The JSON golden holds every fact of a plan (dates, times, steps, warnings, wording), so it is
kept for every scenario. The other formats lay out the same facts; each keeps goldens only for
the few scenarios that differ most (a too-late warning, Spanish, a clinic's settings, a
daylight-saving change), so a one-word change rewrites a handful of files, not sixty. Every
scenario is still rendered in every format below, checked for its warnings and for identical
bytes on a second run.

The HTML goldens leave out the stylesheet: the ``<style>`` element's content is replaced by
:data:`STYLE_MARKER`, and ``tests/test_html.py`` checks that the page inlines exactly
``kyphoprep/render/handout.css``. ``pytest --update-golden`` rewrites the kept files; a golden
file that no test checks fails :func:`test_every_golden_file_is_checked` until it is deleted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tests.conftest
from kyphoprep.cli.app import app
from tests.conftest import GOLDEN, Golden
from tests.scenarios import SCENARIOS

FORMATS = {
    "text": "txt",
    "terminal": "terminal.txt",
    "json": "json",
    "ics": "ics",
    "html": "html",
    "caregiver": "caregiver.txt",
    "fhir": "fhir.json",
    "caregiver-html": "caregiver.html",
}
"""Each output format and the ending of its golden files."""

KEPT: dict[str, tuple[str, ...]] = {
    "json": tuple(sorted(SCENARIOS)),
    # A partly too-late plan (kidney rule), Spanish, every kind of catalogue guidance.
    "text": ("catalogue-mix", "kidney-too-late", "spanish-los-angeles"),
    # The warning panel, Spanish, a clinic's settings (ASA fasting, an address).
    "terminal": ("clinic-asa", "spanish-los-angeles", "too-late"),
    # The warning, Spanish, a European vertebroplasty with its own arrival time.
    "caregiver": ("eu-berlin", "spanish-los-angeles", "too-late"),
    # The warning box with no name, and Spanish with all of them, in large print.
    "caregiver-html": ("spanish-los-angeles", "too-late"),
    # Spanish in a US spring-forward, a southern-hemisphere fall-back, discreet titles and alarms.
    "ics": ("clinic-asa", "south-sydney", "spanish-los-angeles"),
    # The warnings box with no patient, facility or phone; Spanish with all of them; the longest page.
    "html": ("catalogue-mix", "kidney-too-late", "spanish-los-angeles"),
    # The CarePlan: steps already past (status "unknown") and the warning; Spanish.
    "fhir": ("spanish-los-angeles", "too-late"),
}
"""The scenarios whose golden files are kept, by format."""

CASES = [(scenario, output_format) for output_format in sorted(FORMATS) for scenario in KEPT[output_format]]

STYLE_MARKER = "/* handout.css */"
"""What stands for the stylesheet in the HTML goldens."""

STYLE = re.compile(r"(?<=\n<style>\n).*?(?=\n</style>\n)", re.DOTALL)


def golden_name(scenario: str, output_format: str) -> str:
    """The golden file of *scenario* in *output_format*."""
    return f"{scenario}.{FORMATS[output_format]}"


def without_style(page: bytes) -> bytes:
    """The HTML *page* with its one ``<style>`` element's content replaced by :data:`STYLE_MARKER`."""
    text = page.decode("utf-8")
    assert text.count("<style>") == 1, "one <style> element"
    masked, count = STYLE.subn(STYLE_MARKER, text)
    assert count == 1, "the <style> element has its own lines"
    return masked.encode("utf-8")


def render(runner: CliRunner, scenario: str, output_format: str) -> bytes:
    """*scenario* in *output_format* through the real CLI, as its golden file holds it."""
    result = runner.invoke(app, [*SCENARIOS[scenario], "--format", output_format])
    assert result.exit_code == 0, result.output
    html = output_format in ("html", "caregiver-html")
    return without_style(result.stdout_bytes) if html else result.stdout_bytes


@pytest.mark.parametrize(("scenario", "output_format"), CASES)
def test_output_matches_golden(runner: CliRunner, golden: Golden, scenario: str, output_format: str) -> None:
    """Each kept scenario renders exactly as its golden file (HTML without its stylesheet)."""
    golden.check(golden_name(scenario, output_format), render(runner, scenario, output_format))


def test_every_scenario_has_a_json_golden_and_each_format_a_few() -> None:
    """JSON covers every scenario, so no scenario loses its golden; the others keep two or three."""
    assert KEPT["json"] == tuple(sorted(SCENARIOS))
    assert set(KEPT) == set(FORMATS)
    for output_format, scenarios in KEPT.items():
        assert set(scenarios) <= set(SCENARIOS), output_format
        if output_format != "json":
            assert 2 <= len(scenarios) <= 3, output_format


def test_every_golden_file_is_checked() -> None:
    """No golden file lingers unchecked: a scenario's file is one of :data:`CASES`; any other
    (``meds-*.txt``) is named by another test module."""
    scenario_files = {golden_name(s, f) for s in SCENARIOS for f in FORMATS}
    checked = {golden_name(s, f) for s, f in CASES}
    others = "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted(Path(__file__).parent.glob("test_*.py"))
        if path.name != Path(__file__).name
    )
    unchecked = [
        path.name
        for path in sorted(GOLDEN.iterdir())
        if path.name not in checked and (path.name in scenario_files or f'"{path.name}"' not in others)
    ]
    assert unchecked == [], f"no test checks these golden files; delete them: {unchecked}"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_format_renders_the_same_bytes_twice(runner: CliRunner, scenario: str) -> None:
    """Every scenario, golden or not, renders in every format, with its warnings on stderr (or at the
    top of the handout itself), and two runs with the same input give the same bytes."""
    as_json = runner.invoke(app, [*SCENARIOS[scenario], "--format", "json"]).stdout
    warnings = "".join(f"Warning: {w['message']}\n" for w in json.loads(as_json)["warnings"])
    for output_format in FORMATS:
        first = runner.invoke(app, [*SCENARIOS[scenario], "--format", output_format])
        second = runner.invoke(app, [*SCENARIOS[scenario], "--format", output_format])
        assert first.exit_code == 0, first.output
        if output_format in ("text", "terminal", "caregiver"):
            assert first.stderr == ""  # the warnings open the handout itself
        else:
            assert first.stderr == warnings
        assert first.stdout_bytes == second.stdout_bytes


def test_a_changed_output_fails_its_golden(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The check fails on one changed word, on a missing file and on changed line endings; a change
    inside the stylesheet is left to the stylesheet's own test."""
    monkeypatch.setattr(tests.conftest, "GOLDEN", tmp_path)
    page = render(runner, "kidney-too-late", "html")
    (tmp_path / "page.html").write_bytes(page)
    golden = Golden(update=False)
    golden.check("page.html", page)
    with pytest.raises(AssertionError):
        golden.check("page.html", page.replace(b"Kyphoplasty", b"Kyphoplasy", 1))
    with pytest.raises(AssertionError):
        golden.check("page.html", page.replace(b"\n", b"\r\n"))
    with pytest.raises(AssertionError, match="missing golden file"):
        golden.check("other.html", page)
    restyled = runner.invoke(app, [*SCENARIOS["kidney-too-late"], "--format", "html"]).stdout_bytes
    golden.check("page.html", without_style(restyled.replace(b"@page {", b"@page{", 1)))


def test_html_goldens_leave_out_the_stylesheet() -> None:
    """The kept HTML goldens hold the marker, not the stylesheet."""
    for scenario in KEPT["html"]:
        text = (GOLDEN / golden_name(scenario, "html")).read_text(encoding="utf-8")
        assert f"\n<style>\n{STYLE_MARKER}\n</style>\n" in text
        assert "@page" not in text


def test_too_late_warning_opens_every_format(runner: CliRunner) -> None:
    """A passed last-dose date is the first thing in text, terminal, JSON and the calendar."""
    args = SCENARIOS["too-late"]
    text = runner.invoke(app, [*args, "--format", "text"]).stdout
    assert text.splitlines()[1] == "!!! IMPORTANT - READ THIS FIRST !!!"
    assert "TOO LATE TO STOP WARFARIN ON TIME" in text.split("YOUR PLAN TO GET READY FOR KYPHOPLASTY")[0]
    terminal = runner.invoke(app, [*args, "--format", "terminal"]).stdout
    assert "IMPORTANT - READ THIS FIRST" in terminal.splitlines()[0]
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert [w["code"] for w in data["warnings"]] == ["last-dose-passed"]
    assert "Friday, November 27" in data["warnings"][0]["message"]
    ics = runner.invoke(app, [*args, "--format", "ics"]).stdout
    first_event = ics.split("BEGIN:VEVENT")[1]
    assert "SUMMARY:IMPORTANT - READ THIS FIRST" in first_event
    assert "X-WR-CALDESC:TOO LATE TO STOP WARFARIN" in ics
