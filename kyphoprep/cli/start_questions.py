"""Guided mode: the questions ``kyphoprep start`` asks, one at a time, in the person's language.

The conversation never touches the terminal itself: it is given ``ask`` (show
a prompt, return the answer) and ``say`` (show a line), so it can be driven
by a test as well as by a person. Every answer is checked by the same code as
``kyphoprep plan``; a bad answer is explained and the question asked again.
Nothing is guessed: an empty answer takes the default shown in brackets, or
skips a question that says it can be skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from kyphoprep.core.models import DateOrder, MedicineOrder
from kyphoprep.data.catalogue import NameMatch, describe_match, load_catalogue
from kyphoprep.errors import InputError, KyphoprepError
from kyphoprep.i18n.languages import LANGUAGES, SOURCE_LANGUAGE
from kyphoprep.i18n.words import Words, words_for
from kyphoprep.io.med_options import MAX_CRCL, MIN_CRCL, OTHER_PREFIX, parse_medicine
from kyphoprep.io.spoken_input import (
    US_ZONES,
    as_english,
    plain,
    split_medicine,
    spoken_hold,
    spoken_when,
    spoken_zone,
)
from kyphoprep.io.text_rules import as_utf8, foreign_digit
from kyphoprep.io.typed_input import check_procedure_window, clean_text, parse_when, resolve_zone

T = TypeVar("T")

Ask = Callable[[str], str]
Say = Callable[[str], None]

_KEEP_WORDS = {plain(word) for language in LANGUAGES.values() for word in language.keep}
_DONT_KNOW = {plain(word) for language in LANGUAGES.values() for word in language.dont_know}
_YES = {word for language in LANGUAGES.values() for word in language.yes}
_NO = {word for language in LANGUAGES.values() for word in language.no}
MAX_MEDICINES = 20

# An error of `kyphoprep plan` said in guided mode in the words of guided mode: a person at home
# types no options, so "--med 'Eliquis=5d'" or "IANA" would only confuse them.
GUIDED_WORDS = {
    "error_zone_unknown": "start_zone_unknown",
    "error_zone_guess": "start_zone_guess",
    "error_hold_unreadable": "start_hold_unreadable",
    "error_hold_range_days": "start_hold_range_days",
    "error_hold_range_hours": "start_hold_range_hours",
    "error_hold_digits": "start_digits_ascii",
    "error_when_digits": "start_digits_ascii",
    "error_med_bad_name": "start_medicine_bad_name",
    "error_not_utf8": "start_not_utf8",
    "error_no_year": "start_when_unreadable",
    "error_no_full_date": "start_when_unreadable",
    "error_unreadable_when": "start_when_unreadable",
    "error_when_empty": "start_when_empty",
}
"""Which guided-mode message says each error a guided answer can meet (the fields are the same)."""

# What only a command line says: an option (--tz), a value glued to a name (warfarin=5d), a quoted
# option word ('continue'), the database's name for zones. Never shown in guided mode.
_CLI_SYNTAX = re.compile(r"--|\w=\w|'(?:continue|keep|other:[^']*)'|\bIANA\b|\bTZ=")


@dataclass
class Answers:
    """What the person has told us so far."""

    language: str = "en"
    protocol: str = "kyphoplasty"
    when: str = ""
    start: datetime | None = None
    timezone: str = ""
    medicines: list[MedicineOrder] = field(default_factory=list)
    crcl: int | None = None
    patient: str | None = None
    driver: str | None = None
    phone: str | None = None


class Stop(Exception):
    """The person ended the questions (end of input)."""


class Conversation:
    """Asks the questions of guided mode and checks each answer."""

    def __init__(self, ask: Ask, say: Say, *, now: Callable[[str], datetime]) -> None:
        self._ask = ask
        self.say = say
        self.now = now
        """ "Now" in a zone (the CLI reads the clock or --today; this module never does)."""
        self.words: Words = words_for("en")

    # -- asking ------------------------------------------------------------------

    def ask(self, key: str, default: str | None = None, **fields: object) -> str:
        prompt = self.words(key, **fields)
        if default:
            prompt += f" [{default}]"
        while True:
            try:
                answer = self._ask(prompt + ": ")
            except EOFError:
                raise Stop from None
            # Bytes that are not UTF-8 (a terminal set to Latin-1) are asked again here, once for
            # every question: no check below could say more than that, and no file can hold them.
            readable = as_utf8(answer)
            if readable is not None:
                break
            self.say(self.words("start_not_utf8"))
        answer = " ".join(readable.split())
        return answer or (default or "")

    def _number(self, answer: str) -> int | None:
        """*answer* as a whole number of the digits 0-9, else None; other digits are refused."""
        if foreign_digit(answer) is not None:
            raise _Refused(self.words("start_digits_ascii"))
        return int(answer) if answer.isascii() and answer.isdigit() else None

    def until_valid(
        self, key: str, check: Callable[[str], T], default: str | None = None, **fields: object
    ) -> T:
        """Ask *key* until *check* accepts the answer; each refusal says why."""
        while True:
            answer = self.ask(key, default, **fields)
            try:
                return check(answer)
            except (_Refused, KyphoprepError) as exc:
                self.explain(exc)

    def explain(self, refusal: Exception) -> None:
        """Say why an answer cannot be used."""
        if isinstance(refusal, _Refused):
            self.say(refusal.reason)
        elif isinstance(refusal, KyphoprepError):
            self.say(self.words("start_not_understood", reason=self.reason(refusal)))

    def reason(self, error: KyphoprepError) -> str:
        """The reason in the person's language and guided mode's words; else a plain request.

        An error with no words in the person's language, or one that names command-line
        options (an error of ``kyphoprep plan`` that guided mode has no words of its own for),
        gets "check your answer and try again".
        """
        twin = GUIDED_WORDS.get(error.key or "")
        if twin is not None:
            return self.words.fill(twin, error.fields)
        if self.words.language == SOURCE_LANGUAGE or error.key is not None:
            text = error.in_language(self.words.language)
            if _CLI_SYNTAX.search(text) is None:
                return text
        return self.words("start_check_answer")

    def yes(self, key: str, default: bool, **fields: object) -> bool:
        shown = self.words("start_yes_no" if default else "start_no_yes")

        def check(answer: str) -> bool:
            if answer == shown:  # Enter: ``ask`` gave back the "[Y/n]" shown, which means the default
                return default
            word = answer.casefold().strip(".!")
            if word in _YES:
                return True
            if word in _NO:
                return False
            raise _Refused(self.words("start_say_yes_or_no"))

        return self.until_valid(key, check, shown, **fields)

    # -- the questions -------------------------------------------------------------

    def language(self, given: str | None) -> str:
        if given is None:
            self.say(words_for("en")("start_language_intro"))
            choices = {str(n): lang for n, lang in enumerate(LANGUAGES, start=1)}
            choices.update({lang: lang for lang in LANGUAGES})
            choices.update({name: lang.code for lang in LANGUAGES.values() for name in lang.chosen_by})
            for number, lang in enumerate(LANGUAGES, start=1):
                self.say(f"  {number}  {words_for(lang)('language_name')}")

            def pick(answer: str) -> str:
                if answer.casefold() in choices:
                    return choices[answer.casefold()]
                if foreign_digit(answer) is not None:  # the language is not chosen yet: both languages
                    raise _Refused(" / ".join(words_for(lang)("start_digits_ascii") for lang in LANGUAGES))
                raise _Refused(words_for("en")("start_pick_number", count=len(LANGUAGES)))

            given = self.until_valid("start_language", pick, "1")
        self.words = words_for(given)
        return given

    def procedure(self, names: list[str], default: str, shown: dict[str, str] | None = None) -> str:
        """The procedure, picked from *names* by number or name; *shown* is each one's name in the
        person's language (``Cifoplastia``), else the name itself with a capital."""
        if len(names) < 2:
            return default
        for number, name in enumerate(names, start=1):
            self.say(f"  {number}  {(shown or {}).get(name, name.capitalize())}")

        def pick(answer: str) -> str:
            text = answer.casefold()
            number = self._number(text)
            if number is not None and 1 <= number <= len(names):
                return names[number - 1]
            if text in names:
                return text
            by_shown = {plain(label): name for name, label in (shown or {}).items()}
            if plain(text) in by_shown:
                return by_shown[plain(text)]
            raise _Refused(self.words("start_pick_number", count=len(names)))

        default_number = str(names.index(default) + 1) if default in names else None
        return self.until_valid("start_procedure", pick, default_number)

    def when_and_zone(self, answers: Answers, default_zone: str | None, date_order: str | None) -> None:
        """The date and time, then the zone; a time that cannot be in that zone asks the date again.

        The date may be said as people say it ("next Thursday 7am"); whatever was typed, it is
        shown back in full and confirmed, and a date that could be read two ways is asked about.
        """
        # The date is checked at once (in the likely zone), so a typo is caught before the next question.
        likely_zone = default_zone or "UTC"
        order: DateOrder | None = date_order  # type: ignore[assignment]  # "mdy", "dmy" or None
        while True:
            while True:
                typed = self.ask("start_when")
                try:
                    answers.when, start = self._when(typed, likely_zone, order)
                except KyphoprepError as exc:
                    if exc.key != "error_date_ambiguous":
                        self.explain(exc)
                        continue
                    chosen = self._date_order(exc)
                    answers.when, start = self._settled_when(typed, likely_zone, chosen)
                except _Refused as exc:
                    self.explain(exc)
                    continue
                if self.yes("start_when_confirm", True, when=self.words.moment(start)):
                    break
            answers.timezone = self.until_valid("start_zone", self._zone, default_zone)
            try:
                answers.start = self._when(answers.when, answers.timezone, None)[1]
                return
            except (_Refused, KyphoprepError) as exc:
                self.explain(exc)

    def _date_order(self, ambiguous: KyphoprepError) -> DateOrder:
        """Which of the two readings of a date such as 03/04 the person means: month first or day first."""
        first, second = ambiguous.fields["first_date"], ambiguous.fields["second_date"]
        self.say(self.words("start_date_which", typed=ambiguous.fields["typed"]))
        self.say(f"  1  {self.words.date(first)}")
        self.say(f"  2  {self.words.date(second)}")

        def pick(answer: str) -> DateOrder:
            number = self._number(answer)
            if number in (1, 2):
                return "mdy" if number == 1 else "dmy"
            raise _Refused(self.words("start_pick_number", count=2))

        return self.until_valid("start_form", pick)

    def _settled_when(self, typed: str, zone: str, order: DateOrder) -> tuple[str, datetime]:
        """The date read in the order the person chose; a refusal is said and the date asked again."""
        try:
            return self._when(typed, zone, order)
        except (_Refused, KyphoprepError) as exc:
            self.explain(exc)
            raise _Refused(self.words("start_when_again")) from None

    def _when(self, text: str, zone: str, date_order: DateOrder | None) -> tuple[str, datetime]:
        """The date and time *text* as exact text (read again later in the chosen zone) and as a moment."""
        if not text:
            raise _Refused(self.words("start_when_empty"))
        now = self.now(zone)
        exact = spoken_when(text, now.date(), date_order)
        start = parse_when(exact, zone, date_order=date_order)
        # The exact text, with no day/month order left to choose, is what the zone is applied to.
        exact = start.strftime("%Y-%m-%d %H:%M")
        try:
            check_procedure_window(start, now)
        except InputError:
            if start < now:
                raise _Refused(self.words("start_when_past", when=self.words.moment(start))) from None
            raise _Refused(self.words("start_when_far", when=self.words.moment(start))) from None
        return exact, start

    def _zone(self, text: str) -> str:
        """The zone: a US zone as people say it ("central", "CST", "Chicago"), confirmed; else a zone name."""
        key = spoken_zone(text)
        if key is not None:
            zone = US_ZONES[key]
            if self.yes("start_zone_confirm", True, name=self.words(f"zone_{key}"), zone=zone):
                return zone
            raise _Refused(self.words("start_zone_again"))
        return resolve_zone(text)

    def medicines(self, answers: Answers) -> None:
        self.say(self.words("start_medicines_intro"))
        while len(answers.medicines) < MAX_MEDICINES:
            order = self.medicine(answers)
            if order is None:
                return
            answers.medicines.append(order)
            self.say(self.words("start_medicine_added", medicine=order.name_in(self.words.language)))

    def medicine(self, answers: Answers) -> MedicineOrder | None:
        """One medicine with what the doctor said, or None when the person has no more.

        The doctor's interval may come with the name ("Eliquis 2 days before", "stop Plavix a week
        before"): it is confirmed, and the question of what the doctor said is then not asked.
        A name close to a blood thinner's is asked about by name ("Do you mean Eliquis
        (apixaban)?"); a name close to another medicine's is kept only when typed the same way again.
        """
        catalogue = load_catalogue()
        refused_once: str | None = None
        while True:
            key = "start_medicine_first" if not answers.medicines else "start_medicine_next"
            typed = self.ask(key)
            if not typed:
                return None
            # A name the catalogue knows as typed is never split ("... 5d" could end a brand's name).
            name, hold = (typed, None) if catalogue.find(typed) is not None else split_medicine(typed)
            match = catalogue.find(name)
            if match is None:
                near = catalogue.suggestions(name)
                thinners = [m for m in near if m.entry.blood_thinner]
                if thinners:
                    match = self._which_blood_thinner(thinners)
                    if match is not None:
                        name = match.spelled
                elif near and name.casefold() != refused_once:
                    choices = " / ".join(describe_match(m) for m in near)
                    self.say(self.words("start_medicine_near", medicine=name, choices=choices))
                    refused_once = name.casefold()
                    continue
            try:
                clean_text(name, "name")
                probe = parse_medicine(f"{OTHER_PREFIX}{name}" if match is None else name + "=1d")
            except KyphoprepError as exc:
                self.explain(exc)
                continue
            already = next((order for order in answers.medicines if order.key == probe.key), None)
            if already is not None:  # kyphoprep plan refuses a medicine given twice; so does this
                shown_twice = already.name_in(self.words.language)
                self.explain(_Refused(self.words("start_medicine_twice", medicine=shown_twice)))
                continue
            if match is None:
                self.say(self.words("start_medicine_unknown", medicine=probe.name))
            spec = name if match is not None else f"{OTHER_PREFIX}{name}"
            if hold is not None:
                order = self._said_with_name(spec, hold, probe.name_in(self.words.language))
                if order is not None:
                    return order
            return self._instruction(name, match, probe.name, answers)

    def _which_blood_thinner(self, near: list[NameMatch]) -> NameMatch | None:
        """The blood thinner a near-miss name means, asked one by one; None: none of them."""
        for match in near[:3]:
            if self.yes("start_medicine_mean", True, medicine=describe_match(match)):
                return match
        return None

    def _said_with_name(self, spec: str, hold: str, shown: str) -> MedicineOrder | None:
        """The order for an interval typed with the name, once the person confirms it; else None."""
        try:
            order = parse_medicine(f"{spec}={hold}")
        except KyphoprepError as exc:
            self.explain(exc)
            return None
        assert order.hold is not None
        if self.yes("start_doctor_said_confirm", True, medicine=shown, hold=self.words.hold(order.hold)):
            return order
        return None

    def _instruction(self, name: str, match: NameMatch | None, shown: str, answers: Answers) -> MedicineOrder:
        """What the doctor said about the medicine *name* (*shown* as *shown*), as its order."""
        spec = name if match is not None else f"{OTHER_PREFIX}{name}"

        def said(answer: str) -> str:
            word = plain(answer).strip(".!")
            if word in _KEEP_WORDS:
                return "continue"
            if not word or word in _DONT_KNOW:
                return ""  # the usual advice, labelled "confirm with your doctor" on the plan
            text = spoken_hold(answer) or as_english(answer)
            parse_medicine(f"{spec}={text}")  # checks the hold the way --med does
            return text

        while True:
            hold = self.until_valid("start_doctor_said", said, medicine=shown)
            if hold:
                return parse_medicine(f"{spec}={hold}")
            if match is None:
                return parse_medicine(spec)
            form = self._form(match, answers)
            if form is None:
                self.say(self.words("start_need_doctor", medicine=shown))
                continue
            return parse_medicine(f"{name}{form}", crcl=answers.crcl)

    def _form(self, match: NameMatch, answers: Answers) -> str | None:
        """``:form`` when the typical guidance depends on a form; "" when it does not; None: unknown."""
        entry = match.entry
        if match.form is not None or not entry.has_forms:
            return ""
        if any(f.crcl_at_least is not None or f.crcl_below is not None for f in entry.forms):
            crcl = self.until_valid("start_crcl", self._crcl, medicine=entry.generic)
            if crcl is None:
                return None
            answers.crcl = crcl
            return ""
        forms = [f for f in entry.forms if f.id]
        self.say(self.words("start_form_intro", medicine=entry.generic))
        for number, form in enumerate(forms, start=1):
            self.say(f"  {number}  {form.label_in(self.words.language)}")
        self.say(f"  {len(forms) + 1}  {self.words('start_form_unknown')}")

        def pick(answer: str) -> int:
            number = self._number(answer)
            if number is not None and 1 <= number <= len(forms) + 1:
                return number
            raise _Refused(self.words("start_pick_number", count=len(forms) + 1))

        chosen = self.until_valid("start_form", pick)
        return None if chosen > len(forms) else f":{forms[chosen - 1].id}"

    def _crcl(self, answer: str) -> int | None:
        if not answer:
            return None
        number = self._number(answer)
        if number is not None and MIN_CRCL <= number <= MAX_CRCL:
            return number
        raise _Refused(self.words("start_crcl_range"))

    def optional_text(self, key: str, default: str | None = None, **fields: object) -> str | None:
        def check(answer: str) -> str | None:
            return clean_text(answer, "answer") if answer else None

        return self.until_valid(key, check, default, **fields)


class _Refused(Exception):
    """An answer that cannot be used, with the reason in the person's language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
