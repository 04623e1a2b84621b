"""Find, read and validate protocol files (``checklists/*.toml``).

Protocols are data, shipped inside the wheel as the ``kyphoprep.checklists``
package. Every problem in a file is reported as a ``ChecklistError`` naming the
file, the step id and the field, so a clinic editing its own file can fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kyphoprep.errors import ChecklistError, InputError
from kyphoprep.models import FASTING_RULES, Category, Protocol, StepSpec, WarningSign
from kyphoprep.tomlreader import ID_PATTERN, MAX_MINUTES, TomlReader, load_toml

FORMAT_VERSION = 1
TITLE_MAX = 60  # long titles get cut off in calendar views and on lock screens

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
    "fasting",
}
_SIGN_KEYS = {"id", "level", "text", "source"}


def builtin_protocol_names() -> list[str]:
    """The names of the protocols shipped with kyphoprep, sorted."""
    folder = resources.files("kyphoprep.checklists")
    names = [
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        # messages.toml holds shared wording and medications.toml the medicine catalogue.
        if entry.name.endswith(".toml") and entry.name not in ("messages.toml", "medications.toml")
    ]
    return sorted(names)


def load_protocol(name_or_path: str) -> Protocol:
    """A built-in protocol by name, or a clinic's own protocol file by path."""
    from kyphoprep.config import is_protocol_path

    if is_protocol_path(name_or_path):
        return load_protocol_file(name_or_path)
    return load_builtin_protocol(name_or_path.strip().lower())


def load_protocol_file(path: str) -> Protocol:
    """Read and check the protocol file at *path*."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ChecklistError(path, "no such protocol file. Check the path.") from None
    except IsADirectoryError:
        raise ChecklistError(path, "is a folder; give the protocol file itself.") from None
    except OSError as exc:
        raise ChecklistError(path, f"cannot be read ({exc.strerror or exc}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ChecklistError(path, "is not UTF-8 text. Save it as UTF-8.") from None
    return parse_protocol_text(text, path)


@cache
def load_builtin_protocol(name: str) -> Protocol:
    """Load the shipped protocol *name* (``kyphoplasty``, ``vertebroplasty``)."""
    if name not in builtin_protocol_names():
        known = ", ".join(builtin_protocol_names())
        raise InputError(
            f"Unknown procedure '{name}'. Choose one of: {known}, or give the path of a protocol file."
        )
    entry = resources.files("kyphoprep.checklists") / f"{name}.toml"
    return parse_protocol_text(entry.read_text(encoding="utf-8"), f"{name}.toml")


def parse_protocol_text(text: str, file: str) -> Protocol:
    """Parse and validate the TOML *text* of a protocol file named *file*."""
    return _ProtocolReader(file).read(load_toml(text, file))


class _ProtocolReader(TomlReader):
    """Turns the parsed TOML of one file into a ``Protocol``, or raises with the place."""

    def read(self, data: Mapping[str, Any]) -> Protocol:
        self.check_top_level(data, _TOP_KEYS, FORMAT_VERSION)
        protocol_id = self.string(data, "id")
        if not ID_PATTERN.match(protocol_id):
            raise self.fail("use lower-case letters, digits and '-'", field="id")
        self.sources = self.read_sources(data.get("sources"))
        steps = self.read_list(data, "steps", self._read_step)
        if not steps:
            raise self.fail("a protocol needs at least one step", field="steps")
        signs = self.read_list(data, "warning_signs", self._read_sign)
        for kind, entries in (("step", [s.id for s in steps]), ("warning sign", [w.id for w in signs])):
            seen: set[str] = set()
            for entry_id in entries:
                if entry_id in seen:
                    raise self.fail(f"the {kind} id is used twice", step=entry_id, field="id")
                seen.add(entry_id)
        return Protocol(
            id=protocol_id,
            name=self.string(data, "name"),
            summary=self.string(data, "summary"),
            file=self.file,
            procedure_minutes=self.integer(data, "procedure_minutes", 5, 600),
            arrive_minutes=self.integer(data, "arrive_minutes", 0, 600),
            reminder_minutes=self.integer(data, "reminder_minutes", 0, 1440),
            medicine_reminder_at=self.clock(data, "medicine_reminder_at"),
            steps=tuple(steps),
            warning_signs=tuple(signs),
        )

    def _read_step(self, raw: Mapping[str, Any], index: int) -> StepSpec:
        step_id = self.entry_id(raw, f"steps #{index}")
        self.no_unknown_keys(raw, _STEP_KEYS, step=step_id)
        title = self.string(raw, "title", step=step_id)
        if len(title) > TITLE_MAX:
            raise self.fail(
                f"keep titles to {TITLE_MAX} characters (calendar entries cut them)",
                step=step_id,
                field="title",
            )
        category_text = self.string(raw, "category", step=step_id)
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
        items = self.strings(raw, "items", step=step_id)
        fasting = raw.get("fasting")
        if fasting is not None and fasting not in FASTING_RULES:
            choices = " or ".join(f'"{rule}"' for rule in FASTING_RULES)
            raise self.fail(f"must be {choices}", step=step_id, field="fasting")
        until = raw.get("until")
        return StepSpec(
            id=step_id,
            title=title,
            detail=" ".join(self.string(raw, "detail", step=step_id).split()),
            category=category,
            when=self.rule(raw.get("when"), step_id, "when"),
            until=None if until is None else self.rule(until, step_id, "until"),
            minutes=self.integer(raw, "minutes", 1, MAX_MINUTES, step=step_id, default=15),
            sources=self.source_refs(raw, step_id),
            actionable=actionable,
            items=items,
            fasting=fasting,
        )

    def _read_sign(self, raw: Mapping[str, Any], index: int) -> WarningSign:
        sign_id = self.entry_id(raw, f"warning_signs #{index}")
        self.no_unknown_keys(raw, _SIGN_KEYS, step=sign_id)
        level = raw.get("level")
        if level not in ("call", "emergency"):
            raise self.fail('must be "call" or "emergency"', step=sign_id, field="level")
        return WarningSign(
            id=sign_id,
            text=" ".join(self.string(raw, "text", step=sign_id).split()),
            level=level,
            sources=self.source_refs(raw, sign_id),
        )
