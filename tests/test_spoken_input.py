"""Dates, time zones and doctor's intervals as people say them (``kyphoprep.io.spoken_input``).

Each reading is checked against the exact value it must give, through ``parse_when`` and
``parse_hold`` as guided mode uses them; the properties run over every date of a year, every
zone word in any case and spacing, and every interval in days, hours or weeks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kyphoprep.data.catalogue import MAX_HOLD_DAYS
from kyphoprep.errors import InputError
from kyphoprep.i18n.words import words_for
from kyphoprep.io.med_options import parse_hold
from kyphoprep.io.spoken_input import US_ZONES, split_medicine, spoken_hold, spoken_when, spoken_zone
from kyphoprep.io.typed_input import parse_when

TODAY = date(2026, 11, 21)  # a Saturday
CHICAGO = "America/Chicago"
EN = words_for("en")
ES = words_for("es")
MONTHS_EN = EN.names("months")
MONTHS_ES = ES.names("months")


def read(text: str, today: date = TODAY, order: str | None = None) -> datetime:
    """*text* as guided mode reads it, as a wall-clock time (no zone)."""
    exact = spoken_when(text, today, order)  # type: ignore[arg-type]
    return parse_when(exact, CHICAGO, date_order=order).replace(tzinfo=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("next Thursday 7am", datetime(2026, 11, 26, 7, 0)),
        ("Thursday at 7:30 in the morning", datetime(2026, 11, 26, 7, 30)),
        ("tomorrow 6pm", datetime(2026, 11, 22, 18, 0)),
        ("Dec 3 at 7:30 in the morning", datetime(2026, 12, 3, 7, 30)),
        ("December 3rd at 7 in the evening", datetime(2026, 12, 3, 19, 0)),
        ("3 December 7:30", datetime(2026, 12, 3, 7, 30)),
        ("Jan 5 7:30am", datetime(2027, 1, 5, 7, 30)),  # January has passed this year: next year's
        ("Nov 21 7:30 PM", datetime(2026, 11, 21, 19, 30)),  # today is still this year's
        ("Thursday, December 17 7:30", datetime(2026, 12, 17, 7, 30)),  # the weekday is only said
        ("25/12 8:00", datetime(2026, 12, 25, 8, 0)),  # 25 cannot be a month
        ("17 de diciembre de 2026 7:30", datetime(2026, 12, 17, 7, 30)),
        ("3 de diciembre a las 7:30 de la mañana", datetime(2026, 12, 3, 7, 30)),
        ("el próximo jueves a las 7 de la mañana", datetime(2026, 11, 26, 7, 0)),
        ("mañana a la 1:30 de la tarde", datetime(2026, 11, 22, 13, 30)),
        ("pasado mañana a las 9 a. m.", datetime(2026, 11, 23, 9, 0)),
        ("2026-12-03 7:30 AM", datetime(2026, 12, 3, 7, 30)),  # exact text is left as it is
    ],
)
def test_dates_as_people_say_them(typed: str, meant: datetime) -> None:
    """Each everyday way of saying the day and time gives the moment meant, with a missing year filled in
    as the next such date from today."""
    assert read(typed) == meant


@pytest.mark.parametrize("typed", ["12/3 7:30", "3/4 at 9am", "03-04 7:30"])
def test_a_yearless_date_that_could_be_two_is_refused_with_both(typed: str) -> None:
    """ "12/3" is December 3 or March 12: the reading is refused with both dates (guided mode then asks),
    and each choice of order gives its own date."""
    with pytest.raises(InputError) as refused:
        spoken_when(typed, TODAY)
    assert refused.value.key == "error_date_ambiguous"
    first, second = refused.value.fields["first_date"], refused.value.fields["second_date"]
    assert read(typed, order="mdy").date() == first
    assert read(typed, order="dmy").date() == second
    assert first != second


@given(
    st.dates(min_value=TODAY, max_value=TODAY + timedelta(days=364)),
    st.integers(1, 12),
    st.sampled_from([0, 15, 30, 45]),
)
def test_a_date_without_its_year_is_the_next_such_date(day: date, hour: int, minute: int) -> None:
    """ "December 3 at 7:30 AM" (English) and "3 de diciembre a las 7:30 a. m." (Spanish), said without the
    year, are the next such date from today, for every day of the coming year."""
    clock = f"{hour}:{minute:02d}"
    meant = datetime(day.year, day.month, day.day, hour % 12, minute)
    assert read(f"{MONTHS_EN[day.month - 1]} {day.day} at {clock} AM") == meant
    assert read(f"{day.day} de {MONTHS_ES[day.month - 1]} a las {clock} a. m.") == meant
    assert read(f"{MONTHS_EN[day.month - 1]} {day.day} at {clock} in the evening") == meant + timedelta(
        hours=12
    )


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 6), st.booleans())
def test_next_weekday_is_within_a_week_and_on_that_day(today: date, weekday: int, next_word: bool) -> None:
    """ "Thursday" and "next Thursday" are the first such day after today (a week on, said on a Thursday)."""
    name = EN.names("weekdays")[weekday]
    said = f"{'next ' if next_word else ''}{name} 7am"
    day = read(said, today).date()
    assert day.weekday() == weekday
    assert 1 <= (day - today).days <= 7


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("central", "central"),
        ("Central time", "central"),
        ("CST", "central"),
        ("CDT", "central"),
        ("Chicago", "central"),
        ("hora del centro", "central"),
        ("Eastern Standard Time", "eastern"),
        ("EST", "eastern"),
        ("edt", "eastern"),
        ("hora del este", "eastern"),
        ("mountain", "mountain"),
        ("MST", "mountain"),
        ("MDT", "mountain"),
        ("hora de la montaña", "mountain"),
        ("Pacific time", "pacific"),
        ("PST", "pacific"),
        ("PDT", "pacific"),
        ("hora del pacífico", "pacific"),
        ("Alaska", "alaska"),
        ("Hawaii time", "hawaii"),
        ("hora de Hawái", "hawaii"),
    ],
)
def test_zone_words(typed: str, zone: str) -> None:
    """The US zones as people say them, by name, abbreviation, city or in Spanish, are each one zone."""
    assert spoken_zone(typed) == zone


@pytest.mark.parametrize("typed", ["America/Chicago", "UTC", "Europe/London", "Mars", "UCT", ""])
def test_other_zone_text_is_not_a_zone_word(typed: str) -> None:
    """A zone name, or a word that is not one of the US zones, is left for the exact reader."""
    assert spoken_zone(typed) is None


@given(
    st.sampled_from(sorted(US_ZONES)),
    st.sampled_from(["{}", "{} time", "{} standard time", "the {} time zone", "US/{}"]),
    st.lists(st.booleans(), min_size=20, max_size=20),
    st.sampled_from([" ", "  ", "\t"]),
)
def test_a_zone_word_in_any_case_and_spacing(zone: str, shape: str, upper: list[bool], space: str) -> None:
    """A zone word means its zone in any case, with "time" or "standard time" around it, spaced any way."""
    said = shape.format(zone).replace(" ", space)
    said = "".join(ch.upper() if up else ch for ch, up in zip(said, upper * 3, strict=False))
    assert spoken_zone(said) == zone


@pytest.mark.parametrize(
    ("typed", "name", "hold"),
    [
        ("eliquis 2 days", "eliquis", "2 days"),
        ("Eliquis 2 days before", "Eliquis", "2 days"),
        ("stop Plavix a week before", "Plavix", "7 days"),
        ("Eliquis 5d", "Eliquis", "5 days"),
        ("Lovenox 24 hours before the procedure", "Lovenox", "24 hours"),
        ("dejar Plavix una semana antes", "Plavix", "7 days"),
        ("Eliquis 2 días antes", "Eliquis", "2 days"),
        ("aspirin 81", "aspirin 81", None),
        ("Eliquis 5 mg", "Eliquis 5 mg", None),
        ("Xarelto", "Xarelto", None),
    ],
)
def test_a_medicine_with_what_the_doctor_said(typed: str, name: str, hold: str | None) -> None:
    """A medicine typed with its interval is split into the name and the interval; a dose ("81", "5 mg") is
    not an interval and stays in the name."""
    assert split_medicine(typed) == (name, hold)


@given(
    st.integers(1, 60),
    st.sampled_from(["d", " days", " day", "h", " hours", " w", " weeks", " días", " horas", " semanas"]),
    st.sampled_from(["", " before", " antes"]),
)
def test_an_interval_is_read_as_days_or_hours(amount: int, unit: str, after: str) -> None:
    """Every interval in days, hours or weeks, in English or Spanish, with "before" or not, is the same
    number of days or hours, which ``--med`` reads the same way."""
    hold = spoken_hold(f"{amount}{unit}{after}")
    per_unit = {"d": 1, "w": 7, "s": 7}.get(unit.strip()[0])  # days in one unit; None: hours
    if per_unit is None:
        assert hold == (f"{amount} hours" if amount != 1 else "1 hour")
        assert parse_hold(hold, "x").amount == amount
        return
    days = amount * per_unit
    assert hold == (f"{days} days" if days != 1 else "1 day")
    if days <= MAX_HOLD_DAYS:
        assert parse_hold(hold, "x").amount == days
