"""The calendar file follows RFC 5545 and what real calendar apps need on import."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import icalendar
import pytest
from typer.testing import CliRunner

from kyphoprep.cli import app
from tests.scenarios import SCENARIOS


def render(runner: CliRunner, args: list[str], output_format: str = "ics") -> bytes:
    """The CLI's output bytes for *args*."""
    result = runner.invoke(app, [*args, "--format", output_format])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_wire_format(runner: CliRunner, scenario: str) -> None:
    """CRLF only, lines of at most 75 octets, valid UTF-8, one VCALENDAR, PUBLISH, PRODID."""
    data = render(runner, SCENARIOS[scenario])
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    data.decode("utf-8")
    assert data.count(b"BEGIN:VCALENDAR") == 1
    assert b"\r\nMETHOD:PUBLISH\r\n" in data
    assert b"\r\nPRODID:-//kyphoprep//Procedure preparation plan//EN\r\n" in data


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_times_carry_a_tzid_with_a_vtimezone(runner: CliRunner, scenario: str) -> None:
    """Every DTSTART/DTEND names the IANA zone (never floating, never Z after a TZID); DTSTAMP is UTC."""
    text = render(runner, SCENARIOS[scenario]).decode()
    zone = json.loads(render(runner, SCENARIOS[scenario], "json"))["inputs"]["timezone"]
    vevents = text.split("BEGIN:VEVENT")[1:]
    for event in vevents:
        for prop in ("DTSTART", "DTEND"):
            match = re.search(rf"^{prop}(;[^:]*)?:(.*)$", event, re.MULTILINE)
            assert match, event
            assert match.group(1) == f";TZID={zone}"
            assert not match.group(2).endswith("Z")
        assert re.search(r"^DTSTAMP:\d{8}T\d{6}Z\r?$", event, re.MULTILINE)
    assert f"BEGIN:VTIMEZONE\r\nTZID:{zone}\r\n" in text


DISCREET_TITLE = "Medicine reminder: open it to read more"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_events_match_json_in_utc(runner: CliRunner, scenario: str) -> None:
    """icalendar reading the file back gives the JSON's start and end instants for every step."""
    calendar = icalendar.Calendar.from_ical(render(runner, SCENARIOS[scenario]))
    data = json.loads(render(runner, SCENARIOS[scenario], "json"))
    steps = data["steps"]
    events = [e for e in calendar.walk("VEVENT") if not str(e["SUMMARY"]).startswith("IMPORTANT")]
    assert len(events) == len(steps)
    discreet = data["inputs"]["discreet_titles"]
    for event, step in zip(events, steps, strict=True):
        assert event.decoded("DTSTART").astimezone(UTC) == datetime.fromisoformat(step["start"]).astimezone(
            UTC
        )
        assert event.decoded("DTEND").astimezone(UTC) == datetime.fromisoformat(step["end"]).astimezone(UTC)
        title = DISCREET_TITLE if discreet and "medicine" in step else step["title"]
        assert str(event["SUMMARY"]) == title


def test_actionable_future_steps_have_exactly_one_display_alarm(runner: CliRunner) -> None:
    """One DISPLAY alarm, 30 minutes before, on each action still to come; none on the rest."""
    calendar = icalendar.Calendar.from_ical(render(runner, SCENARIOS["too-late"]))
    steps = json.loads(render(runner, SCENARIOS["too-late"], "json"))["steps"]
    events = [e for e in calendar.walk("VEVENT") if not str(e["SUMMARY"]).startswith("IMPORTANT")]
    for event, step in zip(events, steps, strict=True):
        alarms = event.walk("VALARM")
        assert str(event["DESCRIPTION"]).startswith("PAST: ") is step["past"]
        if step["actionable"] and not step["past"]:
            assert len(alarms) == 1
            assert str(alarms[0]["ACTION"]) == "DISPLAY"
            assert alarms[0].decoded("TRIGGER").total_seconds() == -30 * 60
        else:
            assert alarms == []


def test_uids_survive_a_reschedule(runner: CliRunner) -> None:
    """Moving the procedure keeps every UID; another patient gets different UIDs."""
    base = SCENARIOS["us-chicago"]
    moved = [*base]
    moved[1] = "2026-12-10 09:00"

    def uids(args: list[str]) -> list[str]:
        return [str(e["UID"]) for e in icalendar.Calendar.from_ical(render(runner, args)).walk("VEVENT")]

    assert sorted(uids(base)) == sorted(uids(moved))
    assert len(set(uids(base))) == len(uids(base))
    other = [*base]
    other[other.index("Ann Lee")] = "Bea Ray"
    assert not set(uids(base)) & set(uids(other))
    assert all(uid.endswith("@kyphoprep") for uid in uids(base))


def test_plan_id_option_sets_identity(runner: CliRunner) -> None:
    """--plan-id gives UIDs that do not depend on the patient name."""
    first = [*SCENARIOS["us-chicago"], "--plan-id", "MRN-1"]
    second = [*first]
    second[second.index("Ann Lee")] = "Ann Lee-Smith"
    assert render(runner, first).count(b"UID:") == render(runner, second).count(b"UID:")
    uid_lines = [re.findall(rb"UID:.*", render(runner, args)) for args in (first, second)]
    assert uid_lines[0] == uid_lines[1]


def test_dtstamp_is_today(runner: CliRunner) -> None:
    """DTSTAMP comes from --today (midnight in the plan's zone, written in UTC)."""
    text = render(runner, SCENARIOS["us-chicago"]).decode()
    assert set(re.findall(r"DTSTAMP:(\S+)", text)) == {"20261121T060000Z"}


def test_names_cannot_inject_calendar_properties(runner: CliRunner) -> None:
    """Commas, semicolons and colons in names are escaped text, not new properties."""
    args = [*SCENARIOS["us-chicago"]]
    args[args.index("Lakeside Spine Center")] = "Clinic; X-EVIL:1, Inc:"
    calendar = icalendar.Calendar.from_ical(render(runner, args))
    locations = {str(e.get("LOCATION")) for e in calendar.walk("VEVENT") if e.get("LOCATION")}
    assert locations == {"Clinic; X-EVIL:1, Inc:"}
    assert all("X-EVIL" not in e for e in calendar.walk("VEVENT"))


def test_instant_in_the_repeated_hour_is_written_in_utc(runner: CliRunner) -> None:
    """1:00 AM on fall-back day happens twice; such an instant is written as UTC so no app guesses."""
    text = render(
        runner, ["plan", "2026-10-31 01:00", "--tz", "America/Chicago", "--today", "2026-10-20"]
    ).decode()
    no_driving = next(e for e in text.split("BEGIN:VEVENT") if "SUMMARY:No driving for 24 hours" in e)
    assert "\r\nDTSTART;TZID=America/Chicago:20261031T020000\r\n" in no_driving
    assert "\r\nDTEND:20261101T070000Z\r\n" in no_driving
