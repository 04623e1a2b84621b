"""The bytes a real command line and terminal send: not UTF-8, or UTF-8 in a locale that says ASCII.

Run as the installed command in a subprocess, because Python decodes the command line and
sets up standard output from the locale before kyphoprep runs: in-process tests see neither.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.child_env import coverage_env

TODAY = "2026-11-21"
PLAN = [b"plan", b"2026-12-03 07:30", b"--tz", b"America/Chicago", b"--today", TODAY.encode()]
UTF8_LOCALE = {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
# The C locale without UTF-8 mode: Python would read and write ASCII.
C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
NOT_UTF8 = (
    "is not UTF-8 text. Set your terminal (or script) to UTF-8, such as LANG=en_US.UTF-8, and type it again."
)


def kyphoprep_command() -> list[str]:
    script = Path(sys.executable).parent / "kyphoprep"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kyphoprep"]


def run(args: list[bytes], locale: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "TZ": "America/Chicago",
        **coverage_env(),
        **locale,
    }
    command = [os.fsencode(part) for part in kyphoprep_command()]
    return subprocess.run([*command, *args], capture_output=True, env=env, cwd=cwd, check=False)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        (b"--facility", b"Caf\xe9"),  # Latin-1
        (b"--patient", b"Ann\xffLee"),
        (b"--driver", b"Tom\xe9"),
        (b"--plan-id", b"MRN\xa01"),
        (b"--address", b"1 Stra\xdfe"),
    ],
)
def test_an_option_that_is_not_utf8_is_refused_in_one_line(
    tmp_path: Path, option: bytes, value: bytes
) -> None:
    """Any text option given bytes that are not UTF-8 (Latin-1 from an old terminal) is refused with exit 2
    in one line naming the option, and no plan is printed."""
    result = run([*PLAN, option, value, b"--format", b"text"], UTF8_LOCALE, tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode("utf-8") == f"Error: {option.decode()} {NOT_UTF8}\n"
    assert result.stdout == b""


def test_the_c_locale_reads_utf8_names_and_writes_utf8(tmp_path: Path) -> None:
    """In the C locale 'José' arrives as undecoded bytes; they are UTF-8, so the name is read."""
    result = run(
        [*PLAN, b"--lang", b"es", b"--patient", "José Núñez".encode(), b"--format", b"text"],
        C_LOCALE,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert "José Núñez" in text
    assert "cifoplastia" in text


def test_the_c_locale_says_a_spanish_error_in_utf8(tmp_path: Path) -> None:
    """In the C locale a Spanish error message is still written in full as UTF-8, rather than failing on
    its accented letters."""
    result = run([*PLAN, b"--lang", b"es", b"--med", b"warfarin=", b"--format", b"text"], C_LOCALE, tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode("utf-8") == (
        "Error: --med 'warfarin=': falta el tiempo después del '='. "
        "Ejemplo: warfarin=5d (5 días) o warfarin=24h (24 horas).\n"
    )


def test_the_c_locale_refuses_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    """In the C locale, bytes that are not UTF-8 in an option are refused with the same one-line message as
    under a UTF-8 locale."""
    result = run([*PLAN, b"--patient", b"Ann\xe9", b"--format", b"text"], C_LOCALE, tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode("utf-8") == f"Error: --patient {NOT_UTF8}\n"
