"""Find, read and validate protocol files (``checklists/*.toml``).

Protocols are data, shipped inside the wheel as the ``kyphoprep.checklists``
package. Every problem in a file is reported as a ``ChecklistError`` naming the
file, the step id and the field, so a clinic editing its own file can fix it.
Loading stops at the first problem; ``check_protocol_file`` (``kyphoprep
protocols check``) lists them all, in the order they appear in the file.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from kyphoprep.core.models import (
    CAREGIVER_PARTS,
    FASTING_RULES,
    INTAKE_ORDER,
    Category,
    Protocol,
    StepSpec,
    StepText,
    WarningSign,
)
from kyphoprep.data.builtin import builtin_data, builtin_file_names
from kyphoprep.data.toml_fields import ID_PATTERN, MAX_MINUTES, T, TomlReader, load_toml, read_text_file
from kyphoprep.errors import ChecklistError, InputError
from kyphoprep.i18n.languages import TRANSLATED, language_name
from kyphoprep.io.typed_input import quoted

FORMAT_VERSION = 1
TITLE_MAX = 60  # long titles get cut off in calendar views and on lock screens
# The built-in protocols are about 25 KB; a file many times that is not a protocol (or never ends).
MAX_SIZE = 1024 * 1024
RECOVERY_MINUTES = 180
"""How long after the procedure a person is still being looked after, when a protocol does not say."""
PICKUP_MINUTES = 60
"""The earliest most people go home, when a protocol does not say (seeds 000, 001, 004)."""
COMPANION_HOURS = 24
"""How long an adult stays after sedation, when a protocol does not say (ASA)."""

# In the order the README documents them (and a file usually has them).
_TOP_ORDER = (
    "format",
    "revision",
    "id",
    "name",
    "summary",
    *TRANSLATED,
    "procedure_minutes",
    "arrive_minutes",
    "reminder_minutes",
    "recovery_minutes",
    "pickup_minutes",
    "companion_hours",
    "medicine_reminder_at",
    "sources",
    "steps",
    "warning_signs",
)
_TOP_KEYS = set(_TOP_ORDER)
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
    "intake",
    "before_last_doses",
    "appointment",
    "caregiver",
    *TRANSLATED,
}
_SIGN_KEYS = {"id", "level", "text", "source", *TRANSLATED}


def builtin_protocol_names() -> list[str]:
    """The names of the protocols shipped with kyphoprep, sorted."""
    return [
        name.removesuffix(".toml")
        for name in builtin_file_names()
        # messages.toml holds shared wording and medications.toml the medicine catalogue.
        if name not in ("messages.toml", "medications.toml")
    ]


def is_protocol_path(value: str) -> bool:
    """True when a --protocol value names a file rather than a built-in protocol."""
    return value.endswith(".toml") or "/" in value or "\\" in value


def load_protocol(name_or_path: str) -> Protocol:
    """A built-in protocol by name, or a clinic's own protocol file by path."""
    if is_protocol_path(name_or_path):
        return load_protocol_file(name_or_path)
    return load_builtin_protocol(name_or_path.strip().lower())


def load_protocol_file(path: str) -> Protocol:
    """Read and check the protocol file at *path*."""
    return parse_protocol_text(_read_text(path), path)


def _read_text(path: str) -> str:
    """The text of the protocol file at *path*, or a ``ChecklistError`` saying why it cannot be read."""
    if not path.strip():
        # Path("") is the current folder: the message would name no file and blame a folder.
        error = ChecklistError(path, "")
        shown = "empty" if not path else "only spaces"
        message = f"The protocol file name is {shown}. Give the path of a protocol file, such as "
        error.args = (message + "clinic/sacroplasty.toml.",)
        raise error
    return read_text_file(
        path,
        lambda reason: ChecklistError(path, reason),
        missing="no such protocol file. Check the path.",
        folder="is a folder; give the protocol file itself.",
        max_bytes=MAX_SIZE,
    )


@cache
def load_builtin_protocol(name: str) -> Protocol:
    """Load the shipped protocol *name* (``kyphoplasty``, ``vertebroplasty``)."""
    if name not in builtin_protocol_names():
        known = ", ".join(builtin_protocol_names())
        raise InputError(
            f"Unknown procedure '{quoted(name)}'. Choose one of: {known}, "
            "or give the path of a protocol file."
        )
    file = f"{name}.toml"
    return _ProtocolReader(file).read(builtin_data(file))


def parse_protocol_text(text: str, file: str) -> Protocol:
    """Parse and validate the TOML *text* of a protocol file named *file*."""
    return _ProtocolReader(file).read(load_toml(text, file))


@dataclass(frozen=True, slots=True)
class ProtocolCheck:
    """Everything ``kyphoprep protocols check`` says about one file."""

    file: str
    problems: tuple[ChecklistError, ...]
    """Every problem found, in the order they appear in the file."""
    protocol: Protocol | None
    """The protocol, when the file has no problems."""


def check_protocol_text(text: str, file: str) -> list[ChecklistError]:
    """Every problem in the TOML *text* of a protocol file named *file* (none: it is valid).

    Unlike ``parse_protocol_text``, which stops at the first problem, this reports
    them all, each with its step id and field, in the order they appear in the file.
    """
    return list(_examine_text(text, file).problems)


def check_protocol_file(path: str) -> list[ChecklistError]:
    """Every problem in the protocol file at *path*, including a file that cannot be read."""
    return list(examine_protocol_file(path).problems)


def examine_protocol_file(path: str) -> ProtocolCheck:
    """Check the protocol file at *path*: every problem, or the protocol it holds."""
    try:
        text = _read_text(path)
    except ChecklistError as exc:
        return ProtocolCheck(path, (exc,), None)
    return _examine_text(text, path)


def _examine_text(text: str, file: str) -> ProtocolCheck:
    try:
        data = load_toml(text, file)
    except ChecklistError as exc:
        return ProtocolCheck(file, (exc,), None)
    reader = _ProtocolReader(file, collect=True)
    protocol = reader.read(data)
    problems = reader.problems_in_file_order()
    return ProtocolCheck(file, problems, None if problems else protocol)


class _ProtocolReader(TomlReader):
    """Turns the parsed TOML of one file into a ``Protocol``, or raises with the place.

    In collect mode it notes where in the file each problem is (the top-level key,
    the number of the step or warning sign, the field in it), so they can be listed
    in file order.
    """

    def __init__(self, file: str, *, collect: bool = False) -> None:
        super().__init__(file, collect=collect)
        self._data: Mapping[str, Any] = {}
        self._entry: tuple[str, int] = ("", 0)  # the array and number of the entry being read
        self._entry_keys: list[str] = []
        self._ids: dict[str, list[tuple[str, int]]] = {"steps": [], "warning_signs": []}
        self._places: list[tuple[float, int, int]] = []  # one per problem

    def report(self, error: ChecklistError, placeholder: T) -> T:
        if self.collect:
            self._places.append(self._place(error))
        return super().report(error, placeholder)

    def _place(self, error: ChecklistError) -> tuple[float, int, int]:
        key, _, sub = (error.field or "").partition(".")
        if error.step is not None:
            # A missing field is reported after the fields the entry has.
            keys = self._entry_keys
            return self._rank(self._entry[0]), self._entry[1], keys.index(key) if key in keys else len(keys)
        table = self._data.get(key)
        inner = list(table) if isinstance(table, dict) else []
        return self._rank(key), 0, inner.index(sub) if sub in inner else 0

    def _rank(self, key: str) -> float:
        """Where *key* is in the file; a missing key goes where the README order puts it."""
        keys = list(self._data)
        if key in keys:
            return float(keys.index(key))
        if key not in _TOP_ORDER:
            return -1.0
        later = [keys.index(k) for k in _TOP_ORDER[_TOP_ORDER.index(key) + 1 :] if k in keys]
        return min(later, default=len(keys)) - 0.5

    def problems_in_file_order(self) -> tuple[ChecklistError, ...]:
        """The problems sorted by place; those at one place stay in the order they were found."""
        order = sorted(range(len(self.problems)), key=lambda n: self._places[n])
        return tuple(self.problems[n] for n in order)

    def read(self, data: Mapping[str, Any]) -> Protocol:
        self._data = data
        self.check_top_level(data, _TOP_KEYS, FORMAT_VERSION)
        protocol_id = self.string(data, "id")
        if protocol_id and not ID_PATTERN.match(protocol_id):
            self.report(self.fail("use lower-case letters, digits and '-'", field="id"), None)
        self.sources = self.read_sources(data.get("sources"))
        known = len(self.problems)
        steps = self.read_list(data, "steps", self._read_step)
        if not steps and len(self.problems) == known:
            self.report(self.fail("a protocol needs at least one step", field="steps"), None)
        signs = self.read_list(data, "warning_signs", self._read_sign)
        # Ids are compared as written, so a repeated id is found even in an entry with other problems.
        for key, kind in (("steps", "step"), ("warning_signs", "warning sign")):
            seen: set[str] = set()
            for entry_id, index in self._ids[key]:
                if entry_id in seen:
                    self._entry = (key, index)
                    self._entry_keys = ["id"]
                    self.report(self.fail(f"the {kind} id is used twice", step=entry_id, field="id"), None)
                seen.add(entry_id)
        name, summary = self.string(data, "name"), self.string(data, "summary")
        translated = self.translations(data, {"name": name, "summary": summary})
        return Protocol(
            id=protocol_id,
            name=name,
            summary=summary,
            file=self.file,
            procedure_minutes=self.integer(data, "procedure_minutes", 5, 600),
            arrive_minutes=self.integer(data, "arrive_minutes", 0, 600),
            reminder_minutes=self.integer(data, "reminder_minutes", 0, 1440),
            recovery_minutes=self.integer(data, "recovery_minutes", 0, 1440, default=RECOVERY_MINUTES),
            pickup_minutes=self.integer(data, "pickup_minutes", 0, 1440, default=PICKUP_MINUTES),
            companion_hours=self.integer(data, "companion_hours", 0, 72, default=COMPANION_HOURS),
            medicine_reminder_at=self.clock(data, "medicine_reminder_at"),
            revision=self._revision(data),
            steps=tuple(steps),
            warning_signs=tuple(signs),
            translations={
                language: (str(texts["name"]), str(texts["summary"]))
                for language, texts in translated.items()
                if "name" in texts and "summary" in texts
            },
        )

    def _revision(self, data: Mapping[str, Any]) -> str:
        """The file's ``revision``; a clinic file without one is named by a digest of its content."""
        revision = data.get("revision")
        if revision is None:
            # pickle, not JSON: it writes any value TOML can hold (a 5,000-digit integer, a date).
            return "sha256:" + hashlib.sha256(pickle.dumps(data, protocol=5)).hexdigest()[:12]
        if not isinstance(revision, str) or not revision.strip():
            return self.report(
                self.fail("must be a string, such as the date of the last change", field="revision"), ""
            )
        return revision.strip()

    def _entry_id(self, raw: Mapping[str, Any], key: str, index: int) -> str:
        self._entry = (key, index)
        self._entry_keys = list(raw)
        entry_id = self.entry_id(raw, f"{key} #{index}")
        if ID_PATTERN.match(entry_id):
            self._ids[key].append((entry_id, index))
        return entry_id

    def _read_step(self, raw: Mapping[str, Any], index: int) -> StepSpec:
        step_id = self._entry_id(raw, "steps", index)
        self.no_unknown_keys(raw, _STEP_KEYS, step=step_id)
        title = self.string(raw, "title", step=step_id)
        if len(title) > TITLE_MAX:
            self.report(
                self.fail(
                    f"keep titles to {TITLE_MAX} characters (calendar entries cut them)",
                    step=step_id,
                    field="title",
                ),
                None,
            )
        category_text = self.string(raw, "category", step=step_id)
        category = Category.PREPARE  # a placeholder in collect mode
        if category_text:
            try:
                category = Category(category_text)
            except ValueError:
                choices = ", ".join(c.value for c in Category)
                self.report(
                    self.fail(f"'{category_text}' is not one of: {choices}", step=step_id, field="category"),
                    None,
                )
        actionable = raw.get("actionable", True)
        if not isinstance(actionable, bool):
            actionable = self.report(
                self.fail("must be true or false", step=step_id, field="actionable"), True
            )
        items = self.strings(raw, "items", step=step_id)
        fasting = raw.get("fasting")
        if fasting is not None and fasting not in FASTING_RULES:
            choices = " or ".join(f'"{rule}"' for rule in FASTING_RULES)
            fasting = self.report(self.fail(f"must be {choices}", step=step_id, field="fasting"), None)
        intake = raw.get("intake")
        if intake is not None and intake not in INTAKE_ORDER:
            choices = ", ".join(f'"{level}"' for level in INTAKE_ORDER)
            intake = self.report(self.fail(f"must be one of {choices}", step=step_id, field="intake"), None)
        flags = {}
        for flag in ("before_last_doses", "appointment"):
            value = raw.get(flag, False)
            if not isinstance(value, bool):
                value = self.report(self.fail("must be true or false", step=step_id, field=flag), False)
            flags[flag] = value
        caregiver = self.strings(raw, "caregiver", step=step_id)
        for part in caregiver:
            if part not in CAREGIVER_PARTS:
                choices = ", ".join(f'"{name}"' for name in CAREGIVER_PARTS)
                problem = self.fail(f"'{part}' is not one of {choices}", step=step_id, field="caregiver")
                self.report(problem, None)
        until = raw.get("until")
        detail = " ".join(self.string(raw, "detail", step=step_id).split())
        translations = {}
        for language, texts in self.translations(
            raw, {"title": title, "detail": detail, "items": items}, step=step_id
        ).items():
            if len(str(texts.get("title", ""))) > TITLE_MAX:
                self.report(
                    self.fail(
                        f"keep titles to {TITLE_MAX} characters", step=step_id, field=f"{language}.title"
                    ),
                    None,
                )
            if "title" in texts and "detail" in texts:
                found_items = texts.get("items", ())
                translations[language] = StepText(
                    str(texts["title"]),
                    str(texts["detail"]),
                    found_items if isinstance(found_items, tuple) else (),
                )
        return StepSpec(
            id=step_id,
            title=title,
            detail=detail,
            category=category,
            when=self.rule(raw.get("when"), step_id, "when"),
            until=None if until is None else self.rule(until, step_id, "until"),
            minutes=self.integer(raw, "minutes", 1, MAX_MINUTES, step=step_id, default=15),
            sources=self.source_refs(raw, step_id),
            actionable=actionable,
            items=items,
            fasting=fasting,
            intake=intake,
            before_last_doses=flags["before_last_doses"],
            appointment=flags["appointment"],
            caregiver=tuple(part for part in CAREGIVER_PARTS if part in caregiver),
            translations=translations,
        )

    def _read_sign(self, raw: Mapping[str, Any], index: int) -> WarningSign:
        sign_id = self._entry_id(raw, "warning_signs", index)
        self.no_unknown_keys(raw, _SIGN_KEYS, step=sign_id)
        given = raw.get("level")
        level: Literal["call", "emergency"] = "emergency" if given == "emergency" else "call"
        if given not in ("call", "emergency"):
            self.report(self.fail('must be "call" or "emergency"', step=sign_id, field="level"), None)
        text = " ".join(self.string(raw, "text", step=sign_id).split())
        translated = self.translations(raw, {"text": text}, step=sign_id)
        return WarningSign(
            id=sign_id,
            text=text,
            level=level,
            sources=self.source_refs(raw, sign_id),
            translations={lang: str(texts["text"]) for lang, texts in translated.items() if "text" in texts},
        )


def protocol_in_language(protocol: Protocol, language: str) -> Protocol:
    """*protocol* with its words in *language*, or a ``ChecklistError`` naming what has no words in it."""
    missing = protocol.missing_words(language)
    if missing:
        shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        raise ChecklistError(
            protocol.file,
            f"has no {language_name(language)} words for {shown}. Write them beside the "
            f'English (such as {language}.title = "..."; see docs/protocols.md), or use --lang en.',
        )
    return protocol.in_language(language)
