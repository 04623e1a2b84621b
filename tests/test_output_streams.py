"""Where the output goes when it cannot go there: links, system folders, and a standard output
that is a closed pipe, full, or closed; and a closed standard error.

The link and folder cases run in-process (CliRunner); the stream cases need real file
descriptors, so they run the installed command in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from tests.child_env import coverage_env

PLAN = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-20", "--format", "text"]


def kyphoprep_command() -> list[str]:
    script = Path(sys.executable).parent / "kyphoprep"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kyphoprep"]


# --- links and system folders ------------------------------------------------------------------


def test_force_never_replaces_a_link(runner: CliRunner, tmp_path: Path) -> None:
    """-o with --force refuses a symbolic link and leaves both the link and the file it points to
    untouched, so a plan can never overwrite the patient's own file through a link."""
    real = tmp_path / "real.txt"
    real.write_text("the patient's own notes")
    link = tmp_path / "plan.txt"
    link.symlink_to(real)
    result = runner.invoke(app, [*PLAN, "-o", str(link), "--force"])
    assert result.exit_code == 5
    assert result.stderr == (
        f"Error: '{link}' is a link (to '{real}'); kyphoprep never replaces a link, even with --force. "
        "Give the real file's name instead, or another name.\n"
    )
    assert link.is_symlink()
    assert real.read_text() == "the patient's own notes"


def test_a_link_to_nothing_is_named_as_such(runner: CliRunner, tmp_path: Path) -> None:
    """A dangling link given as -o is refused with what it points to, and nothing is created at its target,
    since writing through it would put a file somewhere unexpected."""
    link = tmp_path / "plan.txt"
    link.symlink_to("missing.txt")
    result = runner.invoke(app, [*PLAN, "-o", str(link)])
    assert result.exit_code == 5
    assert result.stderr == (
        f"Error: '{link}' is a link to 'missing.txt', which does not exist; kyphoprep never writes "
        "through a link. Give the name of a real file or folder.\n"
    )
    assert not (tmp_path / "missing.txt").exists()


def test_dev_stdout_is_a_link_and_the_message_says_how_to_show_the_plan(runner: CliRunner) -> None:
    """-o /dev/stdout is refused as a link, and the message says how to show the plan on the screen
    instead, the thing the person was trying to do."""
    # Without --force, so that even a regression could not replace the system's link.
    result = runner.invoke(app, [*PLAN, "-o", "/dev/stdout"])
    assert result.exit_code == 5
    assert result.stderr == (
        "Error: '/dev/stdout' is a link (to '/proc/self/fd/1'); kyphoprep never replaces a link, even "
        "with --force. To show the plan on the screen, leave out -o (or give -o -).\n"
    )
    assert os.path.islink("/dev/stdout")


@pytest.mark.parametrize("folder", ["/dev/shm", "/proc/self"])
def test_no_file_is_made_in_a_system_folder(runner: CliRunner, folder: str) -> None:
    """-o inside /dev/shm or /proc is refused and no file is left there, since those folders belong to the
    operating system."""
    if not os.path.isdir(folder):
        pytest.skip(f"{folder} is not on this system")
    target = f"{folder}/kyphoprep-{uuid.uuid4().hex}.txt"
    try:
        result = runner.invoke(app, [*PLAN, "-o", target])
        system = "/" + folder.split("/")[1]
        assert result.exit_code == 5
        assert result.stderr == (
            f"Error: '{target}' is in {system}, a folder of the operating system; kyphoprep never "
            "writes files there. Choose a folder of your own.\n"
        )
        assert not os.path.exists(target)
    finally:
        if os.path.isfile(target):
            os.unlink(target)


def test_batch_out_that_is_a_link_to_nothing(runner: CliRunner, tmp_path: Path) -> None:
    """A batch --out that is a dangling link is refused with its target named, instead of creating a folder
    somewhere the clinic did not mean."""
    roster = tmp_path / "r.csv"
    roster.write_text("patient_id,when\nP1,2026-12-03 07:30\n")
    out = tmp_path / "plans"
    out.symlink_to("nowhere")
    args = ["batch", str(roster), "--out", str(out), "--tz", "America/Chicago", "--today", "2026-11-20"]
    result = runner.invoke(app, args)
    assert result.exit_code == 5
    assert result.stderr == (
        f"Error: --out '{out}' is a link to 'nowhere', which does not exist. Create that folder first, "
        "or give another folder with --out.\n"
    )


# --- standard output and error ------------------------------------------------------------------


def run_shell(redirect: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run kyphoprep ARGS with a shell *redirect* (such as ``>&-``); stderr is captured."""
    command = " ".join(f"'{part}'" for part in [*kyphoprep_command(), *args])
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent", "TZ": "UTC"}
    env.update(coverage_env())
    return subprocess.run(
        ["bash", "-c", f"{command} {redirect}"], capture_output=True, text=True, env=env, check=False
    )


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """Run kyphoprep ARGS with stdout a pipe whose reader has already gone (always EPIPE)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [*kyphoprep_command(), *args], stdout=write_end, stderr=subprocess.PIPE, text=True, check=False
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args", [PLAN, ["--help"], ["plan", "--help"], ["meds"]], ids=["plan", "help", "plan-help", "meds"]
)
def test_a_reader_that_went_away_ends_quietly(args: list[str]) -> None:
    """When the reader of standard output has gone (``| head``), kyphoprep ends with exit 1 and nothing on
    stderr, as well-behaved command-line tools do."""
    done = run_into_closed_pipe(*args)
    assert done.stderr == ""
    assert done.returncode == 1


@pytest.mark.parametrize("args", [PLAN, ["--help"]], ids=["plan", "help"])
def test_a_full_standard_output_is_exit_5_with_a_message(args: list[str]) -> None:
    """A full standard output (/dev/full) is exit 5 with one line saying why, not a traceback or a silent
    success."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    done = run_shell("> /dev/full", *args)
    assert done.returncode == 5
    assert done.stderr == "Error: Cannot write to standard output: No space left on device.\n"


def test_a_closed_standard_output_is_exit_5_with_a_message() -> None:
    """A closed standard output (``>&-``) is exit 5 with a hint to use -o, so the plan is not silently
    lost."""
    done = run_shell(">&-", *PLAN)
    assert done.returncode == 5
    assert done.stderr == (
        "Error: Standard output is closed, so the plan cannot be shown. Give -o FILE to write it to a file.\n"
    )


def test_a_closed_standard_output_does_not_stop_a_plan_written_to_a_file(tmp_path: Path) -> None:
    """With standard output closed, a plan written with -o is still written in full and the run succeeds."""
    target = tmp_path / "plan.txt"
    done = run_shell(">&-", *PLAN, "-o", str(target))
    assert done.returncode == 0
    assert "YOUR PLAN TO GET READY FOR KYPHOPLASTY" in target.read_text(encoding="utf-8")


def test_a_closed_standard_error_does_not_turn_success_into_failure(tmp_path: Path) -> None:
    """A closed standard error neither fails a good run nor hides a failure: the exit code still says which
    it was."""
    target = tmp_path / "plan.txt"
    done = run_shell("2>&-", *PLAN, "-o", str(target))
    assert done.returncode == 0
    assert target.exists()
    # And an error is still an error, even when its message has nowhere to go.
    assert run_shell("2>&-", *PLAN, "-o", str(target)).returncode == 5
