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
from tests.conftest import Golden
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


# --- reruns: --skip-existing -----------------------------------------------------------------------

RERUN = (
    "patient_id,name,when,tz,meds\n"
    "S1,Ann Lee,2026-12-03 07:30,America/Chicago,warfarin=5d\n"
    "S2,Bob Ray,2026-12-04 08:00,America/Chicago,Elliquis\n"
    "S3,Cy Dee,2026-12-05 09:00,America/Chicago,\n"
)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Each file of *folder* with its bytes and modification time, to see what a run touched."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_a_fix_and_rerun_needs_no_force(runner: CliRunner, tmp_path: Path) -> None:
    """Row S2 fails (a typo), the nurse fixes the cell and reruns with --skip-existing: S2 is written,
    S1 and S3 are skipped untouched and counted, and the run exits 0 without --force, even with the
    clock (no --today) moved on between the runs."""
    out = tmp_path / "out"
    clock = {"SOURCE_DATE_EPOCH": "1795251600"}  # 2026-11-21 09:00 UTC
    first = runner.invoke(app, ["batch", str(write_roster(tmp_path, RERUN)), "--out", str(out)], env=clock)
    assert first.exit_code == RowsFailedError.exit_code
    before = snapshot(out)
    fixed = write_roster(tmp_path, RERUN.replace("Elliquis", "Eliquis"), "fixed.csv")
    later = {"SOURCE_DATE_EPOCH": "1795269600"}  # five hours later
    second = runner.invoke(app, ["batch", str(fixed), "--out", str(out), "--skip-existing"], env=later)
    assert second.exit_code == 0, second.output
    assert second.stderr == (
        f"Done: 1 of 3 rows planned, 3 files written to {out}. 2 skipped (already written, unchanged).\n"
    )
    after = snapshot(out)
    for name in ("S1.txt", "S1.ics", "S1.json", "S3.txt", "S3.ics", "S3.json"):
        assert after[name] == before[name], name
    assert {"S2.txt", "S2.ics", "S2.json"} <= set(after)


def test_a_changed_row_still_needs_force(runner: CliRunner, tmp_path: Path) -> None:
    """A row whose files exist but differ from what it makes now (its time moved) fails with the files
    named and --force as the way to replace them; the unchanged rows are skipped; nothing is replaced."""
    out = tmp_path / "out"
    assert run_batch(runner, write_roster(tmp_path, RERUN.replace("Elliquis", "Eliquis")), out).exit_code == 0
    before = snapshot(out)
    moved = write_roster(
        tmp_path, RERUN.replace("Elliquis", "Eliquis").replace("07:30", "10:30"), "moved.csv"
    )
    result = run_batch(runner, moved, out, "--skip-existing")
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr == (
        f"Error: Row 2 (S1): S1.txt, S1.ics, S1.json already exist in {out} and differ from what this row "
        "makes now. Add --force to replace them.\n"
        f"Done: 0 of 3 rows planned, 0 files written to {out}. 2 skipped (already written, unchanged). "
        "1 failed.\n"
        "Error: 1 of 3 rows failed (see above); the other rows were already written.\n"
    )
    assert snapshot(out) == before


def test_skip_existing_writes_a_format_that_is_missing(runner: CliRunner, tmp_path: Path) -> None:
    """Rows written as text before, rerun as text and caregiver: the caregiver sheets are added, made at
    the moment of the first run, and the text files are left as they were."""
    out = tmp_path / "out"
    roster = write_roster(tmp_path, RERUN.replace("Elliquis", "Eliquis"))
    assert run_batch(runner, roster, out, "--format", "text").exit_code == 0
    before = snapshot(out)
    result = run_batch(runner, roster, out, "--format", "text,caregiver", "--skip-existing")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Done: 3 of 3 rows planned, 3 files written to {out}.\n"
    assert {name: snapshot(out)[name] for name in before} == before
    assert (out / "S1.caregiver.txt").exists()


def test_without_skip_existing_the_message_says_both_ways(runner: CliRunner, tmp_path: Path) -> None:
    """A rerun without either option: the row fails, and its message offers --force and --skip-existing."""
    out = tmp_path / "out"
    roster = write_roster(tmp_path, "patient_id,when,tz\nE1,2026-12-03 07:30,America/Chicago\n")
    assert run_batch(runner, roster, out, "--format", "ics").exit_code == 0
    result = run_batch(runner, roster, out, "--format", "ics")
    assert result.exit_code == RowsFailedError.exit_code
    assert row_errors(result.stderr) == [
        (
            f"Error: Row 2 (E1): E1.ics already exists in {out}. Add --force to replace them, or "
            "--skip-existing to keep the rows whose files are unchanged."
        )
    ]


def test_skip_existing_with_force_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """The two options contradict each other: exit 2, one line, and no folder is made."""
    out = tmp_path / "out"
    result = run_batch(runner, write_roster(tmp_path, RERUN), out, "--skip-existing", "--force")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --skip-existing and --force cannot be used together: --force replaces every row's files, "
        "--skip-existing keeps the rows whose files are unchanged. Choose one.\n"
    )
    assert not out.exists()


def test_the_folder_keeps_a_record_of_when_each_row_was_made(runner: CliRunner, tmp_path: Path) -> None:
    """The record holds each row's file stem and the moment its files were made, and nothing else; a
    record that is not kyphoprep's is ignored (the rows are then compared as made now)."""
    from kyphoprep.batch.runner import MADE_FILE

    out = tmp_path / "out"
    roster = write_roster(tmp_path, RERUN.replace("Elliquis", "Eliquis"))
    assert run_batch(runner, roster, out).exit_code == 0
    record = json.loads((out / MADE_FILE).read_text(encoding="utf-8"))
    assert record == {
        "format": 1,
        "made": {
            "S1": "2026-11-21T00:00:00-06:00",
            "S2": "2026-11-21T00:00:00-06:00",
            "S3": "2026-11-21T00:00:00-06:00",
        },
    }
    (out / MADE_FILE).write_text("not json", encoding="utf-8")
    again = run_batch(runner, roster, out, "--skip-existing")  # --today: the same moment anyway
    assert again.exit_code == 0, again.output
    assert "3 skipped (already written, unchanged)" in again.stderr
    assert json.loads((out / MADE_FILE).read_text(encoding="utf-8"))["made"] == record["made"]


# --- the call list: --report -------------------------------------------------------------------------

DAY = (
    "patient_id,name,when,tz,meds\n"
    "C1,Ann Lee,2026-12-03 07:30,America/Chicago,metformin\n"
    "C2,Bob Ray,2026-11-24 07:30,America/Chicago,warfarin=5d\n"
    "C3,Cy Dee,2026-12-04 08:00,America/Chicago,Elliquis\n"
    "C4,Di Fox,2026-12-05 09:00,America/Chicago,\n"
)
"""A day: C2's last dose of warfarin has passed (a warning), C3 has a typo in its medicine."""
FIXED_DAY = DAY.replace("Elliquis", "Eliquis") + "C5,Ed Gray,soon,Mars/Base,\n=HYPERLINK(1),Fay,,,\n"
"""The day rerun: C3 fixed, C5 and a row whose id a spreadsheet would run as a formula added, both bad."""


def call_list(runner: CliRunner, tmp_path: Path, name: str) -> bytes:
    """The call list of a fix-and-rerun day: every status (planned, warning, failed, skipped) appears."""
    out = tmp_path / "out"
    first = run_batch(runner, write_roster(tmp_path, DAY), out)
    assert first.exit_code == RowsFailedError.exit_code, first.output
    report = tmp_path / name
    fixed = write_roster(tmp_path, FIXED_DAY, "fixed.csv")
    second = run_batch(runner, fixed, out, "--skip-existing", "--report", str(report))
    assert second.exit_code == RowsFailedError.exit_code, second.output
    assert second.stderr.endswith(
        f"Wrote {report}: 1 patient to call, 2 failed rows to fix.\n"
        f"Done: 1 of 6 rows planned, 3 files written to {out}. 3 skipped (already written, unchanged). "
        "2 failed. 1 with warnings.\n"
        "Error: 2 of 6 rows failed (see above); the other plans were written.\n"
    )
    return report.read_bytes()


def test_the_call_list_as_csv(runner: CliRunner, tmp_path: Path, golden: Golden) -> None:
    """One line per row: id, status, reason and, for a warning, what to call about; no names; a cell that
    a spreadsheet would run as a formula starts with an apostrophe."""
    data = call_list(runner, tmp_path, "day.csv")
    golden.check("batch-report.csv", data)
    text = data.decode("utf-8")
    for name in ("Ann Lee", "Bob Ray", "Cy Dee", "Di Fox", "Ed Gray", "Fay"):
        assert name not in text
    assert "\n7,'=HYPERLINK(1),failed," in text


def test_the_call_list_as_json(runner: CliRunner, tmp_path: Path, golden: Golden) -> None:
    """The same list as JSON (chosen by the ending), with the counts of each status."""
    data = call_list(runner, tmp_path, "day.json")
    golden.check("batch-report.json", data)
    parsed = json.loads(data)
    assert parsed["counts"] == {"planned": 1, "warning": 1, "failed": 2, "skipped": 2}
    assert [row["status"] for row in parsed["rows"]] == [
        "skipped",
        "warning",
        "planned",
        "skipped",
        "failed",
        "failed",
    ]
    (warning,) = [row for row in parsed["rows"] if row["status"] == "warning"]
    assert warning["call_about"][0].startswith("TOO LATE TO STOP WARFARIN ON TIME.")


@pytest.mark.parametrize("name", ["day.txt", "day.xlsx", "day"])
def test_a_call_list_kyphoprep_cannot_write_is_refused(runner: CliRunner, tmp_path: Path, name: str) -> None:
    """A --report name that does not end in .csv or .json: exit 2 and one line, before anything is made."""
    out = tmp_path / "out"
    result = run_batch(runner, write_roster(tmp_path, DAY), out, "--report", str(tmp_path / name))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --report '{tmp_path / name}': the name must end in .csv or .json, which say what to write "
        "(such as --report day.csv).\n"
    )
    assert not out.exists()


def test_an_existing_call_list_is_kept_without_force(runner: CliRunner, tmp_path: Path) -> None:
    """A call list that exists stops the run before any row (exit 5); with --force it is replaced."""
    report = tmp_path / "day.csv"
    report.write_text("keep me\n", encoding="utf-8")
    out = tmp_path / "out"
    roster = write_roster(tmp_path, DAY.replace("Elliquis", "Eliquis"))
    result = run_batch(runner, roster, out, "--report", str(report))
    assert result.exit_code == 5
    assert (
        result.stderr
        == f"Error: '{report}' already exists. Add --force to replace it, or choose another name.\n"
    )
    assert not out.exists()
    assert report.read_text(encoding="utf-8") == "keep me\n"
    forced = run_batch(runner, roster, out, "--report", str(report), "--force")
    assert forced.exit_code == 0, forced.output
    assert report.read_text(encoding="utf-8").startswith("row,patient_id,status,reason,call_about\n")


# --- --require-doctor-holds and other: --------------------------------------------------------------

LOOKALIKES = [
    ("other:Xarelto 2d", "'Xarelto 2d' looks like Xarelto (rivaroxaban), a blood thinner", "Xarelto=2d"),
    ("other:Xarelto 20mg", "'Xarelto 20mg' looks like Xarelto (rivaroxaban), a blood thinner", "Xarelto=5d"),
    ("other:xarelto", "Xarelto (rivaroxaban) is in kyphoprep's medicine list", "xarelto"),
    ("other:rivaroxaban", "rivaroxaban is in kyphoprep's medicine list", "rivaroxaban"),
]


@pytest.mark.parametrize(("med", "said", "write"), LOOKALIKES)
def test_other_does_not_get_around_require_doctor_holds_in_plan(
    runner: CliRunner, med: str, said: str, write: str
) -> None:
    """plan --require-doctor-holds: an other: medicine that is (or looks like) a catalogue blood thinner,
    given without the doctor's interval, is refused with the catalogue medicine named (exit 2)."""
    args = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", TODAY, "--med", med]
    result = runner.invoke(app, [*args, "--require-doctor-holds"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --med '{med}': {said}")
    assert f"--med '{write}" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(("med", "said", "write"), LOOKALIKES[:2])
def test_other_does_not_get_around_require_doctor_holds_in_batch(
    runner: CliRunner, tmp_path: Path, med: str, said: str, write: str
) -> None:
    """batch --require-doctor-holds: the same row fails, in roster words; without the option, and with
    the doctor's interval, the same medicine is planned as given."""
    roster = write_roster(tmp_path, f"patient_id,when,tz,meds\nX1,2026-12-03 07:30,America/Chicago,{med}\n")
    result = run_batch(runner, roster, tmp_path / "out", "--require-doctor-holds")
    assert result.exit_code == RowsFailedError.exit_code
    assert row_errors(result.stderr) == [
        (
            f"Error: Row 2 (X1), column 'meds': '{med}': {said}, and this batch needs the doctor's interval "
            f"for each one. Write '{write}' with the doctor's interval after '='. If it is another medicine, "
            f"give its interval too, such as '{med}=5d'."
        )
    ]
    assert run_batch(runner, roster, tmp_path / "free").exit_code == 0
    with_hold = write_roster(
        tmp_path, f"patient_id,when,tz,meds\nX1,2026-12-03 07:30,America/Chicago,{med}=3d\n", "h.csv"
    )
    assert run_batch(runner, with_hold, tmp_path / "held", "--require-doctor-holds").exit_code == 0


def test_an_other_medicine_far_from_any_blood_thinner_needs_no_interval(runner: CliRunner) -> None:
    """other:vitamin q is nothing like a blood thinner: --require-doctor-holds lets it through."""
    args = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", TODAY, "--format", "json"]
    result = runner.invoke(app, [*args, "--med", "other:vitamin q", "--require-doctor-holds"])
    assert result.exit_code == 0, result.output


def test_a_rerun_names_its_call_list_anew(runner: CliRunner, tmp_path: Path) -> None:
    """--skip-existing with the first run's call list still there: --force is not allowed with it, so
    the message (exit 5, before any row) suggests another name; with that name the rerun works."""
    out = tmp_path / "out"
    report = tmp_path / "calls.csv"
    roster = write_roster(tmp_path, DAY)
    assert run_batch(runner, roster, out, "--report", str(report)).exit_code == RowsFailedError.exit_code
    fixed = write_roster(tmp_path, DAY.replace("Elliquis", "Eliquis"), "fixed.csv")
    again = run_batch(runner, fixed, out, "--skip-existing", "--report", str(report))
    assert again.exit_code == 5
    assert again.stderr == (
        f"Error: '{report}' already exists, from an earlier run. With --skip-existing, give this run's file "
        f"another name, such as {tmp_path / 'calls-2.csv'}, or move the old one away.\n"
    )
    renamed = run_batch(runner, fixed, out, "--skip-existing", "--report", str(tmp_path / "calls-2.csv"))
    assert renamed.exit_code == 0, renamed.output
