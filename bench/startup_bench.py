"""Start-up cost of kyphoprep commands against a minimal typer program, side by side.

Each pair is run alternately (baseline, kyphoprep, baseline, ...) in fresh
processes, so both see the same machine state; the ratio of the medians is
reported. The baselines are a one-command typer program, the same program that
also imports icalendar (for ``--format ics``), and that program's ``--help``.
The goal (issue 6) is a ratio of 1.15 or less for each.

``kyphoprep`` turns Python's cycle collector off while a command runs and leaves
what is left at exit out of the last collections (``kyphoprep.cli.main``). For
reference, a last line runs the same plan with the collector left as Python sets
it, to show how much of the difference that choice makes; it has no goal.

kyphoprep's modules are byte-compiled first, as pip does when it installs a
package: with PYTHONDONTWRITEBYTECODE set, a source checkout would otherwise be
compiled again on every run. kyphoprep's cache of parsed data files is kept in a
temporary folder, filled by the warm-up run.

    python bench/startup_bench.py --runs 30
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
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


def _time(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def compare(baseline: list[str], ours: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median seconds of *baseline* and of *ours*, run alternately *runs* times each (after a warm-up)."""
    _time(baseline, env)
    _time(ours, env)
    base_times, our_times = [], []
    for _ in range(runs):
        base_times.append(_time(baseline, env))
        our_times.append(_time(ours, env))
    return statistics.median(base_times), statistics.median(our_times)


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--runs", type=int, default=20, help="runs of each program (default 20)")
    args = parser.parse_args()
    python = sys.executable
    kyphoprep = [python, "-m", "kyphoprep"]
    # The command without kyphoprep.cli.main's handling of the cycle collector.
    collector_on = [python, "-c", "from kyphoprep.cli import application; application.main()"]
    package = subprocess.run(
        [python, "-c", "import kyphoprep, os; print(os.path.dirname(kyphoprep.__file__))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    compileall.compile_dir(package, quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ)
        plain = Path(folder) / "minimal.py"
        plain.write_text(MINIMAL.format(extra="pass"), encoding="utf-8")
        with_ical = Path(folder) / "minimal_ical.py"
        with_ical.write_text(MINIMAL.format(extra="import icalendar  # noqa: F401"), encoding="utf-8")
        cases = [
            ("plan --format text", [python, str(plain), WHEN], [*kyphoprep, *PLAN, "--format", "text"]),
            ("plan --format ics", [python, str(with_ical), WHEN], [*kyphoprep, *PLAN, "--format", "ics"]),
            ("--help", [python, str(plain), "--help"], [*kyphoprep, "--help"]),
            ("(text, collector on)", [python, str(plain), WHEN], [*collector_on, *PLAN, "--format", "text"]),
        ]
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} runs each (medians)")
        print(f"{'case':<22}{'baseline ms':>12}{'kyphoprep ms':>14}{'ratio':>8}")
        for name, baseline, ours in cases:
            base, mine = compare(baseline, ours, args.runs, env)
            print(f"{name:<22}{base * 1000:>12.1f}{mine * 1000:>14.1f}{mine / base:>8.2f}")


if __name__ == "__main__":
    main()
