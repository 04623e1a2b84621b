"""Clinic settings: a TOML file with the clinic's details and its defaults.

A clinic keeps one file (given with ``--config`` or ``KYPHOPREP_CONFIG``, or found as
``clinic.toml`` in the user's settings folder: see ``kyphoprep.cli.planning.read_config``)::

    [clinic]
    name = "Lakeside Spine Center"
    address = "100 Main St, Springfield"
    phone = "555-0100"

    [defaults]
    timezone = "America/Chicago"
    arrive_minutes = 60
    fasting = "asa"            # or "midnight"
    reminder_minutes = 45
    discreet_titles = true
    language = "en"
    procedure = "kyphoplasty"  # a built-in protocol, or a path to the clinic's own file
    date_order = "mdy"         # or "dmy": how 03/12/2026 is read

Every value is optional. Command-line options beat the file and the file beats
kyphoprep's built-in defaults (see ``kyphoprep.data.settings``). An unknown table or
key, or a bad value, is a ``ConfigError`` that names it: a misspelt key must
never be silently ignored, because the clinic would believe it was applied.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kyphoprep.core.models import DATE_ORDERS, FASTING_RULES, HOLD_RANGES, DateOrder, FastingRule, HoldRange
from kyphoprep.data.protocols import builtin_protocol_names, is_protocol_path
from kyphoprep.data.toml_fields import read_text_file, toml_limit
from kyphoprep.errors import ConfigError, InputError
from kyphoprep.i18n.languages import CODES
from kyphoprep.io.text_rules import has_control, printable

ARRIVE_RANGE = (10, 360)
REMINDER_RANGE = (0, 1440)
MAX_SIZE = 64 * 1024  # a settings file is a few lines; refuse to read a huge file by mistake

_KEYS: dict[str, tuple[str, ...]] = {
    "clinic": ("name", "address", "phone"),
    "defaults": (
        "timezone",
        "arrive_minutes",
        "fasting",
        "reminder_minutes",
        "discreet_titles",
        "language",
        "procedure",
        "hold_range",
        "date_order",
    ),
}


@dataclass(frozen=True, slots=True)
class ClinicConfig:
    """The settings read from one file; None means "not set here"."""

    file: str
    clinic_name: str | None = None
    clinic_address: str | None = None
    clinic_phone: str | None = None
    timezone: str | None = None
    arrive_minutes: int | None = None
    fasting: FastingRule | None = None
    reminder_minutes: int | None = None
    discreet_titles: bool | None = None
    language: str | None = None
    procedure: str | None = None
    """A built-in protocol name, or a protocol file path made absolute against the file's folder."""
    hold_range: HoldRange | None = None
    """Which end of a typical range ("3 to 5 days") plans use: "longest" or "shortest"."""
    found_by_location: bool = False
    """True when kyphoprep found the file in the user's settings folder (no --config, no variable)."""
    date_order: DateOrder | None = None
    """How a date such as 03/12/2026 is read: "mdy" (month first) or "dmy" (day first)."""


def load_config(path: str, *, option: str = "--config") -> ClinicConfig:
    """Read and check the settings file at *path*, given with *option* (``--config`` or the variable)."""
    if not path.strip():
        # Path("") is the current folder: the message would name no file and blame a folder.
        error = ConfigError(path, "")
        shown = "empty" if not path else "only spaces"
        error.args = (f"{option} is {shown}. Give the clinic's settings file, such as clinic.toml.",)
        raise error
    text = read_text_file(
        path,
        lambda reason: ConfigError(path, reason),
        missing="no such file. Check the path given with --config or KYPHOPREP_CONFIG.",
        folder="is a folder; give the settings file itself, such as clinic.toml.",
        max_bytes=MAX_SIZE,
    )
    return parse_config_text(text, path, base=Path(path).parent)


def parse_config_text(text: str, file: str, *, base: Path | None = None) -> ClinicConfig:
    """Check the TOML *text* of a settings file named *file*; relative paths are read from *base*."""
    import tomllib  # here: only a file given by the user needs it (the built-in ones are cached)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, f"not valid TOML ({exc}).") from None
    except (ValueError, RecursionError) as exc:
        raise ConfigError(file, f"not valid TOML ({toml_limit(exc)}).") from None
    return _ConfigReader(file, base or Path(".")).read(data)


class _ConfigReader:
    def __init__(self, file: str, base: Path) -> None:
        self.file = file
        self.base = base

    def fail(self, key: str, message: str) -> ConfigError:
        error = ConfigError(self.file, message, key=key)
        error.args = (printable(str(error)),)  # a key or value quoted from the file may hold a line break
        return error

    def read(self, data: Mapping[str, Any]) -> ClinicConfig:
        for table in data:
            if table not in _KEYS:
                hint = _hint(table, _KEYS)
                raise self.fail(f"[{table}]", f"unknown table.{hint} Use [clinic] and [defaults].")
            if not isinstance(data[table], dict):
                raise self.fail(table, f"must be a table: write [{table}] on its own line.")
            for key in data[table]:
                if key not in _KEYS[table]:
                    raise self.fail(
                        f"[{table}] {key}",
                        f"unknown setting.{_hint(key, _KEYS[table])} "
                        f"[{table}] takes: {', '.join(_KEYS[table])}.",
                    )
        clinic = data.get("clinic", {})
        defaults = data.get("defaults", {})
        return ClinicConfig(
            file=self.file,
            clinic_name=self.text(clinic, "clinic", "name", 80),
            clinic_address=self.text(clinic, "clinic", "address", 200),
            clinic_phone=self.text(clinic, "clinic", "phone", 40),
            timezone=self.zone(defaults),
            arrive_minutes=self.integer(defaults, "arrive_minutes", ARRIVE_RANGE),
            fasting=self.choice(defaults, "fasting", FASTING_RULES),
            reminder_minutes=self.integer(defaults, "reminder_minutes", REMINDER_RANGE),
            discreet_titles=self.boolean(defaults, "discreet_titles"),
            language=self.choice(defaults, "language", CODES),
            procedure=self.procedure(defaults),
            hold_range=self.choice(defaults, "hold_range", HOLD_RANGES),
            date_order=self.choice(defaults, "date_order", DATE_ORDERS),
        )

    def text(self, table: Mapping[str, Any], table_name: str, key: str, limit: int) -> str | None:
        if key not in table:
            return None
        value = table[key]
        where = f"[{table_name}] {key}"
        if not isinstance(value, str):
            raise self.fail(where, 'must be text in quotes, such as "555-0100".')
        from kyphoprep.io.typed_input import MAX_TEXT, clean_text

        try:
            cleaned = clean_text(value, "this setting")
        except InputError as exc:
            # clean_text's own limit (MAX_TEXT) is longer than this setting's: say this one.
            if len(" ".join(value.split())) <= MAX_TEXT or has_control(value):
                raise self.fail(where, str(exc)[0].lower() + str(exc)[1:]) from None
            cleaned = " ".join(value.split())
        if cleaned is not None and len(cleaned) > limit:
            raise self.fail(where, f"is longer than {limit} characters; shorten it.")
        return cleaned

    def integer(self, table: Mapping[str, Any], key: str, bounds: tuple[int, int]) -> int | None:
        if key not in table:
            return None
        value = table[key]
        low, high = bounds
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(f"[defaults] {key}", f"must be a whole number of minutes from {low} to {high}.")
        return value

    def boolean(self, table: Mapping[str, Any], key: str) -> bool | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, bool):
            raise self.fail(f"[defaults] {key}", "must be true or false (no quotes).")
        return value

    def choice(self, table: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> Any:
        if key not in table:
            return None
        value = table[key]
        if value not in choices:
            listed = " or ".join(f'"{c}"' for c in choices)
            raise self.fail(f"[defaults] {key}", f"must be {listed}, not {_show(value)}.")
        return value

    def zone(self, table: Mapping[str, Any]) -> str | None:
        if "timezone" not in table:
            return None
        value = table["timezone"]
        if not isinstance(value, str):
            raise self.fail("[defaults] timezone", 'must be text such as "America/Chicago".')
        if not value.strip():
            # resolve_zone's own message names --tz, which was not used here.
            raise self.fail(
                "[defaults] timezone", 'is empty. Give an IANA zone name such as "America/Chicago".'
            )
        from kyphoprep.io.typed_input import resolve_zone

        try:
            return resolve_zone(value)
        except InputError as exc:
            raise self.fail("[defaults] timezone", str(exc)) from None

    def procedure(self, table: Mapping[str, Any]) -> str | None:
        if "procedure" not in table:
            return None
        value = table["procedure"]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(
                "[defaults] procedure", 'must be a protocol name such as "kyphoplasty", or a file path.'
            )
        value = value.strip()
        if is_protocol_path(value):
            # A path in the file is relative to the file, not to wherever kyphoprep is run from.
            try:
                return str(self.base / Path(value).expanduser())
            except (RuntimeError, ValueError):  # ~name of no user on this computer, or a NUL in it
                raise self.fail(
                    "[defaults] procedure",
                    f"cannot find the home folder in {_show(value)}. "
                    "Give the full path of the protocol file.",
                ) from None

        # Checked here, so the message names this file and key (exit 4), like every other bad value.
        if value.lower() not in builtin_protocol_names():
            raise self.fail(
                "[defaults] procedure",
                f"unknown protocol {_show(value)}. Choose one of: {', '.join(builtin_protocol_names())}, "
                "or give the path of a protocol file.",
            )
        return value


def _hint(word: str, choices: Mapping[str, Any] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    try:
        return repr(value).lower()
    except ValueError:  # int() and repr() refuse more than 4300 digits
        return "a number with too many digits"
