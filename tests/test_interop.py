"""Real calendar parsers read our .ics as the same UTC instants as the JSON.

Two independent parsers used by real clients: libical (GNOME Evolution) and
Mozilla's ical.js (Thunderbird, many web calendars). ``tests/interop/setup.sh``
builds them (the README's test command runs it first). Without them the tests
skip on a developer machine, but fail in CI (CI=true), so CI can never pass
without having checked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli_app import app
from tests.interop_tools import parse_with_icaljs, parse_with_libical, require_interop
from tests.scenarios import SCENARIOS

pytestmark = pytest.mark.slow

EXTRA = {
    # Southern hemisphere entering daylight saving, half-hour DST shift, no DST, fall-back day.
    "sydney-spring-forward": [
        "plan",
        "2026-10-05 08:00",
        "--tz",
        "Australia/Sydney",
        "--today",
        "2026-09-20",
        "--med",
        "rivaroxaban=3d",
        "--med",
        "dalteparin=24h",
    ],
    "lord-howe-half-hour": [
        "plan",
        "2026-10-05 08:00",
        "--tz",
        "Australia/Lord_Howe",
        "--today",
        "2026-09-20",
        "--med",
        "enoxaparin=36h",
    ],
    "kolkata-no-dst": ["plan", "2027-01-15 10:00", "--tz", "Asia/Kolkata", "--today", "2027-01-01"],
    "chicago-fall-back": [
        "plan",
        "2026-11-02 06:30",
        "--tz",
        "America/Chicago",
        "--today",
        "2026-10-20",
        "--med",
        "heparin=24h",
        "--med",
        "warfarin=5d",
    ],
    # "No driving" ends at 1:00 AM CST on Nov 1, inside the repeated hour: written in UTC.
    "chicago-repeated-hour": ["plan", "2026-10-31 01:00", "--tz", "America/Chicago", "--today", "2026-10-20"],
    "london-spring": [
        "plan",
        "2027-03-30 08:00",
        "--tz",
        "Europe/London",
        "--today",
        "2027-03-15",
        "--med",
        "enoxaparin=48h",
    ],
    "chatham-45-minutes": ["plan", "2027-04-05 09:00", "--tz", "Pacific/Chatham", "--today", "2027-03-20"],
    # Issue 16: zones whose change is not the same nth weekday every year (RRULEs ended by UNTIL).
    **{
        name: ["plan", when, "--tz", zone, "--today", today, "--med", "warfarin=5d"]
        for name, when, zone, today in (
            ("santiago-autumn-2028", "2028-04-05 08:00", "America/Santiago", "2028-03-25"),
            ("jerusalem-spring-2030", "2030-04-01 08:00", "Asia/Jerusalem", "2030-03-20"),
            ("casablanca-ramadan-2028", "2028-03-07 08:00", "Africa/Casablanca", "2028-02-25"),
            ("cairo-autumn-2030", "2030-11-04 08:00", "Africa/Cairo", "2030-10-25"),
            ("gaza-autumn-2027", "2027-10-28 08:00", "Asia/Gaza", "2027-10-20"),
        )
    },
}
ALL = {**SCENARIOS, **EXTRA}


@pytest.fixture(scope="module")
def parsers() -> None:
    """Build the parsers once; skip locally if they cannot be had, fail in CI."""
    require_interop()


@pytest.mark.usefixtures("parsers")
@pytest.mark.parametrize("scenario", sorted(ALL))
def test_libical_and_icaljs_agree_with_json(runner: CliRunner, tmp_path: Path, scenario: str) -> None:
    """Start, end, alarm and status of every event, read by libical and ical.js, equal the JSON in UTC.

    libical also runs its RFC 5546 restriction check on the file (the probe exits 3 on any error).
    """
    args = ALL[scenario]
    ics = tmp_path / "plan.ics"
    assert runner.invoke(app, [*args, "-o", str(ics)]).exit_code == 0
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)

    def utc(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text).astimezone(UTC)

    expected = [
        (
            e["uid"],
            utc(e["start"]),
            utc(e["end"]),
            utc(e["alarm_at"]),
            "CANCELLED" if e["status"] == "cancelled" else None,
        )
        for e in data["calendar"]["events"]
    ]
    assert len(expected) == len(data["steps"]) + len(data["warnings"])
    for parse in (parse_with_libical, parse_with_icaljs):
        got = [(e.uid, e.start, e.end, e.alarm, e.status) for e in parse(ics)]
        assert got == expected, parse.__name__


@pytest.mark.usefixtures("parsers")
def test_a_removed_medicine_is_read_as_cancelled_by_both_parsers(runner: CliRunner, tmp_path: Path) -> None:
    """After --replaces, libical and ical.js read the removed medicine's events as CANCELLED, the rest not.

    What the README says about cancellations rests on this.
    """
    base = [
        "plan",
        "2026-12-03 07:30",
        "--tz",
        "America/Chicago",
        "--today",
        "2026-11-20",
        "--patient",
        "Ann Lee",
    ]
    previous = tmp_path / "before.json"
    before = [*base, "--med", "warfarin=5d", "--med", "enoxaparin=24h"]
    assert runner.invoke(app, [*before, "--format", "json", "-o", str(previous)]).exit_code == 0
    ics = tmp_path / "after.ics"
    after = [*base, "--med", "warfarin=5d", "--replaces", str(previous)]
    assert runner.invoke(app, [*after, "-o", str(ics)]).exit_code == 0
    old = json.loads(previous.read_text(encoding="utf-8"))
    new = json.loads(runner.invoke(app, [*after, "--format", "json"]).stdout)
    removed = {e["uid"] for e in old["calendar"]["events"]} - {s["uid"] for s in new["steps"]}
    assert removed, "taking enoxaparin off the list must remove its events"
    enoxaparin = {s["uid"] for s in old["steps"] if "enoxaparin" in s["id"]}
    assert enoxaparin <= removed
    for parse in (parse_with_libical, parse_with_icaljs):
        status = {e.uid: e.status for e in parse(ics)}
        assert {uid for uid, s in status.items() if s == "CANCELLED"} == removed, parse.__name__
        assert all(status[s["uid"]] is None for s in new["steps"]), parse.__name__
