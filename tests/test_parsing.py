"""What a person may type for WHEN, --tz and --med, and what it is understood as."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kyphoprep.core.models import DateOrder, Hold
from kyphoprep.errors import InputError
from kyphoprep.io.med_options import parse_hold
from kyphoprep.io.typed_input import now_from_epoch, parse_today, parse_when, quoted, system_zone

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
    order: DateOrder | None = None
    if text.endswith(" --mdy"):
        text, order = text[:-6], "mdy"
    elif text.endswith(" --dmy"):
        text, order = text[:-6], "dmy"
    moment = parse_when(text, "America/Chicago", date_order=order)
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
    assert system_zone({"TZ": "/usr/share/zoneinfo/Asia/Tokyo"}) == "Asia/Tokyo"
    assert system_zone({"TZ": ":America/Chicago"}) == "America/Chicago"


def test_tz_meaning_the_zone_file_gives_its_name(tmp_path: Path) -> None:
    """TZ=:/etc/localtime and the like name a file; the zone is the one the file links to."""
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Europe/Berlin")
    assert system_zone({"TZ": f":{link}"}) == "Europe/Berlin"


@pytest.mark.parametrize(
    ("tz", "meant"),
    [
        ("CST6CDT,M3.2.0,M11.1.0", None),  # a POSIX rule: no place, and no daylight-saving history
        ("Garbage/Zone", None),
        ("America/Chicago ", "America/Chicago"),
        (" Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("localtime", None),
    ],
)
def test_a_tz_that_names_no_zone_is_refused(tz: str, meant: str | None) -> None:
    """Never this computer's other settings (/etc/localtime, often Etc/UTC) instead: hours off."""
    with pytest.raises(InputError) as refused:
        system_zone({"TZ": tz})
    assert refused.value.key == ("error_tz_variable" if meant is None else "error_tz_variable_guess")
    assert refused.value.fields == ({"value": f"'{tz}'"} | ({} if meant is None else {"zone": meant}))


def test_messages_quote_at_most_60_characters() -> None:
    """A long typed value is quoted by its first 60 characters and '…'; a short one whole."""
    assert quoted("x" * 60) == "x" * 60
    assert quoted("x" * 61) == "x" * 60 + "…"
    with pytest.raises(InputError) as refused:
        parse_when("7" * 100_000, "America/Chicago")
    assert str(refused.value) == f"Could not read '{'7' * 60}…' as a date and time. Example: 2026-12-03 07:30"


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("2026-12-03 25:00", "(hour must be in 0..23). Check the time, for example 07:30 or 7:30pm."),
        ("Dec 3 2026 7:75am", "(minute must be in 0..59). Check the time, for example 07:30 or 7:30pm."),
        ("2026-12-03 23:59:61", "(second must be in 0..59). Check the time, for example 07:30 or 7:30pm."),
        ("2026-13-03 07:00", "(month must be in 1..12). Check the day and month."),
        ("Feb 30 2026 7:30am", "(day is out of range for month). Check the day and month."),
        ("0000-12-03 07:00", "(year 0 is out of range). Check the year."),
    ],
)
def test_an_impossible_date_or_time_says_which_part_to_check(text: str, check: str) -> None:
    """An impossible hour, minute, second, month, day or year is refused with the part that is wrong and
    what to check, so the person can fix the one thing."""
    with pytest.raises(InputError) as refused:
        parse_when(text, "America/Chicago")
    assert str(refused.value) == f"'{text}' is not a real date or time {check}"


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("1970-01-01", "Asia/Tokyo"),
        ("1970-01-01T00:00+14:00", "Pacific/Niue"),
        ("9990-12-31", "Pacific/Niue"),
    ],
)
def test_today_in_the_first_and_last_years(text: str, zone: str) -> None:
    """--today from 1970 to 9990 is read, whatever the zone."""
    assert parse_today(text, zone).year in (1969, 1970, 9990, 9991)


@pytest.mark.parametrize("text", ["1969-12-31", "0001-01-01", "9991-01-01", "9999-12-31T23:59"])
def test_today_outside_the_years_kyphoprep_plans_for(text: str) -> None:
    """A plan reaches two years past today, and Python's dates end in 9999: such a --today is refused."""
    with pytest.raises(InputError) as refused:
        parse_today(text, "Asia/Tokyo")
    assert str(refused.value) == (
        f"--today '{text}' is outside the years kyphoprep can plan for. Use a date from 1970 to 9990, "
        "for example 2026-11-21."
    )


def test_source_date_epoch_up_to_the_last_year() -> None:
    """SOURCE_DATE_EPOCH is read up to the end of 9990; later (12 digits reach the year 33658) is refused."""
    last = int(datetime(9991, 1, 1, tzinfo=UTC).timestamp()) - 1
    assert now_from_epoch(str(last)) == datetime(9990, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert now_from_epoch("0") == datetime(1970, 1, 1, tzinfo=UTC)
    for value in (str(last + 1), "999999999999"):
        with pytest.raises(InputError, match=f"^SOURCE_DATE_EPOCH '{value}' is outside the years"):
            now_from_epoch(value)


@pytest.mark.parametrize(
    ("text", "limit"),
    [("61d", "60 days"), ("99999d", "60 days"), ("9" * 5000 + "d", "60 days"), ("99999h", "1440 hours")],
)
def test_a_hold_of_many_digits_is_out_of_range(text: str, limit: str) -> None:
    """However many digits, a hold is a whole number: too many days or hours gets the range."""
    with pytest.raises(InputError) as refused:
        parse_hold(text, "warfarin")
    assert str(refused.value) == (
        f"--med 'warfarin={quoted(text)}': the hold must be from 1 to {limit}. Check what your doctor said."
    )


def test_a_hold_with_leading_zeros() -> None:
    """A hold with thousands of leading zeros is read as the number it is, without a slow or failing
    conversion."""
    assert parse_hold("0" * 5000 + "5d", "x").amount == 5


# --- characters names are written with ----------------------------------------------------------

PERSIAN_NAME = "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627"  # Mohammad-Reza, with a non-joiner
HINDI_NAME = "\u0915\u094d\u200d\u0937\u093e"  # a Devanagari conjunct held half-formed by a joiner
FAMILY_EMOJI = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # one picture, three joined by joiners
SOFT_HYPHENED = "Universit\u00e4ts\u00adklinikum"


@pytest.mark.parametrize("name", [PERSIAN_NAME, HINDI_NAME, f"Ana {FAMILY_EMOJI}", SOFT_HYPHENED])
def test_joiners_and_soft_hyphens_are_part_of_names(name: str) -> None:
    """Zero-width joiners, emoji sequences and soft hyphens are kept in names, since removing them would
    misspell Persian, Hindi and other names."""
    from kyphoprep.io.typed_input import clean_text

    assert clean_text(name, "--patient") == name


def test_a_name_with_a_joiner_reaches_the_handout_and_the_calendar() -> None:
    """Names with joiners and soft hyphens reach the handout and the calendar unchanged, so the patient and
    driver see their names as written."""
    from typer.testing import CliRunner

    from kyphoprep.cli.app import app

    args = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-21"]
    args += ["--patient", PERSIAN_NAME, "--driver", HINDI_NAME, "--facility", SOFT_HYPHENED]
    text = CliRunner().invoke(app, [*args, "--format", "text"])
    assert text.exit_code == 0, text.stderr
    for name in (PERSIAN_NAME, HINDI_NAME, SOFT_HYPHENED):
        assert name in text.stdout
    calendar = CliRunner().invoke(app, [*args, "--format", "ics"])
    assert calendar.exit_code == 0, calendar.stderr
    assert SOFT_HYPHENED in calendar.stdout.replace("\r\n ", "")  # unfolded


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("5", None),
        ("warfarin=\uff15d", "\uff15"),
        ("\u0665", "\u0665"),
        ("\u06f5", "\u06f5"),  # Extended Arabic-Indic (Persian) five
        ("\u0967", "\u0967"),  # Devanagari one
        ("5\u00b2", "\u00b2"),  # superscript two: isdigit(), though int() refuses it
        ("Jos\u00e9 5", None),
    ],
)
def test_digits_other_than_0_to_9_are_found(text: str, found: str | None) -> None:
    """Digits from other scripts (fullwidth, Arabic-Indic, Devanagari, superscripts) are found in typed
    text, so they can be refused with a clear reason instead of being misread."""
    from kyphoprep.io.text_rules import foreign_digit

    assert foreign_digit(text) == found


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("José", "José"),
        ("Jos\udcc3\udca9", "José"),  # UTF-8 bytes the C locale left undecoded
        ("Caf\udce9", None),  # Latin-1
        ("\ud800", None),  # a lone surrogate that is no byte at all
    ],
)
def test_undecoded_bytes_are_read_as_utf8_or_refused(text: str, read: str | None) -> None:
    """Text whose bytes the C locale left undecoded is read as UTF-8 when it is valid UTF-8 and refused
    otherwise, never guessed as Latin-1."""
    from kyphoprep.io.text_rules import as_utf8

    assert as_utf8(text) == read


def test_digits_in_a_hold_must_be_0_to_9() -> None:
    """A hold typed with a non-ASCII digit is refused with the digit and its code point named, and how to
    type it with 0-9."""
    with pytest.raises(InputError) as refused:
        parse_hold("\u0665 days", "warfarin")
    assert str(refused.value) == (
        "--med 'warfarin=\u0665 days': the hold has the digit \u0665 (U+0665). "
        "Type it with the digits 0-9, such as warfarin=5d."
    )


def test_a_bad_tz_does_not_matter_when_the_zone_is_given() -> None:
    """A TZ environment value that is not an IANA name does not matter when --tz gives the zone, so an odd
    system setting cannot block a plan."""
    from typer.testing import CliRunner

    from kyphoprep.cli.app import app

    args = ["plan", "2026-12-03 07:30", "--today", "2026-11-21", "--format", "json"]
    result = CliRunner(env={"TZ": "CST6CDT,M3.2.0,M11.1.0"}).invoke(app, [*args, "--tz", "America/Chicago"])
    assert result.exit_code == 0, result.stderr
    assert '"timezone": "America/Chicago"' in result.stdout
