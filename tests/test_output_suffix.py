"""A file name whose ending names a format kyphoprep cannot write is refused, in plan and in batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.errors import InputError
from tests.test_batch import TODAY, run_batch, write_roster

PLAN = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", TODAY]
ENDINGS = ".txt, .ics, .json, .html, .htm, .caregiver.txt, .caregiver.html, .pdf, .fhir.json"


@pytest.mark.parametrize("name", ["plan.docx", "plan.xyz", "Plan.DOC", "notes.v2"])
def test_plan_refuses_a_file_it_cannot_write(runner: CliRunner, tmp_path: Path, name: str) -> None:
    """-o plan.docx would be a text file under a Word name: exit 2, one line with the endings, no file."""
    target = tmp_path / name
    result = runner.invoke(app, [*PLAN, "-o", str(target)])
    assert result.exit_code == InputError.exit_code
    suffix = name[name.rindex(".") :]
    assert result.stderr == (
        f"Error: -o '{target}': kyphoprep cannot write {suffix} files. End the name in {ENDINGS} (such as "
        "-o plan.pdf), or say what to write with --format.\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "start"), [("plan", "YOUR PLAN"), ("plan.ics", "BEGIN:VCALENDAR")])
def test_plan_still_writes_known_endings_and_plain_names(
    runner: CliRunner, tmp_path: Path, name: str, start: str
) -> None:
    """A name without an ending is a text handout, as before; a known ending picks its format."""
    target = tmp_path / name
    result = runner.invoke(app, [*PLAN, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").lstrip("=\n").upper().startswith(start)


def test_format_makes_any_name_acceptable(runner: CliRunner, tmp_path: Path) -> None:
    """With --format the person said what to write, so the name's ending is theirs to choose."""
    target = tmp_path / "plan.md"
    result = runner.invoke(app, [*PLAN, "-o", str(target), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert target.exists()


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("day.pdf", " For one file with every handout, use --print-file (such as --print-file day.pdf)."),
        ("plan.docx", ""),
        ("today.csv", ""),
    ],
)
def test_batch_refuses_a_file_name_as_its_folder(
    runner: CliRunner, tmp_path: Path, name: str, hint: str
) -> None:
    """batch -o day.pdf would make a folder called day.pdf: exit 2, one line, nothing made."""
    roster = write_roster(tmp_path, "patient_id,when,tz\nA1,2026-12-03 07:30,America/Chicago\n")
    out = tmp_path / name
    result = run_batch(runner, roster, out)
    assert result.exit_code == InputError.exit_code
    assert result.stderr == (
        f"Error: --out '{out}' looks like a file name, but --out is the folder for the plans (such as --out "
        f"plans).{hint}\n"
    )
    assert not out.exists()


def test_batch_uses_an_existing_folder_whatever_its_name(runner: CliRunner, tmp_path: Path) -> None:
    """A folder that exists already is the nurse's own choice of name, ending and all."""
    roster = write_roster(tmp_path, "patient_id,when,tz\nA1,2026-12-03 07:30,America/Chicago\n")
    out = tmp_path / "plans.json"
    out.mkdir()
    result = run_batch(runner, roster, out, "--format", "ics")
    assert result.exit_code == 0, result.output
    assert (out / "A1.ics").exists()


@pytest.mark.parametrize("formats", ["docx", "text,xyz", "pdf,word"])
def test_batch_formats_it_cannot_write_are_refused(runner: CliRunner, tmp_path: Path, formats: str) -> None:
    """--format with a format batch cannot write: exit 2, one line that lists the formats, nothing made."""
    roster = write_roster(tmp_path, "patient_id,when,tz\nA1,2026-12-03 07:30,America/Chicago\n")
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--format", formats)
    assert result.exit_code == InputError.exit_code
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        f"Error: --format '{formats}': choose one or more of text, ics, json, html,"
    )
    assert not out.exists()
