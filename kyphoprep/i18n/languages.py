"""The one registry of the languages kyphoprep writes plans in.

Adding a language is data: its table in ``checklists/messages.toml``, its words beside the
English ones in the protocol and catalogue files (``xx.title = "..."``), and one line here.
Every other module asks this registry; none names a language code itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Language:
    """One language: its code, its names, and the words a person types to choose it or say yes."""

    code: str
    """The ISO 639-1 code, as ``--lang`` and the settings file take it, such as ``es``."""
    english_name: str
    own_name: str
    """The language's name in itself (``español``), shown beside the English one."""
    chosen_by: tuple[str, ...]
    """Answers that pick this language in guided mode, besides its code and number."""
    yes: tuple[str, ...]
    """Answers that mean yes in guided mode (every language's work everywhere)."""
    no: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    """Answers that mean "keep taking the medicine" to the question of what the doctor said."""
    as_english: tuple[tuple[str, str], ...] = ()
    """Words of a typed time or interval, as regular expressions, and the English word each means
    (``d[ií]as?`` is ``days``), so the one English reader of dates and holds reads them."""
    dont_know: tuple[str, ...] = ()
    """Answers that mean "I do not know" to the question of what the doctor said (the usual advice)."""
    stop_words: tuple[str, ...] = ()
    """Words that may open a medicine typed with its interval: "stop" in "stop Plavix a week before"."""
    before_words: tuple[str, ...] = ()
    """Words that may end a medicine typed with its interval: "before" in "Eliquis 2 days before"."""
    zone_words: tuple[tuple[str, str], ...] = ()
    """Ways of naming a US time zone in this language, and the English word each means
    (``centro`` is ``central``); the words are compared without accents, case or "time"."""

    @property
    def display_name(self) -> str:
        """``Spanish (español)``; ``English``."""
        if self.own_name == self.english_name:
            return self.english_name
        return f"{self.english_name} ({self.own_name})"


SOURCE_LANGUAGE = "en"
"""The language every data file is written in; the others sit beside it (``es.title``)."""

LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language(
            "en",
            "English",
            "English",
            chosen_by=("english",),
            yes=("y", "yes"),
            no=("n", "no"),
            keep=("keep", "continue"),
            dont_know=(
                "i don't know",
                "i dont know",
                "don't know",
                "dont know",
                "i do not know",
                "not sure",
                "i'm not sure",
                "im not sure",
                "i am not sure",
                "no idea",
            ),
            stop_words=("stop", "hold", "stop taking"),
            before_words=("before", "before the procedure", "before surgery", "prior", "ahead"),
        ),
        Language(
            "es",
            "Spanish",
            "español",
            chosen_by=("spanish", "español", "espanol"),
            yes=("s", "si", "sí"),
            no=("n", "no"),
            keep=("seguir", "sigo", "continuar", "no parar", "seguir tomando"),
            as_english=(
                (r"\b(a\.?\s?m\.?)(?=\s|$)", "AM"),
                (r"\b(p\.?\s?m\.?)(?=\s|$)", "PM"),
                (r"\bd[ií]as?\b", "days"),
                (r"\bhoras?\b", "hours"),
                (r"\buna\s+semana\b", "1 week"),
                (r"\bsemanas?\b", "weeks"),
                # Dates as people say them: "el próximo jueves a las 7 de la mañana".
                (r"\bde\s+la\s+mañana\b", "in the morning"),
                (r"\bde\s+la\s+(tarde|noche)\b", "in the evening"),
                (r"\bpasado\s+mañana\b", "day after tomorrow"),
                (r"\bmañana\b", "tomorrow"),
                (r"\bhoy\b", "today"),
                (r"\bpr[oó]xim[oa]\b", "next"),
                (r"\bque\s+viene\b", ""),
                (r"\ba\s+las?\b", "at"),
                (r"\b(el|del|de)\b", ""),
                (r"\blunes\b", "Monday"),
                (r"\bmartes\b", "Tuesday"),
                (r"\bmi[eé]rcoles\b", "Wednesday"),
                (r"\bjueves\b", "Thursday"),
                (r"\bviernes\b", "Friday"),
                (r"\bs[aá]bado\b", "Saturday"),
                (r"\bdomingo\b", "Sunday"),
                (r"\benero\b", "January"),
                (r"\bfebrero\b", "February"),
                (r"\bmarzo\b", "March"),
                (r"\babril\b", "April"),
                (r"\bmayo\b", "May"),
                (r"\bjunio\b", "June"),
                (r"\bjulio\b", "July"),
                (r"\bagosto\b", "August"),
                (r"\bse?ptiembre\b", "September"),
                (r"\boctubre\b", "October"),
                (r"\bnoviembre\b", "November"),
                (r"\bdiciembre\b", "December"),
                (r"\bene\b\.?", "Jan"),
                (r"\babr\b\.?", "Apr"),
                (r"\bago\b\.?", "Aug"),
                (r"\bdic\b\.?", "Dec"),
            ),
            dont_know=(
                "no sé",
                "no se",
                "no lo sé",
                "no lo se",
                "no estoy seguro",
                "no estoy segura",
                "ni idea",
            ),
            stop_words=("dejar", "parar", "suspender", "dejar de tomar", "dejar la", "dejar el"),
            before_words=("antes", "antes del procedimiento", "antes de la operación", "antes de la cirugía"),
            zone_words=(
                ("centro", "central"),
                ("este", "eastern"),
                ("pacifico", "pacific"),
                ("montana", "mountain"),
                ("hawai", "hawaii"),
            ),
        ),
    )
}
"""Every language of a plan, in the order menus and help list them."""

CODES: tuple[str, ...] = tuple(LANGUAGES)
TRANSLATED: tuple[str, ...] = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
"""The languages whose words sit beside the English ones in the data files."""


def language_name(code: str) -> str:
    """The display name of the language *code*, or the code itself for one kyphoprep does not have."""
    language = LANGUAGES.get(code)
    return code if language is None else language.display_name
