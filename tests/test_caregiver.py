"""The caregiver's sheet draws what the plan decided: its times come from the protocol's
``pickup_minutes``, ``recovery_minutes`` and ``companion_hours``, and each part cites the steps
the protocol marks for it (``caregiver = [...]``), whatever the steps are called."""

from __future__ import annotations

from datetime import UTC, datetime
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
