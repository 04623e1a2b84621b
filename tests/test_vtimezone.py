"""The VTIMEZONE reads right in Outlook, which builds its zone from the RRULEs only (issue 16).

Each check builds the VTIMEZONE the way the calendar does (``build_vtimezone`` for a
window around the time), reads it with ``tests/outlook_reader.py`` (DTSTART, RRULE
and the offsets only; an observance without an RRULE only gives a base offset) and
compares with the zone database. A second check: every RRULE occurrence in the
years of the window is a real change, so no rule claims a year it is wrong for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from icalendar import Timezone

from kyphoprep.io.typed_input import is_zone_name
from kyphoprep.render.ics import build_vtimezone
from tests.outlook_reader import OutlookZone, read_zone

FIRST_DAY = datetime(2026, 12, 1, 7, 30)
WEEKS = 104
DATES = [FIRST_DAY + timedelta(weeks=week) for week in range(WEEKS)]
PLAN_BEFORE = timedelta(days=14)  # a plan's first event, before the time checked
PLAN_AFTER = timedelta(days=14)  # and its last

ZONES = sorted(zone for zone in available_timezones() if is_zone_name(zone))
"""Every zone kyphoprep accepts (it refuses ``localtime`` and ``Factory``)."""

IRREGULAR = [
    "America/Santiago",
    "Africa/Casablanca",
    "Asia/Gaza",
    "Asia/Hebron",
    "Africa/Cairo",
    "America/Nuuk",
    "Asia/Jerusalem",
]
"""Zones whose changes are not one nth weekday over the years (the fallback of issue 16)."""


def window(moment: datetime) -> tuple[datetime, datetime]:
    return moment - PLAN_BEFORE, moment + PLAN_AFTER


_READ: dict[int, tuple[Timezone, bytes, OutlookZone]] = {}


def outlook_zone(zone_name: str, first: datetime, last: datetime) -> tuple[bytes, OutlookZone]:
    """The VTIMEZONE the calendar writes for a plan from *first* to *last*, and its Outlook reading."""
    vtimezone = build_vtimezone(zone_name, first, last)
    # build_vtimezone hands back one object per zone and window: serialise and read it once
    # (the object is kept, so its id is not reused).
    if id(vtimezone) not in _READ:
        data = vtimezone.to_ical()
        _READ[id(vtimezone)] = (vtimezone, data, read_zone(data))
    _vtimezone, data, read = _READ[id(vtimezone)]
    return data, read


def is_plain_local_time(local: datetime, zone: ZoneInfo) -> bool:
    """*local* exists in *zone* and names one instant (not skipped, not repeated)."""
    early, late = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        return False
    return early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def times_off(zone_name: str, dates: list[datetime]) -> list[str]:
    """The wall times of *dates* that the Outlook reading puts at another instant than zoneinfo."""
    zone = ZoneInfo(zone_name)
    off = []
    for local in dates:
        if not is_plain_local_time(local, zone):
            continue
        expected = local.replace(tzinfo=zone).astimezone(UTC)
        _data, read = outlook_zone(zone_name, *window(expected))
        try:
            got = read.to_utc(local)
        except ValueError:
            off.append(f"{zone_name} {local}: skipped in the Outlook reading, zoneinfo {expected}")
            continue
        if got != expected:
            off.append(f"{zone_name} {local}: Outlook {got}, zoneinfo {expected}")
    return off


def false_changes(zone_name: str, first: datetime, last: datetime) -> list[str]:
    """RRULE occurrences, from DTSTART to the end of the window's last year, that are not real changes."""
    zone = ZoneInfo(zone_name)
    _data, read = outlook_zone(zone_name, first, last)
    wrong = []
    for rule in read.rules:
        for instant, before, after in rule.changes(last.astimezone(UTC).year):
            real = (
                (instant - timedelta(seconds=1)).astimezone(zone).utcoffset(),
                instant.astimezone(zone).utcoffset(),
            )
            if real != (before, after):
                wrong.append(
                    f"{zone_name} window {first:%Y-%m-%d}..{last:%Y-%m-%d}: {instant} {before}->{after}"
                )
    return wrong


def sweep(zones: list[str]) -> tuple[list[str], list[str], int]:
    off, wrong, checked = [], [], 0
    for zone_name in zones:
        off += times_off(zone_name, DATES)
        checked += sum(is_plain_local_time(local, ZoneInfo(zone_name)) for local in DATES)
        for local in DATES:
            first, last = window(local.replace(tzinfo=ZoneInfo(zone_name)))
            wrong += false_changes(zone_name, first, last)
    return off, sorted(set(wrong)), checked


@pytest.mark.parametrize("zone_name", IRREGULAR)
def test_irregular_zones_read_right_in_outlook(zone_name: str) -> None:
    """The zones that had no RRULE: 104 weekly 07:30s from 2026-12-01, all at the right instant."""
    off, wrong, checked = sweep([zone_name])
    assert checked > 100
    assert off == []
    assert wrong == []


@pytest.mark.slow
def test_every_zone_reads_right_in_outlook() -> None:
    """Every zone kyphoprep accepts, 104 weekly 07:30s from 2026-12-01: 0 times off, no false change."""
    off, wrong, checked = sweep(ZONES)
    assert checked > 50_000
    assert off == [], f"{len(off)} of {checked} times off, e.g. {off[:5]}"
    assert wrong == [], f"{len(wrong)} false changes, e.g. {wrong[:5]}"


def _around_changes(zone_name: str, years: range) -> list[datetime]:
    """UTC instants an hour either side of each change of *zone_name* in *years*."""
    zone = ZoneInfo(zone_name)
    moment = datetime(years.start, 1, 1, tzinfo=UTC)
    end = datetime(years.stop, 1, 1, tzinfo=UTC)
    found = []
    while moment < end:
        after = moment + timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            found += [moment - timedelta(hours=1), after + timedelta(hours=1)]
        moment = after
    return found


@pytest.mark.parametrize(
    ("zone_name", "years"),
    [
        ("Asia/Jerusalem", range(2030, 2031)),
        *((zone, range(2027, 2029)) for zone in IRREGULAR if zone != "Asia/Jerusalem"),
    ],
)
def test_instants_around_each_change(zone_name: str, years: range) -> None:
    """An hour before and after each change, the Outlook reading has zoneinfo's offset.

    The window is that of a short plan (a week either side), so these also check a
    window that holds only one of the year's changes.
    """
    zone = ZoneInfo(zone_name)
    instants = _around_changes(zone_name, years)
    assert len(instants) >= 4 * len(years)
    for instant in instants:
        first, last = instant - timedelta(days=7), instant + timedelta(days=7)
        data, read = outlook_zone(zone_name, first, last)
        assert read.offset_at(instant) == instant.astimezone(zone).utcoffset(), (instant, data.decode())
        local = instant.astimezone(zone).replace(tzinfo=None)
        if is_plain_local_time(local, zone):
            assert read.to_utc(local) == instant, (local, data.decode())
        assert false_changes(zone_name, first, last) == []


def test_jerusalem_2030_has_no_rule_that_is_wrong_in_2030() -> None:
    """``BYDAY=4FR;BYMONTH=3`` holds to 2029 but not in 2030 (March 29 is the 5th Friday): bounded."""
    data, read = outlook_zone(
        "Asia/Jerusalem", datetime(2030, 1, 10, tzinfo=UTC), datetime(2030, 2, 10, tzinfo=UTC)
    )
    text = data.decode()
    for line in text.splitlines():
        if line.startswith("RRULE:") and "BYDAY=4FR" in line:
            assert "UNTIL=" in line, text
    assert (
        false_changes("Asia/Jerusalem", datetime(2030, 1, 10, tzinfo=UTC), datetime(2030, 2, 10, tzinfo=UTC))
        == []
    )
    spring = datetime(2030, 3, 29, 0, 0, tzinfo=UTC)  # 02:00 IST
    data, read = outlook_zone("Asia/Jerusalem", spring - timedelta(days=20), spring + timedelta(days=20))
    assert read.offset_at(spring - timedelta(seconds=1)) == timedelta(hours=2)
    assert read.offset_at(spring) == timedelta(hours=3)


def test_every_change_has_an_rrule() -> None:
    """Observances that change the offset all carry an RRULE; a zone without changes has one STANDARD."""
    for zone_name in IRREGULAR:
        data, _read = outlook_zone(
            zone_name, datetime(2027, 10, 1, tzinfo=UTC), datetime(2028, 6, 1, tzinfo=UTC)
        )
        parts = data.decode().split("BEGIN:")[2:]
        for part in parts:
            offsets = [line for line in part.splitlines() if line.startswith("TZOFFSET")]
            assert "RRULE:" in part or offsets[0][-5:] == offsets[1][-5:], (zone_name, part)
    data, _read = outlook_zone(
        "Asia/Kolkata", datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)
    )
    text = data.decode()
    assert text.count("BEGIN:STANDARD") == 1
    assert "BEGIN:DAYLIGHT" not in text
    assert "RRULE" not in text
