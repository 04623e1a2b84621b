"""`kyphoprep batch` as a nurse uses it (issue 18): every problem of a row in one run, messages that
name the roster and the settings file (not the command line), reruns with --skip-existing, and the
day's call list (--report)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.errors import RowsFailedError
from tests.test_batch import TODAY, files_in, run_batch, write_roster

OPTION = re.compile(r"(?<![\w-])--[a-z]")
"""Command-line option syntax (``--crcl``, ``--med``), as a row's message must not show it."""


@pytest.fixture
def runner(runner: CliRunner) -> CliRunner:
    """The shared runner, with no KYPHOPREP_CONFIG leaking in from the developer's shell."""
    return CliRunner(env={**runner.env, "KYPHOPREP_CONFIG": None})


def row_errors(stderr: str) -> list[str]:
    """The lines of *stderr* that report a row's problems."""
    return [line for line in stderr.splitlines() if line.startswith("Error: Row ")]


# --- every problem of a row at once ---------------------------------------------------------------


def test_a_row_with_three_problems_reports_all_three(runner: CliRunner, tmp_path: Path) -> None:
    """A bad date, an unknown medicine and a bad zone in one row: one line names all three, each with
    its column, so one fix-and-rerun is enough; the good row is still written."""
    roster = write_roster(
        tmp_path,
        "patient_id,when,tz,meds\n"
        "P-104,2026-02-30 07:30,Mars/Base,Zarelto\n"
        "P-105,2026-12-03 07:30,America/Chicago,\n",
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out)
    assert result.exit_code == RowsFailedError.exit_code
    assert row_errors(result.stderr) == [
        "Error: Row 2 (P-104): 3 problems: "  # noqa: ISC004 (one line of stderr)
        "column 'tz': Unknown time zone 'Mars/Base'. Use an IANA name such as America/Chicago; "
        "column 'when': '2026-02-30 07:30' is not a real date or time (day is out of range for month). "
        "Check the day and month; "
        "column 'meds': 'Zarelto' is not in kyphoprep's medicine list. Did you mean Xarelto "
        "(rivaroxaban)? If it is a different medicine, write 'other:Zarelto'."
    ]
    assert files_in(out) == ["P-105.ics", "P-105.json", "P-105.txt"]


def test_every_medicine_of_a_row_is_checked(runner: CliRunner, tmp_path: Path) -> None:
    """Two bad medicines and a medicine named twice in one cell are three problems, not the first one."""
    roster = write_roster(
        tmp_path,
        "patient_id,when,tz,meds\n"
        'M1,2026-12-03 07:30,America/Chicago,"Elliquis; metformin=5x; warfarin; Coumadin"\n',
    )
    result = run_batch(runner, roster, tmp_path / "out")
    assert result.exit_code == RowsFailedError.exit_code
    (line,) = row_errors(result.stderr)
    assert line.startswith("Error: Row 2 (M1): 3 problems: column 'meds': 'Elliquis' is not in")
    assert "column 'meds': 'metformin=5x': the hold must be" in line
    assert "column 'meds': The meds cell names warfarin twice" in line


def test_a_bad_procedure_does_not_hide_the_other_cells(runner: CliRunner, tmp_path: Path) -> None:
    """An unknown procedure is one problem; the row's date is still read and its own mistake reported."""
    roster = write_roster(tmp_path, "patient_id,when,tz,procedure\nX1,soon,America/Chicago,discectomy\n")
    result = run_batch(runner, roster, tmp_path / "out")
    (line,) = row_errors(result.stderr)
    assert line.startswith(
        "Error: Row 2 (X1): 2 problems: column 'procedure': Unknown procedure 'discectomy'."
    )
    assert "; column 'when': Could not read 'soon' as a date and time." in line


def test_the_print_files_cover_names_every_column_of_a_row(tmp_path: Path) -> None:
    """The cover page of the print file names each bad column of a row, and no cell's value."""
    from kyphoprep.batch.print_file import reason_shown
    from kyphoprep.errors import RowError

    error = RowError.several(4, "P-104", [("when", "bad 'x'"), ("meds", "bad 'warfarin'"), ("tz", "bad")])
    assert error.columns == ("when", "meds", "tz")
    shown = reason_shown(error.column, error.reason, output=not error.columns, columns=error.columns)
    assert shown == "the 'when', 'meds' and 'tz' cells cannot be used"


# --- no command-line syntax in a row's message ------------------------------------------------------

AUDIT_ROWS = [
    # Each reachable message of a row's cells (dates, zones, medicines, kidney number, procedure).
    "A1,03/04/2027 07:30,America/Chicago,,,",
    "A2,2026-12-03 07:30 PST,America/Chicago,,,",
    "A3,2026-12-03 07:30+09:00,America/Chicago,,,",
    "A4,2026-12-03 07:30,,,,",
    "A5,2026-12-03 07:30,America/Chicago,,Pradaxa,",
    "A6,2026-12-03 07:30,America/Chicago,,Pradaxa:nonsense,",
    "A7,2026-12-03 07:30,America/Chicago,,Elliquis=3d,",
    "A8,2026-12-03 07:30,America/Chicago,,other:warfarin,",
    "A9,2026-12-03 07:30,America/Chicago,,Tylenol:extra,",
    "A10,2026-12-03 07:30,America/Chicago,,warfarin=,",
    "A11,2026-12-03 07:30,America/Chicago,,warfarin=\u0665d,",
    "A12,2026-12-03 07:30,America/Chicago,,warfarin=900d,",
    "A13,2026-12-03 07:30,America/Chicago,,=5d,",
    'A14,2026-12-03 07:30,America/Chicago,,"warfarin; Coumadin",',
    "A15,2026-12-03 07:30,America/Chicago,,Eliquis,",
    "A16,2026-12-03 07:30,America/Chicago,,other:Xarelto 20mg,",
    "A17,2026-12-03 07:30,America/Chicago,,Lovenox:nonsense=24h,",
    "A18,2026-12-03 07:30,America/Chicago,,#!,",
    "A19,2026-12-03 07:30,America/Chicago,../mine.toml,,",
    "A20,2026-12-03 07:30,America/Chicago,,,0",
    "A21,2026-12-03 07:30,America/Chicago,,Pradaxa,x",
    "A22,2026-12-03 07:30,America/Chicago,,aspirin,",
]


def test_row_messages_name_the_roster_not_the_command_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No row's message shows an option (``--crcl``, ``--med``, ``--date-order``, ``--tz``): the nurse
    fixes the roster or the clinic's settings file, so the message names the column or the settings key.
    The harness itself is checked first: the same cells given to ``plan`` do show options."""
    import kyphoprep.cli.batch

    def no_zone() -> str:
        from kyphoprep.errors import InputError

        raise InputError("no zone here")

    monkeypatch.setattr(kyphoprep.cli.batch, "system_zone", no_zone)
    roster = write_roster(tmp_path, "patient_id,when,tz,procedure,meds,crcl\n" + "\n".join(AUDIT_ROWS) + "\n")
    result = run_batch(runner, roster, tmp_path / "out", "--require-doctor-holds")
    errors = row_errors(result.stderr)
    assert len(errors) == len(AUDIT_ROWS), result.stderr
    assert [line for line in errors if OPTION.search(line)] == []
    # The roster's words are there instead.
    text = "\n".join(errors)
    for said in ("fill in the crcl column", 'date_order = "mdy"', "in the tz column", "check the tz cell"):
        assert said in text, said
    # The harness: as plan options, the same medicines are refused with option syntax.
    plan = runner.invoke(
        app, ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", TODAY, "--med", "Pradaxa"]
    )
    assert plan.exit_code == 2
    assert OPTION.search(plan.stderr)


def test_an_earlier_plan_for_another_patient_is_said_in_roster_words(
    runner: CliRunner, tmp_path: Path
) -> None:
    """--replaces: an earlier plan file that is another patient's names the patient_id cell, not --plan-id."""
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    first = run_batch(
        runner, write_roster(tmp_path, "patient_id,when,tz\nP 1,2026-12-03 07:30,America/Chicago\n"), earlier
    )
    assert first.exit_code == 0, first.output
    roster = write_roster(
        tmp_path, "patient_id,when,tz\nP_1,2026-12-03 07:30,America/Chicago\n", "second.csv"
    )
    result = run_batch(runner, roster, tmp_path / "out", "--replaces", str(earlier))
    (line,) = row_errors(result.stderr)
    assert "is another patient's (plan id" in line
    assert "Check the patient_id cell." in line
    assert not OPTION.search(line)


def test_the_clinic_settings_file_sets_the_date_order(runner: CliRunner, tmp_path: Path) -> None:
    """``date_order = "dmy"`` under [defaults] reads 03/04/2027 day first, in batch and in plan, as the
    row's message suggests; --date-order still beats it."""
    config = tmp_path / "clinic.toml"
    config.write_text('[defaults]\ndate_order = "dmy"\n', encoding="utf-8")
    roster = write_roster(tmp_path, "patient_id,when,tz\nD1,03/04/2027 07:30,America/Chicago\n")
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--config", str(config))
    assert result.exit_code == 0, result.output
    assert json.loads((out / "D1.json").read_text(encoding="utf-8"))["inputs"]["when"].startswith(
        "2027-04-03"
    )
    args = ["plan", "03/04/2027 07:30", "--tz", "America/Chicago", "--today", TODAY, "--format", "json"]
    planned = runner.invoke(app, [*args, "--config", str(config)])
    assert json.loads(planned.stdout)["inputs"]["when"].startswith("2027-04-03")
    overruled = runner.invoke(app, [*args, "--config", str(config), "--date-order", "mdy"])
    assert json.loads(overruled.stdout)["inputs"]["when"].startswith("2027-03-04")
