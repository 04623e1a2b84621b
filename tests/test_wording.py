"""Every English text has its Spanish twin, and both are plain: FK grade <= 6 for what is read as
sentences (step details, warnings) and <= 8 for labels (titles, headings); Fernández-Huerta >= 60.

The texts scored are the ones people read on every output: each step of every
built-in protocol (and of every medicine in the catalogue, in every form, with
and without the doctor's interval, on time and too late), the warning signs,
and the headings of the handouts. Medicine names are scored as "warfarin":
a drug's name is not ours to simplify, the words around it are.

``python -m tests.test_wording`` prints the averages (reported in the README).
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import textstat

from kyphoprep.core.models import MedicineOrder, PlanRequest
from kyphoprep.data.catalogue import load_catalogue
from kyphoprep.data.protocols import builtin_protocol_names, load_builtin_protocol, protocol_in_language
from kyphoprep.i18n.languages import SOURCE_LANGUAGE, TRANSLATED
from kyphoprep.io.med_options import parse_medicine
from tests.plan_model import planned

MAX_GRADE = 8.0
MAX_DETAIL_GRADE = 6.0
MIN_HUERTA = 60.0
STAND_IN = "warfarin"
HEADING_KEYS = (
    "heading_warnings",
    "heading_plan",
    "heading_bring",
    "heading_after_care",
    "heading_call",
    "heading_emergency",
    "heading_sources",
    "caregiver_title",
    "caregiver_arrive_heading",
    "caregiver_pickup_heading",
    "caregiver_stay_heading",
    "caregiver_watch_heading",
    "caregiver_who_heading",
)
ZONE = ZoneInfo("America/Chicago")

_Scorer = type(textstat.textstat)


@cache
def _scorer(language: str) -> Any:
    scorer = _Scorer()
    scorer.set_lang("en_US" if language == "en" else language)
    return scorer


def english_grade(text: str) -> float:
    """Flesch-Kincaid grade of *text*."""
    return float(_scorer("en").flesch_kincaid_grade(text))


def spanish_ease(text: str) -> float:
    """Fernández-Huerta reading ease of *text* (higher is easier; 60 is plain Spanish)."""
    return float(_scorer("es").fernandez_huerta(text))


@cache
def _tables() -> dict[str, Any]:
    text = (resources.files("kyphoprep.checklists") / "messages.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# --- every English text has its Spanish twin -------------------------------------------------


@pytest.mark.parametrize("language", TRANSLATED)
def test_messages_have_the_same_keys_and_placeholders_in_every_language(language: str) -> None:
    """Each language of the registry has every message, with the same placeholders as English."""
    english, other = _tables()[SOURCE_LANGUAGE], _tables()[language]
    assert sorted(english) == sorted(other)
    for key, value in english.items():
        if isinstance(value, list):
            assert len(other[key]) == len(value), key
        else:
            assert _placeholders(other[key]) == _placeholders(value), key
            assert other[key].strip(), key


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("name", builtin_protocol_names())
def test_builtin_protocols_have_every_text_in_every_language(name: str, language: str) -> None:
    """A plan in any language of the registry has no English left in a built-in protocol's texts."""
    protocol = load_builtin_protocol(name)
    assert protocol.missing_words(language) == []
    translated = protocol_in_language(protocol, language)
    for english_step, other_step in zip(protocol.steps, translated.steps, strict=True):
        assert other_step.title != english_step.title, english_step.id
        assert other_step.detail != english_step.detail, english_step.id
        assert len(other_step.items) == len(english_step.items), english_step.id
    for english_sign, other_sign in zip(protocol.warning_signs, translated.warning_signs, strict=True):
        assert other_sign.text != english_sign.text, english_sign.id
    assert translated.name != protocol.name


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_texts_are_in_every_language(language: str) -> None:
    """Every instruction, form label and lab check of the medicine catalogue has its translation."""
    missing = []
    for entry in load_catalogue().entries:
        for form in entry.forms:
            where = f"{entry.id}:{form.id}"
            if form.rule.instruction and language not in form.rule.translations:
                missing.append(f"{where} instruction")
            if form.label and language not in form.translations:
                missing.append(f"{where} label")
            missing += [f"{where} lab {lab.id}" for lab in form.rule.labs if language not in lab.translations]
    assert missing == []


def test_a_protocol_without_spanish_is_refused_in_spanish_with_what_is_missing() -> None:
    """A protocol missing Spanish for a step is refused for --lang es with the step named and how to add
    the words, rather than mixing English into a Spanish plan."""
    from dataclasses import replace

    from kyphoprep.errors import ChecklistError

    protocol = load_builtin_protocol("kyphoplasty")
    first = replace(protocol.steps[0], translations={})
    english_only = replace(protocol, steps=(first, *protocol.steps[1:]))
    with pytest.raises(ChecklistError) as caught:
        protocol_in_language(english_only, "es")
    assert str(caught.value) == (
        "kyphoplasty.toml: has no Spanish (español) words for step checkup-visit. Write them beside the "
        'English (such as es.title = "..."; see docs/protocols.md), or use --lang en.'
    )


# --- plain language ----------------------------------------------------------------------------


def _orders() -> Iterator[tuple[str, int | None]]:
    """Every catalogue medicine, once per form (dabigatran's forms are picked by kidney function)."""
    for entry in load_catalogue().entries:
        if not entry.has_forms:
            yield entry.generic, None
            continue
        for form in entry.forms:
            if form.crcl_below is not None:
                yield entry.generic, form.crcl_below - 1
            elif form.crcl_at_least is not None:
                yield entry.generic, form.crcl_at_least
            else:
                yield f"{entry.generic}:{form.id}", None


def _as_stand_in(text: str, order: MedicineOrder, language: str) -> str:
    for name in (order.name_in(language), order.name):
        text = text.replace(name, STAND_IN).replace(name.upper(), STAND_IN.upper())
    if order.form is not None and order.form.label:
        text = text.replace(
            order.form.label_in(language), "la pastilla diaria" if language == "es" else "a pill"
        )
    return text


@cache
def step_texts(language: str) -> dict[str, str]:
    """Every distinct step title, step detail and warning of real plans in *language*, with its kind."""
    texts: dict[str, str] = {}
    nows = (datetime(2026, 11, 21, tzinfo=ZONE), datetime(2026, 12, 2, 12, 0, tzinfo=ZONE))
    for name in builtin_protocol_names():
        protocol = protocol_in_language(load_builtin_protocol(name), language)
        for sign in protocol.warning_signs:
            texts[sign.text] = "warning sign"
        for fasting in protocol.fasting_rules:
            for said in ("", "=5d", "=24h", "=continue"):
                for typed, crcl in _orders():
                    order = parse_medicine(typed + said, crcl=crcl)
                    for now in nows:
                        plan = planned(
                            PlanRequest(
                                procedure_start=datetime(2026, 12, 3, 7, 30, tzinfo=ZONE),
                                timezone="America/Chicago",
                                now=now,
                                protocol=protocol,
                                arrive_minutes=protocol.arrive_minutes,
                                medicines=(order,),
                                fasting=fasting,
                                language=language,
                                crcl=crcl,
                            )
                        )
                        for step in plan.steps:
                            texts[_as_stand_in(step.title, order, language)] = f"title of {step.id}"
                            texts[_as_stand_in(step.detail, order, language)] = f"detail of {step.id}"
                        for warning in plan.warnings:
                            texts[_as_stand_in(warning.message, order, language)] = "warning"
    return texts


def headings(language: str) -> dict[str, str]:
    """The handout headings in *language*, with the key each comes from."""
    table = _tables()[language]
    found = {table[key]: key for key in HEADING_KEYS}
    for name in builtin_protocol_names():
        procedure = protocol_in_language(load_builtin_protocol(name), language).name.lower()
        found[table["plan_title"].format(procedure=procedure)] = "plan_title"
    return found


def test_english_step_details_and_warnings_are_grade_6_or_below() -> None:
    """What a person reads as sentences: every step's detail and every warning, FK grade 6 at most."""
    texts = {text: kind for text, kind in step_texts("en").items() if not kind.startswith("title of")}
    texts = {text: kind for text, kind in texts.items() if kind != "warning sign"}
    assert len(texts) > 100  # the plans really were made
    too_hard = {f"{kind}: {text}": round(english_grade(text), 1) for text, kind in texts.items()}
    assert {text: grade for text, grade in too_hard.items() if grade > MAX_DETAIL_GRADE} == {}


def test_english_titles_signs_and_headings_are_grade_8_or_below() -> None:
    """Titles, warning signs and headings: a few words, not sentences, so grade 8 at most.

    Flesch-Kincaid counts words per sentence and syllables per word; on four words it only
    counts syllables ("Stop drinking, even water" scores 6.6), so a label gets the looser limit.
    """
    texts = {text: kind for text, kind in step_texts("en").items() if kind.startswith("title of")}
    texts |= {text: kind for text, kind in step_texts("en").items() if kind == "warning sign"}
    texts |= headings("en")
    too_hard = {f"{kind}: {text}": round(english_grade(text), 1) for text, kind in texts.items()}
    assert {text: grade for text, grade in too_hard.items() if grade > MAX_GRADE} == {}


def test_spanish_step_texts_and_headings_score_60_or_more() -> None:
    """Every Spanish step text and heading scores at least 60 for reading ease (Fernández Huerta), so the
    Spanish handout stays as plain as the English one."""
    texts = {**step_texts("es"), **headings("es")}
    assert len(texts) > 100
    scored = {f"{kind}: {text}": round(spanish_ease(text), 1) for text, kind in texts.items()}
    assert {text: score for text, score in scored.items() if score < MIN_HUERTA} == {}


def test_the_scores_tell_plain_from_hard() -> None:
    """The scorers work here (no silent zero): hard texts fail the limits, plain ones pass."""
    hard = (
        "Perioperative discontinuation of anticoagulation necessitates individualized multidisciplinary "
        "consideration of thromboembolic susceptibility."
    )
    assert english_grade(hard) > MAX_GRADE
    assert english_grade("Do not eat after midnight. Take a sip of water with your pills.") <= MAX_GRADE
    difícil = (
        "La interrupción perioperatoria de la anticoagulación requiere una consideración "
        "multidisciplinaria individualizada de la susceptibilidad tromboembólica."
    )
    assert spanish_ease(difícil) < MIN_HUERTA
    assert (
        spanish_ease("No coma nada después de la medianoche. Tome sus pastillas con un poco de agua.") >= 60
    )


def averages() -> dict[str, float]:
    """Mean FK grade (English) and Fernández-Huerta score (Spanish) of the scored texts."""
    english = [english_grade(t) for t in {**step_texts("en"), **headings("en")}]
    spanish = [spanish_ease(t) for t in {**step_texts("es"), **headings("es")}]
    return {
        "english_texts": len(english),
        "english_fk_grade_mean": sum(english) / len(english),
        "english_fk_grade_max": max(english),
        "spanish_texts": len(spanish),
        "spanish_fernandez_huerta_mean": sum(spanish) / len(spanish),
        "spanish_fernandez_huerta_min": min(spanish),
    }


if __name__ == "__main__":
    for name, value in averages().items():
        print(f"{name}: {value:.2f}" if isinstance(value, float) else f"{name}: {value}")
