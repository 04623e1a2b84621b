"""The caregiver's sheet draws what the plan decided: its times come from the protocol's
``pickup_minutes``, ``recovery_minutes`` and ``companion_hours``, and each part cites the steps
the protocol marks for it (``caregiver = [...]``), whatever the steps are called."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape as html_unescape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.data.protocols import parse_protocol_text
from kyphoprep.errors import ChecklistError
from tests.protocol_texts import MINIMAL_PROTOCOL

# A clinic's protocol with its own step ids, marked for the caregiver's sheet, and its own windows.
CLINIC_PROTOCOL = (
    MINIMAL_PROTOCOL.replace(
        'medicine_reminder_at = "08:00"',
        'medicine_reminder_at = "08:00"\nrecovery_minutes = 240\npickup_minutes = 120\ncompanion_hours = 12',
    ).replace('s1 = "A source"', 's1 = "A source"\ns2 = "Ride home policy"\ns3 = "Overnight policy"')
    + """
[[steps]]
id = "ride-booked"
title = "Book the ride home"
detail = "Someone must drive you."
category = "prepare"
when = { rule = "days-before", days = 3, at = "10:00" }
source = ["s2"]
caregiver = ["arrive", "pickup"]

[[steps]]
id = "overnight"
title = "Someone stays the night"
detail = "An adult stays with you."
category = "after-care"
when = { rule = "after", minutes = 0 }
source = ["s3"]
caregiver = ["stay"]
actionable = false
"""
)


def caregiver_sheet(runner: CliRunner, protocol: Path) -> str:
    """The caregiver sheet of a plan made from *protocol*, for a procedure at 7:30 in Chicago."""
    result = runner.invoke(
        app,
        [
            *("plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-20"),
            *("--protocol", str(protocol), "--patient", "Ann", "--format", "caregiver"),
        ],
    )
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


def test_a_clinic_protocol_sets_the_windows_and_the_citations(runner: CliRunner, tmp_path: Path) -> None:
    """A clinic's own step ids are cited where marked, and its pick-up and stay times are used."""
    protocol = tmp_path / "clinic.toml"
    protocol.write_text(CLINIC_PROTOCOL, encoding="utf-8")
    sheet = caregiver_sheet(runner, protocol)
    # The procedure ends at 8:30; pick-up from 2 hours (10:30) to 4 hours (12:30); stay 12 hours.
    assert "10:30 AM" in sheet
    assert "12:30 PM" in sheet
    assert "8:30 PM, Thursday, December 3" in sheet
    # The ride step (s2) is cited by arriving and by pick-up, the overnight step (s3) by staying.
    assert "[1] Ride home policy" in sheet
    assert "[2] Overnight policy" in sheet
    assert sheet.count("[1]") == 3  # arrive, pick-up, and the list of sources


def test_a_plan_holds_the_windows_in_utc() -> None:
    """The windows are instants of the plan, counted as elapsed time from the procedure's end."""
    from kyphoprep.core.models import PlanRequest
    from tests.plan_model import planned

    protocol = parse_protocol_text(CLINIC_PROTOCOL, "clinic.toml")
    start = datetime(2027, 3, 14, 6, 0, tzinfo=UTC)  # 1:00 AM in New York, the night clocks spring forward
    plan = planned(
        PlanRequest(
            procedure_start=start,
            timezone="America/New_York",
            now=datetime(2027, 3, 1, tzinfo=UTC),
            protocol=protocol,
            arrive_minutes=60,
        )
    )
    assert plan.procedure_end == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)
    assert plan.pickup_from.astimezone(UTC) == datetime(2027, 3, 14, 9, 0, tzinfo=UTC)
    assert plan.pickup_to.astimezone(UTC) == datetime(2027, 3, 14, 11, 0, tzinfo=UTC)
    assert plan.stay_until.astimezone(UTC) == datetime(2027, 3, 14, 19, 0, tzinfo=UTC)


def test_an_unknown_caregiver_part_is_named_with_the_choices() -> None:
    """A typo in ``caregiver`` is a protocol error that names the step, the field and the choices."""
    text = MINIMAL_PROTOCOL + 'caregiver = ["pick-up"]\n'
    with pytest.raises(ChecklistError) as raised:
        parse_protocol_text(text, "demo.toml")
    assert str(raised.value) == (
        "demo.toml, step 'one', field 'caregiver': 'pick-up' is not one of \"arrive\", \"pickup\", \"stay\""
    )


def test_the_built_in_protocols_mark_every_part_of_the_sheet() -> None:
    """Each part of the built-in caregiver sheet cites at least one step."""
    from kyphoprep.data.protocols import builtin_protocol_names, load_builtin_protocol

    for name in builtin_protocol_names():
        protocol = load_builtin_protocol(name)
        marked = {part for step in protocol.steps for part in step.caregiver}
        assert marked == {"arrive", "pickup", "stay"}, name


# --- who it speaks to, and the large-print page (issue 18) ------------------------------------------

PLAN = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-20", "--phone", "555-0100"]


def sheet_of(runner: CliRunner, *args: str, output_format: str = "caregiver") -> str:
    """The caregiver sheet of a plan with *args*, as one line of words."""
    result = runner.invoke(app, [*PLAN, *args, "--format", output_format])
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


def test_the_sheet_names_the_driver_and_speaks_about_the_patient(runner: CliRunner) -> None:
    """With --patient and --driver: it is addressed to the driver by name, and tells them to call the
    clinic (not "your doctor") if the patient, by name, has a warning sign."""
    sheet = sheet_of(runner, "--patient", "Ann Lee", "--driver", "Tom Lee", "--facility", "Lakeside Spine")
    assert "For Tom Lee, who drives Ann Lee home and stays." in sheet
    assert "Driver: Tom Lee" in sheet
    assert "Call Lakeside Spine if Ann Lee has (Call 555-0100): * A fever" in sheet
    assert "right away if Ann Lee tells you, or you see, any of these: * You have new leg weakness" in sheet
    assert "Call your doctor if you have" not in sheet


def test_without_names_the_sheet_says_the_patient_and_the_clinic(runner: CliRunner) -> None:
    """No patient, driver or clinic given: "the patient", "the clinic", and no line for the driver."""
    sheet = sheet_of(runner)
    assert "Call the clinic if the patient has (Call 555-0100):" in sheet
    assert "Driver: not given" in sheet
    assert "who drives" not in sheet


def test_the_sheet_speaks_spanish(runner: CliRunner) -> None:
    """The same in Spanish: the driver named, the clinic called about the patient by name."""
    sheet = sheet_of(runner, "--lang", "es", "--patient", "Ana", "--driver", "Tomás")
    assert "Para Tomás, que lleva a Ana a casa y se queda." in sheet
    assert "Llame a la clínica si Ana tiene (Llame al 555-0100):" in sheet
    assert "si Ana le dice, o usted ve, algo de esto:" in sheet


def test_a_roster_driver_column_names_the_driver(runner: CliRunner, tmp_path: Path) -> None:
    """batch: the roster's driver column is the sheet's driver, in text and in large print."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "patient_id,name,when,tz,driver\nA1,Ann Lee,2026-12-03 07:30,America/Chicago,Tom Lee\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "batch",
            str(roster),
            "--out",
            str(out),
            "--today",
            "2026-11-20",
            "--format",
            "caregiver,caregiver-html",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "For Tom Lee, who drives Ann Lee home and stays." in (out / "A1.caregiver.txt").read_text(
        encoding="utf-8"
    )
    page = (out / "A1.caregiver.html").read_text(encoding="utf-8")
    assert '<p class="for">For Tom Lee, who drives Ann Lee home and stays.</p>' in page


def test_the_large_print_page_has_the_handouts_look_at_14pt_or_more(
    runner: CliRunner, tmp_path: Path
) -> None:
    """-o NAME.caregiver.html picks the large-print sheet: the handout's stylesheet, filled in, with the
    handout's 11pt texts set at 14pt; the same words as the text sheet; every text escaped."""
    from kyphoprep.render.caregiver_html import LARGER

    target = tmp_path / "ann.caregiver.html"
    result = runner.invoke(app, [*PLAN, "--patient", "Ann <Lee>", "--driver", "Tom & Co", "-o", str(target)])
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    style = page[page.index("<style>\n") + 8 : page.index("\n</style>")]
    handout = runner.invoke(app, [*PLAN, "--patient", "Ann <Lee>", "--format", "html"]).stdout
    handout_style = handout[handout.index("<style>\n") + 8 : handout.index("\n</style>")]
    assert style == handout_style + "\n" + LARGER
    small = {
        selector
        for selector, size in re.findall(r"([^{}]+)\{[^}]*font-size: (\d+)pt", handout_style)
        if int(size) < 14
    }
    # Each is set at 14pt for the caregiver's page, or not on it (the month grid).
    assert {selector.strip() for selector in small} == {".sources", ".made-by", ".refs"}
    assert 'class="month' not in page
    assert "<title>For the person who drives and stays · Ann &lt;Lee&gt;</title>" in page
    assert "For Tom &amp; Co, who drives Ann &lt;Lee&gt; home and stays." in page
    assert "Ann <Lee>" not in page
    text = sheet_of(runner, "--patient", "Ann <Lee>", "--driver", "Tom & Co")
    words = " ".join(re.sub(r"<[^>]+>", " ", page[page.index("<main") :]).split())
    assert html_unescape(words).startswith(
        "For the person who drives and stays For Tom & Co, who drives Ann <Lee> home and stays."
    )
    assert "When to arrive" in words
    assert text.startswith("======")
