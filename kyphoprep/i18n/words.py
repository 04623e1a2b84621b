"""Words people read: shared messages, and dates and times written out in full, in one language.

Dates and times are spelled out by hand instead of with ``strftime`` so that the
output does not change with the machine's locale, and so that each language is
only data: a table in ``checklists/messages.toml``. ``words_for("es")`` gives
the Spanish; the module-level functions are the English ones, for messages that
are only ever in English (errors, ``kyphoprep meds``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache
from typing import Any

from kyphoprep.core.models import Hold, MedicineRule, Restart
from kyphoprep.data.builtin import builtin_data
from kyphoprep.errors import ChecklistError

# Words has methods called date() and time(), which hide these names inside the class.
Day = date
ClockTime = time


@cache
def _tables() -> dict[str, Any]:
    return builtin_data("messages.toml")


class Words:
    """The messages of one language, and its way of writing dates, times and lengths of time."""

    def __init__(self, language: str, table: dict[str, Any]) -> None:
        self.language = language
        self._table = table

    def __call__(self, key: str, **fields: object) -> str:
        """The message *key*, with its ``{placeholders}`` filled from *fields*."""
        try:
            template = self._table[key]
        except KeyError:
            raise ChecklistError(
                "messages.toml", f"message is missing from [{self.language}]", field=key
            ) from None
        text = str(template).format(**fields) if fields else str(template)
        # A time such as "7:30 p. m." already ends with a full stop; at the end of a
        # sentence it must not get a second one.
        return text.replace("m..", "m.") if ".." in text else text

    def fill(self, key: str, fields: dict[str, object]) -> str:
        """The message *key* with dates and times among *fields* written in this language."""
        written: dict[str, object] = {}
        for name, value in fields.items():
            if isinstance(value, datetime):
                written[name] = self.moment(value)
            elif isinstance(value, Day):
                written[name] = self.date(value)
            elif isinstance(value, ClockTime):
                written[name] = self.time(value)
            else:
                written[name] = value
        return self(key, **written)

    def names(self, key: str) -> list[str]:
        """A list message, such as the weekdays."""
        names = self._table[key]
        assert isinstance(names, list)
        return [str(n) for n in names]

    def month_name(self, month: int) -> str:
        """``March`` for 3."""
        return self.names("months")[month - 1]

    def date(self, day: Day, *, year: bool = True) -> str:
        """``Friday, November 27, 2026`` (or without the year); ``viernes, 27 de noviembre de 2026``."""
        fields = {
            "weekday": self.names("weekdays")[day.weekday()],
            "month": self.month_name(day.month),
            "day": day.day,
            "year": day.year,
        }
        return self("date_long" if year else "date_short", **fields)

    def heading_date(self, day: Day) -> str:
        """The date as a heading: with a capital letter even where weekdays have none."""
        text = self.date(day)
        return text[:1].upper() + text[1:]

    def time(self, moment: ClockTime | datetime) -> str:
        """``7:30 AM``; midnight and noon are named so nobody has to think about AM/PM."""
        hour, minute = moment.hour, moment.minute
        if (hour, minute) == (0, 0):
            return self("midnight")
        if (hour, minute) == (12, 0):
            return self("noon")
        # "p. m." is kept on one line (a no-break space), as Spanish print does.
        suffix = (self("time_am") if hour < 12 else self("time_pm")).replace(" ", "\u00a0")
        return f"{(hour % 12) or 12}:{minute:02d} {suffix}"

    def at_time(self, moment: ClockTime | datetime) -> str:
        """``at 7:30 AM``; Spanish says "a la 1:30" but "a las 2:30"."""
        one = moment.hour % 12 == 1 and (moment.hour, moment.minute) != (0, 0)
        return f"{self('at_time_one' if one else 'at_time')} {self.time(moment)}"

    def moment(self, moment: datetime, *, year: bool = True) -> str:
        """``Friday, November 27, 2026 at 7:30 AM``."""
        return f"{self.date(moment.date(), year=year)} {self.at_time(moment)}"

    def last_dose(self, moment: datetime, hold: Hold) -> str:
        """When the last dose is due: the day for a hold in days, the day and time for one in hours."""
        if hold.unit == "hours":
            return self.moment(moment, year=False)
        return self.date(moment.date(), year=False)

    def hold(self, hold: Hold) -> str:
        """``5 days`` or ``1 hour``."""
        # messages.toml has both numbers of each unit (unit_day, unit_days), in every language.
        unit = {"days": "day", "hours": "hour"}[hold.unit] if hold.amount == 1 else hold.unit
        return f"{hold.amount} {self('unit_' + unit)}"

    def typical_hold(self, rule: MedicineRule) -> str:
        """The catalogue's hold as guidance says it: ``3 to 5 days``, or ``24 hours``."""
        assert rule.hold is not None
        if rule.hold_from is None:
            return self.hold(rule.hold)
        return f"{rule.hold_from} {self('range_to')} {self.hold(rule.hold)}"

    def restart_hours(self, restart: Restart) -> str:
        """``24 hours`` or ``12 to 24 hours``."""
        high = self.hold(Hold(restart.to_hours, "hours", ""))
        if restart.hours == restart.to_hours:
            return high
        return f"{restart.hours} {self('range_to')} {high}"

    def unconfirmed(self, rule: MedicineRule | None) -> str:
        """`` (unconfirmed)`` after a grade C or D value, else nothing."""
        return self("unconfirmed_mark") if rule is not None and rule.unconfirmed else ""


@cache
def words_for(language: str) -> Words:
    """The words of *language* (a code in ``kyphoprep.i18n.languages.LANGUAGES``)."""
    table = _tables().get(language)
    if not isinstance(table, dict):
        raise ChecklistError("messages.toml", f"has no [{language}] table")
    return Words(language, table)


# English, for text that is only ever English (errors, ``kyphoprep meds``).


def message(key: str, **fields: object) -> str:
    """The English message *key*, with its ``{placeholders}`` filled from *fields*."""
    return words_for("en")(key, **fields)


def month_name(month: int) -> str:
    """``March`` for 3."""
    return words_for("en").month_name(month)


def format_date(day: date, *, year: bool = True) -> str:
    """``Friday, November 27, 2026`` (or without the year)."""
    return words_for("en").date(day, year=year)


def format_time(moment: time | datetime) -> str:
    """``7:30 AM``."""
    return words_for("en").time(moment)


def format_moment(moment: datetime, *, year: bool = True) -> str:
    """``Friday, November 27, 2026 at 7:30 AM``."""
    return words_for("en").moment(moment, year=year)


def format_typical_hold(rule: MedicineRule) -> str:
    """``3 to 5 days``."""
    return words_for("en").typical_hold(rule)


def format_restart_hours(restart: Restart) -> str:
    """``24 hours`` or ``12 to 24 hours``."""
    return words_for("en").restart_hours(restart)


def unconfirmed_mark(rule: MedicineRule | None) -> str:
    """`` (unconfirmed)`` after a grade C or D value, else nothing."""
    return words_for("en").unconfirmed(rule)
