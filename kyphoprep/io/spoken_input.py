"""Read what a person says, as guided mode hears it: dates, time zones and medicines in everyday words.

``typed_input`` reads exact values (``2026-12-03 07:30``, ``America/Chicago``); this module turns
the way people say them ("next Thursday 7am", "Dec 3 at 7:30 in the morning", "central",
"stop Plavix a week before") into those exact values, which ``typed_input`` and ``med_options``
then check as they check everything else. Nothing here reads the clock: "today" is passed in.
Guided mode shows every reading back and asks "is that right?", so a word read another way than
meant is caught there; and a reading that could go two ways (``03/04``) is not made at all.

The words of other languages come from the language registry (``as_english``, ``zone_words``,
``stop_words``, ``before_words``); this module holds only the English ones.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from kyphoprep.core.models import DateOrder
from kyphoprep.errors import InputError
from kyphoprep.i18n.languages import LANGUAGES

# Every language's words, read the same way whatever the conversation's language.
AS_ENGLISH = [
    (re.compile(pattern, re.IGNORECASE), english)
    for language in LANGUAGES.values()
    for pattern, english in language.as_english
]


def as_english(text: str) -> str:
    """*text* with the words of other languages replaced by their English ones, spaces made single."""
    for pattern, english in AS_ENGLISH:
        text = pattern.sub(english, text)
    return " ".join(text.split())


def plain(text: str) -> str:
    """*text* as words are compared: lower case, no accents, curly apostrophes made straight."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("\u2019", "'"))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


# --- time zones ----------------------------------------------------------------------------------

US_ZONES: dict[str, str] = {
    "eastern": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
    "pacific": "America/Los_Angeles",
    "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
}
"""The US zones people name by a word ("central"), each as the IANA zone of its largest city."""

_ZONE_ABBREVIATIONS = {
    "et": "eastern",
    "est": "eastern",
    "edt": "eastern",
    "ct": "central",
    "cst": "central",
    "cdt": "central",
    "mt": "mountain",
    "mst": "mountain",
    "mdt": "mountain",
    "pt": "pacific",
    "pst": "pacific",
    "pdt": "pacific",
    "akst": "alaska",
    "akdt": "alaska",
    "hst": "hawaii",
    "hast": "hawaii",
}
_ZONE_CITIES = {
    "new york": "eastern",
    "chicago": "central",
    "denver": "mountain",
    "los angeles": "pacific",
    "anchorage": "alaska",
    "honolulu": "hawaii",
}
# Words around a zone's name that do not change which zone it is ("Central Standard Time").
_ZONE_FILLER = {
    "time",
    "zone",
    "standard",
    "daylight",
    "saving",
    "savings",
    "the",
    "us",
    "usa",
    "hora",
    "horario",
    "zona",
    "de",
    "del",
    "la",
    "el",
}
_ZONE_WORDS = {
    plain(word): english for language in LANGUAGES.values() for word, english in language.zone_words
}


def spoken_zone(text: str) -> str | None:
    """The US zone word in *text* ("central", "CST", "Chicago", "hora del centro"): its key, else None.

    The key is one of ``US_ZONES``. Abbreviations name the zone, not the offset: "CST" in July
    still means Chicago's time, which is then daylight time (the person means the place's clock).
    """
    words = [w for w in re.split(r"[\s/_.,-]+", plain(text)) if w and w not in _ZONE_FILLER]
    said = " ".join(words)
    if said in US_ZONES:
        return said
    if said in _ZONE_WORDS:
        return _ZONE_WORDS[said]
    if said in _ZONE_ABBREVIATIONS:
        return _ZONE_ABBREVIATIONS[said]
    return _ZONE_CITIES.get(said)


# --- what the doctor said ------------------------------------------------------------------------

_STOP_WORDS = sorted(
    {plain(w) for lang in LANGUAGES.values() for w in lang.stop_words}, key=len, reverse=True
)
_BEFORE_WORDS = sorted(
    {plain(w) for lang in LANGUAGES.values() for w in lang.before_words}, key=len, reverse=True
)
# re.ASCII: \d alone also matches fullwidth and Arabic-Indic digits, which int() reads.
_INTERVAL = re.compile(r"^(\d+|a|an|one)\s*(d|days?|h|hrs?|hours?|w|wks?|weeks?)$", re.IGNORECASE | re.ASCII)


def spoken_hold(text: str) -> str | None:
    """An interval as people say it ("5 days", "5d", "a week", "2 días antes"), written as a hold
    ``--med`` reads ("5 days", "7 days"); None when *text* is not an interval.

    Weeks become days (the plan counts days); the number is not checked here, ``parse_hold`` does.
    """
    said = plain(as_english(text))
    for words in _BEFORE_WORDS:
        if said.endswith(" " + words):
            said = said[: -len(words) - 1]
            break
    match = _INTERVAL.match(said)
    if match is None:
        return None
    amount_text, unit = match.groups()
    amount = 1 if amount_text in ("a", "an", "one") else int(amount_text)
    if unit.startswith("w"):
        return f"{amount * 7} days"
    if unit.startswith("d"):
        return f"{amount} days" if amount != 1 else "1 day"
    return f"{amount} hours" if amount != 1 else "1 hour"


def split_medicine(text: str) -> tuple[str, str | None]:
    """A medicine typed with what the doctor said: ``("Eliquis", "2 days")`` for "Eliquis 2 days before"
    or "stop Eliquis 2 days"; ``(text, None)`` when *text* holds no interval."""
    name = text
    lowered = plain(text)
    for words in _STOP_WORDS:
        if lowered.startswith(words + " "):
            name = " ".join(text.split()[len(words.split()) :])
            break
    tokens = name.split()
    # The interval is the last word ("5d") or the last two ("5 days", "a week"), then maybe "before".
    for end in range(len(tokens), 0, -1):
        for size in (1, 2):
            start = end - size
            if start < 1:
                continue
            hold = spoken_hold(" ".join(tokens[start:]))
            if hold is not None:
                return " ".join(tokens[:start]), hold
    return text, None


# --- the day and time ----------------------------------------------------------------------------

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = re.compile(r"\b\d{4}\b", re.ASCII)
# A day of the month, never the hour of a time ("December 7:30" has no day).
_DAY_NUMBER = r"(?<![\d:])(\d{1,2})(?:st|nd|rd|th)?(?![\d:])"
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+{_DAY_NUMBER}\b,?", re.IGNORECASE | re.ASCII)
_DAY_MONTH = re.compile(rf"\b{_DAY_NUMBER}\s+(?:of\s+)?({_MONTH})\b\.?,?", re.IGNORECASE | re.ASCII)
_NUMERIC_NO_YEAR = re.compile(
    r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})(?![\d/.-])(?!\s*(?:am|pm)\b)", re.ASCII | re.IGNORECASE
)
_RELATIVE_DAY = re.compile(
    r"\b(?:(?:the\s+)?day\s+after\s+tomorrow|tomorrow|today|(?:(?:next|this|coming|on)\s+)?(?:"
    + "|".join(_WEEKDAYS)
    + r"))\b",
    re.IGNORECASE,
)
_MORNING = re.compile(r"\b(?:in\s+the\s+morning|of\s+the\s+morning|this\s+morning)\b", re.IGNORECASE)
_EVENING = re.compile(
    r"\b(?:in\s+the\s+(?:afternoon|evening)|at\s+night|tonight|this\s+(?:afternoon|evening))\b",
    re.IGNORECASE,
)
_AT_HOUR = re.compile(r"\bat\s+(\d{1,2})(?![\d:])(?!\s*(?:am|pm|a\.m|p\.m)\b)", re.IGNORECASE | re.ASCII)
_HOUR_ALONE = re.compile(r"(?<![\d:/.-])(\d{1,2})(?![\d:/.-])\s*(am|pm)\b", re.IGNORECASE | re.ASCII)
_FILLER = re.compile(r"\b(?:at|on|the|o'?clock)\b|,", re.IGNORECASE)


def spoken_when(text: str, today: date, date_order: DateOrder | None = None) -> str:
    """The date and time in *text* written so ``parse_when`` reads it: "next Thursday 7am" is
    ``2026-11-26 7:00 AM`` when *today* is 2026-11-21. Text already exact is given back as it is.

    A date without a year is the next such date from *today* (today included). A numeric
    date without a year whose day and month could be either way round (``12/3``) raises the
    keyed ``error_date_ambiguous``, with both readings, so the person is asked which
    (*date_order* is the answer: ``mdy``, month first, or ``dmy``).
    """
    said = as_english(text)
    if _YEAR.search(said) and not (
        _RELATIVE_DAY.search(said) or _MORNING.search(said) or _EVENING.search(said)
    ):
        return said
    said = _MORNING.sub(" AM ", said)
    said = _EVENING.sub(" PM ", said)
    said = _AT_HOUR.sub(lambda m: f"{m.group(1)}:00", said)
    said = _HOUR_ALONE.sub(lambda m: f"{m.group(1)}:00 {m.group(2)}", said)
    has_date = bool(_MONTH_DAY.search(said) or _DAY_MONTH.search(said) or _NUMERIC_NO_YEAR.search(said))
    relative = _RELATIVE_DAY.search(said)
    if relative is not None:
        day = None if has_date else _relative_day(relative.group(0), today)
        said = said[: relative.start()] + (f" {day.isoformat()} " if day else " ") + said[relative.end() :]
    if not _YEAR.search(said):
        said = _with_year(said, today, date_order)
    said = _FILLER.sub(" ", said)
    return " ".join(said.split())


def _relative_day(words: str, today: date) -> date:
    said = " ".join(words.casefold().split())
    if said.endswith("day after tomorrow"):
        return today + timedelta(days=2)
    if said == "tomorrow":
        return today + timedelta(days=1)
    if said == "today":
        return today
    weekday = _WEEKDAYS.index(said.split()[-1])
    ahead = (weekday - today.weekday()) % 7
    # "Thursday" said on a Thursday means next week's: the procedure is not booked by the hour.
    return today + timedelta(days=ahead or 7)


def _next(month: int, day: int, today: date) -> date | None:
    """The first *month*/*day* from *today* on (29 February: the next leap year's), or None if none is."""
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _with_year(said: str, today: date, date_order: DateOrder | None) -> str:
    """*said* with its yearless date written as an ISO date, the next such date from *today*."""
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        match = pattern.search(said)
        if match is not None:
            month = _MONTHS[match.group(month_group).casefold()]
            found = _next(month, int(match.group(day_group)), today)
            if found is None:
                return said  # not a real date: parse_when says so
            return f"{said[: match.start()]} {found.isoformat()} {said[match.end() :]}"
    numeric = _NUMERIC_NO_YEAR.search(said)
    if numeric is None:
        return said
    a, b = int(numeric.group(1)), int(numeric.group(3))
    if date_order is not None:
        month, day = (a, b) if date_order == "mdy" else (b, a)
    elif a == b or a > 12 or b > 12:
        month, day = (b, a) if a > 12 else (a, b)
    else:
        first, second = _next(a, b, today), _next(b, a, today)
        if first is not None and second is not None:
            raise InputError.keyed(
                "error_date_ambiguous",
                typed=numeric.group(0),
                first_date=first,
                second_date=second,
                year=first.year,
            )
        month, day = (a, b) if first is not None else (b, a)
    found = _next(month, day, today)
    if found is None:
        return said
    return f"{said[: numeric.start()]} {found.isoformat()} {said[numeric.end() :]}"
