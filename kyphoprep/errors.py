"""The one exception hierarchy of kyphoprep.

Every error a person can cause carries its exit code on its class. The CLI turns
any of them into a single line on stderr in one place (``cli.reported_errors``), so
no bad input ever shows a traceback. Messages say what is wrong and how to fix
it, and never include more patient data than the person typed in that option.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Self

from kyphoprep.i18n.languages import SOURCE_LANGUAGE
from kyphoprep.io.text_rules import printable

DONE_EXIT = 0
BROKEN_PIPE_EXIT = 1
"""Exit code when the program reading the output stopped reading (``| head``, ``| true``): the
same as click, which typer runs on, gives in that case. Nothing is printed."""
INPUT_ENDED_EXIT = 1
"""Exit code when guided mode's input ended before the last question (Ctrl+D)."""
USAGE_EXIT = 2
"""Exit code of a usage error (an unknown option or command, a bad option value): click's."""
STOPPED_EXIT = 130
"""Exit code after Ctrl+C, SIGTERM or SIGHUP: 128 + SIGINT, as shells report an interrupted program."""

_OTHER_MEANINGS = {
    DONE_EXIT: "done",
    BROKEN_PIPE_EXIT: "input ended before the last question (start)",
    USAGE_EXIT: "usage error (an unknown option or a bad value)",
    STOPPED_EXIT: "stopped (Ctrl+C)",
}


class KyphoprepError(Exception):
    """Base class for every error kyphoprep reports to a person. Not raised directly.

    An error made with ``keyed`` also knows its message key in ``checklists/messages.toml``,
    so it can be said in the plan's language (``in_language``); others are English only.
    """

    exit_code: int = 1
    meaning: ClassVar[str] = ""
    """What this exit code means, for the list in ``--help`` (see ``exit_codes_help``)."""
    key: str | None = None
    fields: dict[str, Any] = {}  # noqa: RUF012  (replaced, never changed, on each keyed error)

    @classmethod
    def keyed(cls, key: str, **fields: Any) -> Self:
        """The error whose words are message *key* (English text, any language on request)."""
        from kyphoprep.i18n.words import words_for

        error = cls(words_for("en").fill(key, fields))
        error.key, error.fields = key, fields
        return error

    def in_language(self, language: str) -> str:
        """The message in *language* when it has words there, else as raised (English)."""
        if self.key is None or language == SOURCE_LANGUAGE:
            return str(self)
        from kyphoprep.i18n.words import words_for

        return words_for(language).fill(self.key, self.fields)


class NoMatchError(KyphoprepError):
    """A lookup (``kyphoprep meds QUERY``) that found nothing, like grep's exit 1."""

    exit_code = 1
    meaning = "nothing found (meds)"


class InputError(KyphoprepError):
    """A date, time, zone, medicine or option that kyphoprep will not guess about."""

    exit_code = 2
    meaning = "bad input"


class MissingPartError(KyphoprepError):
    """An optional part kyphoprep needs for what was asked is not installed (WeasyPrint for PDF)."""

    exit_code = 2
    meaning = "an optional part is not installed (PDF: pip install 'kyphoprep[pdf]')"


class WarningsError(KyphoprepError):
    """``--strict``: the plan was written, but it carries warnings someone must act on."""

    exit_code = 3
    meaning = "plan written with warnings (--strict)"


class ChecklistError(KyphoprepError):
    """A protocol or catalogue file (``checklists/*.toml``, or a clinic's own) that is malformed."""

    exit_code = 4
    meaning = "error in a protocol or catalogue file"

    def __init__(self, file: str, message: str, *, step: str | None = None, field: str | None = None) -> None:
        self.file = file
        self.step = step
        self.field = field
        where = file
        if step is not None:
            where += f", step '{step}'"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")


class ConfigError(KyphoprepError):
    """A clinic settings file (``--config``, ``KYPHOPREP_CONFIG``) that is missing or malformed."""

    exit_code = 4
    meaning = "error in a clinic settings file"

    def __init__(self, file: str, message: str, *, key: str | None = None) -> None:
        self.file = file
        self.key = key
        super().__init__(f"{file}{'' if key is None else f', {key}'}: {message}")


class OutputError(KyphoprepError):
    """An output file that exists (without --force) or cannot be written."""

    exit_code = 5
    meaning = "output file error"


class RowError(KyphoprepError):
    """A problem with one row of a roster; that row is skipped and the others go on."""

    exit_code = 2  # as any bad input; the batch as a whole then exits 6 (RowsFailedError)

    def __init__(self, row: int, patient_id: str, column: str | None, reason: str) -> None:
        self.row = row
        self.patient_id = patient_id
        self.column = column
        self.reason = reason
        who = f" ({patient_id})" if patient_id else ""
        where = f", column '{column}'" if column else ""
        # A cell quoted in the message (the id, a bad value) may hold a line break: keep it one line.
        self.columns: tuple[str, ...] = () if column is None else (column,)
        """Every column with a problem (several for ``RowError.several``)."""
        super().__init__(printable(f"Row {row}{who}{where}: {reason}"))

    @classmethod
    def several(cls, row: int, patient_id: str, problems: list[tuple[str | None, str]]) -> RowError:
        """Every problem of one row in one message, each with its column, so one run finds them all:
        ``Row 4 (P-104): 3 problems: column 'when': ...; column 'meds': ...; column 'tz': ....``"""
        if len(problems) == 1:
            column, reason = problems[0]
            return cls(row, patient_id, column, reason)
        parts = [
            (f"column '{column}': " if column else "") + reason.rstrip(". ") for column, reason in problems
        ]
        error = cls(row, patient_id, None, f"{len(problems)} problems: {'; '.join(parts)}.")
        error.columns = tuple(dict.fromkeys(column for column, _ in problems if column))
        return error


class RowsFailedError(KyphoprepError):
    """``kyphoprep batch``: some rows could not be planned; the others were written."""

    exit_code = 6
    meaning = "some roster rows failed (batch), the others were written"


class InternalError(KyphoprepError):
    """A bug in kyphoprep itself; the message asks the person to report it."""

    exit_code = 70  # EX_SOFTWARE from sysexits.h
    meaning = "a bug in kyphoprep, please report it"


def exit_codes() -> dict[int, list[str]]:
    """Every exit code kyphoprep gives, in order, with what each means (from the classes above)."""
    table: dict[int, list[str]] = {}
    pending: list[type[KyphoprepError]] = list(KyphoprepError.__subclasses__())
    while pending:
        cls = pending.pop(0)
        pending.extend(cls.__subclasses__())
        if cls.meaning:
            table.setdefault(cls.exit_code, []).append(cls.meaning)
    for code, text in _OTHER_MEANINGS.items():
        table.setdefault(code, []).append(text)
    return dict(sorted(table.items()))


def exit_codes_help(meanings: Mapping[int, str] | None = None, *, leave_out: Iterable[int] = ()) -> str:
    """The one-paragraph list of exit codes that ``--help`` shows, made from ``exit_codes``.

    A command may say what a code means for it (*meanings*) and leave out codes it never gives.
    """
    said = dict(meanings or {})
    skipped = set(leave_out)
    parts = [
        f"{code} {said.get(code) or ', or '.join(texts)}"
        for code, texts in exit_codes().items()
        if code not in skipped
    ]
    return "Exit codes: " + "; ".join(parts) + "."
