"""What a person may type for WHEN, --tz and --med, and what it is understood as."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kyphoprep.errors import InputError
from kyphoprep.medicines import parse_hold
from kyphoprep.models import Hold
from kyphoprep.parsing import parse_today, parse_when, system_zone

EXPECTED = datetime(2026, 12, 3, 13, 30, tzinfo=UTC)  # 07:30 in Chicago


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-03 07:30",
        "2026-12-03T07:30",
        "2026-12-03T07:30:00",
        "Dec 3 2026 7:30am",
        "December 3, 2026 7:30 AM",
        "3 December 2026 07:30",
        "Thursday, December 3, 2026 at 7:30 am",
        "12/03/2026 07:30 --mdy",
        "03.12.2026 07:30 --dmy",
        "2026-12-03T07:30-06:00",
        "  2026-12-03    07:30  ",
    ],
)
def test_accepted_forms(text: str) -> None:
    """ISO and natural forms all mean 07:30 on Dec 3 2026 in Chicago (checked in UTC)."""
    order = None
    if text.endswith(("--mdy", "--dmy")):
        text, order = text[:-6], text[-3:]
    moment = parse_when(text, "America/Chicago", date_order=order)  # type: ignore[arg-type]
    assert moment.astimezone(UTC) == EXPECTED
    assert str(moment.tzinfo) == "America/Chicago"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("13/04/2027 08:00", (4, 13)), ("04/13/2027 08:00", (4, 13)), ("05/05/2027 08:00", (5, 5))],
)
def test_unambiguous_numeric_dates_need_no_order(text: str, expected: tuple[int, int]) -> None:
    """A day above 12, or the same day and month, can only be read one way."""
    moment = parse_when(text, "Europe/London")
    assert (moment.month, moment.day) == expected


def test_offset_picks_the_second_of_a_repeated_hour() -> None:
    """On fall-back day, an offset says which 1:30 AM is meant."""
    first = parse_when("2026-11-01 01:30-05:00", "America/Chicago")
    second = parse_when("2026-11-01 01:30-06:00", "America/Chicago")
    assert first.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)


def test_unknown_zone_abbreviation_in_the_date() -> None:
    """A zone name inside WHEN is not guessed at."""
    with pytest.raises(InputError, match="names a time zone kyphoprep does not know"):
        parse_when("Dec 3 2026 7:30am XYZT", "America/Chicago")


@pytest.mark.parametrize(
    ("text", "hold"),
    [
        ("5d", Hold(5, "days", "5d")),
        ("5 days", Hold(5, "days", "5 days")),
        ("1 day", Hold(1, "days", "1 day")),
        ("24H", Hold(24, "hours", "24H")),
        (" 36 hours ", Hold(36, "hours", "36 hours")),
    ],
)
def test_hold_forms(text: str, hold: Hold) -> None:
    """Holds in days or hours, in short or long form, any case."""
    assert parse_hold(text, "x") == hold


def test_today_forms() -> None:
    """--today takes a date (start of day in the zone) or a local date-time."""
    assert parse_today("2026-11-21", "America/Chicago").astimezone(UTC) == datetime(
        2026, 11, 21, 6, tzinfo=UTC
    )
    assert parse_today("2026-11-21T10:00", "America/Chicago").astimezone(UTC) == datetime(
        2026, 11, 21, 16, tzinfo=UTC
    )
    assert parse_today("2026-11-21T10:00Z", "America/Chicago").astimezone(UTC) == datetime(
        2026, 11, 21, 10, tzinfo=UTC
    )


def test_system_zone_from_tz_variable() -> None:
    """The TZ variable names the computer's zone when it is an IANA name."""
    assert system_zone({"TZ": "Europe/Berlin"}) in ("Europe/Berlin",)
    assert system_zone({"TZ": ":/usr/share/zoneinfo/Asia/Tokyo"}) == "Asia/Tokyo"
