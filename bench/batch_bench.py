"""Benchmark of ``kyphoprep batch`` against building the same calendars with icalendar alone.

Run from the repository root with the project's Python (the one kyphoprep is installed in)::

    python bench/batch_bench.py [--rows 10000] [--repeat 1] [--json out.json]

What it does (see bench/README.md and docs/benchmarks.md):

1. writes a deterministic roster of ``--rows`` patients (seeded random) to a temporary folder;
2. runs the real command, ``python -m kyphoprep batch roster.csv --out DIR --format text,ics,json
   --today 2026-11-21``, as a subprocess: wall time, rows per second, CPU time, and the peak memory
   of the whole process tree (the main process and its worker processes), sampled every ~20 ms;
   then the same with ``--jobs 1``, and optionally with the output folder on a tmpfs, or with
   ``os.fsync`` made a no-op (diagnostics: what the disk, and fsync alone, cost);
3. the baseline, "icalendar alone": in this one process, the same plans (made outside the timed
   region) rendered to ``.ics`` (kyphoprep's writer, which since issue 16 is icalendar's objects and
   serialiser), timed alone and with writing each calendar to a plain file;
4. prints a table (and writes JSON with ``--json``); with ``--repeat N`` every figure is the median
   of N runs.

This is a benchmark, not a test: it asserts nothing about speed, but it does stop if a run fails
or writes the wrong number of files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Self

REPO_ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-21"
SEED = 20261121
FORMATS = "text,ics,json"
EXTENSIONS = (".txt", ".ics", ".json")
MIB = 1024 * 1024
RATIO_GOAL = 1.0
MEMORY_GOAL_MIB = 150.0
TMPFS = "/dev/shm"
# A diagnostic only: the real command with os.fsync made a no-op (the workers are forked, so they
# inherit it), to tell the cost of fsync from the cost of creating and renaming files on the disk.
NO_FSYNC = "import os, runpy; os.fsync = lambda fd: None; runpy.run_module('kyphoprep', run_name='__main__')"

# --- 1. the roster ---------------------------------------------------------------------------

# (zone, weight): most patients local, a few far away.
ZONES = (
    ("America/New_York", 22),
    ("America/Chicago", 16),
    ("America/Denver", 8),
    ("America/Phoenix", 5),
    ("America/Los_Angeles", 16),
    ("Europe/London", 14),
    ("Australia/Sydney", 10),
    ("Asia/Kolkata", 9),
)
PROCEDURES = (("kyphoplasty", 55), ("vertebroplasty", 30), ("", 15))
# Doctor's holds (NAME=INTERVAL), catalogue medicines by generic or brand name, and none.
MEDS = (
    ("apixaban=3d; metformin", 10),
    ("warfarin=5d", 8),
    ("Eliquis", 6),
    ("enoxaparin=24h", 6),
    ("clopidogrel=7d; aspirin:primary", 8),
    ("", 25),
    ("metformin", 10),
    ("Ozempic", 5),
    ("rivaroxaban=2d; lisinopril", 5),
    ("aspirin:primary", 7),
    ("dabigatran=4d", 3),
    ("apixaban=3d; Ozempic; metformin", 4),
    ("Xarelto", 3),
)
FIRST = (
    "Ann",
    "Ben",
    "Carmen",
    "Dev",
    "Elif",
    "Farah",
    "George",
    "Hana",
    "Ivan",
    "Jun",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
)
LAST = (
    "Okafor",
    "Smith",
    "García",
    "Nguyen",
    "O'Brien",
    "Patel",
    "Kowalski",
    "Haddad",
    "Müller",
    "Lee",
    "Johansson",
    "Rossi",
    "Tanaka",
    "Brown",
    "Singh",
    "Dubois",
    "Cohen",
    "Ivanova",
    "Mensah",
    "Clark",
)
FACILITIES = (
    ("St Luke's Spine Centre", "12 Harbour Road, Suite 4", "+1 555 0100"),
    ("Riverside Day Surgery", "400 River St", "+1 555 0199"),
    ("", "", ""),
)
COLUMNS = ("patient_id", "name", "when", "tz", "procedure", "meds", "driver", "facility", "address", "phone")
DAYS_AHEAD = 60


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def roster_rows(rows: int, today: str, seed: int) -> Iterator[list[str]]:
    """The roster's data rows: the same rows for the same arguments, on any machine."""
    rng = random.Random(seed)
    first_day = dt.date.fromisoformat(today)
    for index in range(1, rows + 1):
        day = first_day + dt.timedelta(days=rng.randint(1, DAYS_AHEAD))
        minutes = 6 * 60 + 30 + 15 * rng.randint(0, 34)  # 06:30 to 15:00
        when = f"{day.isoformat()} {minutes // 60:02d}:{minutes % 60:02d}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        driver = f"{rng.choice(FIRST)} {rng.choice(LAST)}" if rng.random() < 0.85 else ""
        facility, address, phone = rng.choice(FACILITIES)
        yield [
            f"P{index:06d}",
            name,
            when,
            _weighted(rng, ZONES),
            _weighted(rng, PROCEDURES),
            _weighted(rng, MEDS),
            driver,
            facility,
            address,
            phone,
        ]


def write_roster(path: Path, rows: int, today: str, seed: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(roster_rows(rows, today, seed))


# --- 2. memory of a process tree -------------------------------------------------------------


def _proc_children_all() -> dict[int, list[int]]:
    """Parent pid -> child pids, from every /proc/<pid>/stat (kernels without task/*/children)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the ppid is the 2nd field after it.
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _proc_tree(root: int) -> list[int]:
    """*root* and all its descendants, by /proc."""
    found = [root]
    try:
        # Fast path: the kernel lists each thread's children (CONFIG_PROC_CHILDREN).
        queue = [root]
        found = []
        while queue:
            pid = queue.pop()
            found.append(pid)
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    queue.extend(int(p) for p in handle.read().split())
        return found
    except FileNotFoundError:
        pass
    children = _proc_children_all()
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, ()))
    return found


def _status_kib(pid: int, keys: tuple[str, ...]) -> dict[str, int]:
    """Fields of /proc/<pid>/status (or smaps_rollup) in KiB; empty if the process has gone."""
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                name, _, rest = line.partition(":")
                if name in keys:
                    values[name] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    return values


def _pss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _have_psutil() -> bool:
    try:
        import psutil  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class MemoryPeak:
    """Peaks over the samples of one process tree."""

    method: str
    samples: int = 0
    peak_rss_mib: float = 0.0
    """Largest sum of RSS over the tree at one sample (shared pages counted once per process)."""
    peak_pss_mib: float | None = None
    """Largest sum of PSS over the tree at one sample (shared pages split fairly), if readable."""
    hwm_sum_mib: float = 0.0
    """Sum over processes of each one's own peak RSS (VmHWM): an upper bound that misses no spike."""
    peak_processes: int = 0


class TreeSampler:
    """Samples the memory of a process and all its descendants every *interval* seconds, in a thread."""

    def __init__(self, root: int, interval: float, pss_every: int = 5) -> None:
        self.root = root
        self.interval = interval
        # Reading smaps_rollup walks the page tables (~1 ms per process here): every sample would
        # take ~15% of a core from the run being measured. RSS (cheap) is read at every sample.
        self.pss_every = max(pss_every, 1)
        self.use_psutil = _have_psutil()
        self.result = MemoryPeak(method="psutil" if self.use_psutil else "/proc")
        self._hwm_kib: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.result.hwm_sum_mib = sum(self._hwm_kib.values()) / 1024

    def _loop(self) -> None:
        sample = self._sample_psutil if self.use_psutil else self._sample_proc
        count = 0
        while not self._stop.is_set():
            sample(count % self.pss_every == 0)
            count += 1
            self._stop.wait(self.interval)

    def _record(self, rss_kib: int, pss_kib: int | None, processes: int) -> None:
        if processes == 0:
            return
        peak = self.result
        peak.samples += 1
        peak.peak_rss_mib = max(peak.peak_rss_mib, rss_kib / 1024)
        if pss_kib is not None:
            peak.peak_pss_mib = max(peak.peak_pss_mib or 0.0, pss_kib / 1024)
        peak.peak_processes = max(peak.peak_processes, processes)

    def _sample_proc(self, with_pss: bool) -> None:
        rss = 0
        pss: int | None = 0 if with_pss else None
        processes = 0
        for pid in _proc_tree(self.root):
            status = _status_kib(pid, ("VmRSS", "VmHWM"))
            if "VmRSS" not in status:
                continue  # gone, or a zombie
            processes += 1
            rss += status["VmRSS"]
            self._hwm_kib[pid] = max(self._hwm_kib.get(pid, 0), status.get("VmHWM", 0))
            if pss is not None:
                one = _pss_kib(pid)
                pss = None if one is None else pss + one
        self._record(rss, pss, processes)

    def _sample_psutil(self, with_pss: bool) -> None:
        import psutil  # type: ignore[import-untyped,import-not-found,unused-ignore]

        try:
            root = psutil.Process(self.root)
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        rss = 0
        pss: int | None = 0 if with_pss else None
        processes = 0
        for process in tree:
            try:
                rss += process.memory_info().rss // 1024
                processes += 1
            except psutil.Error:
                continue
            status = _status_kib(process.pid, ("VmHWM",))
            if status:
                self._hwm_kib[process.pid] = max(self._hwm_kib.get(process.pid, 0), status["VmHWM"])
            if pss is not None:
                one = _pss_kib(process.pid)
                pss = None if one is None else pss + one
        self._record(rss, pss, processes)


# --- 2. the batch run --------------------------------------------------------------------------


@dataclass
class BatchRun:
    label: str
    jobs: int | None
    out_fs: str
    wall_s: float
    cpu_s: float
    """User + system CPU time of the main process and its workers."""
    sys_cpu_s: float
    """The system (kernel) part of ``cpu_s``: file creation, fsync, renames, pipes."""
    rows_per_s: float
    memory: MemoryPeak
    files: int
    warnings: int
    other_cpu_s: float | None
    """CPU time the rest of the machine used during the run (other users' jobs, this benchmark's
    sampler): a large figure means the run was disturbed."""
    iowait_s: float | None
    """Idle CPU time spent waiting for the disk, summed over the cores."""


def _filesystem(path: Path) -> str:
    """The mount point and type that *path* is on (from /proc/mounts), for the report."""
    best, kind = "", "?"
    target = str(path.resolve())
    try:
        with open("/proc/mounts") as handle:
            for line in handle:
                parts = line.split()
                mount = parts[1]
                inside = target == mount or target.startswith(mount.rstrip("/") + "/")
                if inside and len(mount) >= len(best):
                    best, kind = mount, parts[2]
    except OSError:
        return "?"
    return f"{kind} ({best})"


def _system_cpu() -> dict[str, float]:
    """Seconds of CPU time, all cores, from /proc/stat: busy, iowait and steal (a VM's host took it)."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return {
        "busy": (user + nice + system + irq + softirq) / tick,
        "iowait": iowait / tick,
        "steal": steal / tick,
    }


def settle_disk() -> None:
    """Write back every dirty page before a timed run, so no run pays for the one before it.

    Without this, the plans written (and deleted) by the previous run are still being written back
    when the next run starts, and its fsyncs wait behind them: on ext4 a journal commit flushes
    the other files' data too. Seen here as disk runs 25% slower after an unsynced run.
    """
    os.sync()


def _children_cpu() -> tuple[float, float]:
    """User and system CPU seconds of every finished child process (and theirs, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def run_batch(
    python: str,
    roster: Path,
    out_dir: Path,
    rows: int,
    *,
    label: str,
    jobs: int | None,
    today: str,
    interval: float,
    pss_every: int = 5,
    fsync: bool = True,
) -> BatchRun:
    """Run ``kyphoprep batch`` once into the empty *out_dir*, measuring it; then delete the plans."""
    start = ["-m", "kyphoprep"] if fsync else ["-c", NO_FSYNC]
    command = [python, *start, "batch", str(roster), "--out", str(out_dir)]
    command += ["--format", FORMATS, "--today", today]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    log = out_dir.parent / f"{out_dir.name}.stderr"
    environment = {**os.environ, "TERM": "dumb"}
    environment.pop("SOURCE_DATE_EPOCH", None)
    settle_disk()
    cpu_before, system_before = _children_cpu(), _system_cpu()
    with open(log, "wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, env=environment)
        with TreeSampler(process.pid, interval, pss_every) as sampler:
            code = process.wait()
        wall = time.perf_counter() - started
    user_after, sys_after = _children_cpu()
    system_after = _system_cpu()
    sys_cpu = sys_after - cpu_before[1]
    cpu = user_after - cpu_before[0] + sys_cpu
    system = {k: system_after[k] - system_before[k] for k in system_before.keys() & system_after.keys()}
    text = log.read_text(encoding="utf-8", errors="replace")
    if code != 0:
        sys.exit(f"{label}: exit code {code}, expected 0. Last lines of stderr:\n{text[-2000:]}")
    names = os.listdir(out_dir)
    expected = rows * len(EXTENSIONS)
    leftovers = [n for n in names if n.endswith(".tmp")]
    if len(names) != expected or leftovers:
        sys.exit(f"{label}: {len(names)} files in {out_dir}, expected {expected} ({len(leftovers)} .tmp).")
    for extension in EXTENSIONS:
        if not (out_dir / f"P{rows:06d}{extension}").is_file():
            sys.exit(f"{label}: the last patient's {extension} file is missing.")
    result = BatchRun(
        label=label,
        jobs=jobs,
        out_fs=_filesystem(out_dir),
        wall_s=wall,
        cpu_s=cpu,
        sys_cpu_s=sys_cpu,
        rows_per_s=rows / wall,
        memory=sampler.result,
        files=len(names),
        warnings=text.count("\nWarning: ") + text.startswith("Warning: "),
        other_cpu_s=max(system["busy"] - cpu, 0.0) if "busy" in system else None,
        iowait_s=system.get("iowait"),
    )
    shutil.rmtree(out_dir)
    log.unlink()
    return result


# --- 3. the baseline: icalendar alone ---------------------------------------------------------


@dataclass
class Baseline:
    plans: int
    build_serialise_s: float
    """icalendar building Calendar/Event/Alarm objects and ``to_ical()``, summed over all rows."""
    with_plain_write_s: float
    """The same plus writing each calendar to its own plain file (no fsync, no rename)."""
    own_writer_s: float
    """kyphoprep's own .ics writer on the same plans, in the same process, for context."""
    prepare_s: float
    """Reading the roster and making the plans (not part of the baseline's time)."""
    bytes_written: int
    mismatches: int
    """Calendars where kyphoprep's writer and icalendar gave different bytes (should be 0)."""
    other_cpu_s: float | None
    """CPU time the rest of the machine used meanwhile (see ``BatchRun.other_cpu_s``)."""


def run_baseline(roster: Path, scratch: Path, today: str, chunk: int = 500) -> Baseline:
    """Make every row's plan, then time only icalendar's render of it; plans are made in chunks."""
    sys.path.insert(0, str(REPO_ROOT))
    from kyphoprep.batch.runner import BatchJob, RowPlanner, check_ids
    from kyphoprep.cli.planning import clock_now
    from kyphoprep.core.planner import build_plan
    from kyphoprep.data.settings import Overrides, resolve_settings
    from kyphoprep.i18n.words import words_for
    from kyphoprep.io.roster import Roster, RosterRow
    from kyphoprep.render import OutputFormat, RenderOptions, renderer_for

    own = renderer_for(OutputFormat.ICS)
    options = RenderOptions()
    settle_disk()
    system_before, self_before = _system_cpu(), time.process_time()
    started = time.perf_counter()
    with open(roster, encoding="utf-8-sig", newline="") as stream:
        ids = check_ids(Roster(stream, roster.name))
    job = BatchJob(
        settings=resolve_settings(Overrides()),
        out_dir=str(scratch),
        formats=("ics",),
        force=True,
        today=today,
        now=clock_now(),
        default_zone=None,  # every generated row has its tz
    )
    planner = RowPlanner(job, ids)
    prepare = time.perf_counter() - started
    scratch.mkdir(parents=True, exist_ok=True)
    render_total = write_total = own_total = 0.0
    written = mismatches = plans = 0
    clock = time.perf_counter

    def render_chunk(batch: list[Any]) -> None:
        nonlocal render_total, write_total, own_total, written, mismatches, plans
        for patient_id, plan in batch:
            t0 = clock()
            data = own.render(plan, options)
            t1 = clock()
            with open(scratch / f"{patient_id}.ics", "wb") as handle:
                handle.write(data)
            t2 = clock()
            render_total += t1 - t0
            write_total += t2 - t0
            written += len(data)
            # Since issue 16 kyphoprep's writer is icalendar itself: the same figure, no bytes to compare.
            own_total += t1 - t0
            plans += 1

    with open(roster, encoding="utf-8-sig", newline="") as stream:
        pending: list[tuple[str, Any]] = []
        for item in Roster(stream, roster.name).rows():
            t0 = clock()
            assert isinstance(item, RosterRow), item
            pending.append((item.patient_id, build_plan(planner._request(item), words_for("en"))))
            prepare += clock() - t0
            if len(pending) == chunk:
                render_chunk(pending)
                pending = []
        render_chunk(pending)
    own_cpu, system_after = time.process_time() - self_before, _system_cpu()
    other = system_after["busy"] - system_before["busy"] - own_cpu if system_after and system_before else None
    shutil.rmtree(scratch)
    return Baseline(
        plans=plans,
        build_serialise_s=render_total,
        with_plain_write_s=write_total,
        own_writer_s=own_total,
        prepare_s=prepare,
        bytes_written=written,
        mismatches=mismatches,
        other_cpu_s=None if other is None else max(other, 0.0),
    )


# --- 4. the report ----------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _median_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if len(known) == len(values) else None


def _median_batch(runs: list[BatchRun]) -> dict[str, Any]:
    """Medians over repeated runs of one configuration; memory peaks are the median of the peaks."""
    pss = [r.memory.peak_pss_mib for r in runs if r.memory.peak_pss_mib is not None]
    return {
        "label": runs[0].label,
        "jobs": runs[0].jobs,
        "out_fs": runs[0].out_fs,
        "runs": len(runs),
        "wall_s": _median([r.wall_s for r in runs]),
        "cpu_s": _median([r.cpu_s for r in runs]),
        "sys_cpu_s": _median([r.sys_cpu_s for r in runs]),
        "rows_per_s": _median([r.rows_per_s for r in runs]),
        "peak_rss_mib": _median([r.memory.peak_rss_mib for r in runs]),
        "peak_pss_mib": _median(pss) if len(pss) == len(runs) else None,
        "hwm_sum_mib": _median([r.memory.hwm_sum_mib for r in runs]),
        "peak_processes": max(r.memory.peak_processes for r in runs),
        "memory_method": runs[0].memory.method,
        "samples": _median([float(r.memory.samples) for r in runs]),
        "other_cpu_s": _median_or_none([r.other_cpu_s for r in runs]),
        "iowait_s": _median_or_none([r.iowait_s for r in runs]),
        "files": runs[0].files,
        "warnings": runs[0].warnings,
        "all_runs": [asdict(r) for r in runs],
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _memory_total_gib() -> float | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def machine_info(python: str) -> dict[str, Any]:
    probe = (
        "import platform, icalendar, kyphoprep; "
        "print(platform.python_version(), icalendar.__version__, kyphoprep.__version__)"
    )
    found = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    python_version, icalendar_version, kyphoprep_version = found.stdout.split()
    return {
        "date": dt.date.today().isoformat(),
        "python": python_version,
        "python_executable": python,
        "implementation": platform.python_implementation(),
        "icalendar": icalendar_version,
        "kyphoprep": kyphoprep_version,
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "memory_gib": _memory_total_gib(),
        "psutil": _have_psutil(),
    }


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def print_report(report: dict[str, Any], say: Callable[[str], object] = print) -> None:
    info, rows = report["machine"], report["rows"]
    say("")
    say(
        f"kyphoprep batch benchmark: {rows} rows, --format {FORMATS}, --today {report['today']}, "
        f"median of {report['repeat']}"
    )
    say(
        f"  Python {info['python']} ({info['implementation']}), icalendar {info['icalendar']}, "
        f"kyphoprep {info['kyphoprep']}"
    )
    say(
        f"  {info['cpu_count']} CPUs ({info['cpu_model']}), {info['machine']}, {info['platform']}, "
        f"{_fmt(info['memory_gib'], '.1f')} GiB RAM"
    )
    interval_ms = 1000 * report["sample_interval_s"]
    say(
        f"  memory of the process tree by {report['batches'][0]['memory_method']}: RSS every "
        f"{interval_ms:.0f} ms, PSS every {interval_ms * report['pss_every']:.0f} ms"
    )
    say("")
    header = (
        f"  {'run':<28} {'wall s':>8} {'rows/s':>8} {'CPU s':>8} {'sys s':>6} {'RSS MiB':>8} {'PSS MiB':>8}"
        f" {'procs':>5} {'iowait s':>8} {'other s':>8}"
    )
    say(header)
    say("  " + "-" * (len(header) - 2))
    for run in report["batches"]:
        say(
            f"  {run['label']:<28} {run['wall_s']:>8.2f} {run['rows_per_s']:>8.0f} {run['cpu_s']:>8.2f} "
            f"{run['sys_cpu_s']:>6.1f} {run['peak_rss_mib']:>8.1f} {_fmt(run['peak_pss_mib'], '>8.1f')} "
            f"{run['peak_processes']:>5} {_fmt(run['iowait_s'], '>8.1f')} {_fmt(run['other_cpu_s'], '>8.1f')}"
        )
    baseline = report.get("baseline")
    if baseline is not None:
        say(
            f"  {'icalendar alone (1 process)':<28} {baseline['build_serialise_s']:>8.2f} "
            f"{rows / baseline['build_serialise_s']:>8.0f}   .ics only, build + to_ical()"
        )
        say(
            f"  {'  + plain file writes':<28} {baseline['with_plain_write_s']:>8.2f} "
            f"{rows / baseline['with_plain_write_s']:>8.0f}   no fsync, no rename"
        )
        say(
            f"  {'kyphoprep .ics writer alone':<28} {baseline['own_writer_s']:>8.2f} "
            f"{rows / baseline['own_writer_s']:>8.0f}   same plans, for context"
        )
        mismatch = baseline["mismatches"]
        say(
            f"  (plans made outside the timed region in {baseline['prepare_s']:.2f} s; "
            f"{mismatch} calendar{'s' if mismatch != 1 else ''} differing from icalendar's bytes;"
        )
        say(f"   other processes used {_fmt(baseline['other_cpu_s'], '.1f')} CPU s during the baseline)")
    say("  CPU s: the run's processes (sys s: the kernel's part); iowait s: cores idle waiting for the disk;")
    say("  other s: CPU time used by anything else on the machine meanwhile (large: a disturbed run).")
    say("")
    for name, figure in report["figures"].items():
        say(f"  {name:<52} {figure}")
    say("")


def build_figures(report: dict[str, Any]) -> dict[str, str]:
    """The headline lines: the two goals and the context around them."""
    batches = {run["label"]: run for run in report["batches"]}
    main = batches["batch (default jobs)"]
    figures = {"batch rows per second": f"{main['rows_per_s']:.0f}"}
    baseline = report.get("baseline")
    if baseline is not None:
        ratio = main["wall_s"] / baseline["build_serialise_s"]
        ratio_written = main["wall_s"] / baseline["with_plain_write_s"]
        met = "met" if ratio <= RATIO_GOAL else f"MISSED by {ratio - RATIO_GOAL:.2f}"
        figures["batch wall / icalendar build+serialise (goal <= 1.0)"] = f"{ratio:.2f}  ({met})"
        figures["batch wall / icalendar build+serialise+write"] = f"{ratio_written:.2f}"
        report["ratio"] = ratio
        report["ratio_with_write"] = ratio_written
    peak = main["peak_pss_mib"] if main["peak_pss_mib"] is not None else main["peak_rss_mib"]
    kind = "PSS" if main["peak_pss_mib"] is not None else "RSS"
    met = "met" if peak < MEMORY_GOAL_MIB else f"MISSED by {peak - MEMORY_GOAL_MIB:.1f} MiB"
    figures[f"peak memory, whole tree, {kind} (goal < 150 MiB)"] = f"{peak:.1f} MiB  ({met})"
    figures["peak memory, whole tree, RSS (double-counts shared)"] = f"{main['peak_rss_mib']:.1f} MiB"
    single = batches.get("batch --jobs 1")
    if single is not None:
        figures["speed-up, default jobs vs --jobs 1"] = f"{single['wall_s'] / main['wall_s']:.2f}x"
    tmpfs = batches.get("batch, --out on tmpfs")
    if tmpfs is not None:
        cost = main["wall_s"] - tmpfs["wall_s"]
        figures["disk vs tmpfs (fsync, create, rename on the disk)"] = (
            f"{cost:+.2f} s ({100 * cost / main['wall_s']:+.0f}% of the disk run)"
        )
    unsynced = batches.get("batch, fsync a no-op")
    if unsynced is not None:
        cost = main["wall_s"] - unsynced["wall_s"]
        figures["fsync alone (disk run vs fsync a no-op)"] = (
            f"{cost:+.2f} s ({100 * cost / main['wall_s']:+.0f}% of the disk run)"
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000, help="patients on the roster (default 10000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the median is shown")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON to FILE")
    parser.add_argument("--today", default=TODAY, help=f"the fixed --today (default {TODAY})")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the roster's random generator")
    parser.add_argument("--python", default=sys.executable, help="Python with kyphoprep (default: this one)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for the main run (default: CLI's)")
    parser.add_argument("--workdir", default=None, help="folder for the roster and plans (default: TMPDIR)")
    parser.add_argument("--interval", type=float, default=0.02, help="memory sampling interval, seconds")
    parser.add_argument(
        "--pss-every", type=int, default=5, help="read PSS at every Nth sample (default 5: ~100 ms)"
    )
    parser.add_argument("--no-single", action="store_true", help="skip the --jobs 1 run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the icalendar-alone baseline")
    parser.add_argument("--tmpfs", action="store_true", help=f"also run with --out on {TMPFS}")
    parser.add_argument(
        "--no-fsync-run",
        action="store_true",
        help="also run with os.fsync made a no-op (a diagnostic: what fsync alone costs)",
    )
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")

    json_path = Path(args.json).resolve() if args.json else None
    os.chdir(REPO_ROOT)
    work = Path(tempfile.mkdtemp(prefix="kyphoprep-bench-", dir=args.workdir))
    try:
        roster = work / "roster.csv"
        write_roster(roster, args.rows, args.today, args.seed)
        print(f"Roster: {args.rows} rows, {roster.stat().st_size / MIB:.1f} MiB, in {work}", file=sys.stderr)
        configs: list[tuple[str, int | None, Path, bool]] = [("batch (default jobs)", args.jobs, work, True)]
        if not args.no_single:
            configs.append(("batch --jobs 1", 1, work, True))
        if args.tmpfs:
            configs.append(("batch, --out on tmpfs", args.jobs, Path(TMPFS), True))
        if args.no_fsync_run:
            configs.append(("batch, fsync a no-op", args.jobs, work, False))
        runs: dict[str, list[BatchRun]] = {label: [] for label, _, _, _ in configs}
        baselines: list[Baseline] = []
        for attempt in range(1, args.repeat + 1):
            for label, jobs, base, fsync in configs:
                print(f"[{attempt}/{args.repeat}] {label} ...", file=sys.stderr, flush=True)
                out_dir = Path(tempfile.mkdtemp(prefix="plans-", dir=base))
                try:
                    run = run_batch(
                        args.python,
                        roster,
                        out_dir,
                        args.rows,
                        label=label,
                        jobs=jobs,
                        today=args.today,
                        interval=args.interval,
                        pss_every=args.pss_every,
                        fsync=fsync,
                    )
                finally:
                    shutil.rmtree(out_dir, ignore_errors=True)
                print(
                    f"      {run.wall_s:.2f} s, peak PSS {_fmt(run.memory.peak_pss_mib, '.1f')} MiB, "
                    f"RSS {run.memory.peak_rss_mib:.1f} MiB",
                    file=sys.stderr,
                    flush=True,
                )
                runs[label].append(run)
            if not args.no_baseline:
                print(f"[{attempt}/{args.repeat}] icalendar alone ...", file=sys.stderr, flush=True)
                baseline = run_baseline(roster, work / "baseline", args.today)
                print(f"      {baseline.build_serialise_s:.2f} s", file=sys.stderr, flush=True)
                baselines.append(baseline)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report: dict[str, Any] = {
        "rows": args.rows,
        "repeat": args.repeat,
        "today": args.today,
        "seed": args.seed,
        "formats": FORMATS,
        "sample_interval_s": args.interval,
        "pss_every": args.pss_every,
        "machine": machine_info(args.python),
        "batches": [_median_batch(r) for r in runs.values()],
    }
    if baselines:
        report["baseline"] = {
            key: _median([float(getattr(b, key)) for b in baselines])
            for key in asdict(baselines[0])
            if key not in ("plans", "mismatches", "bytes_written", "other_cpu_s")
        }
        report["baseline"].update(
            plans=baselines[0].plans,
            bytes_written=baselines[0].bytes_written,
            mismatches=max(b.mismatches for b in baselines),
            other_cpu_s=_median_or_none([b.other_cpu_s for b in baselines]),
            all_runs=[asdict(b) for b in baselines],
        )
    report["figures"] = build_figures(report)
    print_report(report)
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"JSON written to {json_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
