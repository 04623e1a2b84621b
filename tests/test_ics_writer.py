"""kyphoprep's own .ics writer gives exactly the bytes the icalendar library gives for the same calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kyphoprep.cli import app
from kyphoprep.models import Plan
from kyphoprep.planner import build_plan
from kyphoprep.render import RenderOptions
from kyphoprep.render.ics import RENDERER, escape_text, fold
from tests.ics_reference import REFERENCE
from tests.scenarios import SCENARIOS
from tests.test_properties import make_request, request_args


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_scenario_matches_icalendar(
    runner: CliRunner, scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each golden scenario: kyphoprep's writer and icalendar's serialiser agree byte for byte."""
    plans: list[Plan] = []
    original = type(RENDERER).render

    def keep(self: object, plan: Plan, options: RenderOptions) -> bytes:
        plans.append(plan)
        return original(RENDERER, plan, options)

    monkeypatch.setattr(type(RENDERER), "render", keep)
    result = runner.invoke(app, [*SCENARIOS[scenario], "--format", "ics"])
    assert result.exit_code == 0, result.output
    (plan,) = plans
    assert result.stdout_bytes == REFERENCE.render(plan, RenderOptions())


# Text that calendar files must escape or fold with care: commas, semicolons,
# backslashes, multi-byte letters and emoji, and long runs.
awkward_text = st.text(
    alphabet=st.sampled_from(list("abc XYZ,;:\\\"'^-éñ中😀")), min_size=1, max_size=120
).filter(lambda t: t.strip() and "\\N" not in t)


@given(
    *request_args,
    awkward_text,
    awkward_text,
    st.booleans(),
    st.integers(0, 1440),
    st.sampled_from(["midnight", "asa"]),
)
def test_any_plan_matches_icalendar(
    zone_name: str,
    naive: datetime,
    hold: object,
    lead: timedelta,
    protocol: str,
    facility: str,
    address: str,
    discreet: bool,
    reminder: int,
    fasting: str,
) -> None:
    """For any zone, date, hold, names and settings, both serialisers give the same bytes."""
    request = make_request(zone_name, naive, hold, lead, protocol)  # type: ignore[arg-type]
    request = replace(
        request,
        facility=" ".join(facility.split()),
        address=" ".join(address.split()),
        patient=" ".join(address.split()),
        discreet_titles=discreet,
        reminder_minutes=reminder,
        fasting=fasting,  # type: ignore[arg-type]
    )
    plan = build_plan(request)
    assert RENDERER.render(plan, RenderOptions()) == REFERENCE.render(plan, RenderOptions())


def test_escape_text_follows_rfc_5545() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    # A literal backslash-N stays as typed (icalendar would turn it into a line break).
    assert escape_text("C:\\Notes") == "C:\\\\Notes"


def test_fold_keeps_lines_within_75_octets_and_characters_whole() -> None:
    line = "DESCRIPTION:" + "é" * 100 + "x" * 30 + "\\;" + "y" * 200
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert "".join(p.removeprefix(" ") if i else p for i, p in enumerate(pieces)) == line
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert not any(p.endswith("\\") for p in pieces)
    assert fold("SHORT:ok") == "SHORT:ok"


def test_stamp_is_utc() -> None:
    """DTSTAMP is written in UTC whatever zone "now" came in."""
    from zoneinfo import ZoneInfo

    from kyphoprep.models import PlanRequest
    from kyphoprep.protocols import load_builtin_protocol

    start = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    request = PlanRequest(
        procedure_start=start,
        timezone="Asia/Kolkata",
        now=start - timedelta(days=10, seconds=17),
        protocol=load_builtin_protocol("kyphoplasty"),
        arrive_minutes=90,
    )
    text = RENDERER.render(build_plan(request), RenderOptions()).decode()
    assert "DTSTAMP:20270219T032943Z\r\n" in text


@given(st.text(alphabet=st.sampled_from(list("ab \\^;,é")), max_size=400))
def test_fold_is_icalendars_fold(text: str) -> None:
    """Folding any line, ASCII or not, with escapes at every position, gives icalendar's result."""
    from icalendar.parser.string import _foldline

    for line in (f"DESCRIPTION:{text}", f"DESCRIPTION:{text.replace('é', 'e')}"):
        assert fold(line) == _foldline(line)
