"""The options several commands share, each defined once, and the exit codes their help lists.

Choices (formats, languages, fasting rules, date orders) come from where they are defined
(``kyphoprep.render.FORMATS``, ``kyphoprep.i18n.languages``, the core), so a new one needs no
change here; a value outside them is one usage error line that names the choices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, TypeVar

import typer

from kyphoprep.core.models import DATE_ORDERS, FASTING_RULES
from kyphoprep.errors import exit_codes_help
from kyphoprep.i18n.languages import CODES, LANGUAGES, SOURCE_LANGUAGE
from kyphoprep.render import FILE_FORMATS, FORMATS, PAPERS, OutputFormat

T = TypeVar("T", bound=str)
EXIT_CODES_HELP = exit_codes_help()
CONFIG_ENV = "KYPHOPREP_CONFIG"


def one_of(choices: Iterable[str]) -> Callable[[str | None], str | None]:
    """A typer callback that accepts only *choices* (any case), in the one-line form of a usage error."""
    allowed = tuple(choices)

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        for choice in allowed:
            if value.lower() == str(choice):
                return choice
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(repr(str(c)) for c in allowed)}.")

    return check


def chosen(value: str | None, choices: tuple[T, ...]) -> T | None:
    """*value*, already checked by ``one_of(choices)``, as the choice it is (for the type checker)."""
    return None if value is None else next(choice for choice in choices if choice == value)


def _metavar(choices: Iterable[str]) -> str:
    return "<" + "|".join(str(c) for c in choices) + ">"


def _listed(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help=(
            "Say nothing on stderr but errors and the plan's warnings: no 'Wrote' line, no note of the "
            "settings file, and for batch no progress or summary."
        ),
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar=_metavar(OutputFormat),
        callback=one_of(OutputFormat),
        help=(
            _listed([f"{f.value} ({info.description})" for f, info in FORMATS.items()])
            + ". Default: terminal on a screen; otherwise from the -o file name ("
            + ", ".join(
                s for f in FILE_FORMATS if f is not OutputFormat.TEXT for s in FORMATS[f].suffixes[:1]
            )
            + "), else text."
        ),
        show_default=False,
    ),
]
OutputOption = Annotated[
    str,
    typer.Option(
        "--output", "-o", help="Write to this file; '-' means the screen (standard output).", metavar="PATH"
    ),
]
PaperOption = Annotated[
    str | None,
    typer.Option(
        "--paper",
        metavar=_metavar(PAPERS),
        callback=one_of(PAPERS),
        help="The paper a PDF is laid out on: letter or a4. Default: letter. The HTML handout prints on any.",
        show_default=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the -o file if it already exists.")]
ReplacesOption = Annotated[
    str | None,
    typer.Option(
        "--replaces",
        metavar="PREVIOUS.json",
        help=(
            "The JSON of this person's earlier plan (--format json). The new calendar cancels its "
            "reminders that are gone, and the handout lists them."
        ),
        show_default=False,
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        metavar="DATE",
        help=(
            "Pretend today is DATE (YYYY-MM-DD, or YYYY-MM-DDTHH:MM) so output is repeatable. "
            "SOURCE_DATE_EPOCH works too."
        ),
        show_default=False,
    ),
]
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help=(
            "IANA time zone of the procedure, such as America/Chicago. Default: from the settings "
            "file, else this computer's zone."
        ),
        show_default=False,
    ),
]
DateOrderOption = Annotated[
    str | None,
    typer.Option(
        "--date-order",
        metavar=_metavar(DATE_ORDERS),
        callback=one_of(DATE_ORDERS),
        help="How to read a date like 03/04/2027: mdy (month first, US) or dmy (day first).",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help=(
            f"Clinic settings file (TOML: [clinic] and [defaults]). Default: ${CONFIG_ENV}, if set; else "
            "clinic.toml in kyphoprep's settings folder, if it exists: $XDG_CONFIG_HOME/kyphoprep "
            "(~/.config/kyphoprep) on Linux, ~/Library/Application Support/kyphoprep on macOS, "
            "%APPDATA%\\kyphoprep on Windows. The file used is named on stderr (not with --quiet)."
        ),
        show_default=False,
    ),
]
ProtocolOption = Annotated[
    str | None,
    typer.Option(
        "--protocol",
        "--procedure",
        "-p",
        metavar="NAME|PATH",
        help=(
            "kyphoplasty, vertebroplasty, or the path of a clinic's own protocol file "
            "(see 'kyphoprep protocols'). Default: from the settings file, else kyphoplasty."
        ),
        show_default=False,
    ),
]
ArriveOption = Annotated[
    int | None,
    typer.Option(
        "--arrive-minutes",
        min=10,
        max=360,
        help="Arrive this many minutes before the procedure. Default: settings file, else protocol (90).",
        show_default=False,
    ),
]
ReminderOption = Annotated[
    int | None,
    typer.Option(
        "--reminder-minutes",
        min=0,
        max=1440,
        help="Calendar alarms ring this many minutes before each step. Default: settings file, else 30.",
        show_default=False,
    ),
]
FastingOption = Annotated[
    str | None,
    typer.Option(
        "--fasting",
        metavar=_metavar(FASTING_RULES),
        callback=one_of(FASTING_RULES),
        help=(
            "midnight (nothing by mouth from midnight) or asa (the ASA times: meals stop 8 hours "
            "before, all food 6 hours, clear drinks 2 hours). Follow your clinic. Default: settings "
            "file, else midnight."
        ),
        show_default=False,
    ),
]
DiscreetOption = Annotated[
    bool | None,
    typer.Option(
        "--discreet-titles/--full-titles",
        help=(
            "Keep medicine and procedure names out of calendar titles and alarms, which lock "
            "screens and shared calendars show (the details stay inside each event). "
            "Default: settings file, else discreet titles; --full-titles shows them."
        ),
        show_default=False,
    ),
]
LanguageOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar=_metavar(CODES),
        callback=one_of(CODES),
        help=(
            "Language of the plan: "
            + _listed([f"{code} ({language.display_name})" for code, language in LANGUAGES.items()])
            + f". Default: settings file, else {SOURCE_LANGUAGE}."
        ),
        show_default=False,
    ),
]
FacilityOption = Annotated[
    str | None,
    typer.Option(
        help="Where the procedure is done. Default: [clinic] name in the settings file.",
        show_default=False,
    ),
]
AddressOption = Annotated[
    str | None,
    typer.Option(
        help="The facility's address. Default: [clinic] address in the settings file.",
        show_default=False,
    ),
]
PhoneOption = Annotated[
    str | None,
    typer.Option(
        help="The clinic's phone number. Default: [clinic] phone in the settings file.",
        show_default=False,
    ),
]
