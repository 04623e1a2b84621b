"""A clinic's roster: a CSV file with one patient per row, read as a stream.

The columns are documented in the README (``patient_id`` and ``when`` are
required; the rest may be left out or left empty). Headers are matched without
regard to case or spaces, a UTF-8 byte-order mark is accepted (spreadsheets
write one), and quoting follows the usual spreadsheet CSV rules. An unknown
column is an error for the whole roster: a misspelt ``meds`` column must never
be silently ignored. Each line, and the whole file (``MAX_BYTES``), is read with a
limit, so a file that never ends is refused rather than read until memory runs out;
a NUL byte means the file is not UTF-8 (it is how UTF-16 reads as UTF-8).

Nothing here writes files; ``kyphoprep.batch.runner`` does that.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from kyphoprep.data.toml_fields import size_words
from kyphoprep.errors import InputError, RowError
from kyphoprep.io.text_rules import code_point, control_character

REQUIRED_COLUMNS = ("patient_id", "when")
OPTIONAL_COLUMNS = ("name", "tz", "procedure", "meds", "driver", "facility", "address", "phone", "crcl")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_FIELD = 4096  # one cell; a longer one is a broken file, not a patient
STEM_MAX = 64
# The whole file: about 600,000 patients at 100 bytes a row. Rows are read as a stream, but the
# first pass keeps every id, so a roster that never ends (/dev/zero, a pipe) must stop somewhere.
MAX_BYTES = 64 * 1024 * 1024
# One line: far past csv's own limit for a cell (131,072 characters), so that limit is met first.
MAX_LINE = 1024 * 1024

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows will not create, whatever the extension.
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One patient's row: its row number as a spreadsheet shows it (the column names are row 1)."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """The cell of *column*, trimmed; empty when the column is absent or blank."""
        return self.cells.get(column, "").strip()

    @property
    def patient_id(self) -> str:
        return self.get("patient_id")


def file_stem(patient_id: str) -> str:
    """A safe file name (without extension) for *patient_id*.

    Only ASCII letters, digits, '.', '_' and '-' survive; anything else (slashes,
    '..', spaces, accents) becomes '_', so no id can point outside the output folder.
    """
    text = unicodedata.normalize("NFKC", patient_id)
    stem = _UNSAFE.sub("_", text).strip("._-")[:STEM_MAX].strip("._-")
    if stem.split(".")[0].upper() in _RESERVED:
        # The '_' must not push the name past STEM_MAX, nor leave it ending in '.' (Windows drops it).
        stem = f"_{stem[: STEM_MAX - 1]}".rstrip("._-")
    return stem


def file_key(stem: str) -> str:
    """Two stems that would be the same file on a case-insensitive disk (Windows, macOS) share a key."""
    return stem.casefold()


def not_utf8(name: str, line: int) -> InputError:
    """The roster *name* is not UTF-8 text: it went wrong near *line*."""
    return InputError(f"{name} is not UTF-8 text (near line {line}). Save it as 'CSV UTF-8' and try again.")


def too_large(name: str) -> InputError:
    """The roster *name* is over ``MAX_BYTES``."""
    return InputError(
        f"{name} is larger than {size_words(MAX_BYTES)}; is this the right file? "
        "Split a longer roster into several files."
    )


class _Lines:
    """The lines of a roster for ``csv.reader``, each read with a limit, and the file's size capped.

    Nothing is read without end: a line, and the whole file, stop at their limits even when
    the file never ends. A NUL is never in a text file: it is how UTF-16 (without its
    byte-order mark, which says what it is) reads as UTF-8.
    """

    def __init__(self, stream: IO[str], name: str) -> None:
        self._stream = stream
        self._name = name
        self._bytes = 0
        self.number = 0
        """The number of the line last read, counting every line of the file from 1."""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._stream.readline(MAX_LINE + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if "\x00" in line:
            raise not_utf8(self._name, self.number)
        self._bytes += len(line) if line.isascii() else len(line.encode("utf-8"))
        if self._bytes > MAX_BYTES:
            raise too_large(self._name)
        if len(line) > MAX_LINE:
            raise InputError(
                f"{self._name}, line {self.number}: longer than {MAX_LINE:,} characters with no line "
                "break; is this the right file?"
            )
        return line


class Roster:
    """Reads a roster from an open text stream, row by row."""

    def __init__(self, stream: IO[str], name: str) -> None:
        self.name = name
        self._lines = _Lines(stream, name)
        self._reader = csv.reader(self._lines, strict=True)
        self.columns = self._read_header()

    def _read_header(self) -> list[str]:
        try:
            header = next(self._reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise self._unreadable(1, exc) from None
        if header is None or not any(cell.strip() for cell in header):
            raise InputError(
                f"{self.name} is empty. The first line must name the columns, such as: "
                "patient_id,name,when,tz,meds,driver"
            )
        columns = [" ".join(cell.split()).lower().replace(" ", "_") for cell in header]
        for index, column in enumerate(columns, start=1):
            if not column:
                raise InputError(f"{self.name}: column {index} has no name in the first line.")
            if column not in COLUMNS:
                close = difflib.get_close_matches(column, COLUMNS, n=1, cutoff=0.6)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                # An invisible character (a second byte-order mark, a zero-width space) shows as
                # '?' in the message; say which it is, or the name would look right.
                hidden = control_character(column)
                if hidden is not None:
                    hint = f" It holds an invisible character ({code_point(hidden)}).{hint}"
                raise InputError(
                    f"{self.name}: unknown column '{column}'.{hint} The columns are: {', '.join(COLUMNS)}."
                )
            if columns.count(column) > 1:
                raise InputError(f"{self.name}: the column '{column}' appears twice.")
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise InputError(
                f"{self.name}: the column{'s' if len(missing) > 1 else ''} "
                f"{' and '.join(repr(c) for c in missing)} {'are' if len(missing) > 1 else 'is'} missing. "
                f"The first line must name them, such as: patient_id,name,when,tz,meds,driver"
            )
        return columns

    def _unreadable(self, line: int, exc: Exception) -> InputError:
        if isinstance(exc, UnicodeDecodeError):
            return not_utf8(self.name, line)
        return InputError(f"{self.name}, line {line}: not valid CSV ({exc}).")

    def rows(self) -> Iterator[RosterRow | RowError]:
        """Each data row, or a ``RowError`` for a row of the wrong shape; blank lines are skipped."""
        width = len(self.columns)
        # Rows are numbered as a spreadsheet numbers them: the column names are
        # row 1, and a cell with a line break in it does not start a new row.
        number = 1
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise self._unreadable(self._reader.line_num, exc) from None
            number += 1
            if not any(cell.strip() for cell in cells):
                continue
            by_column = dict(zip(self.columns, cells, strict=False))
            row = RosterRow(number, by_column)
            if len(cells) != width:
                yield RowError(
                    number,
                    row.patient_id,
                    None,
                    f"has {len(cells)} cells but the first line names {width} columns. "
                    "Check for a missing or extra comma; put a cell with a comma in double quotes.",
                )
                continue
            too_long = next((c for c, v in by_column.items() if len(v) > MAX_FIELD), None)
            if too_long is not None:
                yield RowError(
                    number, row.patient_id[:STEM_MAX], too_long, f"longer than {MAX_FIELD} characters."
                )
                continue
            yield row
