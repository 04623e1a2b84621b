"""What every reader of kyphoprep's TOML data files shares: typed fields, timing rules, sources.

Protocol files and the medicine catalogue are both data that people edit by
hand, so every problem is raised as a ``ChecklistError`` that names the file,
the entry (step or medicine id) and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import time
from typing import Any

from kyphoprep.errors import ChecklistError
from kyphoprep.models import (
    AfterProcedure,
    Arrival,
    BeforeProcedure,
    DaysAfter,
    DaysBefore,
    MidnightBefore,
    ProcedureStart,
    Source,
    TimingRule,
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
CLOCK_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_DAYS = 366
MAX_MINUTES = MAX_DAYS * 24 * 60

# The keys each timing rule takes, besides "rule" itself.
RULE_KEYS: dict[str, set[str]] = {
    "days-before": {"days", "at"},
    "days-after": {"days", "at"},
    "midnight-before": set(),
    "before": {"hours", "minutes"},
    "after": {"hours", "minutes"},
    "arrival": {"minutes"},
    "procedure": set(),
}


def load_toml(text: str, file: str) -> dict[str, Any]:
    """The parsed *text* of the data file *file*, or a ``ChecklistError`` saying why it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(file, f"not valid TOML ({exc})") from None


class TomlReader:
    """Typed access to parsed TOML, raising ``ChecklistError`` with the place of any problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.sources: dict[str, Source] = {}

    def fail(self, message: str, *, step: str | None = None, field: str | None = None) -> ChecklistError:
        return ChecklistError(self.file, message, step=step, field=field)

    def check_top_level(self, data: Mapping[str, Any], allowed: set[str], version: int) -> None:
        """Only known top-level keys, and the file format version this reader understands."""
        self.no_unknown_keys(data, allowed)
        if data.get("format") != version:
            raise self.fail(f"must be {version}", field="format")

    def read_sources(self, raw: object) -> dict[str, Source]:
        if not isinstance(raw, dict) or not raw:
            raise self.fail("a table of source keys and citations is required", field="sources")
        sources = {}
        for key, citation in raw.items():
            if not isinstance(citation, str) or not citation.strip():
                raise self.fail("each source needs a citation text", field=f"sources.{key}")
            sources[key] = Source(key=key, citation=citation.strip())
        return sources

    def read_list(self, data: Mapping[str, Any], key: str, read_one: Any) -> list[Any]:
        raw = data.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise self.fail("must be an array of tables ([[...]])", field=key)
        return [read_one(item, index) for index, item in enumerate(raw, start=1)]

    def rule(self, raw: object, step: str, field: str) -> TimingRule:
        """A timing rule table such as ``{ rule = "days-before", days = 7, at = "09:00" }``."""
        if not isinstance(raw, dict):
            raise self.fail(
                'must be a table such as { rule = "days-before", days = 7, at = "09:00" }',
                step=step,
                field=field,
            )
        name = raw.get("rule")
        if name not in RULE_KEYS:
            raise self.fail(f"rule must be one of: {', '.join(RULE_KEYS)}", step=step, field=f"{field}.rule")
        extra = set(raw) - RULE_KEYS[name] - {"rule"}
        if extra:
            raise self.fail(
                f"'{min(extra)}' does not belong to rule '{name}'",
                step=step,
                field=f"{field}.{min(extra)}",
            )
        if name in ("days-before", "days-after"):
            days = self.integer(raw, "days", 0, MAX_DAYS, step=step, prefix=field)
            at = self.clock(raw, "at", step=step, prefix=field)
            return DaysBefore(days, at) if name == "days-before" else DaysAfter(days, at)
        if name in ("before", "after"):
            if ("hours" in raw) == ("minutes" in raw):
                raise self.fail("give either hours or minutes", step=step, field=field)
            if "hours" in raw:
                minutes = 60 * self.integer(raw, "hours", 0, MAX_DAYS * 24, step=step, prefix=field)
            else:
                minutes = self.integer(raw, "minutes", 0, MAX_MINUTES, step=step, prefix=field)
            return BeforeProcedure(minutes) if name == "before" else AfterProcedure(minutes)
        if name == "arrival":
            return Arrival(self.integer(raw, "minutes", -1440, 1440, step=step, prefix=field, default=0))
        return MidnightBefore() if name == "midnight-before" else ProcedureStart()

    def source_refs(self, raw: Mapping[str, Any], step: str) -> tuple[Source, ...]:
        refs = raw.get("source")
        if isinstance(refs, str):
            refs = [refs]
        if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
            raise self.fail("give at least one source key", step=step, field="source")
        unknown = [r for r in refs if r not in self.sources]
        if unknown:
            raise self.fail(f"unknown source '{unknown[0]}' (add it to [sources])", step=step, field="source")
        return tuple(self.sources[r] for r in refs)

    # -- scalars ----------------------------------------------------------------

    def entry_id(self, raw: Mapping[str, Any], where: str) -> str:
        entry_id = raw.get("id")
        if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
            raise self.fail("needs an id of lower-case letters, digits and '-'", step=where, field="id")
        return entry_id

    def no_unknown_keys(self, raw: Mapping[str, Any], allowed: set[str], *, step: str | None = None) -> None:
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise self.fail("unknown field (check the spelling)", step=step, field=unknown[0])

    def string(self, raw: Mapping[str, Any], key: str, *, step: str | None = None) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail("must be a non-empty string", step=step, field=key)
        return value.strip()

    def strings(self, raw: Mapping[str, Any], key: str, *, step: str | None = None) -> tuple[str, ...]:
        """An optional list of non-empty strings (empty when absent)."""
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail("must be a list of non-empty strings", step=step, field=key)
        return tuple(v.strip() for v in value)

    def integer(
        self,
        raw: Mapping[str, Any],
        key: str,
        low: int,
        high: int,
        *,
        step: str | None = None,
        prefix: str | None = None,
        default: int | None = None,
    ) -> int:
        field = f"{prefix}.{key}" if prefix else key
        value = raw.get(key, default)
        # bool is an int in Python; "true" is never a sensible number of minutes.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail("must be a whole number", step=step, field=field)
        if not low <= value <= high:
            raise self.fail(f"must be between {low} and {high}", step=step, field=field)
        return value

    def clock(
        self, raw: Mapping[str, Any], key: str, *, step: str | None = None, prefix: str | None = None
    ) -> time:
        field = f"{prefix}.{key}" if prefix else key
        value = raw.get(key)
        if not isinstance(value, str) or not CLOCK_PATTERN.match(value):
            raise self.fail('must be a 24-hour clock time such as "09:00"', step=step, field=field)
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
