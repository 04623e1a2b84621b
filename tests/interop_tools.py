"""Read kyphoprep ``.ics`` files with two independent real-world parsers.

* libical (GNOME Evolution) through ``tests/interop/build/libical_utc``
* Mozilla ical.js (Thunderbird) through ``tests/interop/icaljs_utc.mjs``

Both tools print, for every VEVENT, the UTC instants of DTSTART, DTEND and the
first VALARM and the STATUS, resolving TZIDs only against the VTIMEZONEs inside the file.
``tests/interop/setup.sh`` builds/installs them (libical-dev via apt when
root, ``npm ci`` for the pinned ical.js).

Typical use in a test::

    ensure_built()
    ok, reason = interop_available()
    if not ok:
        pytest.skip(reason)
    assert parse_with_libical(path) == parse_with_icaljs(path)
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

INTEROP_DIR = Path(__file__).resolve().parent / "interop"
SETUP_SCRIPT = INTEROP_DIR / "setup.sh"
LIBICAL_BIN = INTEROP_DIR / "build" / "libical_utc"
ICALJS_SCRIPT = INTEROP_DIR / "icaljs_utc.mjs"
ICALJS_PACKAGE = INTEROP_DIR / "node_modules" / "ical.js" / "package.json"

SETUP_TIMEOUT_S = 900.0
PARSE_TIMEOUT_S = 60.0

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class InteropError(RuntimeError):
    """A parser tool failed (non-zero exit) or printed something unexpected.

    ``returncode`` is the tool's exit status (1: parse error, 2: a time could
    not be resolved to a UTC instant, e.g. TZID without VTIMEZONE or a
    floating time; 3: libical's RFC 5546 restriction check failed;
    64: usage), or ``None`` if the tool could not be run.
    """

    def __init__(self, message: str, returncode: int | None = None, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


@dataclass(frozen=True)
class ParsedEvent:
    uid: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    alarm: datetime | None  # aware, UTC
    status: str | None = None  # CONFIRMED, CANCELLED, ... or None without STATUS


_build_lock = threading.Lock()
_build_done = False
_build_error: str | None = None


def ensure_built() -> None:
    """Run ``tests/interop/setup.sh`` once per process (result is cached).

    Raises ``RuntimeError`` carrying the script's output if it fails; later
    calls re-raise the same error without running the script again.
    """
    global _build_done, _build_error
    with _build_lock:
        if not _build_done:
            _build_error = _run_setup()
            _build_done = True
        if _build_error is not None:
            raise RuntimeError(_build_error)


def _run_setup() -> str | None:
    bash = shutil.which("bash")
    if bash is None:
        return "interop setup: bash not found on PATH"
    try:
        proc = subprocess.run(
            [bash, str(SETUP_SCRIPT)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=SETUP_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else ""
        return f"interop setup timed out after {SETUP_TIMEOUT_S:.0f}s:\n{out}"
    except OSError as exc:
        return f"interop setup could not run {SETUP_SCRIPT}: {exc}"
    if proc.returncode != 0:
        return f"interop setup failed (exit {proc.returncode}):\n{proc.stdout}"
    return None


def interop_available() -> tuple[bool, str]:
    """Whether both tools are ready to use; the string says why not.

    Only checks what exists on disk: call ``ensure_built()`` first.
    """
    missing: list[str] = []
    if not LIBICAL_BIN.is_file():
        missing.append(f"libical probe not built ({LIBICAL_BIN})")
    if shutil.which("node") is None:
        missing.append("node not found on PATH")
    if not ICALJS_SCRIPT.is_file():
        missing.append(f"missing {ICALJS_SCRIPT}")
    if not ICALJS_PACKAGE.is_file():
        missing.append(f"ical.js not installed ({ICALJS_PACKAGE.parent})")
    if missing:
        return False, "; ".join(missing) + " -- run tests/interop/setup.sh"
    return True, ""


def parse_with_libical(path: Path) -> list[ParsedEvent]:
    """Events of ``path`` as read by libical."""
    if not LIBICAL_BIN.is_file():
        raise InteropError(f"{LIBICAL_BIN} not built: call ensure_built() first")
    return _run_tool("libical", [str(LIBICAL_BIN), str(path)])


def parse_with_icaljs(path: Path) -> list[ParsedEvent]:
    """Events of ``path`` as read by ical.js."""
    node = shutil.which("node")
    if node is None:
        raise InteropError("node not found on PATH")
    if not ICALJS_PACKAGE.is_file():
        raise InteropError("ical.js not installed: call ensure_built() first")
    return _run_tool("ical.js", [node, str(ICALJS_SCRIPT), str(path)])


def _run_tool(name: str, argv: list[str]) -> list[ParsedEvent]:
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=PARSE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise InteropError(f"{name}: timed out after {PARSE_TIMEOUT_S:.0f}s") from exc
    except OSError as exc:
        raise InteropError(f"{name}: could not run {argv[0]}: {exc}") from exc
    if proc.returncode != 0:
        stderr = proc.stderr.strip()
        raise InteropError(
            f"{name} exited {proc.returncode}: {stderr}",
            returncode=proc.returncode,
            stderr=proc.stderr,
        )
    return _parse_output(name, proc.stdout)


def _parse_time(name: str, text: str, line: str) -> datetime:
    try:
        return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError as exc:
        raise InteropError(f"{name}: bad time {text!r} in output line {line!r}") from exc


def _parse_output(name: str, stdout: str) -> list[ParsedEvent]:
    events: list[ParsedEvent] = []
    for line in stdout.splitlines():
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != 5:
            raise InteropError(f"{name}: unexpected output line {line!r}")
        uid, start, end, alarm, status = fields
        events.append(
            ParsedEvent(
                uid=uid,
                start=_parse_time(name, start, line),
                end=_parse_time(name, end, line),
                alarm=None if alarm == "-" else _parse_time(name, alarm, line),
                status=None if status == "-" else status,
            )
        )
    return events


def require_interop() -> None:
    """Build the parsers; skip the calling test if they cannot be had, but fail in CI (CI set)."""
    import os

    import pytest

    try:
        ensure_built()
        ok, reason = interop_available()
    except RuntimeError as exc:
        ok, reason = False, str(exc)
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"calendar parsers are required in CI: {reason}")
        pytest.skip(reason)
