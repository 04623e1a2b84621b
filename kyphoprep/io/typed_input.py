"""Turn what a person typed into values, refusing anything that would need a guess.

Each function raises ``InputError`` with one line that says what is wrong and how
to fix it. Nothing here reads the clock: "now" is always passed in.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import warnings
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from kyphoprep.core.models import DateOrder
from kyphoprep.core.timing import is_before
from kyphoprep.errors import InputError
from kyphoprep.i18n.words import format_moment
from kyphoprep.io.text_rules import (
    as_utf8,
    code_point,
    control_character,
    foreign_digit,
    has_control,
    invisible_character,
    shows_nothing,
)

"""How a date like 03/04/2027 may be read: month first (US) or day first."""

# 03/04/2027, 3.4.2027, 03-04-2027: day and month could be either way round.
# re.ASCII: \d alone also matches fullwidth and Arabic-Indic digits (U+FF15, U+0665), which int() reads.
_NUMERIC_DATE = re.compile(
    r"^\s*(\d{1,2})([/.\-])(\d{1,2})\2(\d{2,4})(?=$|[\sT,])(.*)$", re.DOTALL | re.ASCII
)
# The usual form (what --help and the examples show): read without dateutil.
_ISO_MOMENT = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})", re.ASCII)
MAX_TEXT = 200
EXAMPLE_WHEN = "2026-12-03 07:30"
# A message quotes at most this much of what was typed, so a pasted page stays a one-line message.
MAX_QUOTED = 60
# The years "today" may be in (--today, SOURCE_DATE_EPOCH). A plan reaches up to a year past today,
# and a clinic's protocol a year past the procedure; Python's dates end with the year 9999.
FIRST_YEAR, LAST_YEAR = 1970, 9990


def quoted(text: str) -> str:
    """*text* as a message quotes it: at most ``MAX_QUOTED`` characters, then '…' if it was cut."""
    return text if len(text) <= MAX_QUOTED else f"{text[:MAX_QUOTED]}…"


def typed_text(value: str, option: str) -> str:
    """*value* as typed in *option*, its bytes read as UTF-8, or an ``InputError`` if they are not UTF-8.

    Bytes that are not UTF-8 reach Python as lone surrogates, which no file can hold: writing
    the handout would fail. Said here, with the option's name, instead.
    """
    text = as_utf8(value)
    if text is None:
        raise InputError.keyed("error_not_utf8", option=option)
    return text


def clean_text(value: str | None, option: str) -> str | None:
    """A free-text option (name, phone) with no control characters, or None if not given.

    Newlines and other control characters would let a name start a new line
    in the handout or inject a property into the calendar file, so they are refused.
    So is a text that would print as nothing (only spaces, joiners or combining marks):
    a handout would show a blank where the name should be.
    """
    if value is None:
        return None
    value = typed_text(value, option)
    if has_control(value):
        raise InputError(f"{option} contains a line break or control character; type it on one line.")
    text = " ".join(value.split())
    if not text:
        raise InputError(f"{option} is empty; leave it out or give a value.")
    if shows_nothing(text):
        raise InputError(
            f"{option} has only invisible characters (such as {code_point(text[0])}); "
            "leave it out or type a value that can be read."
        )
    if len(text) > MAX_TEXT:
        raise InputError(f"{option} is longer than {MAX_TEXT} characters; shorten it.")
    return text


# --- time zones ---------------------------------------------------------------------------


# Names the zone database holds that are not a place's time: each is refused with its reason.
_NOT_PLACES = {
    "localtime": (
        "names this computer's own setting, not a place. Give a name such as America/Chicago, "
        "or leave the time zone out to use this computer's."
    ),
    "Factory": (
        "is a placeholder in the time zone database, not a place. Give a name such as America/Chicago."
    ),
}


@cache
def _zone_names() -> frozenset[str]:
    # Every zone this computer knows. Slow (it opens every file under the zone folders),
    # so it is only asked when the short list from the tzdata package does not settle it.
    return frozenset(available_timezones()).difference(_NOT_PLACES)


@cache
def _listed_zones() -> frozenset[str]:
    """The zone names the tzdata package lists (a dependency; a small text file), or none."""
    import tzdata  # type: ignore[import-untyped]  # a data package, no type hints

    try:
        return frozenset(Path(tzdata.__file__).with_name("zones").read_text(encoding="utf-8").split())
    except OSError:
        return frozenset()


def is_zone_name(name: str) -> bool:
    """Whether *name* is a place's time zone this computer knows, exactly as written (case included)."""
    if name in _NOT_PLACES:
        return False
    return name in _listed_zones() or name in _zone_names()


def resolve_zone(name: str) -> str:
    """The IANA zone *name*, checked; unknown names get the closest real names suggested."""
    name = typed_text(name, "--tz").strip()
    if is_zone_name(name):
        return name
    if not name:
        raise InputError("--tz is empty. Give an IANA zone name such as America/Chicago.")
    if name in _NOT_PLACES:
        raise InputError(f"Time zone '{name}' {_NOT_PLACES[name]}")
    by_lower = {zone.casefold(): zone for zone in _zone_names()}
    if name.casefold() in by_lower:
        hint = f" Did you mean {by_lower[name.casefold()]}? (Zone names are case-sensitive.)"
    elif len(name) > MAX_QUOTED:  # far longer than any zone name: nothing is close
        raise InputError.keyed("error_zone_unknown", zone=quoted(name))
    else:
        guesses = difflib.get_close_matches(name, sorted(_zone_names()), n=3, cutoff=0.6)
        if not guesses:
            # Matching the city alone finds "Chicago" -> America/Chicago.
            cities = {zone.rsplit("/", 1)[-1].casefold(): zone for zone in _zone_names()}
            key = name.replace(" ", "_").casefold()
            guesses = [cities[c] for c in difflib.get_close_matches(key, sorted(cities), n=3, cutoff=0.75)]
        if not guesses:
            raise InputError.keyed("error_zone_unknown", zone=quoted(name))
        raise InputError.keyed("error_zone_guess", zone=quoted(name), guesses=", ".join(guesses))
    raise InputError(f"Unknown time zone '{quoted(name)}'.{hint}")


def system_zone(environ: dict[str, str] | None = None) -> str:
    """The computer's IANA time zone name, from TZ, else /etc/localtime or /etc/timezone.

    A TZ that is set but names no zone kyphoprep knows is refused, not passed over: it is
    what this computer's clocks say, so /etc/localtime (often UTC on a server or in a
    container) would give every time of the plan hours off, and nothing would show it.
    """
    env = os.environ if environ is None else environ
    tz_var = env.get("TZ", "")
    if tz_var:
        name = _tz_zone_name(tz_var)
        if is_zone_name(name):
            return name
        raise _tz_not_known(tz_var, name)
    candidates: list[str] = []
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).split("zoneinfo/", 1)[-1])
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text(encoding="utf-8", errors="replace").strip())
    for candidate in candidates:
        if is_zone_name(candidate):
            return candidate
    raise InputError(
        "Could not tell this computer's time zone. Give it with --tz, for example --tz America/Chicago."
    )


def _tz_zone_name(tz_var: str) -> str:
    """The zone name a TZ value gives: ``America/Chicago``, ``:America/Chicago``, or a zone file's path."""
    name = tz_var.removeprefix(":")
    if name.startswith("/"):
        # TZ=:/etc/localtime, or the zone file itself: the name is the path below "zoneinfo/".
        with contextlib.suppress(OSError, RuntimeError, ValueError):  # a loop of links, a NUL
            name = str(Path(name).resolve())
    return name.split("zoneinfo/", 1)[-1]


def _tz_not_known(tz_var: str, name: str) -> InputError:
    """The error for a TZ that names no zone; with the zone meant, when a space or the case is all."""
    shown = f"'{quoted(tz_var)}'"
    meant = name.strip()
    if not is_zone_name(meant):
        by_lower = {zone.casefold(): zone for zone in _zone_names()}
        meant = by_lower.get(meant.casefold(), "")
    if meant:
        return InputError.keyed("error_tz_variable_guess", value=shown, zone=meant)
    return InputError.keyed("error_tz_variable", value=shown)


# --- the procedure date and time ---------------------------------------------------------


def parse_when(
    text: str, zone_name: str, *, date_order: DateOrder | None = None, in_roster: bool = False
) -> datetime:
    """Read the procedure date and time typed by a person, in zone *zone_name*.

    Refuses: no time, no year, a day/month order that could go either way,
    impossible dates, and local times that a daylight-saving change skips or repeats.
    With *in_roster*, messages name the roster's columns and the clinic settings file, never
    an option of the command line (a nurse fixes the roster, not the command).
    """
    text = typed_text(text, "WHEN")
    # Spaces, tabs and line breaks are laid out as one space; any other control or invisible
    # character (a NUL, an ESC, a zero-width space or joiner) would be dropped or shown as nothing.
    found = control_character(text, multiline=True) or invisible_character(text)
    if found is not None:
        raise InputError(
            f"The procedure date and time contains a control or invisible character "
            f"({code_point(found)}); type it again, for example {EXAMPLE_WHEN}."
        )
    raw = " ".join(text.split())
    if not raw:
        raise InputError.keyed("error_when_empty", example=EXAMPLE_WHEN)
    digit = foreign_digit(raw)
    if digit is not None:
        raise InputError.keyed(
            "error_when_digits", typed=quoted(raw), digit=digit, code=code_point(digit), example=EXAMPLE_WHEN
        )
    canonical = _settle_numeric_date(raw, date_order, in_roster)
    naive, offset = _parse_fields(canonical, quoted(raw), in_roster)
    # Checked before any arithmetic: a moment near the first or last date Python can hold
    # overflows when it is turned into UTC (a time zone east of UTC in the year 1).
    if not FIRST_YEAR <= naive.year <= LAST_YEAR:
        raise InputError.keyed(
            "error_year_range", year=naive.year, typed=quoted(raw), first=FIRST_YEAR, last=LAST_YEAR
        )
    zone = ZoneInfo(zone_name)
    if offset is not None:
        return _with_offset(naive, offset, zone, zone_name, quoted(raw), in_roster)
    return _localize(naive, zone, zone_name)


def _settle_numeric_date(raw: str, date_order: DateOrder | None, in_roster: bool = False) -> str:
    """Rewrite a numeric day/month date as ISO, or refuse it if the order is unclear."""
    match = _NUMERIC_DATE.match(raw)
    if not match:
        return raw
    first, separator, second, year_text, rest = match.groups()
    typed = f"{first}{separator}{second}{separator}{year_text}"  # quoted as typed: 3.4.2027 stays 3.4.2027
    if len(year_text) != 4:
        raise InputError.keyed(
            "error_year_digits", typed=quoted(raw), example=f"{first}{separator}{second}{separator}2027"
        )
    a, b, year = int(first), int(second), int(year_text)
    if date_order == "mdy":
        month, day = a, b
    elif date_order == "dmy":
        day, month = a, b
    elif a == b or a > 12 or b > 12:
        month, day = (b, a) if a > 12 else (a, b)
    else:
        raise InputError.keyed(
            "error_date_ambiguous_roster" if in_roster else "error_date_ambiguous",
            typed=typed,
            first_date=date(year, a, b),
            second_date=date(year, b, a),
            year=year,
        )
    try:
        day_value = date(year, month, day)
    except ValueError:
        if date_order is None:
            raise InputError.keyed("error_not_a_date", typed=typed) from None
        raise InputError(f"'{typed}' is not a real date{_order_note(date_order, in_roster)}.") from None
    return f"{day_value.isoformat()}{rest}"


def _order_note(date_order: DateOrder | None, in_roster: bool = False) -> str:
    said = f'the date order "{date_order}"' if in_roster else f"--date-order {date_order}"
    if date_order == "mdy":
        return f" (reading it month first, as {said} says)"
    if date_order == "dmy":
        return f" (reading it day first, as {said} says)"
    return ""


def _parse_fields(text: str, raw: str, in_roster: bool = False) -> tuple[datetime, timedelta | None]:
    """The date and time typed, and the UTC offset if one was typed.

    The usual form, 2026-12-03 07:30, is read directly; anything else goes to dateutil.
    *raw* is what was typed, as messages quote it (cut short).
    """
    iso = _ISO_MOMENT.fullmatch(text)
    if iso:
        try:
            year, month, day, hour, minute = (int(part) for part in iso.groups())
            return datetime(year, month, day, hour, minute), None
        except ValueError:
            pass  # not a real date or time: dateutil's reading says which part is wrong
    return _parse_with_dateutil(text, raw, in_roster)


def _parse_with_dateutil(text: str, raw: str, in_roster: bool = False) -> tuple[datetime, timedelta | None]:
    """Parse with dateutil twice, with different defaults, to learn which fields were typed."""
    # Imported here: it takes longer to import than the whole plan takes to make.
    from dateutil import parser as date_parser

    defaults = (datetime(1904, 1, 1, 0, 0), datetime(1908, 2, 2, 1, 0))
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for default in defaults:
            try:
                results.append(date_parser.parse(text, default=default, fuzzy=False))
            except date_parser.ParserError as exc:
                raise InputError(_explain_parse_error(raw, str(exc))) from None
            except (ValueError, OverflowError):
                raise InputError.keyed("error_unreadable_when", typed=raw, example=EXAMPLE_WHEN) from None
            except Warning:
                raise InputError(
                    f"'{raw}' names a time zone kyphoprep does not know. "
                    "Leave the zone out of the date and give it "
                    + ("in the tz column." if in_roster else "with --tz.")
                ) from None
    first, second = results
    if first.year != second.year:
        raise InputError.keyed("error_no_year", typed=raw, example=EXAMPLE_WHEN)
    if first.month != second.month or first.day != second.day:
        raise InputError.keyed("error_no_full_date", typed=raw, example=EXAMPLE_WHEN)
    if first.hour != second.hour:
        raise InputError.keyed("error_no_time", typed=raw)
    # Asked of the zone itself: datetime.utcoffset() raises ValueError for 24 hours or more,
    # which dateutil reads happily ("07:30+99:00").
    offset = None if first.tzinfo is None else first.tzinfo.utcoffset(first)
    if offset is not None and abs(offset) >= timedelta(hours=24):
        raise InputError(
            f"The offset in '{raw}' is 24 hours or more; real UTC offsets are from -12:00 to +14:00. "
            "Leave the offset out, or check it."
        )
    return first.replace(tzinfo=None), offset


def _explain_parse_error(raw: str, reason: str) -> str:
    lowered = reason.lower()
    if "out of range" in lowered or "must be in" in lowered:
        problem = reason.split(":")[0].strip()
        if problem.startswith(("hour", "minute", "second")):
            check = "Check the time, for example 07:30 or 7:30pm."
        elif problem.startswith("year"):
            check = "Check the year."
        else:
            check = "Check the day and month."
        return f"'{raw}' is not a real date or time ({problem}). {check}"
    return f"Could not read '{raw}' as a date and time. Example: {EXAMPLE_WHEN} or 'Dec 3 2026 7:30am'."


def _localize(naive: datetime, zone: ZoneInfo, zone_name: str) -> datetime:
    """Attach *zone*, refusing times that the clocks skip or show twice that day."""
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early
    round_trip = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise InputError.keyed("error_time_skipped", time=naive.time(), day=naive.date(), zone=zone_name)
    typed = f"{naive:%Y-%m-%d %H:%M}"
    raise InputError.keyed(
        "error_time_twice",
        time=naive.time(),
        day=naive.date(),
        zone=zone_name,
        first=typed + _offset_text(early),
        second=typed + _offset_text(late),
    )


def _offset_text(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _with_offset(
    naive: datetime, offset: timedelta, zone: ZoneInfo, zone_name: str, raw: str, in_roster: bool = False
) -> datetime:
    """Accept a typed UTC offset only if it is one the zone really uses at that time."""
    for fold in (0, 1):
        candidate = naive.replace(tzinfo=zone, fold=fold)
        if candidate.utcoffset() == offset:
            check = candidate.astimezone(UTC).astimezone(zone)
            if check.replace(tzinfo=None) == naive:
                return check.replace(fold=fold)
    typed = naive.replace(tzinfo=UTC) - offset
    raise InputError(
        f"The offset in '{raw}' does not match {zone_name} at that time. "
        f"Leave the offset out, or check {'the tz cell' if in_roster else '--tz'} "
        f"(that moment is {format_moment(typed.astimezone(zone))} there)."
    )


# --- "now" -------------------------------------------------------------------------------


def parse_today(text: str, zone_name: str) -> datetime:
    """The --today value: a date (start of that day in the zone) or a date and time.

    Refuses a year outside ``FIRST_YEAR``..``LAST_YEAR``: the plan's dates would run past
    the last date Python can hold (or before the first).
    """
    text = typed_text(text, "--today")
    raw = " ".join(text.split())
    digit = foreign_digit(raw)
    if digit is not None:
        raise InputError(
            f"--today '{quoted(text)}' has the digit {digit} ({code_point(digit)}). Type the date with the "
            "digits 0-9, for example 2026-11-21."
        )
    zone = ZoneInfo(zone_name)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw, re.ASCII):
            moment = datetime.combine(date.fromisoformat(raw), datetime.min.time())
        else:
            moment = datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        raise InputError(
            f"--today '{quoted(text)}' is not a date. Use YYYY-MM-DD, for example 2026-11-21."
        ) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InputError(
            f"--today '{quoted(text)}' is outside the years kyphoprep can plan for. "
            f"Use a date from {FIRST_YEAR} to {LAST_YEAR}, for example 2026-11-21."
        )
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return moment.astimezone(zone)


def now_from_epoch(value: str) -> datetime:
    """SOURCE_DATE_EPOCH (whole seconds since 1970, UTC) as an aware instant, up to the year ``LAST_YEAR``."""
    digit = foreign_digit(value)
    if digit is not None:
        raise InputError(
            f"SOURCE_DATE_EPOCH '{quoted(value)}' has the digit {digit} ({code_point(digit)}). "
            "Use the digits 0-9: whole seconds since 1970."
        )
    if not re.fullmatch(r"\d{1,12}", value.strip(), re.ASCII):
        raise InputError(f"SOURCE_DATE_EPOCH '{quoted(value)}' must be a whole number of seconds since 1970.")
    seconds = int(value.strip())
    if seconds >= datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC).timestamp():
        raise InputError(
            f"SOURCE_DATE_EPOCH '{value}' is outside the years kyphoprep can plan for. Use whole "
            f"seconds since 1970 for a moment from {FIRST_YEAR} to {LAST_YEAR}, such as 1795000000."
        )
    return datetime.fromtimestamp(seconds, tz=UTC)


def check_procedure_window(start: datetime, now: datetime) -> None:
    """Refuse a procedure time that has passed or is more than a year away."""
    if not is_before(now, start):
        raise InputError.keyed("error_when_past", when=start, today=now.astimezone(start.tzinfo).date())
    if is_before(_one_year_after(now), start):
        raise InputError.keyed("error_when_far", when=start)


def _one_year_after(moment: datetime) -> datetime:
    """The same wall-clock time a year later; 29 February becomes 28 February."""
    try:
        return moment.replace(year=moment.year + 1, fold=0)
    except ValueError:
        return moment.replace(year=moment.year + 1, day=28, fold=0)
