"""Find, read and validate protocol files (``checklists/*.toml``).

Protocols are data, shipped inside the wheel as the ``kyphoprep.checklists``
package. Every problem in a file is reported as a ``ChecklistError`` naming the
file, the step id and the field, so a clinic editing its own file can fix it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import time
from functools import cache
from importlib import resources
from typing import Any

from kyphoprep.errors import ChecklistError, InputError
from kyphoprep.models import (
    AfterProcedure,
    Arrival,
    BeforeProcedure,
    Category,
    DaysAfter,
    DaysBefore,
    MidnightBefore,
    ProcedureStart,
    Protocol,
    Source,
    StepSpec,
    TimingRule,
    WarningSign,
)

FORMAT_VERSION = 1
TITLE_MAX = 60  # long titles get cut off in calendar views and on lock screens
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
CLOCK_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_DAYS = 366
MAX_MINUTES = MAX_DAYS * 24 * 60

_TOP_KEYS = {
    "format",
    "id",
    "name",
    "summary",
    "procedure_minutes",
    "arrive_minutes",
    "reminder_minutes",
    "medicine_reminder_at",
    "sources",
    "steps",
    "warning_signs",
}
_STEP_KEYS = {
    "id",
    "title",
    "detail",
    "category",
    "when",
    "until",
    "minutes",
    "source",
    "actionable",
    "items",
}
_SIGN_KEYS = {"id", "level", "text", "source"}


def builtin_protocol_names() -> list[str]:
    """The names of the protocols shipped with kyphoprep, sorted."""
    folder = resources.files("kyphoprep.checklists")
    names = [
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        # messages.toml holds shared wording, not a protocol.
        if entry.name.endswith(".toml") and entry.name != "messages.toml"
    ]
    return sorted(names)


@cache
def load_builtin_protocol(name: str) -> Protocol:
    """Load the shipped protocol *name* (``kyphoplasty``, ``vertebroplasty``)."""
    if name not in builtin_protocol_names():
        known = ", ".join(builtin_protocol_names())
        raise InputError(f"Unknown procedure '{name}'. Choose one of: {known}.")
    entry = resources.files("kyphoprep.checklists") / f"{name}.toml"
    return parse_protocol_text(entry.read_text(encoding="utf-8"), f"{name}.toml")


def parse_protocol_text(text: str, file: str) -> Protocol:
    """Parse and validate the TOML *text* of a protocol file named *file*."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(file, f"not valid TOML ({exc})") from None
    return _ProtocolReader(file).read(data)


class _ProtocolReader:
    """Turns the parsed TOML of one file into a ``Protocol``, or raises with the place."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.sources: dict[str, Source] = {}

    def fail(self, message: str, *, step: str | None = None, field: str | None = None) -> ChecklistError:
        return ChecklistError(self.file, message, step=step, field=field)

    def read(self, data: Mapping[str, Any]) -> Protocol:
        self._no_unknown_keys(data, _TOP_KEYS)
        if data.get("format") != FORMAT_VERSION:
            raise self.fail(f"must be {FORMAT_VERSION}", field="format")
        protocol_id = self._string(data, "id")
        if not ID_PATTERN.match(protocol_id):
            raise self.fail("use lower-case letters, digits and '-'", field="id")
        self.sources = self._read_sources(data.get("sources"))
        steps = self._read_list(data, "steps", self._read_step)
        if not steps:
            raise self.fail("a protocol needs at least one step", field="steps")
        signs = self._read_list(data, "warning_signs", self._read_sign)
        for kind, entries in (("step", [s.id for s in steps]), ("warning sign", [w.id for w in signs])):
            seen: set[str] = set()
            for entry_id in entries:
                if entry_id in seen:
                    raise self.fail(f"the {kind} id is used twice", step=entry_id, field="id")
                seen.add(entry_id)
        return Protocol(
            id=protocol_id,
            name=self._string(data, "name"),
            summary=self._string(data, "summary"),
            file=self.file,
            procedure_minutes=self._int(data, "procedure_minutes", 5, 600),
            arrive_minutes=self._int(data, "arrive_minutes", 0, 600),
            reminder_minutes=self._int(data, "reminder_minutes", 0, 1440),
            medicine_reminder_at=self._clock(data, "medicine_reminder_at"),
            steps=tuple(steps),
            warning_signs=tuple(signs),
        )

    # -- pieces ---------------------------------------------------------------

    def _read_sources(self, raw: object) -> dict[str, Source]:
        if not isinstance(raw, dict) or not raw:
            raise self.fail("a table of source keys and citations is required", field="sources")
        sources = {}
        for key, citation in raw.items():
            if not isinstance(citation, str) or not citation.strip():
                raise self.fail("each source needs a citation text", field=f"sources.{key}")
            sources[key] = Source(key=key, citation=citation.strip())
        return sources

    def _read_list(self, data: Mapping[str, Any], key: str, read_one: Any) -> list[Any]:
        raw = data.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise self.fail("must be an array of tables ([[...]])", field=key)
        return [read_one(item, index) for index, item in enumerate(raw, start=1)]

    def _read_step(self, raw: Mapping[str, Any], index: int) -> StepSpec:
        step_id = self._entry_id(raw, f"steps #{index}")
        self._no_unknown_keys(raw, _STEP_KEYS, step=step_id)
        title = self._string(raw, "title", step=step_id)
        if len(title) > TITLE_MAX:
            raise self.fail(
                f"keep titles to {TITLE_MAX} characters (calendar entries cut them)",
                step=step_id,
                field="title",
            )
        category_text = self._string(raw, "category", step=step_id)
        try:
            category = Category(category_text)
        except ValueError:
            choices = ", ".join(c.value for c in Category)
            raise self.fail(
                f"'{category_text}' is not one of: {choices}", step=step_id, field="category"
            ) from None
        actionable = raw.get("actionable", True)
        if not isinstance(actionable, bool):
            raise self.fail("must be true or false", step=step_id, field="actionable")
        items = raw.get("items", [])
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise self.fail("must be a list of non-empty strings", step=step_id, field="items")
        until = raw.get("until")
        return StepSpec(
            id=step_id,
            title=title,
            detail=" ".join(self._string(raw, "detail", step=step_id).split()),
            category=category,
            when=self._rule(raw.get("when"), step_id, "when"),
            until=None if until is None else self._rule(until, step_id, "until"),
            minutes=self._int(raw, "minutes", 1, MAX_MINUTES, step=step_id, default=15),
            sources=self._source_refs(raw, step_id),
            actionable=actionable,
            items=tuple(i.strip() for i in items),
        )

    def _read_sign(self, raw: Mapping[str, Any], index: int) -> WarningSign:
        sign_id = self._entry_id(raw, f"warning_signs #{index}")
        self._no_unknown_keys(raw, _SIGN_KEYS, step=sign_id)
        level = raw.get("level")
        if level not in ("call", "emergency"):
            raise self.fail('must be "call" or "emergency"', step=sign_id, field="level")
        return WarningSign(
            id=sign_id,
            text=" ".join(self._string(raw, "text", step=sign_id).split()),
            level=level,
            sources=self._source_refs(raw, sign_id),
        )

    def _rule(self, raw: object, step: str, field: str) -> TimingRule:
        if not isinstance(raw, dict):
            raise self.fail(
                'must be a table such as { rule = "days-before", days = 7, at = "09:00" }',
                step=step,
                field=field,
            )
        name = raw.get("rule")
        expected: dict[str, set[str]] = {
            "days-before": {"days", "at"},
            "days-after": {"days", "at"},
            "midnight-before": set(),
            "before": {"hours", "minutes"},
            "after": {"hours", "minutes"},
            "arrival": {"minutes"},
            "procedure": set(),
        }
        if name not in expected:
            raise self.fail(f"rule must be one of: {', '.join(expected)}", step=step, field=f"{field}.rule")
        extra = set(raw) - expected[name] - {"rule"}
        if extra:
            raise self.fail(
                f"'{min(extra)}' does not belong to rule '{name}'",
                step=step,
                field=f"{field}.{min(extra)}",
            )
        if name in ("days-before", "days-after"):
            days = self._int(raw, "days", 0, MAX_DAYS, step=step, prefix=field)
            at = self._clock(raw, "at", step=step, prefix=field)
            return DaysBefore(days, at) if name == "days-before" else DaysAfter(days, at)
        if name in ("before", "after"):
            if ("hours" in raw) == ("minutes" in raw):
                raise self.fail("give either hours or minutes", step=step, field=field)
            if "hours" in raw:
                minutes = 60 * self._int(raw, "hours", 0, MAX_DAYS * 24, step=step, prefix=field)
            else:
                minutes = self._int(raw, "minutes", 0, MAX_MINUTES, step=step, prefix=field)
            return BeforeProcedure(minutes) if name == "before" else AfterProcedure(minutes)
        if name == "arrival":
            return Arrival(self._int(raw, "minutes", -1440, 1440, step=step, prefix=field, default=0))
        return MidnightBefore() if name == "midnight-before" else ProcedureStart()

    def _source_refs(self, raw: Mapping[str, Any], step: str) -> tuple[Source, ...]:
        refs = raw.get("source")
        if isinstance(refs, str):
            refs = [refs]
        if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
            raise self.fail("give at least one source key", step=step, field="source")
        unknown = [r for r in refs if r not in self.sources]
        if unknown:
            raise self.fail(f"unknown source '{unknown[0]}' (add it to [sources])", step=step, field="source")
        return tuple(self.sources[r] for r in refs)

    # -- scalar helpers -------------------------------------------------------

    def _entry_id(self, raw: Mapping[str, Any], where: str) -> str:
        entry_id = raw.get("id")
        if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
            raise self.fail("needs an id of lower-case letters, digits and '-'", step=where, field="id")
        return entry_id

    def _no_unknown_keys(self, raw: Mapping[str, Any], allowed: set[str], *, step: str | None = None) -> None:
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise self.fail("unknown field (check the spelling)", step=step, field=unknown[0])

    def _string(self, raw: Mapping[str, Any], key: str, *, step: str | None = None) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail("must be a non-empty string", step=step, field=key)
        return value.strip()

    def _int(
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

    def _clock(
        self, raw: Mapping[str, Any], key: str, *, step: str | None = None, prefix: str | None = None
    ) -> time:
        field = f"{prefix}.{key}" if prefix else key
        value = raw.get(key)
        if not isinstance(value, str) or not CLOCK_PATTERN.match(value):
            raise self.fail('must be a 24-hour clock time such as "09:00"', step=step, field=field)
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
