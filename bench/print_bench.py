"""Benchmark of PDF output: 200 PDFs from a batch, and one 200-patient print file.

Run from the repository root with the project's Python, with the pdf extra installed::

    python bench/print_bench.py [--rows 200] [--jobs N] [--json out.json]

It writes the same deterministic roster as ``batch_bench.py`` and runs the real command as a
subprocess, three ways, measuring wall time, CPU time and the peak memory of the whole process
tree (main process and workers, sampled every ~20 ms, with ``batch_bench.TreeSampler``):

1. ``batch --format pdf``: one PDF per patient;
2. ``batch --format ics --print-file day.pdf``: the day's print file alone (each patient's PDF
   piece is made in the workers, then the pieces are joined);
3. ``batch --format ics --print-file day.html``: the same as HTML (no WeasyPrint).

A benchmark, not a test: it asserts nothing about speed, but stops if a run fails or writes the
wrong files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch_bench import TODAY, TreeSampler, machine_info, write_roster

SEED = 20261121


def run(python: str, args: list[str], label: str, interval: float) -> dict[str, Any]:
    """Run ``kyphoprep ARGS`` once, measuring it."""
    environment = {**os.environ, "TERM": "dumb"}
    environment.pop("SOURCE_DATE_EPOCH", None)
    before = os.times()
    started = time.perf_counter()
    process = subprocess.Popen(
        [python, "-m", "kyphoprep", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment
    )
    with TreeSampler(process.pid, interval) as sampler:
        _, stderr = process.communicate()
    wall = time.perf_counter() - started
    after = os.times()
    if process.returncode != 0:
        sys.exit(f"{label}: exit code {process.returncode}:\n{stderr.decode(errors='replace')[-2000:]}")
    return {
        "label": label,
        "wall_s": round(wall, 2),
        "cpu_s": round(
            after.children_user - before.children_user + after.children_system - before.children_system, 2
        ),
        "peak_rss_mib": round(sampler.result.peak_rss_mib, 1),
        "peak_pss_mib": None
        if sampler.result.peak_pss_mib is None
        else round(sampler.result.peak_pss_mib, 1),
        "processes": sampler.result.peak_processes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--interval", type=float, default=0.02)
    options = parser.parse_args(argv)
    python = sys.executable
    jobs = [] if options.jobs is None else ["--jobs", str(options.jobs)]
    results = []
    with tempfile.TemporaryDirectory(prefix="kp-print-bench-") as folder:
        work = Path(folder)
        roster = work / "roster.csv"
        write_roster(roster, options.rows, TODAY, SEED)
        common = ["batch", str(roster), "--today", TODAY, *jobs]
        out = work / "pdfs"
        results.append(
            run(python, [*common, "--out", str(out), "--format", "pdf"], "200 PDFs", options.interval)
        )
        pdfs = sorted(out.glob("*.pdf"))
        if len(pdfs) != options.rows:
            sys.exit(f"{len(pdfs)} PDFs written, expected {options.rows}")
        results[-1]["mib_written"] = round(sum(p.stat().st_size for p in pdfs) / 2**20, 1)
        shutil.rmtree(out)
        for suffix in ("pdf", "html"):
            day = work / f"day.{suffix}"
            out = work / f"plans-{suffix}"
            args = [*common, "--out", str(out), "--format", "ics", "--print-file", str(day)]
            results.append(run(python, args, f"print file .{suffix}", options.interval))
            results[-1]["mib_written"] = round(day.stat().st_size / 2**20, 1)
            if suffix == "pdf":
                from pypdf import PdfReader

                results[-1]["pages"] = len(PdfReader(day).pages)
            shutil.rmtree(out)
    report = {"rows": options.rows, "machine": machine_info(python), "runs": results}
    print(f"{'run':<20} {'wall s':>8} {'cpu s':>8} {'peak RSS MiB':>13} {'peak PSS MiB':>13} {'MiB out':>8}")
    for item in results:
        pss = "-" if item["peak_pss_mib"] is None else f"{item['peak_pss_mib']:.1f}"
        print(
            f"{item['label']:<20} {item['wall_s']:>8.1f} {item['cpu_s']:>8.1f} {item['peak_rss_mib']:>13.1f} "
            f"{pss:>13} {item['mib_written']:>8.1f}"
        )
    if options.json is not None:
        options.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
