"""What a plan's calendar must be, stated from the JSON's steps, for tests to check the .ics against.

Written independently of ``kyphoprep.render.calendar``, so a change there that breaks a
rule fails a test instead of moving the expectation with it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

LONG_STATE = timedelta(hours=12)
STATE_EVENT = timedelta(minutes=15)
RECOVERY = timedelta(minutes=180)


def utc(moment: datetime | str) -> datetime:
    """*moment* (aware, or ISO text with an offset) as a UTC instant."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC)


def event_times(step: dict[str, Any]) -> tuple[datetime, datetime]:
    """The UTC start and end of *step*'s event: a long state is one short reminder at its start."""
    start, end = utc(step["start"]), utc(step["end"])
    return start, (start + STATE_EVENT if end - start >= LONG_STATE else end)


def check_alarms(data: dict[str, Any], alarms: dict[str, datetime | None]) -> None:
    """Assert the alarm rules for the JSON plan *data*, given each step's alarm instant by step id.

    - only an action still to come rings, ``reminder_minutes`` before it starts;
    - nothing rings while the person is in care: from arrival until 3 hours after the procedure;
    - every such action with a clock time of its own rings;
    - the "by this day" to-dos of one local day ring once, on the first of them.
    """
    by_id = {step["id"]: step for step in data["steps"]}
    arrival = utc(by_id["arrive"]["start"])
    home = utc(data["procedure"]["end"]) + RECOVERY
    before = timedelta(minutes=data["inputs"]["reminder_minutes"])
    todo_days: dict[object, list[str]] = {}
    for step in data["steps"]:
        start = utc(step["start"])
        rings = start - before
        eligible = step["actionable"] and not step["past"]
        in_care = arrival <= rings < home or arrival < start < home
        alarm = alarms[step["id"]]
        if not eligible or in_care:
            assert alarm is None, step["id"]
        elif step["clock"] == "reminder":
            todo_days.setdefault(datetime.fromisoformat(step["start"]).date(), []).append(step["id"])
        else:
            assert alarm == rings, step["id"]
    for ids in todo_days.values():
        first = by_id[ids[0]]
        assert alarms[ids[0]] == utc(first["start"]) - before, ids[0]
        assert all(alarms[other] is None for other in ids[1:]), ids
