"""Start-up cost of kyphoprep commands against a minimal typer program, in instructions.

Each command runs once under ``valgrind --tool=callgrind`` (Debian package ``valgrind``), which
counts the instructions the process executes. Unlike wall-clock time, the count does not move
with the load of a shared machine, so one run of each is enough and figures from different days
can be compared. The baselines are a one-command typer program, the same program importing
icalendar (for ``--format ics``), and that program's ``--help``. The goal (issue 17) is a ratio
of at most 1.25 for ``plan ... --format text``; the other rows are for reference.

kyphoprep's modules are byte-compiled first, as pip does when it installs a package; with
PYTHONDONTWRITEBYTECODE set, a source checkout would otherwise be compiled on every run.

    python bench/startup_bench.py
"""

from __future__ import annotations

import compileall
import re
import subprocess
import sys
import tempfile
from pathlib import Path

MINIMAL = """\
import typer

app = typer.Typer()


@app.command()
def plan(when: str, tz: str = "UTC", output_format: str = "text") -> None:
    {extra}
    print(when, tz, output_format)


if __name__ == "__main__":
    app()
"""
WHEN = "2026-12-03 07:30"
PLAN = ["plan", WHEN, "--tz", "America/Chicago", "--today", "2026-11-21", "--med", "warfarin=5d"]
GOAL = 1.25


def instructions(command: list[str]) -> int:
    """The instructions *command* executes, counted by callgrind (its own start-up excluded)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind gave no count for {command}:\n{done.stderr}")
    return int(found.group(1))


def main() -> None:
    python = sys.executable
    kyphoprep = [python, "-m", "kyphoprep"]
    package = subprocess.run(
        [python, "-c", "import kyphoprep, os; print(os.path.dirname(kyphoprep.__file__))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    compileall.compile_dir(package, quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "minimal.py"
        plain.write_text(MINIMAL.format(extra="pass"), encoding="utf-8")
        with_ical = Path(folder) / "minimal_ical.py"
        with_ical.write_text(MINIMAL.format(extra="import icalendar  # noqa: F401"), encoding="utf-8")
        for source in (plain, with_ical):
            compileall.compile_file(str(source), quiet=1)
        cases = [
            ("plan --format text", [python, str(plain), WHEN], [*kyphoprep, *PLAN, "--format", "text"]),
            ("plan --format ics", [python, str(with_ical), WHEN], [*kyphoprep, *PLAN, "--format", "ics"]),
            ("plan --format json", [python, str(plain), WHEN], [*kyphoprep, *PLAN, "--format", "json"]),
            ("--help", [python, str(plain), "--help"], [*kyphoprep, "--help"]),
        ]
        print(f"Python {sys.version.split()[0]}; instructions counted by callgrind (millions)")
        print(f"{'case':<22}{'typer baseline':>16}{'kyphoprep':>12}{'ratio':>8}")
        for name, baseline, ours in cases:
            base, mine = instructions(baseline), instructions(ours)
            print(f"{name:<22}{base / 1e6:>16.0f}{mine / 1e6:>12.0f}{mine / base:>8.2f}")
        print(f"goal: plan --format text at most {GOAL:.2f} times the baseline")


if __name__ == "__main__":
    main()
