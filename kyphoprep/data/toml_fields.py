"""What every reader of kyphoprep's TOML data files shares: typed fields, timing rules, sources.

Protocol files and the medicine catalogue are both data that people edit by
hand, so every problem is raised as a ``ChecklistError`` that names the file,
the entry (step or medicine id) and the field.

A reader made with ``collect=True`` raises nothing for problems in fields: it
records each one in ``problems``, carries on with a placeholder value, and
drops the entry the problem was in, so a clinic sees every mistake in one go.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import time
from pathlib import Path
from typing import Any, TypeVar

from kyphoprep.core.models import (
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
from kyphoprep.errors import ChecklistError, KyphoprepError
from kyphoprep.i18n.languages import TRANSLATED
from kyphoprep.io.text_rules import code_point, control_character, foreign_digit, printable, shows_nothing

T = TypeVar("T")

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# re.ASCII: \d alone also matches fullwidth and Arabic-Indic digits (U+FF10, U+0660), which int() reads.
CLOCK_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$", re.ASCII)
MAX_DAYS = 366
MAX_MINUTES = MAX_DAYS * 24 * 60

# The keys each timing rule takes, besides "rule" itself.
"""Languages whose words a data file may hold beside the English, as ``es.KEY = "..."``."""

RULE_KEYS: dict[str, set[str]] = {
    "days-before": {"days", "at"},
    "days-after": {"days", "at"},
    "midnight-before": set(),
    "before": {"hours", "minutes"},
    "after": {"hours", "minutes"},
    "arrival": {"minutes"},
    "procedure": set(),
}


def size_words(size: int) -> str:
    """A size limit in words: ``64 KiB``, ``1 MiB``."""
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return f"{size >> 20} MiB"
    return f"{size // 1024} KiB"


def read_text_file(
    path: str,
    fail: Callable[[str], KyphoprepError],
    *,
    missing: str,
    folder: str,
    max_bytes: int,
) -> str:
    """The text of a hand-edited file (a UTF-8 byte-order mark is allowed), or ``fail(reason)`` raised.

    *missing* and *folder* are the reasons given when *path* does not exist or is a folder. At most
    *max_bytes* are read: the size on disk is not asked, because a device or a pipe (``/dev/zero``,
    a FIFO) says 0 and never ends.
    """
    file = Path(path)
    try:
        with file.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise fail(f"is larger than {size_words(max_bytes)}; is this the right file?")
    except FileNotFoundError:
        raise fail(missing) from None
    except IsADirectoryError:
        raise fail(folder) from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc}).") from None
    except ValueError as exc:  # a NUL in the path (a settings file's procedure = "...")
        raise fail(f"cannot be read ({exc}).") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail("is not UTF-8 text. Save it as UTF-8.") from None


def load_toml(text: str, file: str) -> dict[str, Any]:
    """The parsed *text* of the data file *file*, or a ``ChecklistError`` saying why it is not TOML."""
    import tomllib  # here: only a file given by the user needs it (the built-in ones are cached)

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(file, f"not valid TOML ({exc})") from None
    except (ValueError, RecursionError) as exc:
        raise ChecklistError(file, f"not valid TOML ({toml_limit(exc)})") from None


MULTILINE_FIELDS = frozenset({"detail", "text", "instruction"})
"""Fields whose whitespace is joined into single spaces, so a line break or tab in them (a TOML
\"\"\"...\"\"\" string) is only layout. Every other text must be one line."""


def toml_limit(exc: ValueError | RecursionError) -> str:
    """Why tomllib gave up on a file without a ``TOMLDecodeError``: what it found too big."""
    if isinstance(exc, RecursionError):
        return "arrays or tables nested too deeply"
    return "a number with too many digits"  # int() refuses more than 4300 digits


class TomlReader:
    """Typed access to parsed TOML, raising ``ChecklistError`` with the place of any problem.

    With *collect*, problems are recorded in ``problems`` instead (see the module docstring).
    """

    def __init__(self, file: str, *, collect: bool = False) -> None:
        self.file = file
        self.collect = collect
        self.problems: list[ChecklistError] = []
        self.sources: dict[str, Source] = {}
        # Citing a source whose citation is broken, or any source when [sources] itself is
        # broken, is not a second mistake, so source_refs does not report it as unknown.
        self.broken_sources: set[str] = set()
        self.sources_broken = False

    def fail(self, message: str, *, step: str | None = None, field: str | None = None) -> ChecklistError:
        error = ChecklistError(self.file, message, step=step, field=field)
        error.args = (printable(str(error)),)  # a key or text quoted from the file may hold a line break
        return error

    def report(self, error: ChecklistError, placeholder: T) -> T:
        """Raise *error*; in collect mode, record it and go on with *placeholder*."""
        if not self.collect:
            raise error
        self.problems.append(error)
        return placeholder

    def check_top_level(self, data: Mapping[str, Any], allowed: set[str], version: int) -> None:
        """Only known top-level keys, and the file format version this reader understands."""
        self.no_unknown_keys(data, allowed)
        if data.get("format") != version:
            self.report(self.fail(f"must be {version}", field="format"), None)

    def read_sources(self, raw: object) -> dict[str, Source]:
        if not isinstance(raw, dict) or not raw:
            self.sources_broken = True
            return self.report(
                self.fail("a table of source keys and citations is required", field="sources"), {}
            )
        sources = {}
        broken: set[str] = set()
        for key, citation in raw.items():
            if not isinstance(citation, str) or not citation.strip():
                broken.add(key)
                self.report(self.fail("each source needs a citation text", field=f"sources.{key}"), None)
                continue
            if not self.plain((key, citation), f"sources.{key}", step=None, multiline=False):
                broken.add(key)
                continue
            sources[key] = Source(key=key, citation=citation.strip())
        self.broken_sources = broken
        return sources

    def read_list(
        self, data: Mapping[str, Any], key: str, read_one: Callable[[Mapping[str, Any], int], T]
    ) -> list[T]:
        """Each table of the array *key*; in collect mode, an entry with a problem is left out."""
        raw = data.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            return self.report(self.fail("must be an array of tables ([[...]])", field=key), [])
        if not self.collect:
            return [read_one(item, index) for index, item in enumerate(raw, start=1)]
        entries = []
        for index, item in enumerate(raw, start=1):
            known = len(self.problems)
            try:
                entry = read_one(item, index)
            except ChecklistError as exc:
                # A check that cannot go on (in collect mode too) stops only this entry.
                self.report(exc, None)
                continue
            if len(self.problems) == known:
                entries.append(entry)
        return entries

    def rule(self, raw: object, step: str, field: str) -> TimingRule:
        """A timing rule table such as ``{ rule = "days-before", days = 7, at = "09:00" }``."""
        placeholder = ProcedureStart()  # stands in for a broken rule in collect mode
        if not isinstance(raw, dict):
            return self.report(
                self.fail(
                    'must be a table such as { rule = "days-before", days = 7, at = "09:00" }',
                    step=step,
                    field=field,
                ),
                placeholder,
            )
        name = raw.get("rule")
        if not isinstance(name, str) or name not in RULE_KEYS:
            return self.report(
                self.fail(f"rule must be one of: {', '.join(RULE_KEYS)}", step=step, field=f"{field}.rule"),
                placeholder,
            )
        for extra in sorted(set(raw) - RULE_KEYS[name] - {"rule"}):
            self.report(
                self.fail(f"'{extra}' does not belong to rule '{name}'", step=step, field=f"{field}.{extra}"),
                None,
            )
        if name in ("days-before", "days-after"):
            days = self.integer(raw, "days", 0, MAX_DAYS, step=step, prefix=field)
            at = self.clock(raw, "at", step=step, prefix=field)
            return DaysBefore(days, at) if name == "days-before" else DaysAfter(days, at)
        if name in ("before", "after"):
            if ("hours" in raw) == ("minutes" in raw):
                return self.report(
                    self.fail("give either hours or minutes", step=step, field=field), placeholder
                )
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
            return self.report(self.fail("give at least one source key", step=step, field="source"), ())
        for ref in refs:
            if ref not in self.sources and not self.sources_broken and ref not in self.broken_sources:
                self.report(
                    self.fail(f"unknown source '{ref}' (add it to [sources])", step=step, field="source"),
                    None,
                )
        return tuple(self.sources[r] for r in refs if r in self.sources)

    # -- scalars ----------------------------------------------------------------

    def entry_id(self, raw: Mapping[str, Any], where: str) -> str:
        entry_id = raw.get("id")
        if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
            # In collect mode the entry's other problems are then reported under *where*.
            return self.report(
                self.fail("needs an id of lower-case letters, digits and '-'", step=where, field="id"), where
            )
        return entry_id

    def translations(
        self, raw: Mapping[str, Any], english: Mapping[str, str | tuple[str, ...]], *, step: str | None = None
    ) -> dict[str, dict[str, str | tuple[str, ...]]]:
        """The words in other languages written beside the English ones: ``es.title = "..."``.

        *english* holds the keys that may be translated, with their English value
        (a list must keep its length). Whitespace is collapsed as in the English.
        """
        found: dict[str, dict[str, str | tuple[str, ...]]] = {}
        for language in TRANSLATED:
            if language not in raw:
                continue
            table = raw[language]
            example = f'{language}.{next(iter(english))} = "..."'
            if not isinstance(table, dict):
                self.report(
                    self.fail(f"must hold translated texts, such as {example}", step=step, field=language),
                    None,
                )
                continue
            texts: dict[str, str | tuple[str, ...]] = {}
            for key, value in table.items():
                field = f"{language}.{key}"
                if key not in english:
                    allowed = ", ".join(f"{language}.{k}" for k in english)
                    self.report(
                        self.fail(f"unknown field; a translation may have {allowed}", step=step, field=field),
                        None,
                    )
                elif isinstance(english[key], tuple):
                    if not isinstance(value, list) or not all(
                        isinstance(v, str) and v.strip() for v in value
                    ):
                        self.report(
                            self.fail("must be a list of non-empty strings", step=step, field=field), None
                        )
                    elif len(value) != len(english[key]):
                        self.report(
                            self.fail(
                                f"must have {len(english[key])} items, one for each English item",
                                step=step,
                                field=field,
                            ),
                            None,
                        )
                    elif self.plain(tuple(value), field, step=step, multiline=False):
                        texts[key] = tuple(" ".join(v.split()) for v in value)
                elif not isinstance(value, str) or not value.strip():
                    self.report(self.fail("must be a non-empty string", step=step, field=field), None)
                elif self.plain((value,), field, step=step, multiline=key in MULTILINE_FIELDS):
                    texts[key] = " ".join(value.split())
            found[language] = texts
        return found

    def no_unknown_keys(self, raw: Mapping[str, Any], allowed: set[str], *, step: str | None = None) -> None:
        for unknown in sorted(set(raw) - allowed):
            self.report(self.fail("unknown field (check the spelling)", step=step, field=unknown), None)

    def plain(self, texts: tuple[str, ...], field: str, *, step: str | None, multiline: bool) -> bool:
        """Whether *texts* hold no control character; if one does, it is reported for *field*.

        Such a character would reach the handouts and the calendar file as it is: an ESC
        rewrites the terminal, a line break starts a new line in a title or a calendar property.
        """
        found = next((c for t in texts if (c := control_character(t, multiline=multiline))), None)
        if found is None:
            return True
        code = code_point(found)
        reason = (
            f"contains the control character {code}; remove it (line breaks are fine here)."
            if multiline
            else f"contains a line break or control character ({code}); write it on one line."
        )
        self.report(self.fail(reason, step=step, field=field), None)
        return False

    def string(self, raw: Mapping[str, Any], key: str, *, step: str | None = None) -> str:
        value = raw.get(key)
        # A title of only joiners or combining marks would print as nothing: it is as good as empty.
        if not isinstance(value, str) or not value.strip() or shows_nothing(value):
            return self.report(self.fail("must be a non-empty string", step=step, field=key), "")
        if not self.plain((value,), key, step=step, multiline=key in MULTILINE_FIELDS):
            return ""
        return value.strip()

    def strings(self, raw: Mapping[str, Any], key: str, *, step: str | None = None) -> tuple[str, ...]:
        """An optional list of non-empty strings (empty when absent), each on one line."""
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return self.report(self.fail("must be a list of non-empty strings", step=step, field=key), ())
        if not self.plain(tuple(value), key, step=step, multiline=False):
            return ()
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
            return self.report(self.fail("must be a whole number", step=step, field=field), low)
        if not low <= value <= high:
            return self.report(self.fail(f"must be between {low} and {high}", step=step, field=field), low)
        return value

    def clock(
        self, raw: Mapping[str, Any], key: str, *, step: str | None = None, prefix: str | None = None
    ) -> time:
        field = f"{prefix}.{key}" if prefix else key
        value = raw.get(key)
        digit = foreign_digit(value) if isinstance(value, str) else None
        if digit is not None:
            return self.report(
                self.fail(
                    f"has the digit {digit} ({code_point(digit)}); "
                    'write the time with the digits 0-9, such as "09:00"',
                    step=step,
                    field=field,
                ),
                time(0, 0),
            )
        if not isinstance(value, str) or not CLOCK_PATTERN.match(value):
            return self.report(
                self.fail('must be a 24-hour clock time such as "09:00"', step=step, field=field), time(0, 0)
            )
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
