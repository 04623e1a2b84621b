"""kyphoprep batch under hostile conditions: one id on 10,000 rows, a full disk, a killed run,
SIGTERM, and what stderr (which clinics log) may say.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kyphoprep.batch import runner as batch_module
from kyphoprep.data.catalogue import load_catalogue
from kyphoprep.errors import RowsFailedError
from kyphoprep.io.safe_write import cannot, write_output
from tests.test_batch import TODAY, expected_files, files_in, run_batch, write_roster

ROWS = "patient_id,when,tz,meds\n"
WHEN = "2026-12-03 07:30,America/Chicago"


def test_one_id_on_10000_rows_is_reported_once_with_a_count(runner: CliRunner, tmp_path: Path) -> None:
    """One id repeated on 10,000 rows is one error line with a count and the first rows, not 10,000 lines
    flooding the clinic's log, and none of those rows is written."""
    roster = write_roster(tmp_path, ROWS + "".join(f"P1,{WHEN},\n" for _ in range(10_000)))
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--format", "text")
    assert result.exit_code == RowsFailedError.exit_code
    reported = [line for line in result.stderr.splitlines(keepends=True) if not line.startswith("Progress:")]
    assert "".join(reported) == (
        "Error: Row 2 (P1), column 'patient_id': 10000 rows (2, 3, 4, 5, 6 and 9995 more) have this id, "
        "or ids that make the same file name (P1). Give every patient a different id; none of these rows "
        "was written.\n"
        f"Done: 0 of 10000 rows planned, 0 files written to {out}. 10000 failed.\n"
        "Error: 10000 of 10000 rows failed (see above); no plan was written.\n"
    )


def test_stderr_names_no_medicine_dose_or_date(runner: CliRunner, tmp_path: Path) -> None:
    """Warnings for several medicines taken too late: stderr has the row, the id and the file only."""
    meds = "warfarin=30d; apixaban=30d; clopidogrel=30d; metformin"
    roster = write_roster(tmp_path, ROWS + f'A1,{WHEN},"{meds}"\nA2,{WHEN},"{meds}"\n')
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--format", "json,text")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        "Warning: Row 2 (A1): the plan has 3 warnings to act on first; read them at the top of A1.json.",
        "Warning: Row 3 (A2): the plan has 3 warnings to act on first; read them at the top of A2.json.",
    ]
    lowered = result.stderr.lower()
    for entry in load_catalogue().entries:
        for name in (entry.generic, *entry.brands):
            if len(name) > 3:
                assert name.lower() not in lowered, name
    assert "november" not in lowered
    assert "Warfarin" in (out / "A1.txt").read_text(encoding="utf-8") or "WARFARIN" in (
        out / "A1.txt"
    ).read_text(encoding="utf-8")


def test_a_full_disk_leaves_the_row_absent_and_the_count_true(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second file of a row cannot be written: the row's first file goes too; a rerun completes it."""
    roster = write_roster(tmp_path, ROWS + f"B1,{WHEN},\nB2,{WHEN},\n")
    out = tmp_path / "out"
    real_write = write_output  # the function the batch runner calls
    calls = []

    def full_on_b2_ics(data: bytes, target: str, *, force: bool) -> None:
        calls.append(target)
        if target.endswith("B2.ics"):
            raise cannot(f"write '{target}'", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        real_write(data, target, force=force)

    monkeypatch.setattr(batch_module, "write_output", full_on_b2_ics)
    result = run_batch(runner, roster, out, "--format", "text,ics,json")
    assert result.exit_code == RowsFailedError.exit_code
    assert f"Error: Row 3 (B2): Cannot write '{out}/B2.ics': No space left on device." in result.stderr
    assert f"Done: 1 of 2 rows planned, 3 files written to {out}. 1 failed." in result.stderr
    assert files_in(out) == expected_files("B1")  # B2.txt, written first, is gone again
    monkeypatch.setattr(batch_module, "write_output", real_write)
    again = run_batch(runner, roster, out, "--format", "text,ics,json")
    assert again.exit_code == RowsFailedError.exit_code  # B1 is complete: kept without --force
    assert "Row 2 (B1): B1.txt, B1.ics, B1.json already exist" in again.stderr
    assert files_in(out) == expected_files("B1", "B2")


def test_a_row_cut_short_by_a_killed_run_is_finished_without_force(runner: CliRunner, tmp_path: Path) -> None:
    """A killed run (SIGKILL: nothing can clean up) leaves the row's marker; the rerun finishes that row."""
    roster = write_roster(tmp_path, ROWS + f"C1,{WHEN},\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "C1.txt").write_text("half of an old run")
    (out / f".C1{batch_module.PARTIAL_SUFFIX}").touch()
    result = run_batch(runner, roster, out, "--format", "text,ics")
    assert result.exit_code == 0, result.output
    assert files_in(out) == expected_files("C1", formats=(".ics", ".txt"))
    assert "half of an old run" not in (out / "C1.txt").read_text(encoding="utf-8")


def test_without_the_marker_an_existing_file_is_still_kept(runner: CliRunner, tmp_path: Path) -> None:
    """A file with a row's name but no marker of a killed run is someone's own file and is kept, so only
    kyphoprep's own half-written rows are finished without --force."""
    roster = write_roster(tmp_path, ROWS + f"C1,{WHEN},\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "C1.txt").write_text("someone's own file")
    result = run_batch(runner, roster, out, "--format", "text,ics")
    assert result.exit_code == RowsFailedError.exit_code
    assert (out / "C1.txt").read_text() == "someone's own file"


def test_stale_temporary_files_of_a_killed_run_are_removed_and_nothing_else(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Old temporary files of a killed run are removed, while a fresh one (another batch may be writing it)
    and files of other shapes are left alone."""
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".P9.ics.abc123_z.tmp"
    fresh = out / ".P8.ics.zzzzzzzz.tmp"  # as if another batch were writing it right now
    other = out / ".notes.tmp"
    for path in (stale, fresh, other):
        path.write_text("x")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    roster = write_roster(tmp_path, ROWS + f"D1,{WHEN},\n")
    result = run_batch(runner, roster, out, "--format", "text")
    assert result.exit_code == 0, result.output
    assert files_in(out) == sorted([fresh.name, other.name, "D1.txt"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"]
)
def test_ctrl_c_sigterm_and_sighup_stop_the_same_way(tmp_path: Path, number: int) -> None:
    """Sent to the whole process group mid-run: exit 130, no temporary file, every row whole or absent."""
    rows = 600
    roster = write_roster(tmp_path, ROWS + "".join(f"S{n:04d},{WHEN},warfarin=5d\n" for n in range(rows)))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "kyphoprep", "batch", str(roster), "--out", str(out), "--today", TODAY]
    # A background run (as under pytest -n, or nohup) may ignore SIGINT: the child gets it back.
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 (no threads yet)
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.json"))) < 20:
        time.sleep(0.05)
    os.killpg(process.pid, number)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    names = files_in(out)
    assert [n for n in names if n.startswith(".")] == []
    stems = {n.rsplit(".", 1)[0] for n in names}
    assert 0 < len(stems) < rows
    assert names == expected_files(*stems)
    # The count is what is on disk (the workers' last rows arrive after the stop).
    assert f"Stopped: {len(stems)} of {rows} rows were planned before the stop." in stderr


# --- --replaces DIR --------------------------------------------------------------------------------


def cancelled_uids(ics: bytes) -> set[str]:
    import icalendar

    return {
        str(e["UID"])
        for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")
        if str(e.get("STATUS")) == "CANCELLED"
    }


def test_batch_replaces_a_folder_of_earlier_plans(runner: CliRunner, tmp_path: Path) -> None:
    """One row's medicine was stopped: only that row's calendar cancels its events; a new row is version 0."""
    import json

    before = write_roster(
        tmp_path, ROWS + f'R1,{WHEN},"warfarin=5d; enoxaparin=24h"\nR2,{WHEN},warfarin=5d\n'
    )
    first = tmp_path / "first"
    assert run_batch(runner, before, first, "--format", "json,ics").exit_code == 0
    after = write_roster(
        tmp_path, ROWS + f"R1,{WHEN},warfarin=5d\nR2,{WHEN},warfarin=5d\nR3,{WHEN},\n", name="after.csv"
    )
    second = tmp_path / "second"
    result = run_batch(runner, after, second, "--format", "json,ics", "--replaces", str(first))
    assert result.exit_code == 0, result.output
    old_r1 = json.loads((first / "R1.json").read_text(encoding="utf-8"))
    new_r1 = json.loads((second / "R1.json").read_text(encoding="utf-8"))
    gone = {s["uid"] for s in old_r1["steps"]} - {s["uid"] for s in new_r1["steps"]}
    assert gone
    assert all("enoxaparin" in s["id"] for s in old_r1["steps"] if s["uid"] in gone)
    assert cancelled_uids((second / "R1.ics").read_bytes()) == gone
    assert new_r1["version"] == 1
    assert cancelled_uids((second / "R2.ics").read_bytes()) == set()
    assert json.loads((second / "R2.json").read_text(encoding="utf-8"))["version"] == 1
    assert json.loads((second / "R3.json").read_text(encoding="utf-8"))["version"] == 0
    # The same folder as --out: the earlier plan is read before it is replaced (which needs --force).
    again = run_batch(runner, after, second, "--format", "json,ics", "--replaces", str(second), "--force")
    assert again.exit_code == 0, again.output
    assert json.loads((second / "R1.json").read_text(encoding="utf-8"))["version"] == 2


def test_batch_replaces_refuses_a_missing_folder_and_another_patients_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    """batch --replaces refuses a folder that does not exist, and a row whose earlier file is another
    patient's plan, so no calendar cancels the wrong person's events."""
    roster = write_roster(tmp_path, ROWS + f"R1,{WHEN},\nR2,{WHEN},\n")
    missing = tmp_path / "nowhere"
    result = run_batch(runner, roster, tmp_path / "out", "--replaces", str(missing))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --replaces '{missing}' is not a folder. Give the folder of the earlier batch (its --out), "
        "or leave out --replaces.\n"
    )
    earlier = tmp_path / "earlier"
    assert run_batch(runner, roster, earlier, "--format", "json").exit_code == 0
    (earlier / "R1.json").write_bytes((earlier / "R2.json").read_bytes())  # R2's plan under R1's name
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--format", "json", "--replaces", str(earlier))
    assert result.exit_code == RowsFailedError.exit_code
    assert f"Error: Row 2 (R1): the earlier plan '{earlier}/R1.json' is another patient's" in result.stderr
    assert files_in(out) == ["R2.json"]
