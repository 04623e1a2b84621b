"""The medicine catalogue (``checklists/medications.toml``): read, validate, look up by name.

The catalogue is data with a source and a confidence grade on every value. It is
only ever used when the doctor gave no instruction, and every output labels its
values "typical guidance — confirm with your doctor".

Lookup never guesses: a name matches only if it is a generic name, brand name
or alias, ignoring case, spaces and punctuation. A near miss is refused with
suggestions, so "Elliquis" can never silently become something else.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, get_args

from kyphoprep.core.models import (
    Action,
    CatalogueEntry,
    Hold,
    LabCheck,
    MedicineForm,
    MedicineRule,
    Restart,
    TimingRule,
)
from kyphoprep.data.builtin import builtin_data
from kyphoprep.data.toml_fields import TomlReader, load_toml
from kyphoprep.i18n.languages import TRANSLATED

FILE = "medications.toml"
FORMAT_VERSION = 1
MAX_HOLD_DAYS = 60
MAX_HOLD_HOURS = 1440
SUGGESTION_CUTOFF = 0.84
"""How alike (difflib ratio) a name must be to be offered as "did you mean".

High enough that common medicines outside the catalogue are not caught
(tramadol is 0.80 from Toradol), low enough for one wrong or missing letter.
"""

_ACTIONS: tuple[str, ...] = get_args(Action)
_RESTART = re.compile(r"^(?:(\d{1,3})(?:-(\d{1,3}))?h|eating|next-dose|ask)$")
_NAME_KEYS = {
    "id",
    "generic",
    "brands",
    "aliases",
    "class",
    "blood_thinner",
    "form_question",
    "forms",
    *TRANSLATED,
}
_FORM_KEYS = {"id", "label", "brands", "crcl_at_least", "crcl_below"}
_RULE_KEYS = {
    "action",
    "days",
    "days_from",
    "hours",
    "when",
    "instruction",
    "restart",
    "labs",
    "liquid_diet_hours",
    "grade",
    "restart_grade",
    "counting",
    "low_kidney",
    "source",
}


def normalize(name: str) -> str:
    """A name as compared: lower case, letters and digits only, accents dropped.

    ``St. Joseph`` -> ``stjoseph``; ``apixabán`` -> ``apixaban``, so a Spanish name typed
    with or without its accent finds the same medicine.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The entry a name means, and the form the name itself implies (a brand such as Rybelsus)."""

    entry: CatalogueEntry
    form: MedicineForm | None
    is_brand: bool
    """The name is a brand name, shown as ``Brand (generic)``."""
    spelled: str
    """The name as the catalogue spells it."""


# An index entry: the entry id, the form id a brand implies (or None), whether the name is a
# brand, and the name as the catalogue spells it.
_Name = tuple[str, str | None, bool, str]


class Catalogue:
    """Every entry, and an index of every name that points to one.

    An entry is read (its rules, labs and wording checked and built) when it is first
    asked for: a plan needs one or two of the eighty or so, and reading them all took
    longer than making the plan. Ids, names and clashes between names are checked when
    the catalogue is loaded, and ``parse_catalogue_text`` reads every entry at once, so
    a file given to it is checked whole.
    """

    def __init__(
        self,
        ids: tuple[str, ...],
        names: Mapping[str, _Name],
        read_entry: Callable[[str], CatalogueEntry],
        revision: str = "",
    ) -> None:
        self.revision = revision
        """The file's ``revision`` (its date), printed on every plan."""
        self._ids = ids
        self._names = names
        self._read_entry = read_entry
        self._read: dict[str, CatalogueEntry] = {}

    @property
    def entries(self) -> tuple[CatalogueEntry, ...]:
        """Every entry, in file order (all of them are read)."""
        return tuple(self.entry(entry_id) for entry_id in self._ids)

    def entry(self, entry_id: str) -> CatalogueEntry:
        """The entry *entry_id*, read on first use."""
        if entry_id not in self._read:
            self._read[entry_id] = self._read_entry(entry_id)
        return self._read[entry_id]

    def _match(self, key: str) -> NameMatch:
        entry_id, form_id, is_brand, spelled = self._names[key]
        entry = self.entry(entry_id)
        form = None if form_id is None else next(f for f in entry.forms if f.id == form_id)
        return NameMatch(entry, form, is_brand=is_brand, spelled=spelled)

    def find(self, name: str) -> NameMatch | None:
        """The exact match for *name* (any case, spacing or punctuation), or None."""
        key = normalize(name)
        return self._match(key) if key in self._names else None

    def suggestions(self, name: str, limit: int = 12) -> list[NameMatch]:
        """Names close to *name*: misspellings, and names that contain it or that it contains."""
        key = normalize(name)
        if not key:
            return []
        matcher = difflib.SequenceMatcher(b=key)
        scored = []
        for candidate, (_, _, _, spelled) in self._names.items():
            matcher.set_seq1(candidate)
            if (
                matcher.real_quick_ratio() >= SUGGESTION_CUTOFF
                and matcher.ratio() >= SUGGESTION_CUTOFF
                and not _differ_only_in_a_short_word(name, spelled)
            ):
                scored.append((-matcher.ratio(), candidate))
        # Best first; equal scores in name order, so the message is always the same.
        found = [candidate for _, candidate in sorted(scored)]
        if len(key) >= 4:
            # "insulin" is part of several names; "aspirin81mg" contains one.
            found += sorted(k for k in self._names if (key in k or k in key) and len(k) >= 4)
        chosen: list[str] = []
        for candidate in found:
            meant = self._names[candidate][:2]  # the entry and form: one suggestion each
            if all(meant != self._names[c][:2] for c in chosen):
                chosen.append(candidate)
        return [self._match(c) for c in chosen[:limit]]

    def search(self, query: str) -> list[CatalogueEntry]:
        """Entries whose generic name, brand, alias or class contains *query* (all entries if empty)."""
        key = normalize(query)
        if not key:
            return list(self.entries)
        exact = self.find(query)
        hits = [] if exact is None else [exact.entry]
        for entry in self.entries:
            names = [entry.generic, *entry.all_brands, *entry.aliases, entry.drug_class]
            names += list(entry.translations.values())
            if entry not in hits and any(_search_hit(key, n) for n in names):
                hits.append(entry)
        return hits


def describe_match(match: NameMatch) -> str:
    """``Eliquis (apixaban)`` for a brand; the generic name for a generic name or another alias."""
    if match.is_brand:
        return f"{match.spelled} ({match.entry.generic})"
    return (
        match.entry.generic if normalize(match.spelled) != normalize(match.entry.generic) else match.spelled
    )


def _differ_only_in_a_short_word(typed: str, known: str) -> bool:
    """``vitamin D`` and ``vitamin E``: one letter apart, but different medicines, not a typo."""
    typed_words, known_words = _words(typed), _words(known)
    if len(typed_words) != len(known_words) or len(typed_words) < 2:
        return False
    different = [(a, b) for a, b in zip(typed_words, known_words, strict=True) if a != b]
    return len(different) == 1 and all(len(word) <= 2 for word in different[0])


def _search_hit(key: str, name: str) -> bool:
    """Whether a search for *key* finds *name*: part of it, or for a short query the start of a word.

    "ASA" must begin a word: it is inside "Basaglar" only by chance.
    """
    return _starts_a_word(key, name) if len(key) < 4 else key in normalize(name)


def _starts_a_word(key: str, name: str) -> bool:
    """Whether *key* begins *name* or one of its words: "asa" is not found in "Basaglar"."""
    return normalize(name).startswith(key) or any(normalize(w).startswith(key) for w in _words(name))


def _words(name: str) -> list[str]:
    return re.findall(r"[^\W_]+", name.casefold())


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped with kyphoprep (once per process; entries read as they are needed).

    Every entry of the shipped file is read and checked by the tests.
    """
    return _CatalogueReader(FILE).read(builtin_data(FILE))


def builtin_revision() -> str:
    """The shipped catalogue's ``revision``, without indexing its names (a plan with no medicine)."""
    revision = builtin_data(FILE).get("revision", "")
    return revision if isinstance(revision, str) else ""


def parse_catalogue_text(text: str, file: str) -> Catalogue:
    """Parse and validate the TOML *text* of a catalogue file named *file*: every entry is read."""
    catalogue = _CatalogueReader(file).read(load_toml(text, file))
    catalogue.entries  # noqa: B018  (reads and checks every entry now)
    return catalogue


class _CatalogueReader(TomlReader):
    """Turns the parsed TOML of a catalogue into a ``Catalogue``, or raises with the place."""

    def read(self, data: Mapping[str, Any]) -> Catalogue:
        """The catalogue, with ids and names checked; each entry is read when first asked for."""
        self.check_top_level(
            data, {"format", "revision", "reminders", "labs", "sources", "medicines"}, FORMAT_VERSION
        )
        revision = data.get("revision", "")
        if not isinstance(revision, str):
            raise self.fail("must be a string, such as the date of the last change", field="revision")
        self.sources = self.read_sources(data.get("sources"))
        self.reminders = self._read_reminders(data.get("reminders"))
        self.labs = self._read_labs(data.get("labs", {}))
        raw_entries = self.read_list(
            data, "medicines", lambda raw, index: (self.entry_id(raw, f"medicines #{index}"), raw)
        )
        if not raw_entries:
            raise self.fail("the catalogue needs at least one medicine", field="medicines")
        by_id: dict[str, Mapping[str, Any]] = {}
        for entry_id, raw in raw_entries:
            if entry_id in by_id:
                raise self.fail("the medicine id is used twice", step=entry_id, field="id")
            by_id[entry_id] = raw
        names = self._index(by_id)
        return Catalogue(
            tuple(by_id), names, lambda entry_id: self._read_entry(entry_id, by_id[entry_id]), revision
        )

    def _read_reminders(self, raw: object) -> dict[str, TimingRule]:
        if not isinstance(raw, dict):
            raise self.fail("a table of reminder times is required", field="reminders")
        needed = [a for a in _ACTIONS if a not in ("stop", "keep-taking")]
        self.no_unknown_keys(raw, set(needed), step="reminders")
        missing = [a for a in needed if a not in raw]
        if missing:
            raise self.fail("a reminder time is missing", step="reminders", field=missing[0])
        return {action: self.rule(raw[action], "reminders", action) for action in needed}

    def _read_labs(self, raw: object) -> dict[str, LabCheck]:
        if not isinstance(raw, dict):
            raise self.fail("must be a table of lab checks ([labs.NAME])", field="labs")
        labs = {}
        for lab_id, lab in raw.items():
            where = f"labs.{lab_id}"
            if not isinstance(lab, dict):
                raise self.fail("must be a table", step=where)
            self.no_unknown_keys(lab, {"title", "detail", "when", *TRANSLATED}, step=where)
            title = self.string(lab, "title", step=where)
            detail = " ".join(self.string(lab, "detail", step=where).split())
            translated = self.translations(lab, {"title": title, "detail": detail}, step=where)
            labs[lab_id] = LabCheck(
                id=lab_id,
                title=title,
                detail=detail,
                when=self.rule(lab.get("when"), where, "when"),
                translations={
                    language: (str(texts["title"]), str(texts["detail"]))
                    for language, texts in translated.items()
                    if "title" in texts and "detail" in texts
                },
            )
        return labs

    def _read_entry(self, entry_id: str, raw: Mapping[str, Any]) -> CatalogueEntry:
        self.no_unknown_keys(raw, _NAME_KEYS | _RULE_KEYS, step=entry_id)
        blood_thinner = raw.get("blood_thinner", False)
        if not isinstance(blood_thinner, bool):
            raise self.fail("must be true or false", step=entry_id, field="blood_thinner")
        defaults = {k: v for k, v in raw.items() if k in _RULE_KEYS}
        # A translated instruction sits beside the English one and is inherited with it by the forms.
        self._words_beside(raw, {"instruction", "generic"}, entry_id)
        for language in TRANSLATED:
            defaults[language] = {k: v for k, v in raw.get(language, {}).items() if k != "generic"}
        raw_forms = raw.get("forms")
        if raw_forms is None:
            forms = [self._form({"id": "", "label": ""}, defaults, entry_id, 0)]
        else:
            if not isinstance(raw_forms, list) or len(raw_forms) < 2:
                raise self.fail("give two or more [[medicines.forms]], or none", step=entry_id, field="forms")
            forms = [self._form(f, defaults, entry_id, n) for n, f in enumerate(raw_forms, start=1)]
            form_ids = [f.id for f in forms]
            for form_id in form_ids:
                if form_ids.count(form_id) > 1:
                    raise self.fail("the form id is used twice", step=f"{entry_id}:{form_id}", field="id")
        question = raw.get("form_question", "")
        if raw_forms is not None and not (isinstance(question, str) and question.strip()):
            raise self.fail('say what picks a form (e.g. "the dose")', step=entry_id, field="form_question")
        return CatalogueEntry(
            id=entry_id,
            generic=self.string(raw, "generic", step=entry_id),
            brands=self.strings(raw, "brands", step=entry_id),
            aliases=self.strings(raw, "aliases", step=entry_id),
            drug_class=self.string(raw, "class", step=entry_id),
            blood_thinner=blood_thinner,
            forms=tuple(forms),
            form_question=str(question).strip(),
            translations={
                language: str(raw[language]["generic"])
                for language in TRANSLATED
                if isinstance(raw.get(language, {}).get("generic"), str)
            },
        )

    def _form(self, raw: object, defaults: Mapping[str, Any], entry_id: str, number: int) -> MedicineForm:
        if not isinstance(raw, dict):
            raise self.fail("each form must be a table", step=entry_id, field="forms")
        form_id = raw.get("id")
        where = entry_id if form_id == "" else f"{entry_id}:{form_id}"
        if form_id != "":
            form_id = self.entry_id(raw, f"{entry_id} form #{number}")
            self.no_unknown_keys(raw, _FORM_KEYS | _RULE_KEYS | set(TRANSLATED), step=where)
            self.string(raw, "label", step=where)
            self._words_beside(raw, {"label", "instruction"}, where)
        merged = {**defaults, **{k: v for k, v in raw.items() if k in _RULE_KEYS}}
        for language in TRANSLATED:
            merged[language] = {**defaults.get(language, {}), **raw.get(language, {})}
        label = str(raw.get("label", "")).strip()
        label_words = self.translations(
            {
                lang: {"label": texts["label"]}
                for lang, texts in merged.items()
                if lang in TRANSLATED and "label" in texts
            },
            {"label": label},
            step=where,
        )
        crcl = {
            key: self.integer(raw, key, 1, 200, step=where) if key in raw else None
            for key in ("crcl_at_least", "crcl_below")
        }
        return MedicineForm(
            id=form_id,
            label=label,
            translations={
                lang: str(texts["label"]) for lang, texts in label_words.items() if "label" in texts
            },
            brands=self.strings(raw, "brands", step=where),
            crcl_at_least=crcl["crcl_at_least"],
            crcl_below=crcl["crcl_below"],
            rule=self._rule_of(merged, where),
        )

    def _rule_of(self, raw: Mapping[str, Any], where: str) -> MedicineRule:
        action = raw.get("action")
        if action not in _ACTIONS:
            raise self.fail(f"must be one of: {', '.join(_ACTIONS)}", step=where, field="action")
        grade = raw.get("grade")
        if grade not in ("A", "B", "C", "D"):
            raise self.fail('must be "A", "B", "C" or "D"', step=where, field="grade")
        hold, hold_from = self._hold(raw, action, where)
        if grade == "D" and action == "stop":
            # The clinical reference: grade D values are shown only as "ask your doctor".
            raise self.fail('a grade D value cannot set a stop date; use action "ask-doctor"', step=where)
        labs = []
        for lab_id in self.strings(raw, "labs", step=where):
            if lab_id not in self.labs:
                raise self.fail(f"unknown lab '{lab_id}' (add it to [labs])", step=where, field="labs")
            labs.append(self.labs[lab_id])
        when = raw.get("when")
        if when is not None and action == "stop":
            raise self.fail("a stop is timed by its hold; leave out 'when'", step=where, field="when")
        instruction = raw.get("instruction", "")
        if not isinstance(instruction, str):
            raise self.fail("must be a string", step=where, field="instruction")
        self.plain((instruction,), "instruction", step=where, multiline=True)
        liquid = raw.get("liquid_diet_hours")
        translated = self.translations(
            {
                language: {"instruction": raw[language]["instruction"]}
                for language in TRANSLATED
                if "instruction" in raw.get(language, {})
            },
            {"instruction": instruction},
            step=where,
        )
        if translated and not instruction:
            raise self.fail(
                "has no English instruction to go with it",
                step=where,
                field=f"{next(iter(translated))}.instruction",
            )
        counting = raw.get("counting", "dose-free-days")
        if counting not in ("dose-free-days", "weekly"):
            raise self.fail('must be "dose-free-days" or "weekly"', step=where, field="counting")
        restart_grade = raw.get("restart_grade")
        if restart_grade is not None and restart_grade not in ("A", "B", "C", "D"):
            raise self.fail('must be "A", "B", "C" or "D"', step=where, field="restart_grade")
        low_kidney = None
        if "low_kidney" in raw:
            low_kidney = self._low_kidney(raw, where)
        return MedicineRule(
            counting=counting,
            restart_grade=restart_grade,
            low_kidney=low_kidney,
            action=action,
            hold=hold,
            hold_from=hold_from,
            when=(self.rule(when, where, "when") if when is not None else self.reminders.get(action)),
            instruction=" ".join(instruction.split()),
            restart=self._restart(raw.get("restart", "ask"), where),
            labs=tuple(labs),
            liquid_diet_hours=(
                None if liquid is None else self.integer(raw, "liquid_diet_hours", 1, 72, step=where)
            ),
            grade=grade,
            sources=self.source_refs(raw, where),
            translations={
                lang: str(texts["instruction"])
                for lang, texts in translated.items()
                if "instruction" in texts
            },
        )

    def _low_kidney(self, raw: Mapping[str, Any], where: str) -> tuple[int, MedicineRule]:
        """``low_kidney = { below = 30, instruction = "..." }``: with weak kidneys, ask the doctor."""
        table = raw["low_kidney"]
        if not isinstance(table, dict):
            raise self.fail(
                "must be a table: { below = 30, instruction = ... }", step=where, field="low_kidney"
            )
        self.no_unknown_keys(table, {"below", "instruction", *TRANSLATED}, step=f"{where} low_kidney")
        below = self.integer(table, "below", 1, 200, step=where)
        replacement = {
            "action": "ask-doctor",
            "instruction": table.get("instruction", ""),
            **{language: table.get(language, {}) for language in TRANSLATED},
            "restart": raw.get("restart", "ask"),
            "grade": "C",
            "source": raw.get("source", []),
        }
        return below, self._rule_of(replacement, f"{where} low_kidney")

    def _words_beside(self, raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
        """Check the tables of translated words (``es.instruction``) of a medicine or a form."""
        for language in TRANSLATED:
            beside = raw.get(language, {})
            if not isinstance(beside, dict):
                raise self.fail(
                    f'must hold translated texts, such as {language}.instruction = "..."',
                    step=where,
                    field=language,
                )
            for key in sorted(set(beside) - allowed):
                raise self.fail(
                    f"unknown field; here a translation may have {', '.join(sorted(allowed))}",
                    step=where,
                    field=f"{language}.{key}",
                )

    def _hold(self, raw: Mapping[str, Any], action: str, where: str) -> tuple[Hold | None, int | None]:
        has_days, has_hours = "days" in raw, "hours" in raw
        if action != "stop":
            for key in ("days", "hours", "days_from"):
                if key in raw:
                    raise self.fail(f"only a stop has a hold; leave out '{key}'", step=where, field=key)
            return None, None
        if has_days and has_hours:
            raise self.fail("give days or hours, not both", step=where, field="hours")
        if not has_days and not has_hours:
            raise self.fail("a stop needs days or hours", step=where, field="days")
        if has_hours:
            if "days_from" in raw:
                raise self.fail("days_from goes with days", step=where, field="days_from")
            hours = self.integer(raw, "hours", 1, MAX_HOLD_HOURS, step=where)
            return Hold(hours, "hours", f"{hours}h"), None
        days = self.integer(raw, "days", 1, MAX_HOLD_DAYS, step=where)
        hold_from = None
        if "days_from" in raw:
            hold_from = self.integer(raw, "days_from", 1, MAX_HOLD_DAYS, step=where)
            if hold_from >= days:
                raise self.fail(
                    f"the short end of the range must be less than days ({days})",
                    step=where,
                    field="days_from",
                )
        return Hold(days, "days", f"{days}d"), hold_from

    def _restart(self, raw: object, where: str) -> Restart:
        match = _RESTART.match(raw) if isinstance(raw, str) else None
        if match is None:
            raise self.fail('use "24h", "12-24h", "eating" or "ask"', step=where, field="restart")
        if raw == "eating":
            return Restart(kind="eating")
        if raw == "next-dose":
            return Restart(kind="next-dose")
        if raw == "ask":
            return Restart(kind="ask")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not 0 < low <= high <= 168:
            raise self.fail("hours must be from 1 to 168, low before high", step=where, field="restart")
        return Restart(kind="hours", hours=low, to_hours=high)

    def _index(self, entries: Mapping[str, Mapping[str, Any]]) -> dict[str, _Name]:
        """Every name, read from the entries' data without reading their rules."""
        names: dict[str, _Name] = {}

        def add(name: str, meaning: _Name) -> None:
            entry_id, form_id = meaning[:2]
            key = normalize(name)
            if not key:
                raise self.fail(f"the name '{name}' has no letters or digits", step=entry_id)
            if key in names and names[key][:2] != (entry_id, form_id):
                raise self.fail(f"the name '{name}' is also used by '{names[key][0]}'", step=entry_id)
            # The first spelling is kept: "apixaban", not its Spanish twin "apixabán".
            names.setdefault(key, meaning)

        for entry_id, raw in entries.items():
            for generic in (
                self.string(raw, "generic", step=entry_id),
                *self.strings(raw, "aliases", step=entry_id),
            ):
                add(generic, (entry_id, None, False, generic))
            for brand in self.strings(raw, "brands", step=entry_id):
                add(brand, (entry_id, None, True, brand))
            for language in TRANSLATED:
                beside = raw.get(language)
                translated = beside.get("generic") if isinstance(beside, dict) else None
                if isinstance(translated, str) and translated.strip():
                    add(translated, (entry_id, None, False, translated))
            forms = raw.get("forms")
            # A form that is not a table with an id is reported when the entry is read.
            for form in forms if isinstance(forms, list) else ():
                if isinstance(form, dict) and isinstance(form.get("id"), str):
                    for brand in self.strings(form, "brands", step=f"{entry_id}:{form['id']}"):
                        add(brand, (entry_id, form["id"], True, brand))
        return names
