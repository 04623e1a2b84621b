"""Which characters a one-line text may not hold: line breaks and other control characters.

One rule for every text kyphoprep takes in (options, roster cells, settings and protocol files,
file names), so a name can never start a new line in a handout or a new property in a calendar.
"""

from __future__ import annotations

import unicodedata

REFUSED_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
"""Control and format characters, and the line and paragraph separators."""


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first refused character in *text*, or None (*multiline*: tabs and line breaks are fine)."""
    laid_out = text.replace("\n", " ").replace("\r", " ").replace("\t", " ") if multiline else text
    # The usual case, quickly: str.isprintable() is false for every refused character (and for a
    # few more, such as a no-break space, that the loop then settles).
    if laid_out.isprintable():
        return None
    for ch in text:
        if unicodedata.category(ch) in REFUSED_CATEGORIES and not (multiline and ch in "\n\r\t"):
            return ch
    return None


def has_control(text: str) -> bool:
    """True if *text* holds a line break or another refused character."""
    return control_character(text) is not None


def code_point(ch: str) -> str:
    """How a message names a character that cannot be shown, such as ``U+001B``."""
    return f"U+{ord(ch):04X}"
