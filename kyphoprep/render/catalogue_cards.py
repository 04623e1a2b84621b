"""What ``kyphoprep meds`` shows: catalogue entries as text cards, one-line lists or JSON.

Every value is shown with its confidence grade and sources, and grade C and D
values say "unconfirmed", as everywhere else.
"""

from __future__ import annotations

import textwrap
from typing import Any

from kyphoprep.core.models import RESTARTED_ACTIONS, CatalogueEntry, MedicineForm, MedicineRule
from kyphoprep.i18n.words import format_restart_hours, format_typical_hold, message, unconfirmed_mark

CARD_WIDTH = 88

_RULE_TEXT = {
    "skip-procedure-day": "rule_skip_day",
    "skip-morning-dose": "rule_skip_morning",
    "change-dose": "rule_change",
    "move-dose": "rule_move",
    "ask-doctor": "rule_ask",
    "keep-taking": "rule_keep",
}


def rule_text(rule: MedicineRule) -> str:
    """``stop 3 to 5 days before (unconfirmed)``."""
    if rule.action == "stop":
        text = message("rule_stop", typical=format_typical_hold(rule))
    else:
        text = message(_RULE_TEXT[rule.action])
    return text + unconfirmed_mark(rule)


def restart_text(rule: MedicineRule) -> str:
    """``24 hours after the procedure``, ``when eating and drinking normally`` or ``ask your doctor``."""
    restart = rule.restart
    mark = message("unconfirmed_mark") if rule.restart_unconfirmed else ""
    if restart.kind == "hours":
        return message("restart_hours", hours=format_restart_hours(restart)) + mark
    if restart.kind == "ask":
        return message("restart_ask")
    return message("restart_eating" if restart.kind == "eating" else "restart_next") + mark


def entry_line(entry: CatalogueEntry) -> str:
    """One line for a list: ``apixaban (Eliquis): stop 3 to 5 days before (unconfirmed)``."""
    brands = entry.all_brands
    name = f"{entry.generic} ({', '.join(brands)})" if brands else entry.generic
    if entry.has_forms:
        rules = "; ".join(f":{form.id} {rule_text(form.rule)}" for form in entry.forms)
        return f"{name}: {rules}"
    return f"{name}: {rule_text(entry.forms[0].rule)}"


def entry_card(entry: CatalogueEntry) -> list[str]:
    """Every fact about one entry, with its sources, as lines of text."""
    rows: list[tuple[str, str]] = []
    brands = entry.all_brands
    if brands:
        rows.append((message("label_brands"), ", ".join(brands)))
    rows.append((message("label_class"), entry.drug_class))
    rows.append((message("label_blood_thinner"), message("yes" if entry.blood_thinner else "no")))
    lines = [entry.generic]
    if entry.has_forms:
        lines += _rows(rows)
        lines.append(f"  {message('label_forms')} ({entry.form_question}):")
        for form in entry.forms:
            lines.append(f"    :{form.id}  {form.label}")
            lines += _rows(_rule_rows(form), indent="      ")
        lines += _rows([(message("label_use"), _use(entry))])
    else:
        lines += _rows([*rows, *_rule_rows(entry.forms[0]), (message("label_use"), _use(entry))])
    return lines


def _use(entry: CatalogueEntry) -> str:
    """How to name the entry in ``--med``, with examples that fit the kind of rule it has.

    A stop gets the doctor's interval as its example; a dose change, a skipped dose or a
    medicine that is usually kept gets ``=continue`` (an interval would make no sense).
    """
    first = entry.forms[0]
    name = first.brands[0] if first.brands else entry.generic
    if entry.has_forms and not first.brands:
        name += f":{first.id}"
    bare = name.split(":")[0]
    hold = first.rule.hold
    if first.rule.action == "stop" and hold is not None:
        return f"--med '{name}', or with the doctor's interval: --med '{bare}={hold.amount}{hold.unit[0]}'"
    if first.rule.action == "ask-doctor":
        return f"--med '{name}', or with what the doctor said: --med '{bare}=continue' or --med '{bare}=5d'"
    return f"--med '{name}', or if the doctor said to keep taking it as usual: --med '{bare}=continue'"


def entry_to_dict(entry: CatalogueEntry) -> dict[str, Any]:
    """An entry as JSON-ready data for scripts."""
    return {
        "id": entry.id,
        "generic": entry.generic,
        "brands": list(entry.all_brands),
        "aliases": list(entry.aliases),
        "class": entry.drug_class,
        "blood_thinner": entry.blood_thinner,
        "form_question": entry.form_question or None,
        "forms": [_form_to_dict(form) for form in entry.forms],
    }


def _form_to_dict(form: MedicineForm) -> dict[str, Any]:
    rule = form.rule
    hold = rule.hold
    return {
        "id": form.id or None,
        "label": form.label or None,
        "brands": list(form.brands),
        "crcl_at_least": form.crcl_at_least,
        "crcl_below": form.crcl_below,
        "action": rule.action,
        "hold": None if hold is None else {"amount": hold.amount, "unit": hold.unit, "from": rule.hold_from},
        "typical": rule_text(rule),
        "restart": restart_text(rule),
        "labs": [lab.id for lab in rule.labs],
        "liquid_diet_hours": rule.liquid_diet_hours,
        "note": rule.instruction or None,
        "grade": rule.grade,
        "unconfirmed": rule.unconfirmed,
        "source": [{"key": s.key, "citation": s.citation} for s in rule.sources],
    }


def _rule_rows(form: MedicineForm) -> list[tuple[str, str]]:
    rule = form.rule
    rows = [(message("label_typical_rule"), rule_text(rule))]
    if rule.action in RESTARTED_ACTIONS:
        rows.append((message("label_restart"), restart_text(rule)))
    if form.brands:
        rows.append((message("label_brands"), ", ".join(form.brands)))
    for lab in rule.labs:
        rows.append((message("label_lab"), lab.id.upper() if len(lab.id) <= 4 else lab.title))
    if rule.instruction:
        rows.append((message("label_note"), rule.instruction))
    rows.append((message("label_confidence"), message(f"grade_{rule.grade}")))
    rows += [(message("label_sources"), source.citation) for source in rule.sources]
    return rows


def _rows(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    width = max((len(label) for label, _ in rows), default=0) + 2
    lines = []
    for label, value in rows:
        first = f"{indent}{label + ':':<{width}}"
        lines += textwrap.wrap(
            value, width=CARD_WIDTH, initial_indent=first, subsequent_indent=" " * len(first)
        )
    return lines
