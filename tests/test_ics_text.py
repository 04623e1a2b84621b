"""Every text a person can type comes back out of the calendar file as typed (runs of spaces made one).

The writer is icalendar; these tests check kyphoprep's use of it from the outside: a plan made
through the CLI with generated names (clinic, address, unlisted medicines, a clinic's own
protocol texts, in English and Spanish) is parsed back with icalendar, and each text is
compared with what was typed. The alphabet is meant to break a writer: RFC 5545's special
characters (``,`` ``;`` ``:`` ``\\``, a literal ``\\N`` and ``\\n``), combining marks, CJK,
right-to-left scripts, emoji with joiners, the soft hyphen, code points Unicode has not
assigned yet, and words far longer than a 75-octet line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import icalendar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kyphoprep.io.text_rules import control_character, invisible_character
from tests.cli_app import app

CLI = CliRunner()
BASE = ["plan", "2026-12-10 07:30", "--tz", "America/Chicago", "--today", "2026-11-20", "--full-titles"]

PIECES = [
    ",",
    ";",
    ":",
    "\\",
    "\\N",
    "\\n",
    "\\,",
    '"',
    "'",
    "é",
    "e\u0301",  # e with a combining acute accent
    "\u0928\u094d\u200d\u092f",  # Devanagari with a virama and a zero-width joiner
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with a zero-width non-joiner
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
    "\u0639\u0631\u0628\u064a",  # Arabic
    "東京",
    "김",
    "👩\u200d⚕️",  # woman health worker (emoji joined by a ZWJ)
    "🦴",
    "\u00ad",  # soft hyphen
    "\u0378",  # not assigned (yet) in Unicode
    "\U000e0fff",  # not assigned, in the supplementary planes
    "Ñ",
    "ß",
    " ",
    "x" * 80,  # one word longer than a folded line
    "ü" * 40,  # two-byte characters across a fold
]

typed_text = (
    st.lists(
        st.sampled_from(PIECES) | st.text(alphabet=st.characters(codec="utf-8"), max_size=3), max_size=12
    )
    .map("".join)
    .map(str.strip)
    .filter(lambda text: any(not ch.isspace() and ch not in "\u00ad\u200c\u200d" for ch in text))
    .filter(lambda text: control_character(text) is None)
    .filter(
        lambda text: (
            text.isprintable() or all(ch in "\u00ad\u200c\u200d" for ch in text if not ch.isprintable())
        )
    )
)
"""A one-line text kyphoprep takes: some visible character, no control or refused format character."""


def understood(text: str) -> str:
    """*text* as kyphoprep reads a one-line field: runs of white space become one space (its rule)."""
    return " ".join(text.split())


def calendar_for(args: list[str]) -> icalendar.Calendar:
    """The .ics the CLI writes for *args*, read back with icalendar."""
    result = CLI.invoke(app, [*BASE, *args, "--format", "ics"])
    assert result.exit_code == 0, result.output
    return icalendar.Calendar.from_ical(result.stdout_bytes)


def accepted(text: str) -> bool:
    """Whether kyphoprep takes *text* as a name (it refuses texts that show nothing)."""
    return CLI.invoke(app, [*BASE, "--facility", text, "--format", "json"]).exit_code == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(facility=typed_text, address=typed_text, language=st.sampled_from(["en", "es"]))
def test_clinic_and_address_come_back_exactly(facility: str, address: str, language: str) -> None:
    """LOCATION is "facility, address", as typed, in every event at the clinic."""
    calendar = calendar_for(["--facility", facility, "--address", address, "--lang", language])
    locations = {str(e["LOCATION"]) for e in calendar.walk("VEVENT") if "LOCATION" in e}
    assert locations == {f"{understood(facility)}, {understood(address)}"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    name=typed_text.filter(lambda t: "=" not in t and ":" not in t), language=st.sampled_from(["en", "es"])
)
def test_an_unlisted_medicine_name_comes_back_exactly(name: str, language: str) -> None:
    """An ``other:`` medicine's name appears, as typed, in its events' titles and descriptions."""
    result = CLI.invoke(app, [*BASE, "--med", f"other:{name}=2d", "--lang", language, "--format", "ics"])
    if result.exit_code != 0:
        # Only a name kyphoprep refuses on its own rules (one that shows nothing, or starts
        # with a sign it reads as part of the hold) may fail, and it says so in one line.
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1, result.stderr
        return
    calendar = icalendar.Calendar.from_ical(result.stdout_bytes)
    name = understood(name)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert any(name in summary for summary in summaries), (name, summaries)
    for event in calendar.walk("VEVENT"):
        if name in str(event["SUMMARY"]):
            assert name in str(event["DESCRIPTION"])


PROTOCOL = """\
format = 1
id = "own"
name = {name}
summary = "A clinic's own protocol."
procedure_minutes = 60
arrive_minutes = 60
reminder_minutes = 30
medicine_reminder_at = "08:00"

[sources]
s1 = {source}

[[steps]]
id = "one"
title = {title}
detail = {detail}
category = "prepare"
when = {{ rule = "days-before", days = 2, at = "09:00" }}
source = ["s1"]
"""


def toml_string(text: str) -> str:
    """*text* as a TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(title=typed_text, detail=typed_text, source=typed_text)
def test_a_clinics_protocol_texts_come_back_exactly(title: str, detail: str, source: str) -> None:
    """A protocol file's step title, detail and source text, parsed back, are the texts in the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "own.toml"
        path.write_text(
            PROTOCOL.format(
                name=toml_string("Own procedure"),
                source=toml_string(source),
                title=toml_string(title),
                detail=toml_string(detail),
            ),
            encoding="utf-8",
        )
        result = CLI.invoke(app, [*BASE, "--protocol", str(path), "--format", "ics"])
    if result.exit_code != 0:
        # A protocol text kyphoprep refuses is named in a one-line error (exit 4: a data file problem).
        assert result.exit_code in (2, 4), result.output
        assert invisible_character(title + detail + source) is not None or result.stderr.count("\n") == 1
        return
    events = icalendar.Calendar.from_ical(result.stdout_bytes).walk("VEVENT")
    step = next(e for e in events if str(e["SUMMARY"]) == understood(title))
    description = str(step["DESCRIPTION"])
    assert description.startswith(understood(detail) + "\n\n")
    assert understood(source) in description


def test_special_characters_are_escaped_on_the_wire() -> None:
    """The raw file escapes what RFC 5545 says to, and a literal backslash-N stays two characters."""
    calendar_bytes = CLI.invoke(app, [*BASE, "--facility", "A\\N, B; C:D", "--format", "ics"]).stdout_bytes
    unfolded = calendar_bytes.replace(b"\r\n ", b"")
    assert b"LOCATION:A\\\\N\\, B\\; C:D\r\n" in unfolded
    calendar = icalendar.Calendar.from_ical(calendar_bytes)
    assert {str(e["LOCATION"]) for e in calendar.walk("VEVENT") if "LOCATION" in e} == {"A\\N, B; C:D"}


def test_the_alphabet_can_fail() -> None:
    """The generated texts include every difficult piece, and kyphoprep takes them as names."""
    for piece in PIECES:
        text = f"Clinic {piece} end"
        assert accepted(text), piece
