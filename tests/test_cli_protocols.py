"""`kyphoprep protocols list|show|check`, driven through the CLI."""

from __future__ import annotations

import json
import shlex
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.data.protocols import load_builtin_protocol
from kyphoprep.errors import ChecklistError, InputError
from tests.protocol_texts import MINIMAL_PROTOCOL

ROOT = Path(__file__).parent.parent
SACROPLASTY = ROOT / "docs" / "examples" / "sacroplasty.toml"
KYPHOPLASTY = ROOT / "checklists" / "kyphoplasty.toml"

GOOD = MINIMAL_PROTOCOL

# Seven problems: two at the top, five in three steps (one of them with three at once).
BAD = """\
format = 1
id = "Demo Protocol"
name = "Demo"
summary = "A demo."
procedure_minutes = 0
arrive_minutes = 60
reminder_minutes = 30
medicine_reminder_at = "08:00"

[sources]
s1 = "A source"

[[steps]]
id = "first"
title = "This title is far too long to fit in a calendar entry on a phone"
detail = "Do it."
category = "misc"
when = { rule = "days-before", days = 2, at = "09:00" }
source = ["s1", "s2"]

[[steps]]
id = "second"
detail = "Do it."
category = "prepare"
when = { rule = "days-before", days = 2, at = "9am" }
source = ["s1"]

[[steps]]
id = "first"
title = "Step three"
detail = "Do it."
category = "prepare"
colour = "red"
when = { rule = "procedure" }
source = ["s1"]
"""

BAD_LINES = [
    "bad.toml, field 'id': use lower-case letters, digits and '-'",
    "bad.toml, field 'procedure_minutes': must be between 5 and 600",
    "bad.toml, step 'first', field 'title': keep titles to 60 characters (calendar entries cut them)",
    (
        "bad.toml, step 'first', field 'category': 'misc' is not one of: prepare, medicines, "
        "food-and-drink, day-of, after-care"
    ),
    "bad.toml, step 'first', field 'source': unknown source 's2' (add it to [sources])",
    "bad.toml, step 'second', field 'when.at': must be a 24-hour clock time such as \"09:00\"",
    "bad.toml, step 'second', field 'title': must be a non-empty string",
    "bad.toml, step 'first', field 'id': the step id is used twice",
    "bad.toml, step 'first', field 'colour': unknown field (check the spelling)",
    "9 problems in bad.toml",
]


def _toml_error(text: str) -> str:
    """tomllib's own reason, which differs between Python versions."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return str(exc)
    raise AssertionError(f"{text!r} is valid TOML")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder, so file names in messages are short and exact."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- list -----------------------------------------------------------------------------


def test_list_shows_both_builtins_with_their_whole_summary(runner: CliRunner) -> None:
    """id, name, steps and fasting rules on one line; the whole summary below it, wrapped to 88 columns."""
    result = runner.invoke(app, ["protocols", "list"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (
        "kyphoplasty     Kyphoplasty     27 steps  fasting: midnight, asa\n"
        "    A spine procedure for a compression fracture: a small balloon makes space in the\n"
        "    broken bone, and the space is filled with bone cement.\n"
        "vertebroplasty  Vertebroplasty  27 steps  fasting: midnight, asa\n"
        "    A spine procedure for a compression fracture: bone cement is put straight into the\n"
        "    broken bone through a thin needle.\n"
    )
    assert all(len(line) <= 88 for line in result.stdout.splitlines())


def test_list_json_for_scripts(runner: CliRunner) -> None:
    """--json: one object per protocol with counts and fasting rules."""
    result = runner.invoke(app, ["protocols", "list", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [entry["id"] for entry in data] == ["kyphoplasty", "vertebroplasty"]
    assert data[0] == {
        "id": "kyphoplasty",
        "name": "Kyphoplasty",
        "summary": load_builtin_protocol("kyphoplasty").summary,
        "file": "kyphoplasty.toml",
        "steps": 27,
        "warning_signs": 11,
        "fasting_rules": ["midnight", "asa"],
    }


def test_protocols_without_a_subcommand_shows_help(runner: CliRunner) -> None:
    """`kyphoprep protocols` alone lists its commands."""
    result = runner.invoke(app, ["protocols"])
    assert "list" in result.output
    assert "show" in result.output
    assert "check" in result.output


@pytest.mark.parametrize("command", ["list", "show", "check"])
def test_each_command_has_help_examples_and_exit_codes(runner: CliRunner, command: str) -> None:
    """Every subcommand documents itself: examples and exit codes."""
    result = runner.invoke(app, ["protocols", command, "--help"])
    assert result.exit_code == 0
    assert f"kyphoprep protocols {command}" in result.stdout
    assert "Examples:" in result.stdout
    assert "Exit codes: 0" in result.stdout


# --- show -----------------------------------------------------------------------------


def test_show_kyphoplasty_has_every_step_and_the_fasting_rules(runner: CliRunner) -> None:
    """The whole protocol, readable: defaults, each step with its timing in words, signs by level."""
    result = runner.invoke(app, ["protocols", "show", "kyphoplasty"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    protocol = load_builtin_protocol("kyphoplasty")
    for number, step in enumerate(protocol.steps, start=1):
        assert f"\n{number}. {step.id}: {step.title}\n" in text
    flat = " ".join(text.split())
    for sign in protocol.warning_signs:
        assert f"- {sign.id}: {sign.text} (sources: " in flat
    assert text.startswith("Kyphoplasty (kyphoplasty)\n")
    for expected in (
        "File: kyphoplasty.toml",
        "Fasting rules: midnight, asa",
        "  Procedure length: 60 minutes (procedure_minutes)",
        "  Arrive: 90 minutes before the procedure (arrive_minutes)",
        "  Calendar alarms: 30 minutes before each step (reminder_minutes)",
        "  Last-day medicine reminders: 8:00 AM (medicine_reminder_at)",
        (
            "1. checkup-visit: Check-up visit before the day\n"
            "   When: 7 days before, 9:00 AM\n"
            "   Lasts: 30 minutes\n   Category: prepare\n"
        ),
        (
            "   When: midnight before\n   Until: the procedure starts\n   Category: food-and-drink\n"
            '   Fasting rule: only in plans with fasting "midnight"\n'
        ),
        "   When: 8 hours before the procedure\n   Until: 6 hours before the procedure\n",
        '   Fasting rule: only in plans with fasting "asa"\n',
        "   When: 60 minutes before arrival\n",
        "   When: at arrival\n",
        "   When: 10 minutes after arrival\n",
        "   When: 3 hours after the procedure ends\n",
        "   When: 42 days after, 9:00 AM\n",
        "   Reminder: no, for information\n",
        ("   Items:\n     - Your list of medicines\n     - Your list of allergies\n     - Photo ID\n"),
        "     - asra-2018: Narouze S et al.",
        "Warning signs: Call your doctor if you have\n  - fever: A fever (sources: seed-000, seed-002)\n",
        "Warning signs: Call 911 or your local emergency number right away if\n",
    ):
        assert expected in text, expected
    assert all(len(line) <= 88 for line in text.splitlines())


def test_show_json_has_rules_as_data(runner: CliRunner) -> None:
    """--json: ids, rules as in plan JSON, titles, details and cited sources."""
    result = runner.invoke(app, ["protocols", "show", "vertebroplasty", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "vertebroplasty"
    assert data["medicine_reminder_at"] == "08:00"
    assert data["fasting_rules"] == ["midnight", "asa"]
    steps = {step["id"]: step for step in data["steps"]}
    assert steps["checkup-visit"]["when"] == {"rule": "days-before", "days": 7, "at": "09:00"}
    assert steps["checkup-visit"]["until"] is None
    assert steps["no-food-or-drink"]["fasting"] == "midnight"
    assert steps["no-food-or-drink"]["until"] == {"rule": "procedure"}
    assert steps["morning-medicines"]["when"] == {"rule": "arrival", "minutes": -60}
    assert steps["ask-blood-thinners"]["sources"][-1]["key"] == "asra-2018"
    assert steps["pack-bag"]["items"][2] == "Photo ID"
    assert {sign["level"] for sign in data["warning_signs"]} == {"call", "emergency"}


def test_show_a_file_by_path(runner: CliRunner) -> None:
    """A clinic's own file is shown the same way."""
    result = runner.invoke(app, ["protocols", "show", str(SACROPLASTY)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Sacroplasty (sacroplasty)\n")
    assert f"File: {SACROPLASTY}\n" in result.stdout
    assert "1. checkup-visit: Visit the clinic before your sacroplasty\n" in result.stdout


def test_show_unknown_name(runner: CliRunner) -> None:
    """A name that is not built in: exit 2 and the names to choose from."""
    result = runner.invoke(app, ["protocols", "show", "sacroplasty"])
    assert result.exit_code == InputError.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Unknown procedure 'sacroplasty'. Choose one of: kyphoplasty, vertebroplasty, "
        "or give the path of a protocol file.\n"
    )


def test_show_broken_file_names_the_first_problem(runner: CliRunner, in_tmp: Path) -> None:
    """show stops at the first problem (check lists them all)."""
    (in_tmp / "bad.toml").write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "show", "bad.toml"])
    assert result.exit_code == ChecklistError.exit_code
    assert result.stderr == "Error: bad.toml, field 'id': use lower-case letters, digits and '-'\n"


# --- check ----------------------------------------------------------------------------


def test_check_good_file(runner: CliRunner, in_tmp: Path) -> None:
    """One line on stdout, exit 0."""
    (in_tmp / "demo.toml").write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "demo.toml"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "demo.toml: OK — 1 step, 0 warning signs; fasting rules: midnight\n"
    assert result.stderr == ""


def test_check_builtin_file(runner: CliRunner) -> None:
    """The shipped kyphoplasty file passes, with both fasting rules."""
    result = runner.invoke(app, ["protocols", "check", str(KYPHOPLASTY)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{KYPHOPLASTY}: OK — 27 steps, 11 warning signs; fasting rules: midnight, asa\n"
    )


def test_check_lists_every_problem_in_file_order(runner: CliRunner, in_tmp: Path) -> None:
    """Top-level and step problems, several in one step, a repeated id: all of them, then a count."""
    (in_tmp / "bad.toml").write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "bad.toml"])
    assert result.exit_code == ChecklistError.exit_code == 4
    assert result.stdout == ""
    assert result.stderr.splitlines() == BAD_LINES


def test_check_notes_a_protocol_without_midnight_steps(runner: CliRunner, in_tmp: Path) -> None:
    """A file with only "asa" fasting steps is valid, but plans need --fasting asa: say so."""
    text = GOOD.replace(
        'category = "prepare"', 'category = "food-and-drink"\nfasting = "asa"\nintake = "nothing"'
    )
    (in_tmp / "asa.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "asa.toml"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "asa.toml: OK — 1 step, 0 warning signs; fasting rules: asa\n"
        "  Note: this protocol only has fasting steps for asa. Make plans with --fasting asa, "
        'or set fasting = "asa" in the clinic settings file.\n'
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.toml", None, "missing.toml: no such protocol file. Check the path."),
        (
            "latin1.toml",
            "name = 'Caf\xe9'\n".encode("latin-1"),
            "latin1.toml: is not UTF-8 text. Save it as UTF-8.",
        ),
        ("broken.toml", b"[[steps]\n", f"broken.toml: not valid TOML ({_toml_error('[[steps]')})"),
        ("folder", "folder", "folder: is a folder; give the protocol file itself."),
    ],
    ids=["missing", "not-utf8", "not-toml", "folder"],
)
def test_check_unreadable_files(
    runner: CliRunner, in_tmp: Path, name: str, content: bytes | str | None, message: str
) -> None:
    """A file that cannot be read as TOML is one problem, with the reason."""
    if isinstance(content, bytes):
        (in_tmp / name).write_bytes(content)
    elif content == "folder":
        (in_tmp / name).mkdir()
    result = runner.invoke(app, ["protocols", "check", name])
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr.splitlines() == [message, f"1 problem in {name}"]


def test_check_two_files_one_bad(runner: CliRunner, in_tmp: Path) -> None:
    """Every file is checked; one bad file makes the exit code 4."""
    (in_tmp / "demo.toml").write_text(GOOD, encoding="utf-8")
    (in_tmp / "bad.toml").write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "bad.toml", "demo.toml"])
    assert result.exit_code == 4
    assert result.stdout == "demo.toml: OK — 1 step, 0 warning signs; fasting rules: midnight\n"
    assert result.stderr.splitlines() == BAD_LINES


def test_check_shows_control_characters_safely(runner: CliRunner, in_tmp: Path) -> None:
    """A key with an escape character cannot change the terminal: it is shown as '?'."""
    (in_tmp / "demo.toml").write_text('"colour\\u001b[31m\\u202e" = 1\n' + GOOD, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "demo.toml"])
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "demo.toml, field 'colour?[31m?': unknown field (check the spelling)",
        "1 problem in demo.toml",
    ]


def test_check_an_empty_file_name_among_good_files(runner: CliRunner, in_tmp: Path) -> None:
    """'' is no file (not the current folder): one Error line with no count, and the other files checked."""
    (in_tmp / "demo.toml").write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "", "demo.toml"])
    assert result.exit_code == 4
    assert result.stdout == "demo.toml: OK — 1 step, 0 warning signs; fasting rules: midnight\n"
    assert result.stderr == (
        "Error: The protocol file name is empty. Give the path of a protocol file, such as "
        "clinic/sacroplasty.toml.\n"
    )


def test_check_reports_a_line_break_in_a_title(runner: CliRunner, in_tmp: Path) -> None:
    """It would reach the JSON and HTML titles as a line break; check names the step and the field."""
    (in_tmp / "demo.toml").write_text(GOOD.replace("Step one", "Step\\u2029one"), encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "demo.toml"])
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr == (
        "demo.toml, step 'one', field 'title': contains a line break or control character (U+2029); "
        "write it on one line.\n1 problem in demo.toml\n"
    )


def test_check_needs_a_file(runner: CliRunner) -> None:
    """No file: a usage error (exit 2), not a crash."""
    result = runner.invoke(app, ["protocols", "check"])
    assert result.exit_code == 2


# --- the worked example in docs/protocols.md --------------------------------------------


def test_example_protocol_passes_check(runner: CliRunner) -> None:
    """docs/examples/sacroplasty.toml is a valid protocol with both fasting rules."""
    result = runner.invoke(app, ["protocols", "check", str(SACROPLASTY)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{SACROPLASTY}: OK — 25 steps, 9 warning signs; fasting rules: midnight, asa\n"


@pytest.mark.parametrize("fasting", ["midnight", "asa"])
def test_example_protocol_makes_a_plan(runner: CliRunner, fasting: str) -> None:
    """The command shown in docs/protocols.md makes a sacroplasty plan."""
    result = runner.invoke(
        app,
        [
            "plan",
            "2027-01-12 09:00",
            "--tz",
            "America/Chicago",
            "--protocol",
            str(SACROPLASTY),
            "--today",
            "2027-01-02",
            "--fasting",
            fasting,
            "--format",
            "text",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "YOUR PLAN TO GET READY FOR SACROPLASTY" in result.stdout
    assert "Procedure:     Sacroplasty" in result.stdout
    assert "Your sacroplasty" in result.stdout
    expected = "Nothing to eat or drink after midnight" if fasting == "midnight" else "Stop all food and milk"
    assert expected in result.stdout


def _console_blocks(markdown: str) -> dict[str, list[str]]:
    """The ```console blocks of *markdown*: the command after '$ ', and the lines it prints."""
    blocks = {}
    for block in markdown.split("```console\n")[1:]:
        command, *output = block.split("```")[0].splitlines()
        blocks[command.removeprefix("$ ")] = output
    return blocks


def test_docs_quote_real_output(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command shown in docs/protocols.md prints the lines quoted under it ('...' skips lines)."""
    monkeypatch.chdir(ROOT)
    blocks = _console_blocks((ROOT / "docs" / "protocols.md").read_text(encoding="utf-8"))
    assert "kyphoprep protocols check docs/examples/sacroplasty.toml" in blocks
    assert any(command.startswith("kyphoprep plan '2027-01-12 09:00'") for command in blocks)
    for command, quoted in blocks.items():
        args = shlex.split(command)[1:]
        result = runner.invoke(app, args)
        printed = (result.stdout + result.stderr).splitlines()
        shown = [line for line in quoted if line != "..."]
        assert shown, command
        position = 0
        for line in shown:
            assert line in printed[position:], f"{command}: {line!r}"
            position = printed.index(line, position) + 1


# --- contradictions between a protocol's steps --------------------------------------------------

SIP_AFTER_MIDNIGHT = """
[[steps]]
id = "morning-sip"
title = "A clear drink is fine until 4 hours before"
category = "food-and-drink"
fasting = "midnight"
intake = "clear-liquids"
when = { rule = "before", hours = 5 }
until = { rule = "before", hours = 4 }
source = ["seed-002"]
detail = "You may drink water or apple juice until 4 hours before."
es.title = "Puede tomar algo claro hasta 4 horas antes"
es.detail = "Puede tomar agua o jugo de manzana hasta 4 horas antes."
"""


def test_check_refuses_a_step_that_loosens_a_fast(runner: CliRunner, in_tmp: Path) -> None:
    """A drink allowed after "nothing after midnight" is a contradiction: exit 4, both steps named."""
    text = KYPHOPLASTY.read_text(encoding="utf-8").replace(
        "# --- The day of the procedure", SIP_AFTER_MIDNIGHT + "\n# --- The day of the procedure"
    )
    (in_tmp / "sip.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "sip.toml"])
    assert result.exit_code == ChecklistError.exit_code == 4
    assert result.stdout == ""
    assert result.stderr == (
        "sip.toml: steps contradict each other: 'A clear drink is fine until 4 hours before' allows "
        "clear-liquids while 'Nothing to eat or drink after midnight' (only nothing) is still in force "
        '(fasting = "midnight")\n'
        "1 contradiction in sip.toml\n"
    )


def test_check_notes_a_food_step_without_intake(runner: CliRunner, in_tmp: Path) -> None:
    """A food-and-drink step that does not say what it allows gets a note; the file still passes."""
    text = KYPHOPLASTY.read_text(encoding="utf-8").replace('intake = "light-meal"\n', "")
    (in_tmp / "no-intake.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "no-intake.toml"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        (
            "  Note: step asa-stop-meals has no intake, so it cannot be checked against the other food "
            'and drink steps. Add one, such as intake = "nothing" (see docs/protocols.md).'
        )
    ]


def test_check_refuses_a_bad_intake(runner: CliRunner, in_tmp: Path) -> None:
    """intake must be one of the five levels."""
    text = KYPHOPLASTY.read_text(encoding="utf-8").replace('intake = "light-meal"', 'intake = "snacks"')
    (in_tmp / "bad-intake.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "bad-intake.toml"])
    assert result.exit_code == 4
    assert (
        'step \'asa-stop-meals\', field \'intake\': must be one of "meals", "light-meal", "liquids", '
        '"clear-liquids", "nothing"' in result.stderr
    )


@pytest.mark.parametrize(
    ("until", "shown"),
    [
        (
            '{ rule = "days-before", days = 3, at = "09:00" }',
            '{ rule = "days-before", days = 3, at = "09:00" }',
        ),
        (
            '{ rule = "days-before", days = 2, at = "09:00" }',
            '{ rule = "days-before", days = 2, at = "09:00" }',
        ),
    ],
    ids=["before", "same-time"],
)
def test_check_refuses_a_step_that_ends_before_it_starts(
    runner: CliRunner, in_tmp: Path, until: str, shown: str
) -> None:
    """'until' at or before 'when' is reported (the planner would quietly use 'minutes' instead)."""
    text = GOOD.replace('source = ["s1"]\n', f'until = {until}\nsource = ["s1"]\n')
    (in_tmp / "p.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["protocols", "check", "p.toml"])
    assert result.exit_code == 4
    assert result.stderr == (
        f"p.toml: steps contradict each other: 'one' ends before it starts: its until {shown} is not after "
        'its when { rule = "days-before", days = 2, at = "09:00" }\n1 contradiction in p.toml\n'
    )
    # The same step ending after it starts is fine (so the check above can fail).
    later = GOOD.replace(
        'source = ["s1"]\n', 'until = { rule = "days-before", days = 1, at = "09:00" }\nsource = ["s1"]\n'
    )
    (in_tmp / "p.toml").write_text(later, encoding="utf-8")
    assert runner.invoke(app, ["protocols", "check", "p.toml"]).exit_code == 0
