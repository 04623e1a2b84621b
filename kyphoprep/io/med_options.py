"""Read ``--med`` values into ``MedicineOrder``s: the doctor's word first, the catalogue second.

A value is ``[other:]NAME[:FORM][=HOLD]``:

- ``warfarin=5d``, ``Lovenox=24h``: the doctor's interval (days or hours);
- ``aspirin=continue``: the doctor said to keep taking it;
- ``Eliquis``: no instruction yet, so the catalogue's typical guidance is used
  and labelled "confirm with your doctor";
- ``enoxaparin:preventive``: a form of a catalogue entry whose rule depends on
  the dose, the use or the schedule (``--crcl`` picks dabigatran's);
- ``other:Zarelto=3d``: a medicine that is not in the catalogue, even if its
  name is close to one that is.

Nothing is guessed: a near miss of a catalogue name, or a medicine whose rule
depends on a form nobody named, is refused with a message that says what to write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from kyphoprep.core.models import CatalogueEntry, Hold, HoldRange, MedicineForm, MedicineOrder
from kyphoprep.data.catalogue import (
    MAX_HOLD_DAYS,
    MAX_HOLD_HOURS,
    Catalogue,
    NameMatch,
    describe_match,
    load_catalogue,
)
from kyphoprep.errors import InputError
from kyphoprep.io.text_rules import code_point, foreign_digit, has_control
from kyphoprep.io.typed_input import quoted

# re.ASCII: \d alone also matches fullwidth and Arabic-Indic digits (U+FF15, U+0665), which int() reads.
_HOLD = re.compile(r"^\s*(\d+)\s*(d|day|days|h|hr|hrs|hour|hours)\s*$", re.IGNORECASE | re.ASCII)
_KEEP_TAKING = {"continue", "keep", "keep taking", "keep-taking", "do not stop", "don't stop", "dont stop"}
_NAME = re.compile(r"[\w][\w .'()/+-]*")
OTHER_PREFIX = "other:"
MAX_NAME = 60
MIN_CRCL, MAX_CRCL = 1, 200


def parse_hold(text: str, name: str, *, med: str = "--med ") -> Hold:
    """A hold such as ``5d``, ``5 days``, ``24h`` or ``24 hours``; *med* starts the messages' examples."""
    given = " ".join(text.split())
    if not given:
        raise InputError.keyed("error_hold_empty", name=name, med=med)
    digit = foreign_digit(given)
    if digit is not None:
        raise InputError.keyed(
            "error_hold_digits", name=name, given=quoted(given), digit=digit, code=code_point(digit), med=med
        )
    match = _HOLD.match(given)
    if not match:
        raise InputError.keyed("error_hold_unreadable", name=name, given=quoted(given))
    digits = match.group(1).lstrip("0") or "0"
    # Any number of digits is a number; one too long to read is simply too many days or hours.
    amount = int(digits) if len(digits) <= 9 else None
    unit: Literal["days", "hours"] = "days" if match.group(2).lower().startswith("d") else "hours"
    limit = MAX_HOLD_DAYS if unit == "days" else MAX_HOLD_HOURS
    if amount is None or not 1 <= amount <= limit:
        raise InputError.keyed(
            f"error_hold_range_{unit}", name=name, given=quoted(given), limit=limit, med=med
        )
    return Hold(amount=amount, unit=unit, given_as=given)


def parse_medicine(
    text: str,
    *,
    crcl: int | None = None,
    catalogue: Catalogue | None = None,
    hold_range: HoldRange = "longest",
    in_roster: bool = False,
) -> MedicineOrder:
    """One ``--med`` value (or, *in_roster*, one medicine of a roster's meds cell), resolved against
    the catalogue. In a roster, messages quote the medicine without ``--med``."""
    med = "" if in_roster else "--med "
    if has_control(text):
        what = "A medicine" if in_roster else "--med"
        raise InputError(f"{what} contains a line break or control character; type it on one line.")
    catalogue = catalogue or load_catalogue()
    spec, equals, hold_text = text.partition("=")
    doctor_said = equals == "="
    spec = " ".join(spec.split())
    other = spec.casefold().startswith(OTHER_PREFIX)
    if other:
        spec = spec[len(OTHER_PREFIX) :].strip()
    name, _, form_id = (part.strip() for part in spec.partition(":"))
    if not name:
        raise InputError.keyed("error_med_no_name", typed=quoted(text.strip()), med=med)
    if len(name) > MAX_NAME or not _NAME.fullmatch(name) or ":" in form_id:
        raise InputError.keyed("error_med_bad_name", name=name[:MAX_NAME], limit=MAX_NAME, med=med)
    hold: Hold | None = None
    keep_taking = False
    if doctor_said:
        if " ".join(hold_text.casefold().split()) in _KEEP_TAKING:
            keep_taking = True
        else:
            hold = parse_hold(hold_text, name, med=med)

    match = catalogue.find(name)
    if other and match is not None:
        # other:warfarin would lose what kyphoprep knows about it: blood-thinner checks, the INR test.
        typed = " ".join(text.split())
        raise InputError.keyed(
            "error_med_other_listed",
            typed=quoted(typed),
            medicine=describe_match(match),
            without=quoted(typed[len(OTHER_PREFIX) :].strip()),
            med=med,
        )
    if match is None:
        if not other:
            _refuse_near_miss(name, catalogue, hold_text if doctor_said else None, med)
        if form_id:
            raise InputError.keyed("error_med_unlisted_form", name=name, form=quoted(form_id), med=med)
        return MedicineOrder(name=name, hold=hold, keep_taking=keep_taking, typed=text.strip())

    form = _choose_form(match, form_id, crcl, doctor_said, in_roster)
    if form is not None and crcl is not None and form.rule.low_kidney is not None:
        below, rule = form.rule.low_kidney
        if crcl < below:
            # Weak kidneys: the reference says "longer" without a number, so the doctor decides.
            form = replace(form, rule=rule)
    return MedicineOrder(
        name=describe_match(match),
        hold=hold,
        keep_taking=keep_taking,
        entry=match.entry,
        form=form,
        typed=text.strip(),
        range_end=hold_range,
        brand=match.spelled if match.is_brand else "",
    )


def parse_medicines(
    values: Sequence[str],
    *,
    crcl: int | None = None,
    require_doctor_holds: bool = False,
    hold_range: HoldRange = "longest",
) -> tuple[MedicineOrder, ...]:
    """All ``--med`` values: each medicine once, and (for clinics) every blood thinner with its interval.

    The first problem is raised; ``medicine_problems`` finds them all.
    """
    if crcl is not None and not MIN_CRCL <= crcl <= MAX_CRCL:
        raise InputError.keyed("error_crcl_range", crcl=crcl, low=MIN_CRCL, high=MAX_CRCL)
    orders, problems = medicine_problems(
        values, crcl=crcl, require_doctor_holds=require_doctor_holds, hold_range=hold_range
    )
    if problems:
        raise problems[0]
    return orders


def medicine_problems(
    values: Sequence[str],
    *,
    crcl: int | None = None,
    require_doctor_holds: bool = False,
    hold_range: HoldRange = "longest",
    in_roster: bool = False,
) -> tuple[tuple[MedicineOrder, ...], list[InputError]]:
    """The medicines read from *values*, and every problem with them (each value is read on its own).

    *in_roster*: the values come from a roster's meds cell, so messages quote them without ``--med``.
    """
    catalogue = load_catalogue()
    orders: list[MedicineOrder] = []
    problems: list[InputError] = []
    for value in values:
        try:
            orders.append(
                parse_medicine(
                    value, crcl=crcl, catalogue=catalogue, hold_range=hold_range, in_roster=in_roster
                )
            )
        except InputError as exc:
            problems.append(exc)
    seen: dict[str, MedicineOrder] = {}
    where = "The meds cell" if in_roster else "--med"
    kept: list[MedicineOrder] = []
    for order in orders:
        if order.key in seen:
            problems.append(
                InputError(f"{where} names {_named_twice(seen[order.key], order)}. Give each medicine once.")
            )
            continue
        seen[order.key] = order
        kept.append(order)
    if require_doctor_holds:
        problems += [
            _hold_required(order, catalogue, in_roster) for order in kept if order.hold_source != "doctor"
        ]
    return tuple(kept), [problem for problem in problems if str(problem)]


def _hold_required(order: MedicineOrder, catalogue: Catalogue, in_roster: bool) -> InputError:
    """--require-doctor-holds: *order* (given without the doctor's interval) refused if it is a blood
    thinner, or an ``other:`` medicine whose name is close to one ("other:Xarelto 20mg"); else an
    empty error, dropped by the caller."""
    med = "" if in_roster else "--med "
    # In a roster the nurse fixes the cell, not the command: the rule is said, not the option.
    option = (
        "this batch needs the doctor's interval for each one" if in_roster else "--require-doctor-holds is on"
    )
    first = order.typed.split("=")[0].strip()
    if order.entry is not None:
        if not order.entry.blood_thinner:
            return InputError("")
        return InputError(
            f"{order.name} is a blood thinner and {option}: add the doctor's "
            f"interval, such as {med}'{first}=5d', or {med}'{first}=continue' if the doctor "
            "said to keep taking it."
        )
    close = [m for m in catalogue.suggestions(order.name) if m.entry.blood_thinner]
    if not close:
        return InputError("")
    listed = describe_match(close[0])
    # "other:Xarelto 2d": the interval typed without its '='.
    last_word = order.name.rsplit(" ", 1)[-1]
    hold = last_word if " " in order.name and _HOLD.match(last_word) else "5d"
    return InputError(
        f"{med}'{first}': '{order.name}' looks like {listed}, a blood thinner, and {option}. "
        f"Write {med}'{close[0].spelled}={hold}' with the doctor's interval after '='. If it is another "
        f"medicine, give its interval too, such as {med}'{first}=5d'."
    )


def _named_twice(first: MedicineOrder, second: MedicineOrder) -> str:
    """What two ``--med`` values for one medicine named: ``warfarin twice (also as 'Coumadin (warfarin)')``.

    The medicine is called by its generic name, never by one of two brands (Bayer and
    St. Joseph are both aspirin; neither was named twice).
    """
    if first.name == second.name:
        return f"{first.name} twice"
    generic = first.name if first.entry is None else first.entry.generic
    others = [order.name for order in (first, second) if order.name != generic]
    if len(others) == 1:  # the other one is the generic name itself
        return f"{generic} twice (also as '{others[0]}')"
    return f"{generic} twice (as '{_typed_name(first)}' and '{_typed_name(second)}')"


def _typed_name(order: MedicineOrder) -> str:
    """The medicine's name as its ``--med`` value gave it: ``St Joseph`` in ``St Joseph:primary=6d``."""
    spec = " ".join(order.typed.partition("=")[0].split())
    return spec.partition(":")[0].strip()


def _refuse_near_miss(name: str, catalogue: Catalogue, hold_text: str | None, med: str = "--med ") -> None:
    """Refuse a name close to a catalogue name: it is far more likely a typo than a new medicine."""
    near = catalogue.suggestions(name)
    if not near:
        return
    choices = " or ".join(describe_match(m) for m in near)
    hold = f"={quoted(' '.join(hold_text.split()))}" if hold_text is not None else ""
    raise InputError.keyed("error_med_near", name=name, choices=choices, hold=hold, med=med)


def _choose_form(
    match: NameMatch, form_id: str, crcl: int | None, doctor_said: bool, in_roster: bool = False
) -> MedicineForm | None:
    entry = match.entry
    med = "" if in_roster else "--med "
    if form_id:
        form = entry.form(form_id.casefold())
        if form is None or not entry.has_forms:
            raise InputError(
                _form_help(entry, f"{med}'{match.spelled}:{quoted(form_id)}': no such form.", med)
            )
        if match.form is not None and match.form.id != form.id:
            # A real form id: short, so quoted whole.
            raise InputError(
                f"{med}'{match.spelled}:{form_id}': {match.spelled} is always "
                f"{match.form.label}, not {form.label}. Leave out ':{form_id}'."
            )
        return form
    if match.form is not None:
        return match.form
    if not entry.has_forms:
        return entry.forms[0]
    by_crcl = [f for f in entry.forms if f.crcl_at_least is not None or f.crcl_below is not None]
    if by_crcl and crcl is not None:
        fitting = [f for f in by_crcl if f.fits_crcl(crcl)]
        if len(fitting) == 1:
            return fitting[0]
    if doctor_said:
        # The doctor's interval does not need a form; restart advice then says "ask".
        return None
    question = entry.form_question
    if by_crcl:
        # How to give the kidney number depends on where the medicine was typed.
        where = "fill in the crcl column" if in_roster else "add --crcl"
        question += f": {where} with the creatinine clearance from a recent blood test"
    raise InputError(
        _form_help(
            entry,
            f"{med}'{match.spelled}': the typical guidance for {entry.generic} depends on {question}.",
            med,
        )
    )


def _form_help(entry: CatalogueEntry, problem: str, med: str = "--med ") -> str:
    named = [f for f in entry.forms if f.id]
    if not named:
        return f"{problem} {entry.generic} has no forms; leave out the ':'."
    choices = "; ".join(f":{f.id} ({f.label})" for f in named)
    holds = [f.rule.hold for f in named if f.rule.hold is not None]
    example = f"{holds[0].amount}{holds[0].unit[0]}" if holds else "5d"
    return (
        f"{problem} Add one of: {choices}. Or give your doctor's interval, "
        f"such as {med}'{entry.generic}={example}'."
    )
