"""Page 1 of the handout: the key dates, each with a QR code holding that one reminder.

The codes are read back the way a phone does: the handout is printed to PDF with headless
Chromium, the first page rasterised with pdftoppm and decoded with zbar, and each reminder is
compared with the same event of the ``.ics`` file (UID, UTC times, title, alarm).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from tests.pdf_tools import page_texts, print_to_pdf
from tests.qr_tools import decode_qr_codes_by_page, require_qr_tools

TODAY = "2026-11-20"
WARFARIN = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", TODAY, "--med", "warfarin=5d"]
CLINIC = [
    "--facility",
    "Lakeside Spine Center",
    "--phone",
    "555-0100",
    "--patient",
    "Ann Lee",
    "--driver",
    "Tom Lee",
]


def output(runner: CliRunner, args: list[str], output_format: str) -> bytes:
    """``kyphoprep ARGS --format FORMAT`` through the CLI."""
    result = runner.invoke(app, [*args, "--format", output_format])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def events(calendar: bytes | str) -> dict[str, Any]:
    """The VEVENTs of a calendar by UID."""
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(calendar).walk("VEVENT")}


def utc(value: Any) -> datetime:
    """An event time as a UTC instant."""
    moment: datetime = value.dt
    return moment.astimezone(UTC)


@pytest.mark.parametrize("extra", [[], ["--full-titles"], ["--lang", "es"], ["--fasting", "asa"]])
def test_every_qr_code_is_its_ics_event(runner: CliRunner, tmp_path: Path, extra: list[str]) -> None:
    """Each code on page 1 is one event of the .ics, the same UID, UTC times, title and alarm."""
    require_qr_tools()
    args = [*WARFARIN, *CLINIC, *extra]
    pdf = print_to_pdf(output(runner, args, "html"), "letter", tmp_path)
    pages = decode_qr_codes_by_page(pdf.read_bytes())
    assert all(not codes for codes in pages[1:]), "only page 1 has codes"
    calendar = events(output(runner, args, "ics"))
    data = json.loads(output(runner, args, "json"))
    wanted = {step["uid"] for step in data["steps"] if step["id"] in ("medicine-warfarin", "arrive")}
    found = {}
    for payload in pages[0]:
        assert payload.startswith("BEGIN:VCALENDAR\r\n"), payload
        [(uid, event)] = events(payload).items()
        found[uid] = event
        full = calendar[uid]
        assert utc(event["DTSTART"]) == utc(full["DTSTART"])
        assert utc(event["DTEND"]) == utc(full["DTEND"])
        assert str(event["DTSTART"].to_ical().decode()).endswith("Z")
        assert str(event["SUMMARY"]) == str(full["SUMMARY"])
        assert [str(a["TRIGGER"].to_ical()) for a in event.walk("VALARM")] == [
            str(a["TRIGGER"].to_ical()) for a in full.walk("VALARM")
        ]
    assert wanted <= set(found), "the last warfarin dose and the arrival each have a code"
    titles = {str(event["SUMMARY"]) for event in found.values()}
    if "--full-titles" not in extra:
        assert not any("warfarin" in title.casefold() for title in titles), "discreet titles"


def test_page_one_holds_the_key_dates(runner: CliRunner, tmp_path: Path) -> None:
    """Page 1 names the last warfarin day, the time to stop eating and drinking, arrival, driver, phone."""
    pdf = print_to_pdf(output(runner, [*WARFARIN, *CLINIC], "html"), "letter", tmp_path)
    first = page_texts(pdf)[0]
    for phrase in (
        "Yourkeydates",
        "Friday,November27",
        "Lastdaytotakewarfarin",
        "Nothingtoeatordrinkaftermidnight",
        "Thursday,December3,6:00AM",
        "Arriveforcheck-in",
        "TomLeedrivesyouhome",
        "CallLakesideSpineCenter:555-0100",
    ):
        assert phrase in first, phrase
