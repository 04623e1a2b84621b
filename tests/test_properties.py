"""Properties that hold for any zone, time, hold and "today", checked in UTC.

Times are drawn uniformly and, half of the time, near one of the zone's real daylight-saving
changes in 2026-2028 (found by scanning the zone's offsets), so that the days when the clocks
change are really exercised. Every expected time is worked out in ``tests/plan_model.py`` from the
TOML files themselves, with UTC arithmetic, never with kyphoprep's planner.

Profiles: "ci" (fixed, derandomized; the default) and "long" (HYPOTHESIS_PROFILE=long).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import groupby
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import assume, event, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.core.models import (
    Category,
    FastingRule,
    Hold,
    Plan,
    PlannedStep,
    PlanRequest,
    Protocol,
)
from kyphoprep.data.catalogue import load_catalogue
from kyphoprep.data.protocols import load_builtin_protocol, protocol_in_language
from kyphoprep.i18n.words import Words, words_for
from kyphoprep.io.med_options import parse_medicines
from kyphoprep.render import OutputFormat, RenderOptions, renderer_for
from tests.calendar_rules import check_alarms, event_times
from tests.plan_model import (
    PlanModel,
    Transition,
    flat,
    html_days,
    offset_text,
    planned,
    raw_catalogue,
    raw_medicine,
    raw_protocol,
    text_bullets,
    text_days,
    text_section,
    transitions,
    utc_offset,
    wall_clock,
)

ZONES = [
    "America/Chicago",
    "America/New_York",
    "America/Los_Angeles",
    "America/Santiago",  # south; the clocks skip midnight itself in September
    "America/St_Johns",  # half-hour offset, with daylight saving
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",  # "negative" daylight saving in the zone database
    "Australia/Sydney",  # south
    "Australia/Adelaide",  # south, half-hour offset
    "Australia/Lord_Howe",  # a half-hour daylight-saving shift
    "Pacific/Auckland",  # south
    "Pacific/Chatham",  # 45-minute offset, with daylight saving
    "Asia/Kolkata",  # half-hour offset, no daylight saving
    "Asia/Kathmandu",  # 45-minute offset, no daylight saving
    "America/Sao_Paulo",  # south; daylight saving only in the past (until 2019)
    "Africa/Johannesburg",
    "America/Havana",  # the clocks change at midnight
    "Africa/Cairo",  # the clocks change at midnight
    "Africa/Casablanca",  # an hour back during Ramadan, on dates that move every year
    "Antarctica/Troll",  # a two-hour daylight-saving shift
    "UTC",
]
DST_ZONES = [zone for zone in ZONES if transitions(zone)]
HALF_HOUR_ZONES = [
    "America/St_Johns",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Kathmandu",
]

PATIENT = "Ann Lee"
RULE = "=" * 72
THIN_RULE = "-" * 72
DASH = "\u2014"  # the em dash between the time and the title in the HTML handout

local_times = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 6, 30)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
holds = st.one_of(
    st.integers(1, 60).map(lambda n: Hold(n, "days", f"{n}d")),
    st.integers(1, 1440).map(lambda n: Hold(n, "hours", f"{n}h")),
)
leads = st.timedeltas(min_value=timedelta(hours=1), max_value=timedelta(days=90))

# Minutes from a daylight-saving change to the procedure: hours either side, days either side, or
# so that a calendar-day rule of the protocols or the catalogue (1, 3, 7, 10 days before; 1, 2, 42
# days after) falls on the day the clocks change.
RULE_DAYS = [-42, -2, -1, 1, 2, 3, 7, 10]
near_minutes = st.one_of(
    st.integers(-6 * 60, 6 * 60),
    st.integers(-4 * 24 * 60, 4 * 24 * 60),
    st.builds(
        lambda days, minutes: days * 24 * 60 + minutes, st.sampled_from(RULE_DAYS), st.integers(-720, 720)
    ),
)


def valid_local(naive: datetime, zone: ZoneInfo) -> datetime:
    """*naive* in *zone*, or reject the example if that wall time is skipped or repeated."""
    early, late = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    assume(early.utcoffset() == late.utcoffset())
    return early


@st.composite
def zone_times(draw: st.DrawFn, zones: list[str] = ZONES) -> tuple[str, datetime, Transition | None]:
    """A zone and a local wall time: uniform, or near one of the zone's daylight-saving changes."""
    zone_name = draw(st.sampled_from(zones))
    changes = transitions(zone_name)
    if len(changes) > 0 and draw(st.booleans()):
        change = draw(st.sampled_from(changes))
        return zone_name, change.wall + timedelta(minutes=draw(near_minutes)), change
    return zone_name, draw(local_times), None


@st.composite
def odd_wall_times(draw: st.DrawFn, repeated_only: bool = False) -> tuple[Transition, datetime]:
    """A daylight-saving change and a wall time it skips (clocks forward) or shows twice (back)."""
    changes = [c for zone in DST_ZONES for c in transitions(zone) if not (repeated_only and c.skips)]
    change = draw(st.sampled_from(changes))
    first, last = change.odd_walls
    minutes = int((last - first) / timedelta(minutes=1))
    return change, first + timedelta(minutes=draw(st.integers(0, minutes - 1)))


def _around(centre: int, low: int, high: int) -> list[int]:
    return [n for n in (centre - 1, centre, centre + 1) if low <= n <= high]


def hold_texts(zone_name: str, naive: datetime, change: Transition | None) -> st.SearchStrategy[str]:
    """A doctor's hold ("5d", "36h"); near a change, often one whose last dose falls on it."""
    days, hours = st.integers(1, 60), st.integers(1, 1440)
    if change is not None:
        start = naive.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)
        # The last day -(N+1), or the last dose N hours before, right at the change.
        days = st.one_of(
            days, st.sampled_from(_around((naive.date() - change.wall.date()).days - 1, 1, 60) or [1])
        )
        exact = round((start - change.instant) / timedelta(hours=1))
        hours = st.one_of(hours, st.sampled_from(_around(exact, 1, 1440) or [1]))
    return st.one_of(days.map(lambda n: f"{n}d"), hours.map(lambda n: f"{n}h"))


# Every catalogue entry and form, by id ("semaglutide:daily"), straight from the TOML file.
CATALOGUE_IDS = sorted(
    f"{entry['id']}:{form['id']}" if "forms" in entry else entry["id"]
    for entry in raw_catalogue()["medicines"]
    for form in entry.get("forms", [{}])
)


def medicine_key(typed: str) -> str:
    """The medicine a ``--med`` value names, so a plan never names one twice."""
    return typed.removeprefix("other:").partition("=")[0].partition(":")[0].lower()


def medicine_lists(hold: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """One to three ``--med`` values: outside the catalogue with the doctor's hold, or any catalogue
    entry and form with the doctor's hold, "continue", or nothing (its typical guidance)."""
    unlisted = st.tuples(st.sampled_from(["Testdrug", "Otherpill"]), hold).map(
        lambda t: f"other:{t[0]}={t[1]}"
    )
    said = st.one_of(st.just(""), hold.map(lambda h: f"={h}"), st.just("=continue"))
    listed = st.tuples(st.sampled_from(CATALOGUE_IDS), said).map("".join)
    return st.lists(st.one_of(unlisted, listed), min_size=1, max_size=3, unique_by=medicine_key)


def last_dose_lead(typed: str) -> timedelta | None:
    """How long before the procedure the last dose of a ``--med`` value is (about), if it is stopped."""
    spec, _, said = typed.partition("=")
    if not said and not spec.startswith("other:"):
        raw = raw_medicine(*spec.partition(":")[::2])
        if raw["action"] == "stop":
            said = f"{raw['days']}d" if "days" in raw else f"{raw['hours']}h"
    if not said or said == "continue":
        return None
    amount = int(said[:-1])
    return timedelta(days=amount + 1) if said.endswith("d") else timedelta(hours=amount)


def leads_for(medicines: list[str]) -> st.SearchStrategy[timedelta]:
    """How long before the procedure the plan is made: any time up to 90 days, or often within a day
    of a medicine's last dose, so that "past", the last day itself and the warnings are reached."""
    centres = sorted({lead for lead in map(last_dose_lead, medicines) if lead is not None})
    if not centres:
        return leads
    near = st.builds(
        lambda centre, minutes: max(timedelta(minutes=1), centre + timedelta(minutes=minutes)),
        st.sampled_from(centres),
        st.integers(-24 * 60, 24 * 60),
    )
    return st.one_of(leads, near)


@dataclass(frozen=True)
class Case:
    """One person's plan, as the property tests draw it."""

    zone: str
    when: datetime
    """The local wall time of the procedure (naive)."""
    medicines: tuple[str, ...]
    """``--med`` values."""
    lead: timedelta
    """How long before the procedure the plan is made."""
    protocol: str = "kyphoplasty"
    fasting: FastingRule = "midnight"
    language: str = "en"
    arrive_minutes: int = 90
    reminder_minutes: int | None = None
    discreet: bool = False


@st.composite
def cases(
    draw: st.DrawFn,
    zones: list[str] = ZONES,
    times: st.SearchStrategy[tuple[str, datetime, Transition | None]] | None = None,
) -> Case:
    """Any zone, time (often near a daylight-saving change), medicines, protocol, fasting rule, language."""
    zone_name, naive, change = draw(zone_times(zones) if times is None else times)
    medicines = draw(medicine_lists(hold_texts(zone_name, naive, change)))
    return Case(
        zone=zone_name,
        when=naive,
        medicines=tuple(medicines),
        lead=draw(leads_for(medicines)),
        protocol=draw(st.sampled_from(["kyphoplasty", "vertebroplasty"])),
        fasting=draw(st.sampled_from(["midnight", "asa"])),
        language=draw(st.sampled_from(["en", "es"])),
        arrive_minutes=draw(st.one_of(st.just(90), st.integers(10, 360))),
        reminder_minutes=draw(st.one_of(st.none(), st.integers(0, 1440))),
        discreet=draw(st.booleans()),
    )


@cache
def protocol_for(name: str, language: str) -> Protocol:
    return protocol_in_language(load_builtin_protocol(name), language)


def case_request(case: Case, fold: int | None = None) -> PlanRequest:
    """The planner's input for *case*.

    Without *fold*, an example whose wall time is skipped or repeated is rejected; with it, a
    repeated wall time means its first (0) or second (1) occurrence, as a typed offset does.
    """
    zone = ZoneInfo(case.zone)
    start = valid_local(case.when, zone) if fold is None else case.when.replace(tzinfo=zone, fold=fold)
    return PlanRequest(
        procedure_start=start,
        timezone=case.zone,
        now=start.astimezone(UTC) - case.lead,
        protocol=protocol_for(case.protocol, case.language),
        arrive_minutes=case.arrive_minutes,
        medicines=parse_medicines(list(case.medicines)),
        reminder_minutes=case.reminder_minutes,
        fasting=case.fasting,
        discreet_titles=case.discreet,
        language=case.language,
        patient=PATIENT,
        driver="Tom Lee",
        facility="Lakeside Spine Center",
        phone="555-0100",
    )


def tie_rank(step: PlannedStep) -> int:
    """0 for a medicine reminder, 1 for a protocol step, 2 for a restart question (after-care)."""
    if step.medicine is None:
        return 1
    return 2 if step.category is Category.AFTER_CARE else 0


def utc(moment: datetime | str) -> datetime:
    """An aware datetime, or an ISO 8601 text with its offset, as a UTC instant."""
    aware = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    assert aware.utcoffset() is not None
    return aware.astimezone(UTC)


# --- every step lands where its rule says, in UTC -------------------------------------------------


# Days whose midnight the clocks skip (the day starts at 1:00 AM), and a two-hour jump. Sao Paulo
# last changed its clocks in 2019; its last skipped midnight (November 4, 2018) is checked here.
DST_DAY_EXAMPLES = [
    Case(
        "America/Sao_Paulo",
        datetime(2018, 11, 4, 9, 0),
        ("other:Testdrug=20h", "warfarin=1d"),
        timedelta(days=3),
        language="es",
    ),
    Case(
        "America/Santiago",
        datetime(2026, 9, 6, 8, 0),
        ("other:Testdrug=2d", "other:Otherpill=10h"),
        timedelta(days=4),
    ),
    Case("America/Havana", datetime(2027, 3, 14, 7, 30), ("warfarin=5d",), timedelta(days=10), language="es"),
    Case("Africa/Cairo", datetime(2027, 4, 30, 9, 0), ("semaglutide:weekly",), timedelta(days=9)),
    Case(
        "Antarctica/Troll",
        datetime(2027, 3, 28, 4, 0),
        ("other:Testdrug=3h",),
        timedelta(days=1),
        fasting="asa",
    ),
]


def dst_day_examples(test: Any) -> Any:
    """*test* with every case of ``DST_DAY_EXAMPLES`` as an explicit example."""
    for case in DST_DAY_EXAMPLES:
        test = example(case)(test)
    return test


@dst_day_examples
@given(cases())
def test_every_rule_lands_where_it_says_in_utc(case: Case) -> None:
    """Steps are in UTC order, and each step's start, end, rule and "past" flag are its rule's.

    Every protocol rule kind (days before at a clock time, the midnight before, hours before and
    after, arrival, the procedure, days after), both fasting rules, and every medicine step (last
    dose for a hold in days and in hours, the day-of change, restart, lab check, liquid diet),
    against ``PlanModel``'s independent UTC arithmetic from the TOML files.
    """
    request = case_request(case)
    plan = check_rules(case, request)
    # Evidence that the days when the clocks change are reached (--hypothesis-show-statistics).
    start_utc = utc(request.procedure_start)
    change_days = {c.wall.date() for c in transitions(case.zone)}
    event(f"a step on a day the clocks change: {any(s.start.date() in change_days for s in plan.steps)}")
    crossing = any(
        min(utc(s.start), start_utc) < c.instant <= max(utc(s.start), start_utc)
        for s in plan.steps
        for c in transitions(case.zone)
        if abs(c.instant - start_utc) < timedelta(days=60)
    )
    event(f"the clocks change between a step and the procedure: {crossing}")


def check_rules(case: Case, request: PlanRequest) -> Plan:
    """The body of ``test_every_rule_lands_where_it_says_in_utc``; returns the plan."""
    plan = planned(request)
    model = PlanModel(request)
    zone = ZoneInfo(case.zone)
    start_utc = utc(request.procedure_start)
    starts = [utc(s.start) for s in plan.steps]
    assert starts == sorted(starts)
    assert len(plan.steps) == len(model.steps)
    assert {s.id for s in plan.steps} == set(model.steps)
    # At the same instant: a medicine reminder, then the protocol's steps, then a restart question.
    ranks = [(utc(s.start), tie_rank(s)) for s in plan.steps]
    assert ranks == sorted(ranks)
    for step in plan.steps:
        expected = model.steps[step.id]
        assert (utc(step.start), utc(step.end)) == (expected.start, expected.end), step.id
        assert step.timing == expected.timing, step.id
        assert step.past is expected.past, step.id
        # In UTC: Python compares two times of one zone by wall clock, wrong in a repeated hour.
        assert utc(step.end) > utc(step.start), step.id
        # Written in the plan's zone, with the offset the zone really has at that instant.
        assert step.start.utcoffset() == utc_offset(zone, step.start), step.id
    passed = [w.step_id for w in plan.warnings]
    assert passed == [i for i in model.last_doses if model.steps[i].past]
    assert {w.code for w in plan.warnings} <= {"last-dose-passed"}

    # A few rules spelled out by hand, in case the model and the program read a TOML file alike.
    by_id = {s.id: s for s in plan.steps}
    start = start_utc
    end = start + timedelta(hours=1)
    assert start - utc(by_id["arrive"].start) == timedelta(minutes=case.arrive_minutes)
    assert utc(by_id["arrive"].start) - utc(by_id["morning-medicines"].start) == timedelta(hours=1)
    assert utc(by_id["no-driving"].end) - end == timedelta(hours=24)
    assert by_id["lifting-check"].start.astimezone(zone).date() == case.when.date() + timedelta(days=42)
    checkup = by_id["checkup-visit"].start.astimezone(zone)
    assert checkup.date() == case.when.date() - timedelta(days=7)
    assert checkup.time() >= time(9, 0)
    if case.fasting == "asa":
        assert "no-food-or-drink" not in by_id
        for step_id, hours in (("asa-stop-meals", 8), ("asa-stop-food", 6), ("asa-stop-drinks", 2)):
            assert start - utc(by_id[step_id].start) == timedelta(hours=hours)
        assert utc(by_id["asa-stop-drinks"].end) == start
    else:
        assert not any(s.id.startswith("asa-") for s in plan.steps)
        fasting = by_id["no-food-or-drink"].start.astimezone(zone)
        assert fasting.date() == case.when.date()
        # One real minute earlier is the day before (in UTC: wall-clock arithmetic would land in
        # Santiago's skipped hour).
        assert (utc(fasting) - timedelta(minutes=1)).astimezone(zone).date() < case.when.date()
    for order in request.medicines:
        hold, last = order.effective_hold, by_id.get(f"medicine-{order.key}")
        if hold is None or last is None:
            continue
        if hold.unit == "hours":
            assert start - utc(last.start) == timedelta(hours=hold.amount)
        else:
            # No dose on the N days before the procedure day, nor on the day itself; a weekly
            # medicine's catalogue stop keeps the dose N days before (ASA 2023).
            weekly = (
                order.hold_source == "catalogue"
                and order.rule is not None
                and order.rule.counting == "weekly"
            )
            days_before = hold.amount if weekly else hold.amount + 1
            assert (case.when.date() - last.start.astimezone(zone).date()).days == days_before
    return plan


# --- every format shows the same steps as the JSON ---------------------------------------------


def _groups(steps: list[tuple[str, datetime, str]], words: Words) -> list[tuple[str, str, list[str]]]:
    """(part, day heading, [line, ...]) for each run of steps (part, wall time, line) on one local date."""
    return [
        (part, words.heading_date(day), [line for _, _, line in group])
        for (part, day), group in groupby(steps, key=lambda s: (s[0], s[1].date()))
    ]


@dst_day_examples
@given(cases())
def test_every_format_agrees_with_the_json(case: Case) -> None:
    """JSON, .ics, text, HTML and the caregiver sheet show the same steps at the same times.

    The .ics is read back with icalendar (same UTC instants, titles and alarms); the text and HTML
    handouts list every JSON step, with the time words for its local wall time, under the heading of
    its local date, in order (HTML parsed with html.parser); the caregiver sheet's arrival and
    pick-up times are the JSON's arrival and procedure end. In English and Spanish.
    """
    check_formats(case, case_request(case))


def check_formats(case: Case, request: PlanRequest) -> None:
    """The body of ``test_every_format_agrees_with_the_json``."""
    plan = planned(request)
    words = words_for(case.language)
    zone = ZoneInfo(case.zone)
    options = RenderOptions()
    data = json.loads(renderer_for(OutputFormat.JSON).render(plan, options))
    steps = data["steps"]
    walls = []
    for step in steps:
        for key in ("start", "end"):
            moment = datetime.fromisoformat(step[key])
            assert moment.utcoffset() == utc_offset(zone, moment), (step["id"], key)
        walls.append(wall_clock(zone, utc(step["start"])))
    by_id = {s["id"]: s for s in steps}
    assert utc(data["procedure"]["arrival"]) == utc(by_id["arrive"]["start"])
    assert utc(data["procedure"]["start"]) == utc(by_id["procedure"]["start"])
    assert utc(data["procedure"]["end"]) == utc(by_id["procedure"]["end"])

    # The calendar: the same events, at the same UTC instants, with an alarm before each action.
    calendar = icalendar.Calendar.from_ical(renderer_for(OutputFormat.ICS).render(plan, options))
    all_events = calendar.walk("VEVENT")
    warning_events, events = all_events[: len(data["warnings"])], all_events[len(data["warnings"]) :]
    assert [str(e["SUMMARY"]) for e in warning_events] == [words("heading_warnings")] * len(data["warnings"])
    reminder = case.reminder_minutes if case.reminder_minutes is not None else 30
    assert len(events) == len(steps)
    alarms: dict[str, datetime | None] = {}
    procedure_names = [plan.protocol.name.casefold()]
    for vevent, step in zip(events, steps, strict=True):
        title = step["title"]
        if case.discreet and "medicine" in step:
            title = words("discreet_title")
        elif case.discreet and any(name in title.casefold() for name in procedure_names):
            title = words("discreet_procedure_title")
        assert str(vevent["SUMMARY"]) == title
        assert str(vevent["UID"]) == step["uid"]
        assert (utc(vevent.decoded("DTSTART")), utc(vevent.decoded("DTEND"))) == event_times(step), step["id"]
        triggers = [alarm.decoded("TRIGGER") for alarm in vevent.walk("VALARM")]
        assert triggers in ([], [-timedelta(minutes=reminder)])
        alarms[step["id"]] = (
            utc(vevent.decoded("DTSTART")) - timedelta(minutes=reminder) if triggers else None
        )
    check_alarms(data, alarms)

    # What each handout prints for a step: the wall-clock time ("By this day" for a to-do whose
    # time is only a reminder), a dash, its title, then "past".
    past = words("past_marker")

    def shown(step: dict[str, Any], wall: datetime, dash: str, mark: str) -> str:
        when = words("by_this_day") if step["clock"] == "reminder" else words.time(wall)
        return f"{when} {dash} {step['title']}" + (mark if step["past"] else "")

    # The text handout: every step under its day's heading in "Day by day"; after-care listed again.
    text = renderer_for(OutputFormat.TEXT).render(plan, options).decode()
    assert max(len(row) for row in text.split("\n")) <= 72
    assert bool(data["warnings"]) == (f"!!! {words('heading_warnings')} !!!" in text)
    expected_text = _groups(
        [("plan", wall, shown(s, wall, "-", f" ({past})")) for s, wall in zip(steps, walls, strict=True)],
        words,
    )
    got_text = text_days(text_section(text, words("heading_plan").upper(), RULE), THIN_RULE)
    assert [heading for heading, _ in got_text] == [heading for _, heading, _ in expected_text]
    for (heading, blocks), (_, _, wanted) in zip(got_text, expected_text, strict=True):
        assert len(blocks) == len(wanted), heading
        for block, want in zip(blocks, wanted, strict=True):
            assert block.startswith(flat(want) + " "), (heading, block, want)
    after = [(s, w) for s, w in zip(steps, walls, strict=True) if s["category"] == "after-care"]
    assert text_bullets(text_section(text, words("heading_after_care").upper(), RULE)) == [
        flat(f"{s['title']} ({words.date(w.date(), year=False)})") for s, w in after
    ]

    # The HTML handout: steps before the procedure under "Day by day", after-care in its own box.
    document = renderer_for(OutputFormat.HTML).render(plan, options).decode()
    # A step already past when the plan was made is not a line of its own there: its title is in its
    # day's one "already past" line (and the day keeps its heading).
    # A day of to-dos only is headed "By <date>" and its steps show their titles alone.
    expected_html = []
    for part in ("plan", "after"):
        in_part = [
            (s, wall)
            for s, wall in zip(steps, walls, strict=True)
            if ("after" if s["category"] == "after-care" else "plan") == part
        ]
        for day, group in groupby(in_part, key=lambda pair: pair[1].date()):
            shown_steps = [(s, wall) for s, wall in group if not s["past"]]
            by_day = all(s["clock"] == "reminder" for s, _ in shown_steps)
            heading = words("by_day_heading", date=words.date(day)) if by_day else words.heading_date(day)
            lines = [s["title"] if by_day else shown(s, wall, DASH, "") for s, wall in shown_steps]
            expected_html.append((part, heading, [line.removesuffix(".") for line in lines]))
    assert html_days(document) == expected_html
    for s in steps:
        if s["past"]:
            assert html.escape(s["title"], quote=False) in document, s["id"]

    # The caregiver sheet: arrival, the procedure's start and end, pick-up window, 24 hours' stay.
    sheet = renderer_for(OutputFormat.CAREGIVER).render(plan, options).decode()
    assert max(len(row) for row in sheet.split("\n")) <= 72
    end = utc(by_id["procedure"]["end"])

    def when(moment: datetime) -> str:
        wall = wall_clock(zone, moment)
        return f"{words.time(wall)}, {words.date(wall.date(), year=False)}"

    arrival = utc(by_id["arrive"]["start"])
    pickup_from, pickup_to = (
        wall_clock(zone, end + timedelta(hours=1)),
        wall_clock(zone, end + timedelta(hours=3)),
    )
    sentences = [
        words("caregiver_arrive", patient=PATIENT, arrival=when(arrival)),
        words(
            "caregiver_pickup",
            patient=PATIENT,
            start=words.time(wall_clock(zone, utc(by_id["procedure"]["start"]))),
            end=words.time(wall_clock(zone, end)),
            pickup_from=words.time(pickup_from),
            pickup_to=(
                words.time(pickup_to)
                if pickup_to.date() == pickup_from.date()
                else when(end + timedelta(hours=3))
            ),
        ),
        words("caregiver_stay", patient=PATIENT, until=when(end + timedelta(hours=24))),
    ]
    flat_sheet = flat(sheet)
    for sentence in sentences:
        assert flat(sentence) in flat_sheet, sentence


# --- a wall time the clocks skip or repeat is refused, not guessed -------------------------------

CLI = CliRunner(
    env={
        "COLUMNS": "88",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "SOURCE_DATE_EPOCH": None,
        "KYPHOPREP_DEBUG": None,
        "KYPHOPREP_CONFIG": None,
        "TZ": "America/Chicago",
    }
)


@given(odd_wall_times(), st.integers(1, 300))
def test_a_skipped_or_repeated_time_is_refused_not_guessed(
    odd: tuple[Transition, datetime], days: int
) -> None:
    """The CLI exits with code 2 and says why, for every zone and change; with an offset, it plans.

    A time shown twice is accepted with either of its two offsets, and then means that instant.
    """
    change, wall = odd
    en = words_for("en")
    typed = f"{wall:%Y-%m-%d %H:%M}"
    today = f"{wall.date() - timedelta(days=days):%Y-%m-%d}"
    base = ["plan", "--tz", change.zone, "--today", today, "--format", "json"]
    result = CLI.invoke(app, [*base, typed])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    shown, day = en.time(wall), en.date(wall.date())
    if change.skips:
        assert result.stderr == (
            f"Error: {shown} does not exist on {day} in {change.zone}: the clocks jump forward for "
            "daylight saving time. Check the time with your care team.\n"
        )
        return
    first, second = offset_text(change.before), offset_text(change.after)
    assert result.stderr == (
        f"Error: {shown} happens twice on {day} in {change.zone}: the clocks go back for daylight "
        f"saving time. Add the offset to say which: '{typed}{first}' (the first) or '{typed}{second}' "
        "(the second).\n"
    )
    for offset in (change.before, change.after):
        result = CLI.invoke(app, [*base, typed + offset_text(offset)])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        instant = wall.replace(tzinfo=UTC) - offset
        assert utc(data["inputs"]["when"]) == instant
        assert datetime.fromisoformat(data["inputs"]["when"]).utcoffset() == offset
        arrive = next(s for s in data["steps"] if s["id"] == "arrive")
        assert utc(arrive["start"]) == instant - timedelta(minutes=90)


repeated_hour_times = odd_wall_times(repeated_only=True).map(lambda odd: (odd[0].zone, odd[1], odd[0]))


@given(cases(times=repeated_hour_times), st.sampled_from([0, 1]))
def test_a_procedure_in_the_repeated_hour_is_planned_at_the_occurrence_its_offset_names(
    case: Case, fold: int
) -> None:
    """Given with its offset, as the refusal asks, a time in the repeated hour is planned like any other.

    Every rule and every format, as in the two properties above, at its first or second occurrence.
    """
    request = case_request(case, fold)
    assert request.procedure_start.replace(fold=1 - fold).utcoffset() != request.procedure_start.utcoffset()
    check_rules(case, request)
    check_formats(case, request)


# --- real calendar parsers read the same instants -------------------------------------------------

INTEROP_EXAMPLES = int(os.environ.get("KYPHOPREP_INTEROP_EXAMPLES", "12"))


@pytest.mark.slow
@settings(max_examples=INTEROP_EXAMPLES)
@given(st.one_of(cases(DST_ZONES), cases(HALF_HOUR_ZONES), cases()))
# Half-hour and 45-minute zones on and around their daylight-saving days.
@example(
    Case("Australia/Lord_Howe", datetime(2026, 10, 4, 2, 45), ("other:Testdrug=20h",), timedelta(days=9))
)
@example(Case("Australia/Lord_Howe", datetime(2027, 4, 5, 1, 45), ("warfarin=3d",), timedelta(days=9)))
@example(Case("Pacific/Chatham", datetime(2026, 9, 27, 3, 45), ("enoxaparin:treatment",), timedelta(days=2)))
@example(
    Case(
        "America/St_Johns",
        datetime(2026, 11, 2, 1, 30),
        ("other:Testdrug=25h", "other:Otherpill=24h"),
        timedelta(days=3),
    )
)
@example(Case("Australia/Adelaide", datetime(2027, 10, 3, 3, 30), ("other:Testdrug=1d",), timedelta(days=5)))
@example(
    Case("America/Santiago", datetime(2026, 9, 13, 0, 30), ("warfarin",), timedelta(days=20), fasting="asa")
)
def test_real_parsers_agree_for_any_plan(case: Case) -> None:
    """libical and ical.js read every event and alarm at the plan's UTC instants, in any zone, on any day."""
    from tests.interop_tools import parse_with_icaljs, parse_with_libical, require_interop

    require_interop()
    plan = planned(case_request(case))
    with TemporaryDirectory() as folder:
        path = Path(folder) / "plan.ics"
        path.write_bytes(renderer_for(OutputFormat.ICS).render(plan, RenderOptions()))
        data = json.loads(renderer_for(OutputFormat.JSON).render(plan, RenderOptions()))
        for parse in (parse_with_libical, parse_with_icaljs):
            events = parse(path)[len(plan.warnings) :]
            assert [(e.start, e.end) for e in events] == [event_times(s) for s in data["steps"]], (
                parse.__name__
            )
            check_alarms(data, {s["id"]: e.alarm for s, e in zip(data["steps"], events, strict=True)})


# --- the catalogue's own holds ------------------------------------------------------------------------

# Every catalogue form whose typical guidance is a stop, named so that no other choice is needed.
CATALOGUE_STOPS = sorted(
    f"{entry.generic}:{form.id}" if form.id else entry.generic
    for entry in load_catalogue().entries
    for form in entry.forms
    if form.rule.action == "stop" and form.crcl_at_least is None and form.crcl_below is None
)


@given(
    zone_times(),
    st.sampled_from(CATALOGUE_STOPS),
    st.one_of(st.none(), holds),
    leads,
)
def test_catalogue_last_dose_lands_where_the_rule_says_in_utc(
    zone_time: tuple[str, datetime, Transition | None], med: str, doctor: Hold | None, lead: timedelta
) -> None:
    """For any catalogue stop, zone and time, the last dose is exactly where its hold puts it.

    With the doctor's interval, the doctor's hold is the one used; without it, the catalogue's.
    """
    zone_name, naive, _ = zone_time
    zone = ZoneInfo(zone_name)
    start = valid_local(naive, zone)
    typed = med if doctor is None else f"{med}={doctor.given_as}"
    (order,) = parse_medicines([typed])
    plan = planned(
        PlanRequest(
            procedure_start=start,
            timezone=zone_name,
            now=start.astimezone(UTC) - lead,
            protocol=load_builtin_protocol("kyphoplasty"),
            arrive_minutes=90,
            medicines=(order,),
        )
    )
    hold = order.effective_hold
    assert hold is not None
    assert hold == (doctor if doctor is not None else order.rule.hold if order.rule else None)
    assert order.hold_source == ("catalogue" if doctor is None else "doctor")
    last = next(s for s in plan.steps if s.id == f"medicine-{order.key}")
    if hold.unit == "hours":
        assert start.astimezone(UTC) - last.start.astimezone(UTC) == timedelta(hours=hold.amount)
    else:
        local = last.start.astimezone(zone)
        weekly = doctor is None and order.rule is not None and order.rule.counting == "weekly"
        assert local.date() == naive.date() - timedelta(days=hold.amount if weekly else hold.amount + 1)
        # 08:00 that day, or later if a daylight-saving jump skips 08:00.
        assert local.replace(tzinfo=None) >= datetime.combine(local.date(), time(8, 0))
        assert local.utcoffset() == local.replace(fold=1).utcoffset()
    restart = next(s for s in plan.steps if s.id == f"restart-{order.key}")
    assert utc(restart.start) > utc(start)


# --- the strategies reach what they are for --------------------------------------------------------


def test_the_zones_cover_the_hard_cases() -> None:
    """South, half-hour and 45-minute offsets, a half-hour shift, midnight changes, and scanning works."""
    for zone_name in ("America/Santiago", "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo"):
        assert zone_name in ZONES
    assert set(HALF_HOUR_ZONES) <= set(ZONES)
    # Chicago: second Sunday of March and first Sunday of November, at 2:00 AM, for three years.
    chicago = transitions("America/Chicago")
    assert [c.wall for c in chicago] == [
        datetime(2026, 3, 8, 2),
        datetime(2026, 11, 1, 2),
        datetime(2027, 3, 14, 2),
        datetime(2027, 11, 7, 2),
        datetime(2028, 3, 12, 2),
        datetime(2028, 11, 5, 2),
    ]
    assert [c.skips for c in chicago] == [True, False] * 3
    shifts = {abs(c.after - c.before) for zone in DST_ZONES for c in transitions(zone)}
    assert shifts == {timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2)}
    assert {abs(c.after - c.before) for c in transitions("Australia/Lord_Howe")} == {timedelta(minutes=30)}
    assert transitions("America/Sao_Paulo") == ()
    assert transitions("Asia/Kolkata") == ()
    assert len(transitions("Pacific/Chatham")) == 6
    assert {c.wall.time() for c in transitions("America/Havana")} <= {time(0, 0), time(1, 0)}
    assert transitions("America/Santiago")[1].wall == datetime(2026, 9, 6, 0, 0)  # midnight skipped
    # The protocols use every rule kind the model knows.
    kinds = {
        rule["rule"]
        for name in ("kyphoplasty", "vertebroplasty")
        for step in raw_protocol(name)["steps"]
        for rule in (step["when"], step.get("until", step["when"]))
    }
    assert kinds == {
        "days-before",
        "days-after",
        "midnight-before",
        "before",
        "after",
        "arrival",
        "procedure",
    }


def test_the_model_reads_skipped_and_repeated_wall_times_as_documented() -> None:
    """The independent model's own rule: a skipped time moves forward, a repeated one is the first."""
    from tests.plan_model import wall_instant

    chicago = ZoneInfo("America/Chicago")
    # 2:30 AM does not exist on March 14, 2027: it becomes 3:30 AM CDT (08:30 UTC).
    assert wall_instant(date(2027, 3, 14), time(2, 30), chicago) == datetime(2027, 3, 14, 8, 30, tzinfo=UTC)
    # 1:30 AM happens twice on November 7, 2027: the first is CDT (06:30 UTC).
    assert wall_instant(date(2027, 11, 7), time(1, 30), chicago) == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    # Santiago skips midnight on September 6, 2026: the day starts at 1:00 AM (-03), 04:00 UTC.
    santiago = ZoneInfo("America/Santiago")
    assert wall_instant(date(2026, 9, 6), time(0, 0), santiago) == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    # Lord Howe skips 2:00-2:30 on October 4, 2026: 2:15 AM (+10:30) becomes 2:45 AM (+11).
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    assert wall_instant(date(2026, 10, 4), time(2, 15), lord_howe) == datetime(
        2026, 10, 3, 15, 45, tzinfo=UTC
    )
    assert offset_text(timedelta(hours=-3, minutes=-30)) == "-03:30"
    assert offset_text(timedelta(hours=13, minutes=45)) == "+13:45"
