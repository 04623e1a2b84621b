"""The calendar file follows RFC 5545 and what real calendar apps need on import."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from tests.scenarios import SCENARIOS

CHICAGO = [
    "plan",
    "2026-12-03 07:30",
    "--tz",
    "America/Chicago",
    "--med",
    "warfarin=5d",
    "--today",
    "2026-11-20",
]
"""The plan the calendar review counted: 28 events and 19 alarms on 9 days before issue 16."""


def render(runner: CliRunner, args: list[str], output_format: str = "ics") -> bytes:
    """The CLI's output bytes for *args*."""
    result = runner.invoke(app, [*args, "--format", output_format])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def events_of(data: bytes) -> list[icalendar.Event]:
    """The VEVENTs of a calendar file, in file order."""
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert all(isinstance(e, icalendar.Event) for e in events)
    return [e for e in events if isinstance(e, icalendar.Event)]


def utc(text: str) -> datetime:
    """An ISO time from the JSON as a UTC instant."""
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_wire_format(runner: CliRunner, scenario: str) -> None:
    """CRLF only, lines of at most 75 octets, valid UTF-8, one VCALENDAR, PRODID, and no METHOD.

    A file to import is not an iTIP message (RFC 5545 3.7.2): METHOD:PUBLISH would need an
    ORGANIZER in every event (RFC 5546 3.2.1), which makes apps treat it as an invitation.
    """
    data = render(runner, SCENARIOS[scenario])
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    data.decode("utf-8")
    assert data.count(b"BEGIN:VCALENDAR") == 1
    assert not any(line.startswith((b"METHOD", b"ORGANIZER", b"ATTENDEE")) for line in lines)
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
    assert text.count("BEGIN:VTIMEZONE") == 1
    assert f"BEGIN:VTIMEZONE\r\nTZID:{zone}\r\n" in text


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC"])
def test_a_plan_in_utc_has_no_vtimezone(runner: CliRunner, zone: str) -> None:
    """UTC times are written with Z; an unused VTIMEZONE would only be noise."""
    text = render(runner, ["plan", "2026-12-03 07:30", "--tz", zone, "--today", "2026-11-20"]).decode()
    assert "VTIMEZONE" not in text
    assert "TZID" not in text
    assert "\r\nDTSTART:20261203T073000Z\r\n" in text


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_events_match_json_in_utc(runner: CliRunner, scenario: str) -> None:
    """icalendar reading the file back gives the JSON calendar's events, and each step's start.

    An event ends when its step ends, except long states (12 hours or more), which are one
    15-minute reminder at their start that says until when.
    """
    events = events_of(render(runner, SCENARIOS[scenario]))
    data = json.loads(render(runner, SCENARIOS[scenario], "json"))
    listed = data["calendar"]["events"]
    assert [str(e["UID"]) for e in events] == [e["uid"] for e in listed]
    for event, entry in zip(events, listed, strict=True):
        assert event.decoded("DTSTART").astimezone(UTC) == utc(entry["start"])
        assert event.decoded("DTEND").astimezone(UTC) == utc(entry["end"])
        assert str(event["SUMMARY"]) == entry["title"]
    by_uid = {str(e["UID"]): e for e in events}
    for step in data["steps"]:
        event = by_uid[step["uid"]]
        start, end = utc(step["start"]), utc(step["end"])
        assert event.decoded("DTSTART").astimezone(UTC) == start
        if end - start >= timedelta(hours=12):
            assert event.decoded("DTEND").astimezone(UTC) == start + timedelta(minutes=15)
            assert "This lasts until" in str(event["DESCRIPTION"]) or data["inputs"]["language"] != "en"
        else:
            assert event.decoded("DTEND").astimezone(UTC) == end


def test_long_states_are_one_reminder_at_their_start(runner: CliRunner) -> None:
    """'No driving for 24 hours' and 'Keep the bandage on for 2 days' are no longer bars across days."""
    events = {str(e["SUMMARY"]): e for e in events_of(render(runner, CHICAGO))}
    for title, until in (
        ("No driving for 24 hours", "Friday, December 4, 2026 at 8:30 AM"),
        ("Keep the bandage on for 2 days", "Saturday, December 5, 2026 at 9:00 AM"),
    ):
        event = events[title]
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=15)
        assert f"This lasts until {until}." in str(event["DESCRIPTION"])
        assert event.walk("VALARM") == []


def test_alarms_ring_only_when_there_is_something_to_do(runner: CliRunner) -> None:
    """Issue 16's plan: 28 events and 19 alarms before; now 27 events and 12 alarms, each one to act on.

    No alarm rings while the person is at the clinic (arrival to 3 hours after the procedure),
    the check-up day's to-dos share the visit's alarm, and each step with its own clock rings.
    """
    events = events_of(render(runner, CHICAGO))
    ringing = [(e.decoded("DTSTART"), str(e["SUMMARY"])) for e in events if e.walk("VALARM")]
    assert len(events) == 27
    assert [(moment.strftime("%m-%d %H:%M"), title) for moment, title in ringing] == [
        ("11-26 09:00", "Check-up visit before the day"),
        ("11-27 08:00", "Medicine reminder: open it to read more"),
        ("11-30 10:00", "Medicine reminder: open it to read more"),
        ("12-01 09:00", "Feeling sick? Call the clinic"),
        ("12-02 18:00", "Pack your bag for tomorrow"),
        ("12-03 00:00", "Nothing to eat or drink after midnight"),
        ("12-03 05:00", "Take only medicines you were told to"),
        ("12-03 06:00", "Arrive for check-in"),
        ("12-03 14:30", "Medicine reminder: open it to read more"),
        ("12-04 09:00", "Start light walks and chores"),
        ("12-05 09:00", "You can take the bandage off today"),
        ("01-14 09:00", "6 weeks: ask before heavy lifting"),
    ]
    arrival = next(e for e in events if str(e["SUMMARY"]) == "Arrive for check-in").decoded("DTSTART")
    home = arrival + timedelta(hours=5, minutes=30)  # procedure ends 8:30, plus 3 hours of recovery
    for event in events:
        for alarm in event.walk("VALARM"):
            rings = event.decoded("DTSTART") + alarm.decoded("TRIGGER")
            assert not arrival <= rings < home, event["SUMMARY"]
            assert str(alarm["ACTION"]) == "DISPLAY"
            assert alarm.decoded("TRIGGER") == timedelta(minutes=-30)


def test_to_dos_of_one_day_share_one_alarm(runner: CliRunner) -> None:
    """The check-up day's seven "on this day" to-dos ring once, and the alarm says how many."""
    first_day = [e for e in events_of(render(runner, CHICAGO)) if e.decoded("DTSTART").day == 26]
    assert len(first_day) == 7
    alarms = [a for e in first_day for a in e.walk("VALARM")]
    assert [str(a["DESCRIPTION"]) for a in alarms] == [
        "You have 7 things to do today. Open your plan to read them."
    ]


def test_past_steps_do_not_ring(runner: CliRunner) -> None:
    """When the plan is made too late, steps already past are marked and silent."""
    events = events_of(render(runner, SCENARIOS["too-late"]))
    data = json.loads(render(runner, SCENARIOS["too-late"], "json"))
    by_uid = {str(e["UID"]): e for e in events}
    for step in data["steps"]:
        event = by_uid[step["uid"]]
        assert str(event["DESCRIPTION"]).startswith("PAST: ") is step["past"]
        if step["past"] or not step["actionable"]:
            assert event.walk("VALARM") == []
    assert any(e.walk("VALARM") for e in events)


def test_titles_are_discreet_by_default(runner: CliRunner) -> None:
    """Lock screens show titles and alarms: no medicine or procedure name unless --full-titles."""
    data = render(runner, CHICAGO)
    text = data.decode()
    for secret in ("warfarin", "Warfarin", "kyphoplasty", "Kyphoplasty"):
        for event in events_of(data):
            assert secret not in str(event["SUMMARY"])
            assert all(secret not in str(a["DESCRIPTION"]) for a in event.walk("VALARM"))
    assert "X-WR-CALNAME:Your plan to get ready\r\n" in text
    # The details are still inside each event.
    last_dose = next(e for e in events_of(data) if "Last day to take warfarin" in str(e["DESCRIPTION"]))
    assert str(last_dose["SUMMARY"]) == "Medicine reminder: open it to read more"
    procedure = next(e for e in events_of(data) if str(e["SUMMARY"]).startswith("Appointment"))
    assert "kyphoplasty" in str(procedure["DESCRIPTION"])


def test_full_titles_name_medicines_and_procedure(runner: CliRunner) -> None:
    """--full-titles opts out of discreet titles (and so can fail the test above)."""
    events = events_of(render(runner, [*CHICAGO, "--full-titles"]))
    titles = [str(e["SUMMARY"]) for e in events]
    assert "Last day to take warfarin" in titles
    assert any("kyphoplasty" in title for title in titles)
    assert "Medicine reminder: open it to read more" not in titles


def test_calendar_says_how_to_keep_it_current(runner: CliRunner) -> None:
    """The 'delete that calendar and import the new one' advice is in the file, not only the README."""
    calendar = icalendar.Calendar.from_ical(render(runner, CHICAGO))
    advice = "If old reminders stay, delete that calendar and import the new file."
    # icalendar does not unescape X- properties it does not know; calendar apps do.
    assert advice in str(calendar["X-WR-CALDESC"]).replace("\\,", ",")
    assert all(advice in str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT"))


def test_sequence_is_the_plan_version(runner: CliRunner) -> None:
    """A first plan is version 0: every event has SEQUENCE:0 and the JSON says so."""
    data = render(runner, CHICAGO)
    assert {int(e.decoded("SEQUENCE")) for e in events_of(data)} == {0}
    plan = json.loads(render(runner, CHICAGO, "json"))
    assert (plan["version"], plan["calendar"]["sequence"]) == (0, 0)


def test_dtstamp_is_deterministic_and_follows_the_content(runner: CliRunner) -> None:
    """The same input gives the same bytes; another plan made the same day gets another DTSTAMP."""

    def stamp(args: list[str]) -> str:
        stamps: set[str] = set(re.findall(r"DTSTAMP:(\S+)", render(runner, args).decode()))
        assert len(stamps) == 1
        return stamps.pop()

    first = stamp(CHICAGO)
    assert render(runner, CHICAGO) == render(runner, CHICAGO)
    # --today gives midnight in the plan's zone (06:00 UTC), plus seconds from the content.
    assert re.fullmatch(r"20261120T0600\d\dZ", first)
    # The seconds take one of 60 values, so two plans share them 1 time in 60: of six plans that
    # differ, at least three stamps differ unless the content is ignored (a chance of about 1e-5).
    variants = [first]
    for moved_to in ("09:00", "09:30", "10:00", "10:30"):
        variants.append(stamp([CHICAGO[0], f"2026-12-03 {moved_to}", *CHICAGO[2:]]))
    variants.append(stamp([*CHICAGO[:-2], "--med", "clopidogrel=5d", *CHICAGO[-2:]]))
    assert len(set(variants)) >= 3
    assert all(re.fullmatch(r"20261120T0600\d\dZ", variant) for variant in variants)


def test_uids_survive_a_reschedule(runner: CliRunner) -> None:
    """Moving the procedure keeps every UID; another patient gets different UIDs."""
    base = SCENARIOS["us-chicago"]
    moved = [*base]
    moved[1] = "2026-12-10 09:00"

    def uids(args: list[str]) -> list[str]:
        return [str(e["UID"]) for e in events_of(render(runner, args))]

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
        runner, ["plan", "2026-11-01 02:30", "--tz", "America/Chicago", "--today", "2026-10-20"]
    ).decode()
    # Arrival is 90 minutes before 2:30 AM CST: 1:00 AM CST, the second 1:00 AM of the night.
    arrive = next(e for e in text.split("BEGIN:VEVENT") if "SUMMARY:Arrive for check-in" in e)
    assert "\r\nDTSTART:20261101T070000Z\r\n" in arrive
    assert "\r\nDTEND:20261101T071500Z\r\n" in arrive
    procedure = next(e for e in text.split("BEGIN:VEVENT") if "SUMMARY:Appointment" in e)
    assert "\r\nDTSTART;TZID=America/Chicago:20261101T023000\r\n" in procedure


# --- --replaces: a new version of a plan cancels what it no longer has -------------------------


def write_plan(runner: CliRunner, path: Path, args: list[str]) -> None:
    """Write *args*' plan as JSON to *path*."""
    result = runner.invoke(app, [*args, "-o", str(path), "--force"])
    assert result.exit_code == 0, result.output


WITH_CLOPIDOGREL = [*SCENARIOS["us-chicago"], "--med", "clopidogrel=5d"]


def test_replaces_cancels_the_removed_medicine(runner: CliRunner, tmp_path: Path) -> None:
    """The new calendar carries the removed clopidogrel reminders as CANCELLED, one SEQUENCE higher."""
    previous = tmp_path / "v0.json"
    write_plan(runner, previous, WITH_CLOPIDOGREL)
    old = json.loads(previous.read_text())
    new_args = [*SCENARIOS["us-chicago"], "--replaces", str(previous)]
    events = events_of(render(runner, new_args))
    current = {
        e["uid"] for e in json.loads(render(runner, SCENARIOS["us-chicago"], "json"))["calendar"]["events"]
    }
    gone = {e["uid"] for e in old["calendar"]["events"]} - current
    assert gone, "the earlier plan must have events the new one lacks"
    cancelled = [e for e in events if str(e.get("STATUS")) == "CANCELLED"]
    assert {str(e["UID"]) for e in cancelled} == gone
    assert {int(e.decoded("SEQUENCE")) for e in events} == {1}
    assert all(e.walk("VALARM") == [] for e in cancelled)
    assert all(str(e["SUMMARY"]) == "Cancelled: this reminder is no longer in your plan" for e in cancelled)
    # Nothing else of the earlier plan is cancelled, and every current event is still there.
    assert current <= {str(e["UID"]) for e in events if str(e.get("STATUS", "")) != "CANCELLED"}


def test_replaces_chains_versions(runner: CliRunner, tmp_path: Path) -> None:
    """Replacing version 1 gives version 2; events cancelled before stay cancelled."""
    v0, v1 = tmp_path / "v0.json", tmp_path / "v1.json"
    write_plan(runner, v0, WITH_CLOPIDOGREL)
    write_plan(runner, v1, [*SCENARIOS["us-chicago"], "--replaces", str(v0)])
    data = json.loads(render(runner, [*SCENARIOS["us-chicago"], "--replaces", str(v1)], "json"))
    assert data["version"] == 2
    first_cancelled = {
        e["uid"] for e in json.loads(v1.read_text())["calendar"]["events"] if e["status"] == "cancelled"
    }
    now_cancelled = {e["uid"] for e in data["calendar"]["events"] if e["status"] == "cancelled"}
    assert first_cancelled
    assert first_cancelled == now_cancelled


def test_handouts_list_the_removed_reminders(runner: CliRunner, tmp_path: Path) -> None:
    """Text, HTML and the terminal say which reminders were removed, with their old dates."""
    previous = tmp_path / "v0.json"
    write_plan(runner, previous, WITH_CLOPIDOGREL)
    args = [*SCENARIOS["us-chicago"], "--replaces", str(previous)]
    for output_format in ("text", "html"):
        shown = render(runner, args, output_format).decode()
        assert "removed from your calendar" in shown.lower()
        assert "clopidogrel" in shown
    assert "Removed from your calendar" not in render(runner, SCENARIOS["us-chicago"], "text").decode()


def test_replaces_with_the_same_plan_cancels_nothing(runner: CliRunner, tmp_path: Path) -> None:
    """Replacing a plan by itself only raises the version."""
    previous = tmp_path / "v0.json"
    write_plan(runner, previous, SCENARIOS["us-chicago"])
    events = events_of(render(runner, [*SCENARIOS["us-chicago"], "--replaces", str(previous)]))
    assert not [e for e in events if e.get("STATUS")]
    assert {int(e.decoded("SEQUENCE")) for e in events} == {1}


def test_replaces_reads_a_schema_5_plan(runner: CliRunner, tmp_path: Path) -> None:
    """A plan written before the calendar block existed: its UIDs follow from the step ids."""
    previous = tmp_path / "v0.json"
    write_plan(runner, previous, WITH_CLOPIDOGREL)
    old = json.loads(previous.read_text())
    del old["calendar"], old["version"]
    for step in old["steps"]:
        del step["uid"]
    old["schema_version"] = 5
    previous.write_text(json.dumps(old))
    data = json.loads(render(runner, [*SCENARIOS["us-chicago"], "--replaces", str(previous)], "json"))
    assert data["version"] == 1
    cancelled = [e for e in data["calendar"]["events"] if e["status"] == "cancelled"]
    assert cancelled
    assert all(e["full_title"] != e["title"] for e in cancelled)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"BEGIN:VCALENDAR\r\n", "is not JSON"),
        (b'{"plan": 1}', "is not a kyphoprep plan"),
        (b"\xff\xfe", "is not JSON"),
    ],
    ids=["missing", "ics", "other-json", "not-utf8"],
)
def test_replaces_refuses_what_is_not_a_plan(
    runner: CliRunner, tmp_path: Path, content: bytes | None, message: str
) -> None:
    """A wrong --replaces file is a one-line input error (exit 2), not a traceback."""
    previous = tmp_path / "old.json"
    if content is not None:
        previous.write_bytes(content)
    result = runner.invoke(app, [*CHICAGO, "--replaces", str(previous)])
    assert result.exit_code == 2
    assert f"--replaces '{previous}' {message}." in result.stderr
    assert "Give the JSON file kyphoprep wrote" in result.stderr


def test_replaces_refuses_another_patients_plan(runner: CliRunner, tmp_path: Path) -> None:
    """Cancelling someone else's reminders in this calendar would be wrong: refused."""
    previous = tmp_path / "bea.json"
    other = [*SCENARIOS["us-chicago"]]
    other[other.index("Ann Lee")] = "Bea Ray"
    write_plan(runner, previous, other)
    result = runner.invoke(app, [*SCENARIOS["us-chicago"], "--replaces", str(previous), "--format", "ics"])
    assert result.exit_code == 2
    assert "is another person's plan" in result.stderr
    assert result.stdout == ""
