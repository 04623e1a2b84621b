"""Reading the earlier version of a plan (``--replaces PREVIOUS.json``).

A new plan that replaces an earlier one carries every calendar event of the earlier
plan that it no longer has, as cancelled, so a reminder for a medicine that was
removed does not keep ringing. The earlier plan is read from the JSON kyphoprep
wrote for it: its ``calendar`` (schema 6 and later), or, for older files, the UIDs
its steps and warnings had (the UID rule has not changed).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from kyphoprep.core.models import PreviousEvent, PreviousPlan
from kyphoprep.errors import InputError

MAX_SIZE = 20 * 1024 * 1024
"""Far above any real plan (a plan with 20 medicines is about 200 kB)."""


def _refuse(path: str, why: str, in_batch: bool) -> InputError:
    if in_batch:
        # A row's earlier plan, found by its patient_id in the earlier batch's folder.
        return InputError(
            f"the earlier plan '{path}' {why}. It must be the JSON file kyphoprep wrote for this patient; "
            "move it out of that folder to make this a new plan."
        )
    return InputError(
        f"--replaces '{path}' {why}. Give the JSON file kyphoprep wrote for the earlier plan "
        "(--format json), or leave out --replaces."
    )


def read_previous(path: str, *, in_batch: bool = False) -> PreviousPlan:
    """The earlier plan in the JSON file at *path* (*in_batch*: a roster row's, found by its id)."""
    file = Path(path)
    try:
        if not file.is_file():
            raise _refuse(path, "is not a file" if file.exists() else "does not exist", in_batch)
        if file.stat().st_size > MAX_SIZE:
            raise _refuse(path, "is too large to be a kyphoprep plan", in_batch)
        data = json.loads(file.read_bytes().decode("utf-8"))
    except OSError as error:
        raise _refuse(path, f"cannot be read ({error.strerror})", in_batch) from None
    except (UnicodeDecodeError, ValueError):
        raise _refuse(path, "is not JSON", in_batch) from None
    try:
        return _previous(data)
    except (KeyError, TypeError, ValueError):
        raise _refuse(path, "is not a kyphoprep plan", in_batch) from None


def _previous(data: Any) -> PreviousPlan:
    plan_id = data["plan_id"]
    if not isinstance(plan_id, str) or not isinstance(data["schema_version"], int):
        raise TypeError(plan_id)
    if "calendar" in data:
        calendar = data["calendar"]
        events = tuple(
            PreviousEvent(
                uid=str(e["uid"]),
                title=str(e["full_title"]),
                start=_instant(e["start"]),
                end=_instant(e["end"]),
            )
            for e in calendar["events"]
        )
        return PreviousPlan(plan_id=plan_id, version=_version(calendar["sequence"]), events=events)
    # Schema 5 and earlier: no calendar block, version 0; the UIDs follow from the ids.
    from kyphoprep.render.calendar import event_uid

    steps = tuple(
        PreviousEvent(
            uid=event_uid(plan_id, str(s["id"])),
            title=str(s["title"]),
            start=_instant(s["start"]),
            end=_instant(s["end"]),
        )
        for s in data["steps"]
    )
    return PreviousPlan(plan_id=plan_id, version=0, events=steps)


def _instant(text: object) -> datetime:
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment


def _version(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1_000_000:
        raise ValueError(value)
    return value


def check_same_plan(previous: PreviousPlan, plan_id: str, path: str, *, in_batch: bool = False) -> None:
    """Refuse an earlier plan made for someone else: its cancellations would land in the wrong calendar."""
    if previous.plan_id != plan_id and in_batch:
        raise InputError(
            f"the earlier plan '{path}' is another patient's (plan id {previous.plan_id}; this row's "
            f"patient_id gives {plan_id}). Check the patient_id cell."
        )
    if previous.plan_id != plan_id:
        raise InputError(
            f"--replaces '{path}' is another person's plan (plan id {previous.plan_id}; this plan's id is "
            f"{plan_id}). Give the same --patient or --plan-id as that plan, or leave out --replaces."
        )
