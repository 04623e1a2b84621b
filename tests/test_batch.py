"""`kyphoprep batch`, driven through the CLI: a CSV roster in, one file per patient per format out."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from kyphoprep.batch import runner as batch_module
from kyphoprep.batch.runner import MADE_FILE
from kyphoprep.cli.app import app
from kyphoprep.errors import InputError, OutputError, RowsFailedError, WarningsError
from kyphoprep.io.roster import STEM_MAX, file_key, file_stem

ROOT = Path(__file__).parent.parent
SACROPLASTY = ROOT / "docs" / "examples" / "sacroplasty.toml"
TODAY = "2026-11-21"
HEADER = "patient_id,name,when,tz,meds,driver"
EXAMPLE_COLUMNS = "The first line must name them, such as: patient_id,name,when,tz,meds,driver"
ALL_COLUMNS = "patient_id, when, name, tz, procedure, meds, driver, facility, address, phone, crcl"
BOTH_WAYS = "Add --force to replace them, or --skip-existing to keep the rows whose files are unchanged."
"""How a row whose files exist says what to do."""
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}


@pytest.fixture
def runner(runner: CliRunner) -> CliRunner:
    """The shared runner, with no KYPHOPREP_CONFIG leaking in from the developer's shell."""
    return CliRunner(env={**runner.env, "KYPHOPREP_CONFIG": None})


def write_roster(folder: Path, text: str, name: str = "roster.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def run_batch(runner: CliRunner, roster: Path | str, out: Path, *args: str, **kwargs: Any) -> Result:
    return runner.invoke(app, ["batch", str(roster), "--out", str(out), "--today", TODAY, *args], **kwargs)


def files_in(folder: Path) -> list[str]:
    """Every name in *folder*, hidden ones included (a stray temporary file would show), but the
    batch's own record of when each row was made (``MADE_FILE``, checked in test_batch_nurse.py)."""
    return sorted(p.name for p in folder.iterdir() if p.name != MADE_FILE)


def expected_files(*stems: str, formats: tuple[str, ...] = (".ics", ".json", ".txt")) -> list[str]:
    return sorted(f"{stem}{ext}" for stem in stems for ext in formats)


def plan_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- the happy path -------------------------------------------------------------------------------

ROSTER = f"""\
{HEADER}
P-1001,Ann Lee,2026-12-03 07:30,America/Chicago,warfarin=5d; Eliquis,Tom Lee
P-1002,Bob Ray,Dec 4 2026 8:00am,America/New_York,metformin,
P-1003,Jörg Müller,2026-12-05 09:00,Europe/Berlin,,Eva Müller
"""
# The same three people, as `kyphoprep plan` options.
AS_PLAN = {
    "P-1001": [
        "2026-12-03 07:30",
        "--tz",
        "America/Chicago",
        "--patient",
        "Ann Lee",
        "--driver",
        "Tom Lee",
        "--med",
        "warfarin=5d",
        "--med",
        "Eliquis",
    ],
    "P-1002": ["Dec 4 2026 8:00am", "--tz", "America/New_York", "--patient", "Bob Ray", "--med", "metformin"],
    "P-1003": [
        "2026-12-05 09:00",
        "--tz",
        "Europe/Berlin",
        "--patient",
        "Jörg Müller",
        "--driver",
        "Eva Müller",
    ],
}


def plan_bytes(runner: CliRunner, patient_id: str, output_format: str, *extra: str) -> bytes:
    args = ["plan", *AS_PLAN[patient_id], "--plan-id", patient_id, "--today", TODAY]
    result = runner.invoke(app, [*args, *extra, "--format", output_format])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_every_row_gives_the_same_files_as_plan(runner: CliRunner, tmp_path: Path) -> None:
    """Three rows, nine files, each byte for byte what `kyphoprep plan --plan-id ID` writes."""
    out = tmp_path / "plans"
    result = run_batch(runner, write_roster(tmp_path, ROSTER), out)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Done: 3 of 3 rows planned, 9 files written to {out}.\n"
    assert result.stdout == ""
    assert files_in(out) == expected_files("P-1001", "P-1002", "P-1003")
    for patient_id in AS_PLAN:
        for output_format, ext in (("text", ".txt"), ("ics", ".ics"), ("json", ".json")):
            written = (out / f"{patient_id}{ext}").read_bytes()
            assert written == plan_bytes(runner, patient_id, output_format), (patient_id, output_format)


def test_patient_id_keeps_calendar_entries_stable(runner: CliRunner, tmp_path: Path) -> None:
    """The id is the plan's identity: a rescheduled row keeps the same UIDs."""
    first = run_batch(runner, write_roster(tmp_path, ROSTER), tmp_path / "a")
    moved = ROSTER.replace("2026-12-03 07:30", "2026-12-10 07:30")
    second = run_batch(runner, write_roster(tmp_path, moved, "moved.csv"), tmp_path / "b")
    assert first.exit_code == second.exit_code == 0

    def uids(path: Path) -> list[str]:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("UID:")]

    before, after = uids(tmp_path / "a" / "P-1001.ics"), uids(tmp_path / "b" / "P-1001.ics")
    assert before
    assert before == after
    assert (
        plan_json(tmp_path / "a" / "P-1001.json")["plan_id"]
        != plan_json(tmp_path / "a" / "P-1002.json")["plan_id"]
    )


# --- --format --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formats", "extensions"),
    [
        ("ics", (".ics",)),
        ("text,json", (".txt", ".json")),
        (" JSON , Text ", (".txt", ".json")),
        ("ics,ics", (".ics",)),
    ],
)
def test_format_subsets(runner: CliRunner, tmp_path: Path, formats: str, extensions: tuple[str, ...]) -> None:
    """--format picks which files each row gets, in any case, with spaces and repeats allowed, and the
    closing count matches the files written."""
    out = tmp_path / "out"
    result = run_batch(runner, write_roster(tmp_path, ROSTER), out, "--format", formats)
    assert result.exit_code == 0, result.output
    assert files_in(out) == expected_files("P-1001", "P-1002", "P-1003", formats=extensions)
    assert result.stderr == f"Done: 3 of 3 rows planned, {3 * len(extensions)} files written to {out}.\n"


@pytest.mark.parametrize("formats", ["docx", "text,docx", "terminal", ",", ""])
def test_bad_format(runner: CliRunner, tmp_path: Path, formats: str) -> None:
    """A format batch cannot write (pdf, terminal) or an empty list is refused before anything is made,
    with the formats that can be chosen."""
    out = tmp_path / "out"
    result = run_batch(runner, write_roster(tmp_path, ROSTER), out, "--format", formats)
    assert result.exit_code == InputError.exit_code
    assert result.stderr == (
        f"Error: --format '{formats}': choose one or more of text, ics, json, html, caregiver, "
        "caregiver-html, pdf, fhir, separated by commas (such as text,ics).\n"
    )
    assert not out.exists()


# --- the header -----------------------------------------------------------------------------------


def test_header_names_ignore_case_and_spaces(runner: CliRunner, tmp_path: Path) -> None:
    """Column names are matched whatever their case and surrounding spaces, as spreadsheets export them, so
    a clinic's roster is read as meant."""
    roster = write_roster(tmp_path, " Patient ID ,WHEN,  Tz ,Name\nA1,2026-12-03 07:30,Asia/Tokyo,Ann\n")
    out = tmp_path / "out"
    result = run_batch(runner, roster, out)
    assert result.exit_code == 0, result.output
    inputs = plan_json(out / "A1.json")["inputs"]
    assert (inputs["timezone"], inputs["patient"]) == ("Asia/Tokyo", "Ann")


def test_byte_order_mark_is_accepted(runner: CliRunner, tmp_path: Path) -> None:
    """Spreadsheets save 'CSV UTF-8' with a byte-order mark before the first column name."""
    roster = tmp_path / "roster.csv"
    roster.write_bytes("patient_id,when,name\r\nA1,2026-12-03 07:30,Zoë\r\n".encode("utf-8-sig"))
    out = tmp_path / "out"
    result = run_batch(runner, roster, out)
    assert result.exit_code == 0, result.output
    assert plan_json(out / "A1.json")["inputs"]["patient"] == "Zoë"


HEADER_ERRORS = [
    (
        "unknown-near-miss",
        "patient_id,when,medz\nA1,2026-12-03 07:30,x\n",
        f"roster.csv: unknown column 'medz'. Did you mean 'meds'? The columns are: {ALL_COLUMNS}.",
    ),
    (
        "unknown",
        "patient_id,when,colour\nA1,2026-12-03 07:30,x\n",
        f"roster.csv: unknown column 'colour'. The columns are: {ALL_COLUMNS}.",
    ),
    (
        "duplicate",
        "patient_id,when,When\nA1,2026-12-03 07:30,x\n",
        "roster.csv: the column 'when' appears twice.",
    ),
    (
        "nameless",
        "patient_id,,when\nA1,,2026-12-03 07:30\n",
        "roster.csv: column 2 has no name in the first line.",
    ),
    (
        "no-patient-id",
        "name,when\nAnn,2026-12-03 07:30\n",
        f"roster.csv: the column 'patient_id' is missing. {EXAMPLE_COLUMNS}",
    ),
    ("no-when", "patient_id,name\nA1,Ann\n", f"roster.csv: the column 'when' is missing. {EXAMPLE_COLUMNS}"),
    (
        "neither",
        "name,tz\nAnn,America/Chicago\n",
        f"roster.csv: the columns 'patient_id' and 'when' are missing. {EXAMPLE_COLUMNS}",
    ),
    (
        "empty",
        "",
        f"roster.csv is empty. {EXAMPLE_COLUMNS.replace('them', 'the columns')}",
    ),
    (
        "blank-lines",
        "\n\n",
        f"roster.csv is empty. {EXAMPLE_COLUMNS.replace('them', 'the columns')}",
    ),
    ("only-header", "patient_id,when\n", "roster.csv has no patient rows, only the line of column names."),
    (
        "header-and-blanks",
        "patient_id,when\n\n , \n",
        "roster.csv has no patient rows, only the line of column names.",
    ),
    (
        "bad-csv",
        'patient_id,when\nA1,"2026-12-03 07:30\n',
        "roster.csv, line 2: not valid CSV (unexpected end of data).",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), [c[1:] for c in HEADER_ERRORS], ids=[c[0] for c in HEADER_ERRORS]
)
def test_roster_that_cannot_be_read(runner: CliRunner, tmp_path: Path, text: str, message: str) -> None:
    """A problem with the roster as a whole: exit 2, one line, and no folder or file made."""
    write_roster(tmp_path, text)
    out = tmp_path / "out"
    # Run from the roster's folder, so the message shows the name as typed.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = runner.invoke(app, ["batch", "roster.csv", "--out", str(out), "--today", TODAY])
    assert result.exit_code == InputError.exit_code, result.output
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""
    assert not out.exists()


def test_not_utf8(runner: CliRunner, tmp_path: Path) -> None:
    """A roster that is not UTF-8 is refused with the line where the bad bytes are and how to save it,
    early in the file or deep in it, and no folder is made."""
    roster = tmp_path / "roster.csv"
    out = tmp_path / "out"
    # Text is decoded a block at a time, so the line is only "near": exact for the first line.
    roster.write_bytes("patient_id,when,näme\nA1,2026-12-03 07:30,x\n".encode("latin-1"))
    result = run_batch(runner, roster, out)
    assert result.exit_code == InputError.exit_code
    assert result.stderr == (
        f"Error: {roster} is not UTF-8 text (near line 1). Save it as 'CSV UTF-8' and try again.\n"
    )
    roster.write_bytes(("patient_id,when,name\n" + "A1,2026-12-03 07:30,Ann\n" * 2000).encode() + b"\xff\n")
    result = run_batch(runner, roster, out)
    assert result.exit_code == InputError.exit_code
    assert re.fullmatch(
        re.escape(f"Error: {roster} is not UTF-8 text (near line ")
        + r"\d+"
        + re.escape("). Save it as 'CSV UTF-8' and try again.\n"),
        result.stderr,
    )
    assert not out.exists()


NOT_UTF8 = "is not UTF-8 text (near line {}). Save it as 'CSV UTF-8' and try again."


def test_utf16_without_a_byte_order_mark_is_not_utf8(runner: CliRunner, tmp_path: Path) -> None:
    """Its NUL bytes decode as UTF-8: it read as "unknown column 'p?a?t?i?e?n?t?_?i?d?'"."""
    roster = tmp_path / "roster.csv"
    out = tmp_path / "out"
    for encoding in ("utf-16-le", "utf-16-be"):
        roster.write_bytes(ROSTER.encode(encoding))
        result = run_batch(runner, roster, out)
        assert result.exit_code == InputError.exit_code
        assert result.stderr == f"Error: {roster} {NOT_UTF8.format(1)}\n"
    # A NUL further down names its line: no text file holds one.
    roster.write_bytes(ROSTER.encode().replace(b"Bob Ray", b"Bob\x00Ray"))
    result = run_batch(runner, roster, out)
    assert result.exit_code == InputError.exit_code
    assert result.stderr == f"Error: {roster} {NOT_UTF8.format(3)}\n"
    assert not out.exists()


def test_a_roster_is_read_up_to_its_size_limit(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are read as a stream, but not without end: a file, or standard input, over the limit is refused
    before any plan is made (the limit is lowered here from 64 MiB to 1 MiB)."""
    from kyphoprep.io import roster as roster_module

    limit = 1024 * 1024
    monkeypatch.setattr(roster_module, "MAX_BYTES", limit)
    monkeypatch.setattr(batch_module, "MAX_ROSTER_BYTES", limit)
    full = ROSTER + "\n" * (limit - len(ROSTER.encode()))  # blank lines count, and are skipped
    out = tmp_path / "out"
    result = run_batch(runner, write_roster(tmp_path, full), out, "--format", "json")  # exactly 1 MiB
    assert result.exit_code == 0, result.output
    too_large = "is larger than 1 MiB; is this the right file? Split a longer roster into several files."
    roster = write_roster(tmp_path, full + "\n", "bigger.csv")
    result = run_batch(runner, roster, tmp_path / "more")
    assert result.exit_code == InputError.exit_code
    assert result.stderr == f"Error: {roster} {too_large}\n"
    result = runner.invoke(
        app, ["batch", "-", "--out", str(tmp_path / "more"), "--today", TODAY], input="\ufeff" + full + "\n"
    )
    assert result.exit_code == InputError.exit_code
    assert result.stderr == f"Error: standard input {too_large}\n"
    assert not (tmp_path / "more").exists()


def test_the_real_size_limit_is_64_mib() -> None:
    """The roster limits are 64 MiB in all and 1 MiB a line, so the tests that use smaller limits stand for
    the real ones."""
    from kyphoprep.io.roster import MAX_BYTES, MAX_LINE

    assert MAX_BYTES == 64 * 1024 * 1024  # about 600,000 rows of 100 bytes
    assert MAX_LINE == 1024 * 1024


def test_a_line_that_never_ends_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    """A line is read with a limit (1 MiB, far past csv's own limit for a cell), not up to its end."""
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b"patient_id,when\nA1," + b"x" * (2 * 1024 * 1024))
    out = tmp_path / "out"
    result = run_batch(runner, roster, out)
    assert result.exit_code == InputError.exit_code
    assert result.stderr == (
        f"Error: {roster}, line 2: longer than 1,048,576 characters with no line break; is this the right "
        "file?\n"
    )
    assert not out.exists()


def test_a_roster_from_a_named_pipe_is_planned(runner: CliRunner, tmp_path: Path) -> None:
    """batch <(command) in a shell: a pipe is read once (copied, as standard input is), then planned."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs named pipes")
    pipe = tmp_path / "roster.csv"
    os.mkfifo(pipe)
    feeder = threading.Thread(target=pipe.write_text, args=(ROSTER,), daemon=True)
    feeder.start()
    out = tmp_path / "out"
    result = run_batch(runner, pipe, out, "--format", "json")
    feeder.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert files_in(out) == expected_files("P-1001", "P-1002", "P-1003", formats=(".json",))


def test_missing_roster_and_folder(runner: CliRunner, tmp_path: Path) -> None:
    """A roster that does not exist, or a folder given as the roster, is refused in one line and no output
    folder is made."""
    out = tmp_path / "out"
    missing = tmp_path / "nope.csv"
    result = run_batch(runner, missing, out)
    assert result.exit_code == InputError.exit_code
    assert (
        result.stderr
        == f"Error: No roster file '{missing}'. Check the name, or use '-' to read standard input.\n"
    )
    result = run_batch(runner, tmp_path, out)
    assert result.exit_code == InputError.exit_code
    assert result.stderr == f"Error: '{tmp_path}' is a folder. Give the roster's CSV file.\n"
    assert not out.exists()


# --- spreadsheet quoting and row numbers -----------------------------------------------------------


def test_quoted_cells_with_commas(runner: CliRunner, tmp_path: Path) -> None:
    """A quoted cell keeps its commas: a name, an address, and medicines separated by ';' or ','."""
    roster = write_roster(
        tmp_path,
        "patient_id,name,when,tz,meds,address\n"
        'Q1,"Lee, Ann",2026-12-03 07:30,America/Chicago,'
        '"warfarin=5d; metformin","100 Main St, Springfield"\n'
        'Q2,Bo,2026-12-03 07:30,America/Chicago,"warfarin=5d, metformin",\n',
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out)
    assert result.exit_code == 0, result.output
    inputs = plan_json(out / "Q1.json")["inputs"]
    assert inputs["patient"] == "Lee, Ann"
    assert inputs["address"] == "100 Main St, Springfield"
    assert [m["given_as"] for m in inputs["medicines"]] == ["warfarin=5d", "metformin"]
    second = plan_json(out / "Q2.json")["inputs"]
    assert [m["given_as"] for m in second["medicines"]] == ["warfarin=5d", "metformin"]


def test_rows_are_numbered_as_a_spreadsheet_shows_them(runner: CliRunner, tmp_path: Path) -> None:
    """A quoted line break stays in its cell (and is refused there); blank lines are rows but not patients."""
    roster = write_roster(
        tmp_path,
        "patient_id,name,when,tz,meds\n"
        'Q1,"Lee, Ann",2026-12-03 07:30,America/Chicago,"metformin, warfarin=5x"\n'
        'Q2,"Ann\nLee",2026-12-03 07:30,America/Chicago,\n'
        "\n"
        "Q3,Cy,2026-12-03 07:30,America/Chicago,metformin\n"
        ",,,,\n"
        "Q4,Dee,soon,America/Chicago,\n",
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out)
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr == (
        "Error: Row 2 (Q1), column 'meds': 'warfarin=5x': the hold must be a whole number of "
        "days or hours, such as warfarin=5d or warfarin=24h, or 'continue' if your doctor said to keep "
        "taking it.\n"
        "Error: Row 3 (Q2), column 'name': The cell contains a line break or control character; type it on "
        "one line.\n"
        "Error: Row 7 (Q4), column 'when': Could not read 'soon' as a date and time. Example: 2026-12-03 "
        "07:30 or 'Dec 3 2026 7:30am'.\n"
        f"Done: 1 of 4 rows planned, 3 files written to {out}. 3 failed.\n"
        "Error: 3 of 4 rows failed (see above); the other plans were written.\n"
    )
    assert files_in(out) == expected_files("Q3")


# --- bad rows -------------------------------------------------------------------------------------

BAD_ROWS = [
    # (cells after the id: name,when,tz,procedure,meds,crcl ; the exact error after "Row N (ID)")
    ("Good,2026-12-03 07:30,America/Chicago,,,", None),
    (
        "Bad date,2026-02-30 07:30,America/Chicago,,,",
        (
            ", column 'when': '2026-02-30 07:30' is not a real date or time (day is out of range for month). "
            "Check the day and month."
        ),
    ),
    (
        "Past,2026-11-20 07:30,America/Chicago,,,",
        (
            ", column 'when': The procedure time Friday, November 20, 2026 at 7:30 AM has already passed "
            "(today is Saturday, November 21, 2026). Check the date and year."
        ),
    ),
    (
        "Ambiguous,03/04/2027 07:30,America/Chicago,,,",
        (
            ", column 'when': '03/04/2027' could be Thursday, March 4, 2027 or Saturday, April 3, 2027. "
            "Write the date as 2027-MM-DD, or say how the clinic writes dates: "
            'date_order = "mdy" (month first) or "dmy" (day first) under [defaults] in the clinic '
            "settings file."
        ),
    ),
    ("No when,,America/Chicago,,,", ", column 'when': is empty. Give the date and time of the procedure."),
    (
        "Zone,2026-12-03 07:30,Mars/Olympus_Mons,,,",
        ", column 'tz': Unknown time zone 'Mars/Olympus_Mons'. Use an IANA name such as America/Chicago.",
    ),
    (
        "Unknown medicine,2026-12-03 07:30,America/Chicago,,Tylenol:extra,",
        (
            ", column 'meds': 'Tylenol:extra': 'Tylenol' is not in kyphoprep's medicine list, so it "
            "has no forms. Write 'Tylenol=5d' with your doctor's interval."
        ),
    ),
    (
        "Near miss,2026-12-03 07:30,America/Chicago,,Elliquis,",
        (
            ", column 'meds': 'Elliquis' is not in kyphoprep's medicine list. Did you mean Eliquis "
            "(apixaban)? If it is a different medicine, write 'other:Elliquis'."
        ),
    ),
    (
        "Crcl,2026-12-03 07:30,America/Chicago,,Pradaxa,abc",
        (
            ": 2 problems: column 'crcl': 'abc' is not a whole number of mL/min; column 'meds': "
            "'Pradaxa': the typical guidance for dabigatran depends on kidney function: fill in the crcl "
            "column with the creatinine clearance from a recent blood test. Add one of: :crcl-50-or-more "
            "(kidney function (creatinine clearance) 50 mL/min or more); :crcl-under-50 (kidney function "
            "(creatinine clearance) under 50 mL/min). Or give your doctor's interval, such as "
            "'dabigatran=5d'."
        ),
    ),
    (
        "Crcl super,2026-12-03 07:30,America/Chicago,,,²",
        ", column 'crcl': '²' is not a whole number of mL/min.",
    ),
    (
        "Crcl zero,2026-12-03 07:30,America/Chicago,,,0",
        ", column 'crcl': 0 is not a creatinine clearance. Give mL/min from 1 to 200.",
    ),
    (
        "Crcl high,2026-12-03 07:30,America/Chicago,,,201",
        ", column 'crcl': 201 is not a creatinine clearance. Give mL/min from 1 to 200.",
    ),
    (
        "Path,2026-12-03 07:30,America/Chicago,../mine.toml,,",
        (
            ", column 'procedure': give a protocol name, not a file. A clinic's own protocol file is named "
            "in the clinic settings file (procedure under [defaults])."
        ),
    ),
    (
        "Unknown procedure,2026-12-03 07:30,America/Chicago,discectomy,,",
        (
            ", column 'procedure': Unknown procedure 'discectomy'. Choose one of: kyphoplasty, "
            "vertebroplasty, or leave the cell empty for the batch's protocol."
        ),
    ),
    (
        "Short,2026-12-03 07:30",
        (
            ": has 3 cells but the first line names 7 columns. Check for a missing or extra comma; put a "
            "cell with a comma in double quotes."
        ),
    ),
    (
        "Long,2026-12-03 07:30,America/Chicago,,,,extra",
        (
            ": has 8 cells but the first line names 7 columns. Check for a missing or extra comma; put a "
            "cell with a comma in double quotes."
        ),
    ),
    ("Also good,2026-12-04 07:30,America/Chicago,vertebroplasty,Tylenol,", None),
]


def test_bad_rows_are_reported_and_skipped(runner: CliRunner, tmp_path: Path) -> None:
    """Each bad row: its row number, id, column and reason; the good rows are still written; exit 6."""
    lines = ["patient_id,name,when,tz,procedure,meds,crcl"]
    expected_errors = []
    good = []
    for index, (cells, error) in enumerate(BAD_ROWS):
        patient_id = f"R{index}"
        lines.append(f"{patient_id},{cells}")
        if error is None:
            good.append(patient_id)
        else:
            expected_errors.append(f"Error: Row {index + 2} ({patient_id}){error}\n")
    lines.append(",No id,2026-12-03 07:30,America/Chicago,,,")
    expected_errors.append(
        f"Error: Row {len(lines)}, column 'patient_id': is empty. Every row needs an id for its file names.\n"
    )
    lines.append("¿?,No letters,2026-12-03 07:30,America/Chicago,,,")
    expected_errors.append(
        f"Error: Row {len(lines)} (¿?), column 'patient_id': has no letters or digits to name a file with.\n"
    )
    out = tmp_path / "out"
    result = run_batch(runner, write_roster(tmp_path, "\n".join(lines) + "\n"), out)
    rows = len(lines) - 1
    failed = len(expected_errors)
    assert result.exit_code == RowsFailedError.exit_code, result.output
    assert result.stderr == (
        "".join(expected_errors)
        + f"Done: {rows - failed} of {rows} rows planned, {3 * len(good)} files written to {out}. "
        + f"{failed} failed.\n"
        + f"Error: {failed} of {rows} rows failed (see above); the other plans were written.\n"
    )
    assert result.stdout == ""
    assert files_in(out) == expected_files(*good)
    also_good = plan_json(out / f"{good[1]}.json")["inputs"]
    assert also_good["procedure"] == "vertebroplasty"
    assert [m["action"] for m in also_good["medicines"]] == ["ask-care-team"]


def test_date_order_applies_to_every_row(runner: CliRunner, tmp_path: Path) -> None:
    """--date-order dmy reads a row's 03/12/2026 as 3 December, so a clinic with day-first dates gets the
    right day for every patient."""
    roster = write_roster(tmp_path, "patient_id,when,tz\nD1,03/12/2026 07:30,Europe/London\n")
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--date-order", "dmy")
    assert result.exit_code == 0, result.output
    assert plan_json(out / "D1.json")["procedure"]["start"] == "2026-12-03T07:30:00+00:00"


# --- file names -----------------------------------------------------------------------------------


def test_ids_become_safe_file_names_inside_out(runner: CliRunner, tmp_path: Path) -> None:
    """Patient ids with path separators, '..', reserved Windows names or non-ASCII letters become safe file
    names inside --out, and nothing is written anywhere else."""
    roster_folder = tmp_path / "in"
    roster_folder.mkdir()
    roster = write_roster(
        roster_folder,
        "patient_id,when,tz\n"
        "../../etc/passwd,2026-12-03 07:30,America/Chicago\n"
        "a/b,2026-12-03 07:30,America/Chicago\n"
        "CON,2026-12-03 07:30,America/Chicago\n"
        '"  spaced id ",2026-12-03 07:30,America/Chicago\n'
        "Müller,2026-12-03 07:30,America/Chicago\n"
        "..\\..\\win,2026-12-03 07:30,America/Chicago\n"
        "lpt1.txt,2026-12-03 07:30,America/Chicago\n",
    )
    out = tmp_path / "deep" / "out"
    result = run_batch(runner, roster, out, "--format", "json")
    assert result.exit_code == 0, result.output
    stems = ("etc_passwd", "a_b", "_CON", "spaced_id", "M_ller", "win", "_lpt1.txt")
    assert files_in(out) == expected_files(*stems, formats=(".json",))
    # Nothing anywhere else: only the roster and the plans.
    everything = sorted(
        str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file() and p.name != MADE_FILE
    )
    assert everything == sorted(["in/roster.csv", *(f"deep/out/{s}.json" for s in stems)])
    # The plan's identity is the id as written (trimmed), as with --plan-id.
    assert plan_json(out / "spaced_id.json")["plan_id"] == plan_json_for_id(runner, "spaced id")


def plan_json_for_id(runner: CliRunner, plan_id: str) -> str:
    args = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", TODAY, "--plan-id", plan_id]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    value: str = json.loads(result.stdout)["plan_id"]
    return value


def test_ids_that_share_a_file_name_are_all_refused(runner: CliRunner, tmp_path: Path) -> None:
    """Same id, ids differing only in case, ids that clean to the same name: none of them is written."""
    roster = write_roster(
        tmp_path,
        "patient_id,when,tz\n"
        "P1,2026-12-03 07:30,America/Chicago\n"
        "OK1,2026-12-03 07:30,America/Chicago\n"
        "p1,2026-12-03 07:30,America/Chicago\n"
        "a b,2026-12-03 07:30,America/Chicago\n"
        "a_b,2026-12-03 07:30,America/Chicago\n"
        "OK2,2026-12-03 07:30,America/Chicago\n"
        "P1,2026-12-03 07:30,America/Chicago\n",
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out)
    tail = "Give every patient a different id; none of these rows was written."
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr == (
        # Once per id, on its first row; the other rows fail too, and are counted below.
        "Error: Row 2 (P1), column 'patient_id': 3 rows (2, 4 and 8) have this id, or ids that make the "
        f"same file name (P1). {tail}\n"
        "Error: Row 5 (a b), column 'patient_id': 2 rows (5 and 6) have this id, or ids that make the "
        f"same file name (a_b). {tail}\n"
        f"Done: 2 of 7 rows planned, 6 files written to {out}. 5 failed.\n"
        "Error: 5 of 7 rows failed (see above); the other plans were written.\n"
    )
    assert files_in(out) == expected_files("OK1", "OK2")


# --- existing files -------------------------------------------------------------------------------


def test_existing_files_are_kept_without_force(runner: CliRunner, tmp_path: Path) -> None:
    """A row whose files already exist (even some of them) is refused and those files stay byte for byte,
    while --force replaces them with fresh plans."""
    roster = write_roster(tmp_path, ROSTER)
    out = tmp_path / "out"
    assert run_batch(runner, roster, out).exit_code == 0
    (out / "P-1001.txt").write_text("an older plan\n", encoding="utf-8")
    (out / "P-1002.json").unlink()  # one file of three missing still blocks the row
    before = {name: ((out / name).read_bytes(), (out / name).stat().st_mtime_ns) for name in files_in(out)}

    result = run_batch(runner, roster, out)
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr == (
        f"Error: Row 2 (P-1001): P-1001.txt, P-1001.ics, P-1001.json already exist in {out}. {BOTH_WAYS}\n"
        f"Error: Row 3 (P-1002): P-1002.txt, P-1002.ics already exist in {out}. {BOTH_WAYS}\n"
        f"Error: Row 4 (P-1003): P-1003.txt, P-1003.ics, P-1003.json already exist in {out}. {BOTH_WAYS}\n"
        f"Done: 0 of 3 rows planned, 0 files written to {out}. 3 failed.\n"
        "Error: 3 of 3 rows failed (see above); no plan was written.\n"
    )
    after = {name: ((out / name).read_bytes(), (out / name).stat().st_mtime_ns) for name in files_in(out)}
    assert after == before

    result = run_batch(runner, roster, out, "--force")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Done: 3 of 3 rows planned, 9 files written to {out}.\n"
    assert files_in(out) == expected_files("P-1001", "P-1002", "P-1003")
    assert (out / "P-1001.txt").read_bytes() == plan_bytes(runner, "P-1001", "text")
    assert (out / "P-1002.json").read_bytes() == plan_bytes(runner, "P-1002", "json")


def test_one_existing_format_blocks_only_its_row(runner: CliRunner, tmp_path: Path) -> None:
    """One existing file stops only its own row; the other rows are still planned and written."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "P-1002.ics").write_text("keep me\n", encoding="utf-8")
    result = run_batch(runner, write_roster(tmp_path, ROSTER), out)
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr.startswith(
        f"Error: Row 3 (P-1002): P-1002.ics already exists in {out}. {BOTH_WAYS}\n"
    )
    assert (out / "P-1002.ics").read_text(encoding="utf-8") == "keep me\n"
    assert files_in(out) == sorted([*expected_files("P-1001", "P-1003"), "P-1002.ics"])


# --- standard input and --out ----------------------------------------------------------------------


def test_roster_from_standard_input(runner: CliRunner, tmp_path: Path) -> None:
    """A roster read from standard input ('-') gives the same plans as one read from a file."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", "-", "--out", str(out), "--today", TODAY], input=ROSTER)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Done: 3 of 3 rows planned, 9 files written to {out}.\n"
    assert (out / "P-1001.ics").read_bytes() == plan_bytes(runner, "P-1001", "ics")


def test_standard_input_errors_name_it(runner: CliRunner, tmp_path: Path) -> None:
    """An empty or header-only roster on standard input is reported as "standard input", not as a file name
    that does not exist."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", "-", "--out", str(out), "--today", TODAY], input="")
    assert result.exit_code == InputError.exit_code
    assert (
        result.stderr == f"Error: standard input is empty. {EXAMPLE_COLUMNS.replace('them', 'the columns')}\n"
    )
    result = runner.invoke(
        app, ["batch", "-", "--out", str(out), "--today", TODAY], input="patient_id,when\n"
    )
    assert result.stderr == "Error: standard input has no patient rows, only the line of column names.\n"
    assert not out.exists()


def test_out_is_a_file(runner: CliRunner, tmp_path: Path) -> None:
    """An --out that is a file is refused and the file is left untouched, so batch never writes over
    something that is not its folder."""
    out = tmp_path / "plans"
    out.write_text("not a folder\n", encoding="utf-8")
    result = run_batch(runner, write_roster(tmp_path, ROSTER), out)
    assert result.exit_code == OutputError.exit_code
    assert result.stderr == f"Error: --out '{out}' is a file, not a folder. Give a folder for the plans.\n"
    assert out.read_text(encoding="utf-8") == "not a folder\n"


def test_out_folder_is_created(runner: CliRunner, tmp_path: Path) -> None:
    """An --out folder that does not exist is created with its parents, so a fresh run needs no mkdir
    first."""
    out = tmp_path / "a" / "b" / "plans"
    result = run_batch(runner, write_roster(tmp_path, ROSTER), out, "--format", "text")
    assert result.exit_code == 0, result.output
    assert files_in(out) == expected_files("P-1001", "P-1002", "P-1003", formats=(".txt",))


# --- warnings and --strict ------------------------------------------------------------------------

LATE = """\
patient_id,when,tz,meds
L1,2026-12-03 07:30,America/Chicago,warfarin=30d
L2,2026-12-03 07:30,America/Chicago,
"""
# No medicine, dose or date on stderr, which clinics keep in logs: the plan file says it all.
LATE_WARNING = "Warning: Row 2 (L1): the plan has 1 warning to act on first; read it at the top of L1.txt.\n"


def test_warnings_are_reported_per_row(runner: CliRunner, tmp_path: Path) -> None:
    """A row whose plan has a warning (a last dose already passed) names its row on stderr, and the summary
    counts the rows with warnings."""
    out = tmp_path / "out"
    result = run_batch(runner, write_roster(tmp_path, LATE), out)
    assert result.exit_code == 0, result.output
    assert (
        result.stderr
        == LATE_WARNING + f"Done: 2 of 2 rows planned, 6 files written to {out}. 1 with warnings.\n"
    )


def test_strict_exits_3_but_writes_every_plan(runner: CliRunner, tmp_path: Path) -> None:
    """--strict exits 3 when a plan has warnings but still writes every plan, so the warning is not lost
    and no plan is withheld."""
    out = tmp_path / "out"
    result = run_batch(runner, write_roster(tmp_path, LATE), out, "--strict")
    assert result.exit_code == WarningsError.exit_code
    assert result.stderr == (
        LATE_WARNING
        + f"Done: 2 of 2 rows planned, 6 files written to {out}. 1 with warnings.\n"
        + "Error: --strict: 1 plan has warnings (see above). The plans were still written.\n"
    )
    assert files_in(out) == expected_files("L1", "L2")
    assert [w["code"] for w in plan_json(out / "L1.json")["warnings"]] == ["last-dose-passed"]


def test_failed_rows_beat_strict(runner: CliRunner, tmp_path: Path) -> None:
    """A failed row is the bigger problem: exit 6 even with --strict and a warning."""
    roster = write_roster(tmp_path, LATE + "L3,someday,America/Chicago,\n")
    result = run_batch(runner, roster, tmp_path / "out", "--strict")
    assert result.exit_code == RowsFailedError.exit_code


# --- settings for the whole batch and per row -------------------------------------------------------

CLINIC = """\
[clinic]
name = "File Clinic"
address = "1 File St"
phone = "555-0001"

[defaults]
timezone = "Europe/Berlin"
arrive_minutes = 60
fasting = "asa"
reminder_minutes = 45
discreet_titles = true
"""


def test_row_clinic_columns_beat_the_settings_file(runner: CliRunner, tmp_path: Path) -> None:
    """Facility, address and phone cells in a row override the settings file's clinic for that row only,
    and empty cells fall back to the file."""
    config = tmp_path / "clinic.toml"
    config.write_text(CLINIC, encoding="utf-8")
    roster = write_roster(
        tmp_path,
        "patient_id,when,tz,facility,address,phone\n"
        "F1,2026-12-03 07:30,America/Chicago,Row Clinic,2 Row Ave,555-0002\n"
        "F2,2026-12-03 07:30,America/Chicago,,,\n"
        "F3,2026-12-03 07:30,America/Chicago,,3 Row Rd,\n",
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--config", str(config), "--format", "json,text")
    assert result.exit_code == 0, result.output

    def clinic(patient_id: str) -> tuple[str, str, str]:
        inputs = plan_json(out / f"{patient_id}.json")["inputs"]
        return inputs["facility"], inputs["address"], inputs["phone"]

    assert clinic("F1") == ("Row Clinic", "2 Row Ave", "555-0002")
    assert clinic("F2") == ("File Clinic", "1 File St", "555-0001")
    assert clinic("F3") == ("File Clinic", "3 Row Rd", "555-0001")
    assert "Place:         Row Clinic" in (out / "F1.txt").read_text(encoding="utf-8").splitlines()


def test_row_clinic_cells_are_checked(runner: CliRunner, tmp_path: Path) -> None:
    """A clinic cell in the roster gets the same length check as the settings file, so an over-long phone
    number fails its row with the column named."""
    roster = write_roster(
        tmp_path, f'patient_id,when,tz,phone\nF1,2026-12-03 07:30,America/Chicago,"{"5" * 201}"\n'
    )
    result = run_batch(runner, roster, tmp_path / "out")
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr.startswith(
        "Error: Row 2 (F1), column 'phone': The cell is longer than 200 characters; shorten it.\n"
    )


def test_empty_tz_uses_tz_option_then_settings_file_then_computer(runner: CliRunner, tmp_path: Path) -> None:
    """A row without a zone takes --tz, then the settings file (given or from KYPHOPREP_CONFIG), then the
    computer's zone, and a row with its own zone keeps it."""
    config = tmp_path / "clinic.toml"
    config.write_text('[defaults]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    roster = write_roster(
        tmp_path, "patient_id,when,tz\nZ1,2026-12-03 07:30,\nZ2,2026-12-03 07:30,Asia/Kolkata\n"
    )

    def zones(*args: str, env: dict[str, str] | None = None) -> tuple[str, str]:
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        result = run_batch(runner, roster, out, "--format", "json", *args, env=env)
        assert result.exit_code == 0, result.output
        return (
            plan_json(out / "Z1.json")["inputs"]["timezone"],
            plan_json(out / "Z2.json")["inputs"]["timezone"],
        )

    assert zones("--tz", "Asia/Tokyo", "--config", str(config)) == ("Asia/Tokyo", "Asia/Kolkata")
    assert zones("--config", str(config)) == ("Europe/Berlin", "Asia/Kolkata")
    assert zones() == ("America/Chicago", "Asia/Kolkata")  # the runner's TZ
    assert zones(env={"KYPHOPREP_CONFIG": str(config)}) == ("Europe/Berlin", "Asia/Kolkata")


def test_no_zone_anywhere_fails_the_row(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No tz cell, no --tz, no settings file, and a computer without a zone: only that row fails."""
    import kyphoprep.cli.batch

    def no_zone() -> str:
        raise InputError("no zone here")

    monkeypatch.setattr(kyphoprep.cli.batch, "system_zone", no_zone)
    roster = write_roster(
        tmp_path, "patient_id,when,tz\nZ1,2026-12-03 07:30,\nZ2,2026-12-03 07:30,Asia/Tokyo\n"
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out)
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr.startswith(
        "Error: Row 2 (Z1), column 'tz': is empty, and no default zone was given. Fill it in, or set "
        "timezone under [defaults] in the clinic settings file.\n"
    )
    assert files_in(out) == expected_files("Z2")


def test_settings_file_and_options_apply_to_every_row(runner: CliRunner, tmp_path: Path) -> None:
    """--config sets every row; an option beats it for every row; a row's procedure picks the protocol."""
    config = tmp_path / "clinic.toml"
    config.write_text(CLINIC, encoding="utf-8")
    roster = write_roster(
        tmp_path,
        "patient_id,when,procedure,meds\n"
        "S1,2026-12-03 07:30,,Eliquis\n"
        "S2,2026-12-03 07:30,Vertebroplasty,Eliquis\n",
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--config", str(config), "--arrive-minutes", "120")
    assert result.exit_code == 0, result.output
    for patient_id, procedure in (("S1", "kyphoplasty"), ("S2", "vertebroplasty")):
        data = plan_json(out / f"{patient_id}.json")
        inputs = data["inputs"]
        assert inputs["procedure"] == procedure
        assert (inputs["timezone"], inputs["fasting"], inputs["reminder_minutes"]) == (
            "Europe/Berlin",
            "asa",
            45,
        )
        assert (inputs["arrive_minutes"], inputs["discreet_titles"], inputs["facility"]) == (
            120,
            True,
            "File Clinic",
        )
        assert "asa-stop-drinks" in {step["id"] for step in data["steps"]}
        calendar = (out / f"{patient_id}.ics").read_text(encoding="utf-8")
        assert "Eliquis" not in "".join(line for line in calendar.splitlines() if line.startswith("SUMMARY:"))
    # Byte for byte what `plan` gives with the same settings.
    expected = runner.invoke(
        app,
        [
            "plan",
            "2026-12-03 07:30",
            "--config",
            str(config),
            "--arrive-minutes",
            "120",
            "--procedure",
            "vertebroplasty",
            "--med",
            "Eliquis",
            "--plan-id",
            "S2",
            "--today",
            TODAY,
            "--format",
            "ics",
        ],
    )
    assert expected.exit_code == 0, expected.output
    assert (out / "S2.ics").read_bytes() == expected.stdout_bytes


def test_protocol_option_applies_to_every_row(runner: CliRunner, tmp_path: Path) -> None:
    """--protocol FILE is the batch's protocol; a row names it by its id, or picks a built-in one,
    which then has its own defaults (arrival, alarms), as with `plan --protocol NAME`."""
    protocol = tmp_path / "sacro.toml"
    text = SACROPLASTY.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^arrive_minutes = 90 ", "arrive_minutes = 45 ", text)
    text = re.sub(r"(?m)^reminder_minutes = 30 ", "reminder_minutes = 20 ", text)
    protocol.write_text(text, encoding="utf-8")
    roster = write_roster(
        tmp_path,
        "patient_id,when,tz,procedure\n"
        "S1,2026-12-03 07:30,America/Chicago,\n"
        "S2,2026-12-03 07:30,America/Chicago,sacroplasty\n"
        "K1,2026-12-03 07:30,America/Chicago,kyphoplasty\n",
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--protocol", str(protocol))
    assert result.exit_code == 0, result.output

    def summary(patient_id: str) -> tuple[str, int, int]:
        inputs = plan_json(out / f"{patient_id}.json")["inputs"]
        return inputs["procedure"], inputs["arrive_minutes"], inputs["reminder_minutes"]

    assert summary("S1") == ("sacroplasty", 45, 20)
    assert summary("S2") == ("sacroplasty", 45, 20)
    assert summary("K1") == ("kyphoplasty", 90, 30)
    for patient_id, chosen in (("S1", str(protocol)), ("K1", "kyphoplasty")):
        for output_format, ext in (("json", ".json"), ("ics", ".ics")):
            args = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--protocol", chosen]
            expected = runner.invoke(
                app, [*args, "--plan-id", patient_id, "--today", TODAY, "--format", output_format]
            )
            assert (out / f"{patient_id}{ext}").read_bytes() == expected.stdout_bytes, (patient_id, ext)


def test_unknown_procedure_in_a_row_lists_what_the_column_takes(runner: CliRunner, tmp_path: Path) -> None:
    """The built-in names and the id of the --protocol file; never "the path of a protocol file", which
    the column refuses."""
    roster = write_roster(
        tmp_path, "patient_id,when,tz,procedure\nS1,2026-12-03 07:30,America/Chicago,discectomy\n"
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--protocol", str(SACROPLASTY))
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr.splitlines()[0] == (
        "Error: Row 2 (S1), column 'procedure': Unknown procedure 'discectomy'. Choose one of: kyphoplasty, "
        "vertebroplasty, sacroplasty, or leave the cell empty for the batch's protocol."
    )


def test_patient_id_with_a_control_character_fails_its_row(runner: CliRunner, tmp_path: Path) -> None:
    """As --plan-id refuses it. It was written as H_1.json; it no longer blocks a real H_1 as a clash."""
    roster = write_roster(
        tmp_path,
        "patient_id,when,tz\n"
        "H\x1b1,2026-12-03 07:30,America/Chicago\n"
        "H_1,2026-12-03 07:30,America/Chicago\n"
        "\u202eH2,2026-12-03 07:30,America/Chicago\n",
    )
    out = tmp_path / "out"
    result = run_batch(runner, roster, out, "--format", "json")
    assert result.exit_code == RowsFailedError.exit_code
    control = "The cell contains a line break or control character; type it on one line."
    assert result.stderr == (
        f"Error: Row 2 (H?1), column 'patient_id': {control}\n"
        f"Error: Row 4 (?H2), column 'patient_id': {control}\n"
        f"Done: 1 of 3 rows planned, 1 files written to {out}. 2 failed.\n"
        "Error: 2 of 3 rows failed (see above); the other plans were written.\n"
    )
    assert files_in(out) == ["H_1.json"]


def test_bad_settings_file_stops_before_any_row(runner: CliRunner, tmp_path: Path) -> None:
    """A mistake in the settings file stops the run with exit 4 before any row is planned, so no plan is
    made from half-read settings."""
    config = tmp_path / "clinic.toml"
    config.write_text('[defaults]\nfastng = "asa"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch(runner, write_roster(tmp_path, ROSTER), out, "--config", str(config))
    assert result.exit_code == 4
    assert result.stderr.startswith(
        f"Error: {config}, [defaults] fastng: unknown setting. Did you mean 'fasting'?"
    )
    assert not out.exists()


# --- many rows: worker processes --------------------------------------------------------------------

ZONES = ["America/Chicago", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata"]
MEDS = [
    "",
    "warfarin=5d",
    "Eliquis; metformin",
    "aspirin:secondary",
    "enoxaparin=24h; Ozempic",
    "warfarin=30d",
]


def big_roster(rows: int) -> str:
    lines = ["patient_id,name,when,tz,meds"]
    for i in range(rows):
        when = f"2026-12-{1 + i % 28:02d} {7 + i % 5:02d}:30"
        if i % 50 == 17:
            when = "not a date"  # a few bad rows: their errors must come out in roster order too
        lines.append(f'R{i:04d},Person {i},{when},{ZONES[i % len(ZONES)]},"{MEDS[i % len(MEDS)]}"')
    return "\n".join(lines) + "\n"


def test_worker_processes_write_the_same_files(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A roster big enough for worker processes: --jobs 2 gives the same bytes and messages as --jobs 1."""
    rows = batch_module.PARALLEL_FROM + batch_module.CHUNK_ROWS + 7
    roster = write_roster(tmp_path, big_roster(rows))
    contexts: list[str] = []
    real_get_context = multiprocessing.get_context

    def spy(method: str | None = None) -> Any:
        contexts.append(str(method))
        return real_get_context(method)

    monkeypatch.setattr(multiprocessing, "get_context", spy)
    one, two = tmp_path / "one", tmp_path / "two"
    serial = run_batch(runner, roster, one, "--jobs", "1")
    assert contexts == []
    parallel = run_batch(runner, roster, two, "--jobs", "2")
    assert contexts, "the worker processes were not used"
    assert serial.exit_code == parallel.exit_code == RowsFailedError.exit_code
    assert serial.stderr.replace(str(one), "OUT") == parallel.stderr.replace(str(two), "OUT")
    assert serial.stderr.count("Error: Row ") == len(range(17, rows, 50))
    assert serial.stderr.count("Warning: Row ") > 10
    assert files_in(one) == files_in(two)
    assert len(files_in(one)) == 3 * (rows - len(range(17, rows, 50)))
    for name in files_in(one):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


# --- file names, for any id -------------------------------------------------------------------------

SAFE = re.compile(r"[A-Za-z0-9._-]*")


@given(st.text())
@example("CON." + "a" * 70)
@example("lpt9." + "x" * 58 + "." + "y")
@example("../" * 30)
@example("ﬁle")
@example("COM¹")
def test_file_stem_is_always_safe(patient_id: str) -> None:
    """For any patient id the file stem is made of safe characters, is short, starts and ends without a
    dot, avoids reserved Windows names and has one file key in any case (for case-insensitive disks)."""
    stem = file_stem(patient_id)
    assert SAFE.fullmatch(stem), stem
    assert not stem.startswith(".")
    assert not stem.endswith(".")
    assert len(stem) <= STEM_MAX
    assert stem.split(".")[0].upper() not in WINDOWS_RESERVED
    assert file_key(stem) == file_key(stem.upper()) == file_key(stem.lower())


@given(st.sampled_from(sorted(WINDOWS_RESERVED)), st.text(alphabet="abcXYZ.-_ /", max_size=80))
def test_reserved_names_are_never_used(reserved: str, rest: str) -> None:
    """Reserved Windows device names (CON, LPT1...) in any case and with any extension never become a file
    stem, since Windows cannot open such files."""
    for patient_id in (reserved, reserved.lower(), f"{reserved}.{rest}", f"{reserved.lower()}{rest}"):
        stem = file_stem(patient_id)
        assert stem.split(".")[0].upper() not in WINDOWS_RESERVED, patient_id
        assert len(stem) <= STEM_MAX
        assert SAFE.fullmatch(stem)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ids_differing_only_in_case_share_a_key(patient_id: str) -> None:
    """On a case-insensitive disk these would be one file, so batch must see them as one name."""
    assert file_key(file_stem(patient_id)) == file_key(file_stem(patient_id.swapcase()))


# --- --out and the plan files: only names and files kyphoprep may use ------------------------------


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("", "--out is empty. Give a folder for the plans, such as --out plans."),
        ("  ", "--out is only spaces. Give a folder for the plans, such as --out plans."),
        (
            "plans\nP-1001",
            "--out 'plans?P-1001' contains a line break or control character; type it on one line.",
        ),
    ],
)
def test_out_that_cannot_be_meant_is_refused(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str, message: str
) -> None:
    """An empty --out would be the current folder; a line break would split the summary line."""
    roster = write_roster(tmp_path, ROSTER)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["batch", str(roster), "--out", out, "--today", TODAY])
    assert result.exit_code == OutputError.exit_code
    assert result.stderr == f"Error: {message}\n"
    assert files_in(tmp_path) == ["roster.csv"]


def test_out_folder_is_not_made_when_a_later_check_fails(runner: CliRunner, tmp_path: Path) -> None:
    """The output folder is not created when a check after the arguments (here SOURCE_DATE_EPOCH) fails, so
    a refused run leaves no trace."""
    out = tmp_path / "plans"
    result = runner.invoke(
        app,
        ["batch", str(write_roster(tmp_path, ROSTER)), "--out", str(out)],
        env={"SOURCE_DATE_EPOCH": "soon"},
    )
    assert result.exit_code == InputError.exit_code
    assert not out.exists()


def test_force_never_writes_over_a_pipe(runner: CliRunner, tmp_path: Path) -> None:
    """A pipe (or device) where a plan file goes fails the row, before any of its files is written."""
    out = tmp_path / "plans"
    out.mkdir()
    os.mkfifo(out / "P-1001.json")
    result = run_batch(runner, write_roster(tmp_path, ROSTER), out, "--format", "text,json", "--force")
    assert result.exit_code == RowsFailedError.exit_code
    assert result.stderr.startswith(
        f"Error: Row 2 (P-1001): '{out}/P-1001.json' is a named pipe, not a file; kyphoprep never writes "
        "over one, even with --force. Choose another name.\n"
    )
    assert files_in(out) == sorted(
        ["P-1001.json", *expected_files("P-1002", "P-1003", formats=(".json", ".txt"))]
    )
