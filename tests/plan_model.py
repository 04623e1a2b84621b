"""An independent model of a plan, for the property tests: where every step must land, in UTC.

Nothing here uses kyphoprep's planner, protocol reader or catalogue reader. The rules are read
straight from the shipped TOML files with ``tomllib`` and applied with UTC arithmetic; the zone
database is only asked for the UTC offset at a UTC instant (the one question it answers without
ambiguity). Also here: the daylight-saving transitions of a zone, found by scanning offsets, and
readers for the text and HTML handouts (the HTML one with ``html.parser``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

from kyphoprep.core.models import Plan, PlanRequest
from kyphoprep.core.planner import build_plan
from kyphoprep.data.builtin import builtin_text
from kyphoprep.i18n.words import words_for

# --- the zone database, asked only "what is the offset at this UTC instant?" ----------------------

SCAN_FROM = datetime(2026, 1, 1, tzinfo=UTC)
SCAN_TO = datetime(2029, 1, 1, tzinfo=UTC)
_SCAN_STEP = timedelta(hours=6)  # no zone changes its offset twice within 6 hours


def utc_offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    """The offset *zone* uses at the instant *instant* (converted through UTC: ``astimezone`` to the
    zone a datetime already has would return it unchanged, even a wall time the clocks skip)."""
    offset = instant.astimezone(UTC).astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def wall_clock(zone: ZoneInfo, instant: datetime) -> datetime:
    """The naive wall-clock time *zone* shows at the UTC instant *instant*."""
    return (instant.astimezone(UTC) + utc_offset(zone, instant)).replace(tzinfo=None)


@dataclass(frozen=True)
class Transition:
    """One change of a zone's UTC offset."""

    zone: str
    instant: datetime
    """The first UTC instant of the new offset."""
    before: timedelta
    after: timedelta

    @property
    def wall(self) -> datetime:
        """The wall-clock time at which the clocks change, read on the old offset (02:00)."""
        return (self.instant + self.before).replace(tzinfo=None)

    @property
    def skips(self) -> bool:
        """The clocks jump forward: some wall times do not exist that day."""
        return self.after > self.before

    @property
    def odd_walls(self) -> tuple[datetime, datetime]:
        """[first, last): the wall times skipped (clocks forward) or shown twice (clocks back)."""
        old, new = self.wall, (self.instant + self.after).replace(tzinfo=None)
        return min(old, new), max(old, new)


@cache
def transitions(zone_name: str) -> tuple[Transition, ...]:
    """Every offset change of *zone_name* from 2026 to 2028, found by scanning and bisecting."""
    zone = ZoneInfo(zone_name)
    found = []
    low, low_offset = SCAN_FROM, utc_offset(zone, SCAN_FROM)
    while low < SCAN_TO:
        high = low + _SCAN_STEP
        high_offset = utc_offset(zone, high)
        if high_offset != low_offset:
            a, b = low, high  # a has the old offset, b the new one
            while b - a > timedelta(seconds=1):
                middle = a + (b - a) / 2
                if utc_offset(zone, middle) == low_offset:
                    a = middle
                else:
                    b = middle
            instant = b.replace(microsecond=0)
            found.append(Transition(zone_name, instant, low_offset, high_offset))
        low, low_offset = high, high_offset
    return tuple(found)


def wall_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant a wall clock in *zone* shows *clock* on *day* (the documented rule).

    A time shown twice is the first of the two; a time that does not exist (the clocks jumped
    forward) moves forward by the size of the jump, i.e. is read on the offset before the jump.
    """
    wall = datetime.combine(day, clock)
    as_utc = wall.replace(tzinfo=UTC)
    # The offsets in use around that day (no zone changes offset twice within two days).
    before = utc_offset(zone, as_utc - timedelta(days=1))
    after = utc_offset(zone, as_utc + timedelta(days=1))
    hits = sorted(as_utc - offset for offset in {before, after} if wall_clock(zone, as_utc - offset) == wall)
    if hits:
        return hits[0]
    return as_utc - before


def offset_text(offset: timedelta) -> str:
    """``-05:00``, ``+05:45``, ``-03:30``."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- the rules, read straight from the TOML files ----------------------------------------------------


@cache
def raw_protocol(name: str) -> dict[str, Any]:
    """``checklists/<name>.toml`` as plain data."""
    return tomllib.loads(builtin_text(f"{name}.toml"))


@cache
def raw_catalogue() -> dict[str, Any]:
    """``checklists/medications.toml`` as plain data."""
    return tomllib.loads(builtin_text("medications.toml"))


def raw_medicine(entry_id: str, form_id: str) -> dict[str, Any]:
    """A catalogue entry's rule, with its form's keys over the entry's (as the file format says)."""
    entry = next(e for e in raw_catalogue()["medicines"] if e["id"] == entry_id)
    merged = {k: v for k, v in entry.items() if k != "forms"}
    if form_id:
        form = next(f for f in entry["forms"] if f["id"] == form_id)
        merged.update({k: v for k, v in form.items() if k != "id"})
    return merged


def _clock(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def _minutes(rule: Mapping[str, Any]) -> int:
    return int(rule.get("hours", 0)) * 60 + int(rule.get("minutes", 0))


def timing_of(rule: Mapping[str, Any]) -> dict[str, int | str]:
    """The ``timing`` a JSON reader is promised for a rule written as in the TOML files."""
    kind = rule["rule"]
    if kind in ("days-before", "days-after"):
        return {"rule": kind, "days": rule["days"], "at": rule["at"]}
    if kind in ("before", "after", "arrival"):
        return {"rule": kind, "minutes": _minutes(rule)}
    return {"rule": kind}


@dataclass(frozen=True)
class Expected:
    """Where one step must be: UTC start and end, its rule as JSON shows it, and whether it is past."""

    start: datetime
    end: datetime
    timing: dict[str, int | str]
    past: bool


class PlanModel:
    """The steps a request must give, worked out from the TOML files in UTC."""

    def __init__(self, request: PlanRequest) -> None:
        self.request = request
        self.zone = ZoneInfo(request.timezone)
        self.protocol = raw_protocol(request.protocol.id)
        self.start = request.procedure_start.astimezone(UTC)
        self.day = wall_clock(self.zone, self.start).date()
        self.end = self.start + timedelta(minutes=self.protocol["procedure_minutes"])
        self.arrival = self.start - timedelta(minutes=request.arrive_minutes)
        self.now = request.now.astimezone(UTC)
        self.steps: dict[str, Expected] = {}
        self.last_doses: list[str] = []
        """Ids of the last-dose steps of stopped medicines, in the order the medicines were given."""
        for step in self.protocol["steps"]:
            if step.get("fasting", request.fasting) != request.fasting:
                continue
            begin = self.instant(step["when"])
            finish = self.instant(step["until"]) if "until" in step else begin
            if finish <= begin:
                finish = begin + timedelta(minutes=step.get("minutes", 15))
            self.add(step["id"], begin, finish, timing_of(step["when"]))
        for typed in (order.typed for order in request.medicines):
            self._medicine(typed)
        self._move_asks_before_last_doses()

    def _move_asks_before_last_doses(self) -> None:
        """A ``before_last_doses`` step on or after the earliest last-dose day moves to the day before."""
        if not self.last_doses:
            return
        first = min(self.last_doses, key=lambda step_id: self.steps[step_id].start)
        first_day = wall_clock(self.zone, self.steps[first].start).date()
        for step in self.protocol["steps"]:
            if not step.get("before_last_doses") or step["id"] not in self.steps:
                continue
            planned = self.steps[step["id"]]
            if wall_clock(self.zone, planned.start).date() < first_day:
                continue
            day = first_day - timedelta(days=1)
            begin = wall_instant(day, _clock(step["when"]["at"]), self.zone)
            timing = {"rule": "days-before", "days": (self.day - day).days, "at": step["when"]["at"]}
            self.steps[step["id"]] = Expected(
                begin,
                begin + timedelta(minutes=step.get("minutes", 15)),
                {**timing, "moved_for": first},
                begin < self.now,
            )

    def instant(self, rule: Mapping[str, Any]) -> datetime:
        """Where *rule* lands, in UTC."""
        match rule["rule"]:
            case "days-before":
                return wall_instant(self.day - timedelta(days=rule["days"]), _clock(rule["at"]), self.zone)
            case "days-after":
                return wall_instant(self.day + timedelta(days=rule["days"]), _clock(rule["at"]), self.zone)
            case "midnight-before":
                return wall_instant(self.day, time(0, 0), self.zone)
            case "before":
                return self.start - timedelta(minutes=_minutes(rule))
            case "after":
                return self.end + timedelta(minutes=_minutes(rule))
            case "arrival":
                return self.arrival + timedelta(minutes=_minutes(rule))
            case "procedure":
                return self.start
        raise AssertionError(f"unknown rule {rule!r}")

    def add(
        self,
        step_id: str,
        start: datetime,
        end: datetime,
        timing: dict[str, int | str],
        past: bool | None = None,
    ) -> None:
        assert step_id not in self.steps, step_id
        self.steps[step_id] = Expected(start, end, timing, start < self.now if past is None else past)

    def _medicine(self, typed: str) -> None:
        """The steps one ``--med`` value adds: last dose or day-of change, restart, lab, liquid diet."""
        spec, _, said = typed.partition("=")
        other = spec.startswith("other:")
        name, _, form_id = spec.removeprefix("other:").partition(":")
        raw = None if other else raw_medicine(name, form_id)
        key = name.lower() if raw is None else raw["id"]
        keep = said == "continue"
        hold: tuple[int, str] | None = None
        if said and not keep:
            hold = (int(said[:-1]), {"d": "days", "h": "hours"}[said[-1]])
        elif raw is not None and raw["action"] == "stop" and not keep:
            hold = (raw["days"], "days") if "days" in raw else (raw["hours"], "hours")
        action: str | None
        if hold is not None:
            action = "stop"  # the doctor's interval, or the catalogue's own stop
        elif keep:
            action = "keep-taking"
        else:
            action = None if raw is None else raw["action"]
        short = timedelta(minutes=15)
        if hold is not None:
            amount, unit = hold
            # A weekly medicine's catalogue stop keeps the dose on the day N days before (ASA 2023).
            weekly = not said and raw is not None and raw.get("counting") == "weekly"
            if unit == "days":
                last_day = self.day - timedelta(days=amount if weekly else amount + 1)
                start = wall_instant(last_day, _clock(self.protocol["medicine_reminder_at"]), self.zone)
                # Still in time on the last day itself.
                past = last_day < wall_clock(self.zone, self.now).date()
                timing: dict[str, int | str] = {"rule": "last-dose-day", "days": amount}
                if weekly:
                    timing["counting"] = "weekly"
            else:
                start = self.start - timedelta(hours=amount)
                past = start < self.now
                timing = {"rule": "last-dose-by", "minutes": 60 * amount}
            self.add(f"medicine-{key}", start, start + short, timing, past)
            self.last_doses.append(f"medicine-{key}")
        elif raw is not None and action in (
            "skip-procedure-day",
            "skip-morning-dose",
            "change-dose",
            "move-dose",
            "ask-doctor",
        ):
            rule = raw.get("when", raw_catalogue()["reminders"][action])
            start = self.instant(rule)
            self.add(f"medicine-{key}", start, start + short, timing_of(rule))
        if action in ("stop", "skip-procedure-day", "skip-morning-dose", "change-dose"):
            restart = raw.get("restart", "ask") if raw is not None else "ask"
            hours = (
                0
                if restart in ("ask", "eating", "next-dose")
                else int(restart.removesuffix("h").split("-")[0])
            )
            rule = {"rule": "after", "hours": hours}
            self.add(f"restart-{key}", self.instant(rule), self.instant(rule) + short, timing_of(rule))
        if raw is not None:
            for lab in raw.get("labs", []):
                rule = raw_catalogue()["labs"][lab]["when"]
                self.add(f"lab-{lab}-{key}", self.instant(rule), self.instant(rule) + short, timing_of(rule))
            if "liquid_diet_hours" in raw and not said:
                rule = {"rule": "before", "hours": raw["liquid_diet_hours"]}
                self.add(f"liquid-diet-{key}", self.instant(rule), self.start, timing_of(rule))


# --- reading the handouts back ---------------------------------------------------------------------


def flat(text: str) -> str:
    """*text* with its line breaks and runs of spaces made single spaces (a no-break space is kept)."""
    return " ".join(word for line in text.split("\n") for word in line.split(" ") if word)


def text_section(text: str, heading: str, rule: str) -> list[str]:
    """The lines of the text handout's section *heading* (framed by *rule* lines) up to the next rule."""
    lines = text.split("\n")
    at = lines.index(heading)
    assert lines[at - 1] == rule, heading
    assert lines[at + 1] == rule, heading
    return lines[at + 2 : lines.index(rule, at + 2)]


def text_days(lines: list[str], thin_rule: str) -> list[tuple[str, list[str]]]:
    """Day headings (each underlined by *thin_rule*) with the flattened text of each step under it.

    A step starts at a line beginning with its box (``[ ] `` or ``  - ``); the box is left out.
    """
    days: list[tuple[str, list[list[str]]]] = []
    for number, line in enumerate(lines):
        if line == thin_rule:
            continue
        if number + 1 < len(lines) and lines[number + 1] == thin_rule:
            days.append((line, []))
        elif line.startswith(("[ ] ", "  - ")):
            days[-1][1].append([line[4:]])
        elif line:
            assert days, f"text before the first day: {line!r}"
            assert days[-1][1], f"text outside a step: {line!r}"
            days[-1][1][-1].append(line)
    return [(heading, [flat("\n".join(block)) for block in blocks]) for heading, blocks in days]


def text_bullets(lines: list[str]) -> list[str]:
    """The ``* `` items of a text section, each flattened (without the star)."""
    items: list[list[str]] = []
    for line in lines:
        if line.startswith("* "):
            items.append([line[2:]])
        elif line.startswith("  ") and items:
            items[-1].append(line)
    return [flat("\n".join(item)) for item in items]


class HandoutDays(HTMLParser):
    """The day tables of the HTML handout: (part, day heading, [step line, ...]) in document order.

    The part is "plan" for "Day by day" and "after" for the after-care box. A step line is the text
    of its ``strong.what``: the time, a dash and the title, without a final full stop (the handout
    adds one to run the title into the step's text).
    """

    VOID = frozenset({"input", "meta", "br", "img", "hr", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.days: list[tuple[str, str, list[str]]] = []
        self._open: list[tuple[str, set[str]]] = []
        self._capture: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag not in self.VOID:
            self._open.append((tag, classes))
        if tag == "span" and "day-heading" in classes:
            self._capture, self._text = "heading", []
        elif tag == "strong" and "what" in classes:
            self._capture, self._text = "what", []

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break
        text = "".join(self._text)
        if self._capture == "heading" and tag == "span":
            part = "after" if any("after-care" in c for t, c in self._open if t == "section") else "plan"
            self.days.append((part, text, []))
            self._capture = None
        elif self._capture == "what" and tag == "strong":
            self.days[-1][2].append(text.removesuffix("."))
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._text.append(data)


def html_days(document: str) -> list[tuple[str, str, list[str]]]:
    """``HandoutDays`` of *document*."""
    parser = HandoutDays()
    parser.feed(document)
    parser.close()
    return parser.days


def planned(request: PlanRequest) -> Plan:
    """The plan for *request*, with the words of its language, as the command line makes it."""
    return build_plan(request, words_for(request.language))
