"""Fuzzing the readers of hand-made files: CSV rosters, protocol files and clinic settings files.

Whatever a clinic hands kyphoprep (random bytes, random text, the real files with keys dropped,
values of the wrong type, huge or negative numbers, control characters, deep nesting, very long
strings, repeated ids, unknown keys; rosters with missing or extra columns, odd quoting, byte-order
marks, NUL bytes, mixed line ends and the wrong encoding), each reader either returns a valid result
or raises a documented ``KyphoprepError`` whose message is one non-empty line. Any other exception
(KeyError, TypeError, ValueError, RecursionError, UnicodeError, ...) fails the test. The command
line is fuzzed once per reader as well: the exit code is 0 or a documented one, every error is one
line on stderr, and there is never a traceback.

Each test runs a fixed number of examples, chosen so that the whole file takes under about a minute
on a 2-core machine. For a long fuzzing session, set the number of examples per test with
``KYPHOPREP_FUZZ_EXAMPLES`` and let Hypothesis pick new examples on every run (the default "ci"
profile is derandomized: every run tries the same ones)::

    KYPHOPREP_FUZZ_EXAMPLES=20000 HYPOTHESIS_PROFILE=long \\
        python -m pytest -p no:cacheprovider -x tests/test_fuzz.py

(10000 examples per test took about 22 minutes on 2 cores; HYPOTHESIS_PROFILE alone does not change
the number of examples here.) Add ``--hypothesis-seed=N`` to repeat a session,
``--hypothesis-show-statistics`` to see how often each reader read or refused and where the time
goes, and ``-k roster`` (or ``protocol``, ``config``, ``catalogue``, ``cli``) to fuzz one reader.
A failure prints the smallest input Hypothesis found; add it as an ``@example`` before fixing it.
"""

from __future__ import annotations

import codecs
import copy
import csv
import io
import itertools
import math
import os
import shutil
import tomllib
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal, TypeVar

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from kyphoprep.batch.runner import BatchJob, RowResult, check_ids, plan_rows
from kyphoprep.cli.app import app
from kyphoprep.core.models import FASTING_RULES, Protocol
from kyphoprep.data.catalogue import parse_catalogue_text
from kyphoprep.data.clinic_file import (
    ARRIVE_RANGE,
    REMINDER_RANGE,
    ClinicConfig,
    load_config,
    parse_config_text,
)
from kyphoprep.data.protocols import (
    check_protocol_text,
    examine_protocol_file,
    load_protocol_file,
    parse_protocol_text,
)
from kyphoprep.data.settings import Overrides, resolve_settings
from kyphoprep.errors import ChecklistError, ConfigError, InputError, KyphoprepError, RowError
from kyphoprep.i18n.languages import CODES
from kyphoprep.io.roster import COLUMNS, MAX_FIELD, Roster, RosterRow

T = TypeVar("T")

ROOT = Path(__file__).parent.parent
CHECKLISTS = ROOT / "checklists"
PROTOCOL_FILES = ("kyphoplasty.toml", "vertebroplasty.toml")
PROTOCOL_TEXTS = {name: (CHECKLISTS / name).read_text(encoding="utf-8") for name in PROTOCOL_FILES}
PROTOCOL_DATA = {name: tomllib.loads(text) for name, text in PROTOCOL_TEXTS.items()}
CATALOGUE_TEXT = (CHECKLISTS / "medications.toml").read_text(encoding="utf-8")
CATALOGUE_DATA = tomllib.loads(CATALOGUE_TEXT)
CLINIC_TEXT = (ROOT / "tests" / "data" / "clinic.toml").read_text(encoding="utf-8")
CLINIC_DATA = tomllib.loads(CLINIC_TEXT)
WHEN = "2026-12-03 07:30"
TODAY = "2026-11-21"


# --- how long the fuzzing runs ------------------------------------------------------------------------


def _examples_from_environment() -> int | None:
    raw = os.environ.get("KYPHOPREP_FUZZ_EXAMPLES", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise pytest.UsageError(f"KYPHOPREP_FUZZ_EXAMPLES must be a whole number of examples, not {raw!r}")
    return int(raw)


FUZZ_EXAMPLES = _examples_from_environment()


def fuzz(ci_examples: int) -> settings:
    """Settings for one fuzz test: *ci_examples* by default, else KYPHOPREP_FUZZ_EXAMPLES; no deadline."""
    return settings(
        max_examples=FUZZ_EXAMPLES or ci_examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
            # The CLI runner and the session's temporary folder are the same for every example.
            HealthCheck.function_scoped_fixture,
        ],
    )


# --- the property ----------------------------------------------------------------------------------


def assert_one_line(error: BaseException, expected: tuple[type[KyphoprepError], ...]) -> None:
    """*error* is one of the documented kyphoprep errors, and its message is one non-empty line."""
    assert isinstance(error, expected), f"{type(error).__name__} is not one of {expected}: {error}"
    message = str(error)
    assert message.strip(), f"{type(error).__name__} with an empty message"
    assert message.splitlines() == [message], f"message is not one line: {message!r}"
    assert "Traceback" not in message, message


def read_or_refuse(read: Callable[[], T], expected: tuple[type[KyphoprepError], ...]) -> T | None:
    """The result of *read*, or None when it refused with a documented error; anything else propagates."""
    try:
        result = read()
    except KyphoprepError as exc:
        assert_one_line(exc, expected)
        _count(f"refused: {type(exc).__name__}")
        return None
    _count("read")
    return result


def _count(what: str) -> None:
    """How often each reader read or refused, for --hypothesis-show-statistics."""
    if currently_in_test_context():
        event(what)


def check_config(config: ClinicConfig | None) -> None:
    """A settings file that was read has only values within the documented ranges."""
    if config is None:
        return
    assert config.arrive_minutes is None or ARRIVE_RANGE[0] <= config.arrive_minutes <= ARRIVE_RANGE[1]
    assert (
        config.reminder_minutes is None or REMINDER_RANGE[0] <= config.reminder_minutes <= REMINDER_RANGE[1]
    )
    assert config.fasting is None or config.fasting in FASTING_RULES
    assert config.language is None or config.language in CODES
    assert config.discreet_titles is None or isinstance(config.discreet_titles, bool)
    for text in (config.clinic_name, config.clinic_address, config.clinic_phone, config.timezone):
        assert text is None or (isinstance(text, str) and text.strip() and text.splitlines() == [text])
    assert config.procedure is None or (isinstance(config.procedure, str) and config.procedure.strip())


def check_protocol(protocol: Protocol | None) -> None:
    """A protocol that was read has steps, and every step has an id, a title and sources."""
    if protocol is None:
        return
    assert protocol.steps
    assert 5 <= protocol.procedure_minutes <= 600
    ids = [step.id for step in protocol.steps]
    assert len(ids) == len(set(ids))
    for step in protocol.steps:
        assert step.id
        assert step.title
        assert step.sources


def check_protocol_agrees(text: str, file: str) -> None:
    """Loading (stops at the first problem) and checking (lists them all) agree on any text."""
    problems = check_protocol_text(text, file)
    for problem in problems:
        assert_one_line(problem, (ChecklistError,))
    protocol = read_or_refuse(lambda: parse_protocol_text(text, file), (ChecklistError,))
    check_protocol(protocol)
    assert (protocol is None) == bool(problems), [str(p) for p in problems]


# --- writing TOML from Python values --------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Raw:
    """TOML text put in a document as it is (a value no Python object would write)."""

    text: str

    def __repr__(self) -> str:  # the long ones are thousands of digits
        shown = self.text if len(self.text) <= 40 else f"{self.text[:20]}...{self.text[-10:]}"
        return f"Raw({shown!r}, {len(self.text)} characters)"


@dataclass(frozen=True)
class Deep:
    """*depth* nested arrays or inline tables, written without recursion."""

    depth: int
    tables: bool


def toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif (ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(value: object) -> str:
    """*value* as one line of TOML (tables inline)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Deep):
        if value.tables:
            return '{"a" = ' * value.depth + "1" + "}" * value.depth
        return "[" * value.depth + "]" * value.depth
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        # str() refuses ints of more than 4300 digits; TOML takes any number of hex digits.
        return str(value) if value.bit_length() < 10_000 else hex(abs(value))
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    assert isinstance(value, dict), type(value)
    return "{" + ", ".join(f"{toml_string(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(data: dict[str, Any]) -> str:
    return "".join(f"{toml_string(str(key))} = {toml_value(value)}\n" for key, value in data.items())


# --- values that a hand-edited file might hold ----------------------------------------------------

NUMBERS = [0, -1, 1, 4, 5, 59, 60, 61, 366, 367, 600, 601, 1440, 1441, -1440, -1441, 2**31, 2**63 - 1]
NUMBERS += [-(2**63), 2**64, 10**30, -(10**30)]
WORDS = [
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\x1b[31m",
    "\u2028",
    "\ufeff",
    "é",
    "09:00",
    "24:00",
    "9:00",
    "23:59",
    "midnight",
    "asa",
    "call",
    "emergency",
    "procedure",
    "days-before",
    "days-after",
    "midnight-before",
    "before",
    "after",
    "arrival",
    "prepare",
    "medicines",
    "food-and-drink",
    "day-of",
    "after-care",
    "kyphoplasty",
    "Vertebroplasty",
    "America/Chicago",
    "america/chicago",
    "Mars/Olympus",
    "UTC",
    "es",
    "en",
    "fr",
    "seed-000",
    "asra-2018",
    "pack-bag",
    "x.toml",
    "../../etc/passwd.toml",
    "a\x00b.toml",
    "~/clinic.toml",
    "/",
    "stop",
    "keep-taking",
    "24h",
    "A",
    "D",
]
RAW_TOKENS = [
    Raw("9" * 5000),  # more digits than int() takes
    Raw("-" + "9" * 4400),
    Raw("0x" + "f" * 5000),  # read fine, but more digits than Python will turn into a string
    Raw("1979-05-27T07:32:00Z"),
    Raw("1979-05-27"),
    Raw("07:32:00"),
    Raw("1e400"),
    Raw("-0.0"),
    Raw("'literal \\n'"),
    Raw('"""a\nb"""'),
    Raw("[1, 'a', 2.5, {}]"),
    Raw("{}"),
    Raw("[]"),
]


def _repeat(pair: tuple[str, int]) -> str:
    return pair[0] * pair[1]


plain_scalars = st.one_of(
    st.integers(),
    st.sampled_from(NUMBERS),
    st.floats(),
    st.booleans(),
    st.sampled_from(WORDS),
    st.text(max_size=20),
    st.tuples(st.text(min_size=1, max_size=3), st.integers(40, 70_000)).map(_repeat),  # very long
    st.dates(),
    st.times(),
    st.datetimes(timezones=st.none() | st.just(UTC)),
)
scalars = plain_scalars | st.sampled_from(RAW_TOKENS) | st.builds(Deep, st.integers(1, 600), st.booleans())
KEY_WORDS = ["id", "rule", "days", "hours", "minutes", "at", "title", "es", "source", "x", "", " ", "Id"]


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(KEY_WORDS) | st.text(max_size=8)
    return st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)


def _nested(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(leaves, _containers, max_leaves=8)


values = _nested(scalars)

# --- mutating a real file --------------------------------------------------------------------------

Key = str | int


def _paths(node: object, path: tuple[Key, ...] = ()) -> Iterator[tuple[Key, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _at(node: Any, path: tuple[Key, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def _typo(key: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            key.upper(),
            key.title(),
            key[:-1],
            key + "s",
            key.replace("_", "-"),
            f" {key}",
            key + "x",
            "es." + key,
        ]
    )


MUTATIONS = ("replace", "drop", "add-key", "rename-key", "duplicate", "empty", "retype", "nest")


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], most: int = 4) -> dict[str, Any]:
    """*base* with one to *most* changes: values replaced, keys dropped, added or misspelt, entries copied."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, most))):
        depth = draw(st.integers(1, 5))  # mostly near the top: a key, a whole step, a step's field
        path = draw(st.sampled_from([p for p in _paths(data) if len(p) <= depth]))
        node = _at(data, path)
        parent: Any = _at(data, path[:-1]) if path else None  # a dict or a list where there is a path
        how = draw(st.sampled_from(MUTATIONS))
        if how == "replace" and path:
            parent[path[-1]] = draw(values)
        elif how == "drop" and path:
            del parent[path[-1]]
        elif how == "add-key" and isinstance(node, dict):
            node[draw(st.sampled_from(KEY_WORDS) | st.text(max_size=12))] = draw(values)
        elif how == "rename-key" and isinstance(parent, dict) and isinstance(path[-1], str):
            parent[draw(_typo(path[-1]))] = parent.pop(path[-1])
        elif how == "duplicate" and isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(node))
        elif how == "empty" and path:
            parent[path[-1]] = type(node)() if isinstance(node, dict | list | str) else 0
        elif how == "retype" and path:
            parent[path[-1]] = draw(st.sampled_from([str(node), [node], {"value": node}, None]) | values)
            if parent[path[-1]] is None:
                del parent[path[-1]]
        elif how == "nest" and path:
            parent[path[-1]] = draw(st.builds(Deep, st.integers(1, 600), st.booleans()))
    return data


@st.composite
def edited_lines(draw: st.DrawFn, text: str, most: int = 4) -> str:
    """*text* with lines dropped, repeated, swapped, cut short or given another value, and new line ends."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, most))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "repeat", "swap", "cut", "value", "insert", "indent"]))
        if how == "drop":
            del lines[index]
        elif how == "repeat":
            lines.insert(index, lines[index])
        elif how == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif how == "cut":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
        elif how == "value" and "=" in lines[index]:
            lines[index] = lines[index].split("=", 1)[0] + "= " + toml_value(draw(values))
        elif how == "insert":
            lines.insert(index, draw(st.sampled_from(TOML_LINES) | st.text(max_size=30)))
        elif how == "indent":
            lines[index] = draw(st.sampled_from(["  ", "\t", "\ufeff", "#"])) + lines[index]
    newline = draw(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "mixed"]))
    if newline == "mixed":
        return "".join(line + ("\r\n" if n % 2 else "\n") for n, line in enumerate(lines))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


TOML_LINES = [
    "[clinic]",
    "[defaults]",
    "[sources]",
    "[[steps]]",
    "[[warning_signs]]",
    "[[medicines]]",
    "[[medicines.forms]]",
    "[clinic.name]",
    "[defaults.defaults]",
    "[[clinic]]",
    "[",
    "[]",
    "[[]]",
    'id = "one"',
    'id = "pack-bag"',
    "format = 1",
    "format = 2",
    'rule = "procedure"',
    'when = { rule = "days-before", days = 7, at = "09:00" }',
    'when = { rule = "arrival", minutes = -1441 }',
    'until = { rule = "midnight-before" }',
    'source = ["seed-000"]',
    'source = "nope"',
    'es.title = "Título"',
    "es = 1",
    'name = "Lakeside"',
    'phone = "555-0100"',
    'timezone = "America/Chicago"',
    'fasting = "asa"',
    "arrive_minutes = 60",
    "arrive_minutes = -60",
    "reminder_minutes = 99999999999999999999999",
    "discreet_titles = yes",
    'language = "es"',
    'procedure = "vertebroplasty"',
    'procedure = "missing/protocol.toml"',
    'detail = """',
    '"""',
    "a.b.c = 1",
    '"" = ""',
    "x = " + "[" * 400 + "]" * 400,
    "x = " + '{"a" = ' * 400 + "1" + "}" * 400,
    "x = " + "9" * 5000,
    "x = 0x" + "f" * 5000,
    "\x00",
    "\x7f = 1",
]

tomlish_text = st.lists(st.sampled_from(TOML_LINES) | st.text(max_size=40), max_size=12).map("\n".join)
any_text = st.text() | tomlish_text


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252", "shift_jis"]
text_as_bytes = st.builds(encoded, any_text, st.sampled_from(ENCODINGS))


# --- settings files ----------------------------------------------------------------------------------


@fuzz(300)
@given(any_text)
@example("[defaults]\nfasting = " + "9" * 5000)
@example("[defaults]\nfasting = 0x" + "f" * 5000)
@example("[clinic]\nname = " + "[" * 600 + "]" * 600)
@example('[defaults]\nfasting = "a\\nb"')
@example('[defaults]\ntimezone = "Mars/\\nOlympus"')
@example('[clinic]\n"na\\nme" = "x"')
def test_config_reader_any_text(text: str) -> None:
    """Any text as a settings file is either read into values within the documented ranges or refused with
    one ConfigError line, never another exception."""
    check_config(read_or_refuse(lambda: parse_config_text(text, "clinic.toml"), (ConfigError,)))


@fuzz(150)
@given(st.binary() | text_as_bytes)
@example(codecs.BOM_UTF8 + CLINIC_TEXT.encode())
@example(CLINIC_TEXT.encode("utf-16"))
@example(b"\xff\xfe\x00")
@example(b"[clinic]\nname = '" + b"x" * (64 * 1024) + b"'")
def test_config_reader_any_file(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """Any bytes as a settings file on disk (other encodings, byte-order marks, oversize) are read or
    refused with one ConfigError line, never a decoding error."""
    path = tmp_path_factory.getbasetemp() / "fuzz-clinic.toml"
    path.write_bytes(data)
    check_config(read_or_refuse(lambda: load_config(str(path)), (ConfigError,)))


@fuzz(300)
@given(mutated(CLINIC_DATA) | mutated({}) | st.dictionaries(st.sampled_from(["clinic", "defaults"]), values))
def test_config_reader_mutated_settings(data: dict[str, Any]) -> None:
    """A real settings file with keys dropped, misspelt or added and values of the wrong type is read
    within range or refused in one line."""
    text = toml_document(data)
    check_config(read_or_refuse(lambda: parse_config_text(text, "clinic.toml", base=ROOT), (ConfigError,)))


@fuzz(200)
@given(edited_lines(CLINIC_TEXT))
def test_config_reader_edited_settings(text: str) -> None:
    """A real settings file with lines cut, copied or broken by hand is read within range or refused in one
    line, as a clinic's own edits might leave it."""
    check_config(read_or_refuse(lambda: parse_config_text(text, "clinic.toml"), (ConfigError,)))


# --- protocol files ------------------------------------------------------------------------------------


@fuzz(300)
@given(any_text)
@example("x = " + "[" * 600 + "]" * 600)
@example("format = " + "9" * 5000)
@example('format = 1\nid = "a\\nb"')
def test_protocol_reader_any_text(text: str) -> None:
    """For any text, loading a protocol (which stops at the first problem) and checking it (which lists
    them all) agree, and every problem is one line."""
    check_protocol_agrees(text, "clinic.toml")


@fuzz(150)
@given(st.binary() | text_as_bytes)
@example(PROTOCOL_TEXTS["kyphoplasty.toml"].encode("utf-16"))
@example(codecs.BOM_UTF8 + PROTOCOL_TEXTS["vertebroplasty.toml"].encode())
def test_protocol_reader_any_file(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """Any bytes as a protocol file are loaded or refused with one ChecklistError line, and ``protocols
    check`` finds problems exactly when loading refuses."""
    path = tmp_path_factory.getbasetemp() / "fuzz-protocol.toml"
    path.write_bytes(data)
    protocol = read_or_refuse(lambda: load_protocol_file(str(path)), (ChecklistError,))
    check_protocol(protocol)
    examined = examine_protocol_file(str(path))
    for problem in examined.problems:
        assert_one_line(problem, (ChecklistError,))
    assert (examined.protocol is None) == (protocol is None)


@fuzz(300)
@given(st.sampled_from(PROTOCOL_FILES).flatmap(lambda name: mutated(PROTOCOL_DATA[name])))
def test_protocol_reader_mutated_protocols(data: dict[str, Any]) -> None:
    """The built-in protocols with keys and values changed are loaded and checked consistently, each
    problem in one line."""
    check_protocol_agrees(toml_document(data), "clinic.toml")


@fuzz(200)
@given(st.sampled_from(PROTOCOL_FILES).flatmap(lambda name: edited_lines(PROTOCOL_TEXTS[name])))
def test_protocol_reader_edited_protocols(text: str) -> None:
    """The built-in protocol files with lines cut, copied or broken are loaded and checked consistently,
    each problem in one line."""
    check_protocol_agrees(text, "clinic.toml")


def _few_medicines(data: dict[str, Any], keep: list[int]) -> dict[str, Any]:
    medicines = data["medicines"]
    return {**data, "medicines": [medicines[i % len(medicines)] for i in keep]}


@fuzz(150)
@given(
    st.lists(st.integers(0, 200), min_size=1, max_size=4).flatmap(
        lambda keep: mutated(_few_medicines(CATALOGUE_DATA, keep))
    )
)
def test_catalogue_reader_mutated_catalogue(data: dict[str, Any]) -> None:
    """A medicine catalogue with entries changed is read or refused with one ChecklistError line, never
    another exception."""
    text = toml_document(data)
    read_or_refuse(lambda: parse_catalogue_text(text, "medications.toml"), (ChecklistError,))


# --- rosters ---------------------------------------------------------------------------------------------

# Cells a clinic would write, so that rows are planned ...
GOOD_CELLS: dict[str, list[str]] = {
    "patient_id": ["P-1001", "P-1002", "p-1003", "ﬁle-7", "Ann Lee 1"],
    "when": [WHEN, "Dec 4 2026 8:00am", "2026-12-05T09:00", "3 December 2026 07:30"],
    "tz": ["America/Chicago", "Europe/Berlin", "UTC", "", "Asia/Kolkata", "Pacific/Chatham"],
    "procedure": ["kyphoplasty", "vertebroplasty", "VERTEBROPLASTY", ""],
    "meds": [
        "warfarin=5d",
        "apixaban=3d; metformin",
        "Eliquis",
        "aspirin:secondary",
        "",
        "Tylenol",
        "other:Zarelto=3d",
        "aspirin=continue",
        "heparin:iv",
        "enoxaparin=24h, semaglutide:weekly",
    ],
    "crcl": ["", "50", "30", "200"],
}
GOOD_TEXT = ["Ann Lee", "", "Jörg Müller", "555-0100", "Lakeside Spine Center"]
# ... and cells that are wrong in the ways people get them wrong.
CELLS: dict[str, list[str]] = {
    "patient_id": ["P-1001", "p-1001", "", " ", "CON", "../x", "a" * 100, "P 1", "ﬁle", "é"],
    "when": [
        "2026-12-03",
        "03/04/2027 9:00",
        "13/04/2027 9:00",
        "2026-02-30 07:30",
        "2025-01-01 07:30",
        "2028-01-01 07:30",
        "2026-03-08 02:30",
        "2026-11-01 01:30",
        "2026-11-01 01:30-06:00",
        "2026-12-03 07:30-23:59",
        "2026-12-03T07:30:00Z",
        "2026-12-03 25:00",
        "99999-12-03 07:30",
        "\u0662\u0660\u0662\u0666-\u0661\u0662-\u0660\u0663 \u0660\u0667:\u0663\u0660",  # Arabic-Indic digits
        "tomorrow",
        "2026-12-03 07:30 " + "9" * 400,
        "",
        # Once internal errors (see WHEN_THAT_CRASHED).
        "2026-12-03 07:30+99:00",
        "2026-12-03 07:30 UTC+99",
        "0001-01-01 00:30+05:00",
        "9999-12-31 23:59-05:00",
        "0001-01-01 00:00",
    ],
    "tz": [
        "America/Chicago",
        "Europe/Berlin",
        "UTC",
        "",
        "Mars/Olympus",
        "america/chicago",
        "EST",
        "Etc/GMT+14",
        "Asia/Tokyo",
    ],
    "procedure": ["kyphoplasty", "vertebroplasty", "VERTEBROPLASTY", "sacroplasty", "x.toml", "", "a/b"],
    "meds": [
        "warfarin=5d",
        "apixaban=3d; metformin",
        "Eliquis",
        "aspirin:secondary",
        "enoxaparin",
        "Elliquis",
        "other:Zarelto=3d",
        "warfarin=0d",
        "warfarin=61d",
        "warfarin=99999999999999999999999999d",
        "warfarin=-5d",
        "heparin=1441h",
        "Tylenol",
        ";;",
        "dabigatran",
        "semaglutide:weekly=7d",
        "aspirin=continue",
        "warfarin=5x",
        "=5d",
        "warfarin=",
        ":",
        "other:",
        "other:=3d",
        "warfarin:a:b=1d",
        "warfarin=\uff15d",  # a full-width 5
        "warfarin=\u00b2d",
        "warfarin=1_0d",
        "warfarin=continue=5d",
        "other:other:x",
    ],
    "crcl": ["", "50", "0", "201", "abc", "²", "٣٠", "1e3", "-5", "9" * 5000],
}
TEXT_CELLS = ["Ann Lee", "", "Jörg Müller", "x" * 201, "a\tb", "Ann\x00Lee", "555-0100", "\u202eevil"]
COLUMN_NAMES = [
    *COLUMNS,
    "Patient ID",
    " WHEN ",
    "patient_id ",
    "med",
    "Meds",
    "",
    "when\x00",
    "\ufeffpatient_id",
]


def cell_for(column: str) -> st.SearchStrategy[str]:
    good = st.sampled_from(GOOD_CELLS.get(column, GOOD_TEXT))
    wrong = st.sampled_from(CELLS.get(column, TEXT_CELLS))
    odd = st.text(max_size=20) | st.sampled_from(['"', '""', "a,b", "a\nb", "a\rb", "\x00", "=1+1"])
    kinds = {"good": good, "wrong": wrong, "odd": odd, "long": st.just("x" * (MAX_FIELD + 1))}
    # Mostly good cells: a row is planned only when every cell in it is good.
    return weighted({"good": 24, "wrong": 4, "odd": 2, "long": 1}, kinds)


def weighted(weights: dict[str, int], strategies: dict[str, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """One of *strategies*, picked by *weights* (``st.one_of`` picks each of its strategies equally)."""
    names = [name for name, weight in weights.items() for _ in range(weight)]
    return st.sampled_from(names).flatmap(strategies.__getitem__)


@st.composite
def roster_texts(draw: st.DrawFn) -> str:
    """A CSV roster: real columns in any order (some missing, some extra), cells real or random."""
    if draw(st.integers(0, 3)):  # mostly the real columns, so that rows are read and planned
        columns = ["patient_id", "when", *draw(st.lists(st.sampled_from(COLUMNS[2:]), unique=True))]
        columns = draw(st.permutations(columns))
    else:
        columns = draw(st.lists(st.sampled_from(COLUMN_NAMES) | st.text(max_size=10), max_size=12))
    rows: list[list[str]] = [list(columns)]
    for _ in range(draw(st.integers(0, 6))):
        row = [draw(cell_for(c.strip().lower().replace(" ", "_"))) for c in columns]
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(st.text(max_size=5), max_size=2))
        rows.append(row)
    quoting: Literal[0, 1] = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    text = ""
    for row in rows:
        out = io.StringIO()
        ending = draw(st.sampled_from(["\n", "\r\n", "\r"])) if newline == "mixed" else newline
        csv.writer(out, quoting=quoting, lineterminator=ending).writerow(row)
        text += out.getvalue()
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        # Break it by hand: a stray quote, a NUL, a lone line end, a blank line, a space before a quote.
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + draw(st.sampled_from(['"', "\x00", "\r", "\n", "\n\n", ",", "\ufeff", ' "', '\\"']))
            + text[at:]
        )
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text


roster_bytes = weighted(
    {"text": 12, "bom-twice": 1, "bytes": 1},
    {
        "text": st.builds(encoded, roster_texts(), st.sampled_from(["utf-8"] * 20 + ENCODINGS)),
        "bom-twice": st.builds(lambda text: codecs.BOM_UTF8 * 2 + text.encode(), roster_texts()),
        "bytes": st.binary(max_size=200),
    },
)
GOOD_ROSTER = f"patient_id,name,when,tz,meds,driver\nP-1001,Ann Lee,{WHEN},America/Chicago,warfarin=5d,Tom\n"


def read_roster(stream: io.TextIOWrapper) -> list[RosterRow | RowError] | None:
    """Every row of the roster, each row or error checked; None when the roster itself is refused."""
    roster = read_or_refuse(lambda: Roster(stream, "roster.csv"), (InputError,))
    if roster is None:
        return None
    assert roster.columns
    assert {"patient_id", "when"} <= set(roster.columns) <= set(COLUMNS)
    items: list[RosterRow | RowError] = []
    read_or_refuse(lambda: items.extend(roster.rows()), (InputError,))
    number = 1
    for item in items:
        row = item.row if isinstance(item, RowError) else item.number
        assert row > number
        number = row
        if isinstance(item, RowError):
            assert_one_line(item, (RowError,))
        else:
            assert len(item.cells) == len(roster.columns)
            assert all(len(cell) <= MAX_FIELD for cell in item.cells.values())
    return items


def text_stream(data: bytes) -> io.TextIOWrapper:
    """The roster as ``kyphoprep batch`` reads it (see ``batch.open_roster``)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")


@fuzz(300)
@given(roster_bytes)
@example(b"")
@example(b"\xef\xbb\xbf")
@example(b'patient_id,when\n"P-1\n2",a,b\n')
@example(b"patient_id,when\n\x00,\x00\n")
@example(b"patient_id,when\nP1,\xff\n")
@example(b'patient_id,when\n"' + b"x" * 200_000 + b'",y\n')
@example(GOOD_ROSTER.encode("utf-16"))
def test_roster_reader_any_bytes(data: bytes) -> None:
    """Any bytes as a roster give checked rows and row errors or one InputError line, whatever the quoting,
    NULs, encoding or size."""
    read_roster(text_stream(data))


@pytest.fixture(scope="module")
def plan_roster(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes], list[RowResult]]:
    """Plans for every row of a roster, as ``kyphoprep batch`` makes them (JSON only, in one process)."""
    job = BatchJob(
        settings=resolve_settings(Overrides()),
        out_dir=str(tmp_path_factory.mktemp("fuzz-plans")),
        formats=("json",),
        force=True,
        today=TODAY,
        now=datetime(2026, 11, 21, 12, tzinfo=UTC),
        default_zone="America/Chicago",
    )

    def plan(data: bytes) -> list[RowResult]:
        stream = text_stream(data)
        ids = check_ids(Roster(stream, "roster.csv"))  # the first pass, over the ids
        stream.seek(0)
        return list(plan_rows(Roster(stream, "roster.csv"), job, ids, jobs=1))

    return plan


@fuzz(300)
@given(roster_bytes)
@example(GOOD_ROSTER.encode())
@example(f"patient_id,when,crcl\nP-1,{WHEN},{'9' * 5000}\n".encode())
@example(f"patient_id,when,procedure\nP-1,{WHEN},VERTEBROPLASTY\n".encode())
@example(f'patient_id,when,tz\n"P\n1",{WHEN},"Mars/\nOlympus"\n'.encode())
def test_roster_rows_become_plans_or_row_errors(
    plan_roster: Callable[[bytes], list[RowResult]], data: bytes
) -> None:
    """Each row the reader passes on is planned, or refused with a one-line row error (as batch does)."""
    # A roster that is not CSV (even far down) stops the whole batch with one error, as in the reader.
    for result in read_or_refuse(lambda: plan_roster(data), (InputError,)) or []:
        _count("row refused" if result.error else "row planned")
        if result.error is not None:
            assert result.error.strip()
            assert result.error.splitlines() == [result.error], result.error
        else:
            assert len(result.files) == 1
            assert result.files[0].endswith(".json")


# --- the command line ------------------------------------------------------------------------------------

_fresh = itertools.count()


@pytest.fixture
def cli(runner: CliRunner) -> CliRunner:
    """The shared runner; a bug in kyphoprep raises (KYPHOPREP_DEBUG) so its traceback can be shown."""
    return CliRunner(env={**runner.env, "KYPHOPREP_CONFIG": None, "KYPHOPREP_DEBUG": "1"})


def assert_clean_exit(result: Result, codes: set[int]) -> list[str]:
    """The command ended with a documented code and no traceback; its stderr lines are returned."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        raise AssertionError("".join(traceback.format_exception(*result.exc_info)))
    assert result.exit_code in codes, (result.exit_code, result.stderr)
    _count(f"exit {result.exit_code}")
    assert "Traceback" not in result.stderr
    assert "internal problem" not in result.stderr
    lines = result.stderr.split("\n")
    assert lines[-1] == "", repr(result.stderr)
    return lines[:-1]


def assert_error_lines(lines: list[str], exit_code: int) -> None:
    """On failure, exactly one line, the error; on success, no error."""
    errors = [line for line in lines if line.startswith("Error: ")]
    if exit_code == 0:
        assert not errors, lines
    else:
        assert len(errors) == 1 == len(lines), lines
        assert errors[0].removeprefix("Error: ").strip()


def fresh_folder(base: Path) -> Path:
    folder = base / f"run-{next(_fresh)}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@fuzz(100)
@given(roster_bytes, st.booleans())
@example(GOOD_ROSTER.encode(), False)
@example(b"", True)
def test_cli_batch_any_roster(
    cli: CliRunner, tmp_path_factory: pytest.TempPathFactory, data: bytes, from_stdin: bool
) -> None:
    """``kyphoprep batch`` on any roster, from a file or standard input, exits 0, 2 or 6 with one line per
    problem and a summary, and never shows a traceback."""
    folder = fresh_folder(tmp_path_factory.getbasetemp() / "fuzz-batch")
    roster = folder / "roster.csv"
    roster.write_bytes(data)
    args = ["batch", "-" if from_stdin else str(roster), "--out", str(folder / "out"), "--today", TODAY]
    args += ["--format", "json", "--tz", "America/Chicago", "--jobs", "1"]
    result = cli.invoke(app, args, input=data if from_stdin else None)
    # batch --help: 0 every row written; 2 the roster cannot be read; 6 some rows failed.
    lines = assert_clean_exit(result, {0, 2, 6})
    assert result.stdout == ""
    if result.exit_code == 2:
        assert_error_lines(lines, 2)
        return
    # One line per failed row or warning, then the summary, then (exit 6) how many rows failed.
    summary = -2 if result.exit_code == 6 else -1
    assert lines[summary].startswith("Done: "), lines
    assert all(line.startswith(("Error: Row ", "Warning: Row ")) for line in lines[:summary]), lines
    if result.exit_code == 6:
        assert lines[-1].startswith("Error: "), lines
        assert "failed" in lines[-1], lines
        assert any(line.startswith("Error: Row ") for line in lines[:-2]), lines
    else:
        assert not any(line.startswith("Error: ") for line in lines), lines


@fuzz(100)
@given(
    st.one_of(
        st.builds(lambda data: toml_document(data).encode(), mutated(CLINIC_DATA)),
        edited_lines(CLINIC_TEXT).map(str.encode),
        text_as_bytes,
    )
)
@example(CLINIC_TEXT.encode())
@example(b'[defaults]\nprocedure = "a\\u0000b.toml"\n')
def test_cli_plan_any_settings_file(
    cli: CliRunner, tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    """``kyphoprep plan`` with any settings file exits 0, 2 or 4 with each problem in one stderr line and
    no partial output, and never shows a traceback."""
    folder = fresh_folder(tmp_path_factory.getbasetemp() / "fuzz-config")
    config = folder / "clinic.toml"
    config.write_bytes(data)
    args = [
        "plan",
        WHEN,
        "--today",
        TODAY,
        "--config",
        str(config),
        "--format",
        "json",
        "--med",
        "warfarin=5d",
    ]
    result = cli.invoke(app, args)
    # 0 done; 2 bad input (such as a fasting rule the clinic's protocol does not have); 4 settings file error.
    lines = assert_clean_exit(result, {0, 2, 4})
    if result.exit_code == 0:
        assert result.stdout.startswith("{")
        assert all(line.startswith("Warning: ") for line in lines), lines
    else:
        assert result.stdout == ""
        assert_error_lines(lines, result.exit_code)


@fuzz(100)
@given(
    st.one_of(
        st.sampled_from(PROTOCOL_FILES)
        .flatmap(lambda name: mutated(PROTOCOL_DATA[name], most=2))
        .map(lambda data: toml_document(data).encode()),
        st.sampled_from(PROTOCOL_FILES)
        .flatmap(lambda name: edited_lines(PROTOCOL_TEXTS[name], most=2))
        .map(str.encode),
        text_as_bytes,
    )
)
@example(PROTOCOL_TEXTS["kyphoplasty.toml"].encode())
def test_cli_any_protocol_file(cli: CliRunner, tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """``protocols check`` and ``plan --protocol`` agree on whether any protocol file loads (the check also
    refuses contradicting steps), and both end with documented codes and one-line messages."""
    folder = fresh_folder(tmp_path_factory.getbasetemp() / "fuzz-protocol")
    path = folder / "clinic.toml"
    path.write_bytes(data)

    checked = cli.invoke(app, ["protocols", "check", str(path)])
    lines = lines_checked = assert_clean_exit(checked, {0, 4})
    if checked.exit_code == 0:
        assert checked.stdout.startswith(f"{path}: OK")
        assert lines == []
    else:
        assert checked.stdout == ""
        count = len(lines) - 1
        # Problems that stop the file loading, or steps that contradict each other (docs/protocols.md).
        summaries = [
            f"{count} {kind}{'s' if count != 1 else ''} in {path}" for kind in ("problem", "contradiction")
        ]
        assert lines[-1] in summaries, lines
        assert all(line.startswith(str(path)) for line in lines[:-1]), lines

    args = ["plan", WHEN, "--today", TODAY, "--tz", "America/Chicago", "--protocol", str(path)]
    planned = cli.invoke(app, [*args, "--format", "json", "--med", "warfarin=5d", "--fasting", "asa"])
    lines = assert_clean_exit(planned, {0, 2, 4})
    # A file that does not load is refused by both. Steps that contradict each other are refused by
    # the check alone: it plans under every fasting rule and medicine, this plan under one of each.
    contradicts = checked.exit_code == 4 and " contradiction" in lines_checked[-1]
    assert (planned.exit_code == 4) == (checked.exit_code == 4 and not contradicts), planned.stderr
    if planned.exit_code == 0:
        assert planned.stdout.startswith("{")
        assert all(line.startswith("Warning: ") for line in lines), lines
    else:
        assert planned.stdout == ""
        assert_error_lines(lines, planned.exit_code)


# --- the fuzzers' own tools ---------------------------------------------------------------------------------


@fuzz(100)
@given(st.dictionaries(st.text(max_size=8), _nested(plain_scalars), max_size=5))
def test_toml_writer_round_trips(data: dict[str, Any]) -> None:
    """What the mutations write is read back as written, so the readers see the values the fuzzers chose."""
    text = toml_document(data)
    assert toml_document(tomllib.loads(text)) == text


# --- the crashes the fuzzers found, each with the message it gives now ------------------------------------

LONG_NUMBER = "9" * 5000  # int() refuses more than 4300 digits, and tomllib lets its ValueError through
NESTED = "[" * 600 + "]" * 600  # tomllib parses nested arrays by recursion
NESTED_TABLES = '{"a" = ' * 600 + "1" + "}" * 600


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"[defaults]\narrive_minutes = {LONG_NUMBER}\n", "a number with too many digits"),
        (f"[defaults]\nfasting = {NESTED}\n", "arrays or tables nested too deeply"),
        (f"[clinic]\nname = {NESTED_TABLES}\n", "arrays or tables nested too deeply"),
    ],
)
def test_settings_file_tomllib_limits(text: str, reason: str) -> None:
    """Was a ValueError or RecursionError from tomllib (exit 70)."""
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, "clinic.toml")
    assert str(caught.value) == f"clinic.toml: not valid TOML ({reason})."


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"format = {LONG_NUMBER}\n", "a number with too many digits"),
        (f"x = {NESTED}\n", "arrays or tables nested too deeply"),
        (f"x = {NESTED_TABLES}\n", "arrays or tables nested too deeply"),
    ],
)
def test_protocol_file_tomllib_limits(text: str, reason: str) -> None:
    """Was a ValueError or RecursionError from tomllib, in loading, checking and the catalogue alike."""
    expected = f"clinic.toml: not valid TOML ({reason})"
    with pytest.raises(ChecklistError) as caught:
        parse_protocol_text(text, "clinic.toml")
    assert str(caught.value) == expected
    assert [str(p) for p in check_protocol_text(text, "clinic.toml")] == [expected]
    with pytest.raises(ChecklistError) as caught:
        parse_catalogue_text(text, "clinic.toml")
    assert str(caught.value) == expected


def test_settings_value_with_too_many_digits_is_named() -> None:
    """Hex takes any number of digits, but repr() of the value in the message raised ValueError."""
    with pytest.raises(ConfigError) as caught:
        parse_config_text(f"[defaults]\nfasting = 0x{'f' * 5000}\n", "clinic.toml")
    assert str(caught.value) == (
        'clinic.toml, [defaults] fasting: must be "midnight" or "asa", not a number with too many digits.'
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[defaults]\nfasting = "a\\nb"\n',
            'clinic.toml, [defaults] fasting: must be "midnight" or "asa", not "a?b".',
        ),
        (
            '[clinic]\n"na\\nme" = "x"\n',
            (
                "clinic.toml, [clinic] na?me: unknown setting. Did you mean 'name'? [clinic] takes: name, "
                "address, phone."
            ),
        ),
        (
            '"\\r" = []\n',
            "clinic.toml, [?]: unknown table. Use [clinic] and [defaults].",
        ),
        (
            '[defaults]\ntimezone = "Mars/\\u2028Olympus"\n',
            (
                "clinic.toml, [defaults] timezone: Unknown time zone 'Mars/?Olympus'. Use an IANA name "
                "such as America/Chicago."
            ),
        ),
    ],
)
def test_settings_message_quoting_a_line_break_is_one_line(text: str, message: str) -> None:
    """A key or value with a line break in it was quoted as it was: a message of two lines."""
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, "clinic.toml")
    assert str(caught.value) == message


def test_protocol_message_quoting_a_line_break_is_one_line() -> None:
    """A field name or value containing a line break is quoted on one line (the break shown as '?' or an
    escape), so a message never spills into a second line."""
    from tests.protocol_texts import MINIMAL_PROTOCOL

    text = MINIMAL_PROTOCOL + '"\\r" = 1\ncategory = "prepare\\n"\n'.replace("category", "fasting")
    expected = [
        "clinic.toml, step 'one', field '?': unknown field (check the spelling)",
        "clinic.toml, step 'one', field 'fasting': must be \"midnight\" or \"asa\"",
    ]
    assert [str(p) for p in check_protocol_text(text, "clinic.toml")] == expected
    with pytest.raises(ChecklistError) as caught:
        parse_protocol_text(text, "clinic.toml")
    assert str(caught.value) == expected[0]
    assert caught.value.field == "\r"  # the field as written, for placing the problem in the file


def test_roster_row_error_quoting_a_line_break_is_one_line() -> None:
    """A patient id with a line break inside quotes is shown on one line in its row's error, so a clinic's
    log keeps one line per problem."""
    items = read_roster(text_stream(b'patient_id,when\n"P-1\n2",a,b\n'))
    assert [str(item) for item in items or []] == [
        (
            "Row 2 (P-1?2): has 3 cells but the first line names 2 columns. Check for a missing or extra "
            "comma; put a cell with a comma in double quotes."
        )
    ]


@pytest.mark.parametrize(
    ("procedure", "shown"),
    [
        ("~nosuchuser-kyphoprep/clinic.toml", "~nosuchuser-kyphoprep/clinic.toml"),
        ("~a\\u0000b/x.toml", "~a?b/x.toml"),
    ],
)
def test_settings_procedure_in_an_unknown_home_folder(procedure: str, shown: str) -> None:
    """Path.expanduser raised RuntimeError (no such user) or ValueError (a NUL in the name)."""
    with pytest.raises(ConfigError) as caught:
        parse_config_text(f'[defaults]\nprocedure = "{procedure}"\n', "clinic.toml")
    assert str(caught.value) == (
        f'clinic.toml, [defaults] procedure: cannot find the home folder in "{shown}". Give the full path '
        "of the protocol file."
    )


def test_settings_procedure_path_with_a_nul(cli: CliRunner, tmp_path: Path) -> None:
    """Reading the protocol file raised ValueError (embedded null byte) from Path.stat: exit 70."""
    config = tmp_path / "clinic.toml"
    config.write_text('[defaults]\nprocedure = "a\\u0000b.toml"\n', encoding="utf-8")
    result = cli.invoke(app, ["plan", WHEN, "--today", TODAY, "--config", str(config), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr == f"Error: {tmp_path}/a?b.toml: cannot be read (embedded null byte).\n"


# Once crashes outside the readers' files (kyphoprep/io/typed_input.py and
# kyphoprep/core/timing.py): each took a whole batch down with an internal error (exit 70),
# not just its row. Now each is its row's error, and the fuzzers' cells hold them too.
OFFSET_TOO_BIG = (
    "is 24 hours or more; real UTC offsets are from -12:00 to +14:00. Leave the offset out, or check it."
)
YEARS = "is outside the years kyphoprep can plan for (1970 to 9990). Check the year."
CHICAGO = "America/Chicago"
WHEN_THAT_CRASHED = [
    # dateutil reads an offset of 24 hours or more, which datetime.utcoffset() refuses (ValueError).
    ("2026-12-03 07:30+99:00", CHICAGO, f"The offset in '2026-12-03 07:30+99:00' {OFFSET_TOO_BIG}"),
    ("2026-12-03 07:30 UTC+99", CHICAGO, f"The offset in '2026-12-03 07:30 UTC+99' {OFFSET_TOO_BIG}"),
    # parsing._with_offset worked out the typed moment in UTC before year 1 or after 9999 (OverflowError).
    ("0001-01-01 00:30+05:00", CHICAGO, f"The year 1 in '0001-01-01 00:30+05:00' {YEARS}"),
    ("9999-12-31 23:59-05:00", CHICAGO, f"The year 9999 in '9999-12-31 23:59-05:00' {YEARS}"),
    # timing.is_before turned year 1 in a zone east of UTC into UTC (OverflowError).
    ("0001-01-01 00:00", "Asia/Tokyo", f"The year 1 in '0001-01-01 00:00' {YEARS}"),
]


@pytest.mark.parametrize(("when", "zone", "reason"), WHEN_THAT_CRASHED)
def test_roster_when_cell_that_crashes_the_date_parser(
    plan_roster: Callable[[bytes], list[RowResult]], when: str, zone: str, reason: str
) -> None:
    """Refused as its row's error (exit 6 for the batch), before any arithmetic on the moment."""
    [result] = plan_roster(f"patient_id,when,tz\nP-1,{when},{zone}\n".encode())
    assert result.error == f"Row 2 (P-1), column 'when': {reason}"
