"""``plan -`` (one patient's roster row from standard input) and ``--quiet`` on plan and batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.errors import InputError, RowError

TODAY = ["--today", "2026-11-20"]
ROW = (
    "patient_id,name,when,tz,meds,driver\n"
    "P-1001,Ann Lee,2026-12-03 07:30,America/Chicago,warfarin=5d,Tom Lee\n"
)


def test_one_row_from_stdin_is_the_same_plan_as_the_options(runner: CliRunner) -> None:
    """A row on stdin makes the plan the same options make: its cells are --plan-id, --patient,
    --tz, --med and --driver (the JSON is byte for byte the same)."""
    from_row = runner.invoke(app, ["plan", "-", *TODAY, "-f", "json"], input=ROW)
    assert from_row.exit_code == 0, from_row.output
    typed = runner.invoke(
        app,
        [
            *["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--med", "warfarin=5d"],
            *["--patient", "Ann Lee", "--driver", "Tom Lee", "--plan-id", "P-1001", *TODAY, "-f", "json"],
        ],
    )
    assert typed.exit_code == 0, typed.output
    assert from_row.stdout == typed.stdout
    assert json.loads(from_row.stdout)["inputs"]["plan_id"] == "P-1001"


def test_stdin_with_a_byte_order_mark_and_any_column_order(runner: CliRunner) -> None:
    """The roster's reader reads the row: a spreadsheet's byte-order mark, columns in any order and
    case, and the command line's --tz for an empty tz cell."""
    row = "\ufeffWHEN,Patient_ID\n2026-12-03 07:30,X-1\n"
    result = runner.invoke(app, ["plan", "-", "--tz", "Europe/Berlin", *TODAY, "-f", "json"], input=row)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["inputs"]["timezone"], data["procedure"]["start"]) == (
        "Europe/Berlin",
        "2026-12-03T07:30:00+01:00",
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "Error: standard input is empty. The first line must name the columns"),
        ("patient_id,when\n", "Error: Standard input has the line of column names but no patient row."),
        (
            "patient_id,when\nA,2026-12-03 07:30\nB,2026-12-04 07:30\n",
            "Error: Standard input has 2 patient rows, but 'plan -' makes one plan. Use 'kyphoprep batch -'",
        ),
        (
            "patient_id,when\nA,2026-13-03 07:30\n",
            "Error: Row 2 (A), column 'when': '2026-13-03 07:30' is not",
        ),
        ("patient_id,when\n,2026-12-03 07:30\n", "Error: Row 2, column 'patient_id': is empty."),
        ("patient_id,when\nA,2026-12-03 07:30,extra\n", "Error: Row 2 (A): has 3 cells but the first line"),
        ("patient,when\nA,2026-12-03 07:30\n", "Error: standard input: unknown column 'patient'."),
    ],
)
def test_stdin_that_is_not_one_good_row_is_refused(runner: CliRunner, given: str, message: str) -> None:
    """Empty input, no row, two rows, a bad cell, an empty id, a row of the wrong shape or an unknown
    column: one Error line saying why (exit 2), nothing on stdout."""
    result = runner.invoke(app, ["plan", "-", *TODAY], input=given)
    assert result.exit_code == InputError.exit_code == RowError.exit_code
    assert result.stdout == ""
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("option", "column"),
    [
        (["--med", "warfarin"], "meds"),
        (["--patient", "Ann"], "name"),
        (["--driver", "Tom"], "driver"),
        (["--plan-id", "P"], "patient_id"),
        (["--crcl", "60"], "crcl"),
    ],
)
def test_a_persons_option_with_stdin_is_refused(runner: CliRunner, option: list[str], column: str) -> None:
    """The row says who the patient is: --med, --patient, --driver, --plan-id or --crcl beside '-'
    would have to lose to the row or beat it, so it is refused, naming the column to use."""
    result = runner.invoke(app, ["plan", "-", *option, *TODAY], input=ROW)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: Do not use {option[0]} with 'plan -': the row gives it. Put it in the '{column}' column.\n"
    )


def test_stdin_that_is_a_terminal_is_refused_at_once(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed at a prompt, 'plan -' would wait for CSV nobody types: it says how to send it instead."""
    import sys

    def on_a_terminal() -> bool:
        return True

    from kyphoprep.cli.plan import plan

    with runner.isolation(input="ignored") as streams:
        monkeypatch.setattr(sys.stdin, "isatty", on_a_terminal, raising=False)
        with pytest.raises(typer.Exit) as stopped:  # from reported_errors
            plan("-", today="2026-11-20")
        sys.stderr.flush()
        said = streams[1].getvalue().decode()
    assert stopped.value.exit_code == 2
    assert said.startswith("Error: 'plan -' reads the patient's row from standard input, but here the input")


def test_quiet_plan_says_nothing_but_errors(runner: CliRunner, tmp_path: Path) -> None:
    """--quiet (-q): no 'Wrote' line; an error is still said."""
    target = tmp_path / "plan.ics"
    loud = runner.invoke(app, ["plan", "-", *TODAY, "-o", str(target)], input=ROW)
    assert loud.stderr == f"Wrote {target}\n"
    quiet = runner.invoke(app, ["plan", "-", *TODAY, "-o", str(tmp_path / "q.ics"), "-q"], input=ROW)
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    refused = runner.invoke(app, ["plan", "-", *TODAY, "-o", str(target), "--quiet"], input=ROW)
    assert refused.exit_code == 5
    assert refused.stderr.startswith("Error: ")


def test_quiet_keeps_the_plans_warnings(runner: CliRunner, tmp_path: Path) -> None:
    """A missed last dose is still said on stderr with --quiet: it is for the patient's safety, not a
    notice (the Wrote line goes)."""
    late = ROW.replace("warfarin=5d", "warfarin=15d")
    result = runner.invoke(app, ["plan", "-", *TODAY, "-o", str(tmp_path / "p.ics"), "-q"], input=late)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Warning: ")
    assert "Wrote" not in result.stderr


def test_quiet_batch_says_only_row_errors(runner: CliRunner, tmp_path: Path) -> None:
    """batch -q: no summary and no print-file line; a failed row's Error and the exit code stay."""
    roster = ROW + "P-1002,Bob Ray,2026-13-03 07:30,America/Chicago,,\n"
    args = ["batch", "-", "--out", str(tmp_path / "out"), "--format", "json", *TODAY]
    args += ["--print-file", str(tmp_path / "day.html")]
    loud = runner.invoke(app, args, input=roster)
    assert "Done: 1 of 2 rows planned" in loud.stderr
    assert "Wrote " in loud.stderr
    quiet = runner.invoke(app, [*args, "--force", "-q"], input=roster)
    assert quiet.exit_code == 6
    lines = quiet.stderr.splitlines()
    assert lines[0].startswith("Error: Row 3 (P-1002), column 'when'")
    assert lines[1:] == ["Error: 1 of 2 rows failed (see above); the other plans were written."]
