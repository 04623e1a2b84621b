"""Which characters a one-line text may not hold, and other rules every typed text shares.

One rule for every text kyphoprep takes in (options, roster cells, settings and protocol files,
file names), so a name can never start a new line in a handout or a new property in a calendar.

Refused: control characters, line and paragraph separators, and the invisible format
characters (Unicode category Cf): bidirectional overrides, embeddings and isolates
(U+202A-202E, U+2066-2069), which make a name or a phone number show in a different
order than it is stored; the left-to-right and right-to-left marks (U+200E, U+200F,
U+061C), which can turn the digits of a phone number or a date around in the same way;
the zero-width space and the byte-order mark; the tag characters. Allowed, because real
names are written with them: the zero-width non-joiner and joiner (U+200C, U+200D: Persian,
Devanagari and other scripts, and emoji sequences) and the soft hyphen (U+00AD).
"""

from __future__ import annotations

import unicodedata

REFUSED_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
"""Control and format characters, and the line and paragraph separators."""
ALLOWED_FORMAT = frozenset("\u00ad\u200c\u200d")
"""The format characters (Cf) that are allowed: soft hyphen, zero-width non-joiner and joiner."""
# Characters that show as nothing although they are letters or symbols by category: the
# Hangul fillers and the blank Braille pattern (a common trick for a name that looks empty).
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# A text shows nothing if it holds only these: spaces of every kind, format characters and
# combining marks (which draw on the character before them; alone, on nothing).
_UNSEEN_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "Mc"})


def _refused(ch: str) -> bool:
    return unicodedata.category(ch) in REFUSED_CATEGORIES and ch not in ALLOWED_FORMAT


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first refused character in *text*, or None (*multiline*: tabs and line breaks are fine)."""
    laid_out = text.replace("\n", " ").replace("\r", " ").replace("\t", " ") if multiline else text
    # The usual case, quickly: str.isprintable() is false for every refused character (and for a
    # few more, such as a no-break space or a joiner, that the loop then settles).
    if laid_out.isprintable():
        return None
    for ch in text:
        if _refused(ch) and not (multiline and ch in "\n\r\t"):
            return ch
    return None


def printable(text: str) -> str:
    """*text* for a message or a screen, on one line: each refused character shown as '?'.

    The same rule as ``control_character``, so what a check refuses is exactly what a message masks.
    """
    if control_character(text) is None:
        return text
    return "".join("?" if _refused(ch) else ch for ch in text)


def has_control(text: str) -> bool:
    """True if *text* holds a line break or another refused character."""
    return control_character(text) is not None


def invisible_character(text: str) -> str | None:
    """The first format character in *text*, allowed ones (a joiner) included, or None.

    For texts that are read, not shown (a date, a zone name, a number): there a joiner is
    never part of the value, only something that makes two texts that look alike differ.
    """
    if text.isprintable():
        return None
    return next((ch for ch in text if unicodedata.category(ch) == "Cf"), None)


def shows_nothing(text: str) -> bool:
    """True if *text* would print as blank: only spaces, joiners, combining marks and the like."""
    return all(unicodedata.category(ch) in _UNSEEN_CATEGORIES or ch in _BLANK for ch in text)


def foreign_digit(text: str) -> str | None:
    """The first digit in *text* that is not one of 0-9 (fullwidth, Arabic-Indic, ²), or None.

    Python's int() and the regular expression \\d read such digits as numbers, so a hold of
    "warfarin=5d" typed with a fullwidth 5 (U+FF15) would be 5 days; kyphoprep reads only 0-9, and says so.
    """
    if text.isascii():
        return None
    return next((ch for ch in text if ch.isdigit() and not ch.isascii()), None)


def undecoded(text: str) -> bool:
    """True if *text* holds bytes that were not decoded (lone surrogates, as Python keeps them)."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def as_utf8(text: str) -> str | None:
    """*text* with any bytes left undecoded read as UTF-8; None if they are not UTF-8.

    Python decodes the command line and standard input in the locale's encoding and keeps the
    bytes it cannot decode as lone surrogates. In the C locale (ASCII) the bytes of 'José' are
    kept that way although they are good UTF-8, so they are read again as UTF-8 here; bytes that
    are not UTF-8 at all (Latin-1 'Caf\\xe9') give None.
    """
    if not undecoded(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return None


def code_point(ch: str) -> str:
    """How a message names a character that cannot be shown, such as ``U+001B``."""
    return f"U+{ord(ch):04X}"
