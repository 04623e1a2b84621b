"""What every command shares: the one place errors become messages, "now", formats and options.

The CLI is the only part of kyphoprep that reads the clock, the environment or
the terminal. It does no date arithmetic and no formatting of its own. Heavy
modules are imported inside functions so ``kyphoprep --help`` starts quickly.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from kyphoprep.errors import InternalError, KyphoprepError

if TYPE_CHECKING:
    from kyphoprep.core.models import Plan, PlanRequest
    from kyphoprep.data.clinic_file import ClinicConfig
    from kyphoprep.data.settings import Overrides, Settings
    from kyphoprep.render import OutputFormat

EXIT_CODES_HELP = (
    "Exit codes: 0 done; 2 bad input or usage; 3 plan written with warnings (--strict); "
    "4 protocol, catalogue or settings file error; 5 output file error."
)
CONFIG_ENV = "KYPHOPREP_CONFIG"


class FormatChoice(StrEnum):
    """Values of --format."""

    terminal = "terminal"
    text = "text"
    ics = "ics"
    json = "json"
    html = "html"
    caregiver = "caregiver"


class DateOrderChoice(StrEnum):
    """Values of --date-order."""

    mdy = "mdy"
    dmy = "dmy"


class FastingChoice(StrEnum):
    """Values of --fasting."""

    midnight = "midnight"
    asa = "asa"


class LanguageChoice(StrEnum):
    """Values of --lang."""

    en = "en"
    es = "es"


def printable(text: str) -> str:
    """One line, with control characters shown as '?' so a message cannot break the terminal."""
    return "".join("?" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn every kyphoprep error into one line on stderr and its exit code."""
    _LANGUAGE[0] = "en"  # until the command's settings say otherwise (see settle)
    try:
        yield
    except KyphoprepError as exc:
        sys.stderr.write(f"Error: {printable(exc.in_language(_LANGUAGE[0]))}\n")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        sys.stderr.write("Stopped. No file was changed.\n")
        raise typer.Exit(130) from None
    except typer.Exit:
        raise  # a command's own chosen exit code
    except BrokenPipeError:
        raise  # the reader of standard output went away: cli.main ends quietly
    except Exception as exc:
        if os.environ.get("KYPHOPREP_DEBUG"):
            raise
        # No traceback: it could show patient details. The type is enough to report.
        sys.stderr.write(
            f"Error: kyphoprep hit an internal problem ({type(exc).__name__}). Please report it. "
            "Set KYPHOPREP_DEBUG=1 to see the details.\n"
        )
        raise typer.Exit(InternalError.exit_code) from None


# --- time, settings, formats -------------------------------------------------------------


def clock_now() -> datetime:
    """ "Now" when --today is not given: SOURCE_DATE_EPOCH, else the clock (read here, never in the core)."""
    from kyphoprep.io.typed_input import now_from_epoch

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return now_from_epoch(epoch)
    return datetime.now(UTC)


def now_for(today: str | None, zone: str) -> datetime:
    """ "Now" for a plan in *zone*: --today (read in that zone), else ``clock_now``."""
    from kyphoprep.io.typed_input import parse_today

    return parse_today(today, zone) if today is not None else clock_now()


def read_config(path: str | None) -> ClinicConfig | None:
    """The clinic settings from --config, else from $KYPHOPREP_CONFIG, else none."""
    chosen = path if path is not None else os.environ.get(CONFIG_ENV) or None
    if chosen is None:
        return None
    from kyphoprep.data.clinic_file import load_config

    return load_config(chosen, option="--config" if path is not None else CONFIG_ENV)


_LANGUAGE = ["en"]
"""The language errors are reported in: the plan's, once its settings are known."""


def settle(given: Overrides, config_path: str | None) -> Settings:
    """Settings for this run: the command line, then the settings file, then built-ins.

    From here on, errors are reported in the plan's language.
    """
    from kyphoprep.data.settings import resolve_settings

    settings = resolve_settings(given, read_config(config_path))
    report_errors_in(settings.language)
    return settings


def report_errors_in(language: str) -> None:
    """Say errors from here on in *language* (those that have words in it)."""
    _LANGUAGE[0] = language


def zone_of(settings: Settings) -> str:
    """The zone of the plan: --tz or the settings file, else this computer's zone."""
    from kyphoprep.io.typed_input import system_zone

    return settings.timezone if settings.timezone is not None else system_zone()


def choose_format(requested: FormatChoice | None, output: str) -> OutputFormat:
    from kyphoprep.render import OutputFormat

    if requested is not None:
        return OutputFormat(requested.value)
    if output != "-":
        suffix = os.path.splitext(output)[1].lower()
        by_suffix = {
            ".ics": OutputFormat.ICS,
            ".json": OutputFormat.JSON,
            ".html": OutputFormat.HTML,
            ".htm": OutputFormat.HTML,
        }
        return by_suffix.get(suffix, OutputFormat.TEXT)
    return OutputFormat.TERMINAL if sys.stdout.isatty() else OutputFormat.TEXT


def use_color() -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colour off.
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def emit(plan_request: PlanRequest, output_format: OutputFormat, output: str, force: bool) -> Plan:
    """Plan, render and write one plan; say its warnings on stderr when the output may go unread."""
    from kyphoprep.core.planner import build_plan
    from kyphoprep.io.safe_write import write_output
    from kyphoprep.render import OutputFormat, RenderOptions, renderer_for

    plan = build_plan(plan_request)
    options = RenderOptions()
    if output_format is OutputFormat.TERMINAL:
        width = min(shutil.get_terminal_size((88, 24)).columns, 100)
        options = RenderOptions(color=output == "-" and use_color(), width=width)
    data = renderer_for(output_format).render(plan, options)
    write_output(data, output, force=force)
    if output != "-":
        sys.stderr.write(f"Wrote {printable(output)}\n")  # one line, whatever the name holds
    # The handout and the screen open with the warnings; a file or a calendar
    # might not be read before it is too late, so say them here too.
    readable_here = output == "-" and output_format in (
        OutputFormat.TERMINAL,
        OutputFormat.TEXT,
        OutputFormat.CAREGIVER,
    )
    if not readable_here:
        for warning in plan.warnings:
            sys.stderr.write(f"Warning: {printable(warning.message)}\n")
    return plan


def check_strict(plan: Plan, strict: bool) -> None:
    from kyphoprep.errors import WarningsError

    if strict and plan.warnings:
        count = len(plan.warnings)
        raise WarningsError(
            f"--strict: the plan has {count} warning{'s' if count != 1 else ''} (shown at the top of the "
            "plan). It was still written so the care team can act on it."
        )


# --- options shared by several commands ---------------------------------------------------

FormatOption = Annotated[
    FormatChoice | None,
    typer.Option(
        "--format",
        "-f",
        help=(
            "terminal (a view for the screen), text (a printable handout), html (a large-print "
            "handout to print from a web browser), caregiver (a short summary for the driver), ics (a "
            "calendar file) or json (for scripts). Default: terminal on a screen; otherwise from the -o "
            "file name (.ics, .json, .html), else text."
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
    DateOrderChoice | None,
    typer.Option(
        "--date-order",
        help="How to read a date like 03/04/2027: mdy (month first, US) or dmy (day first).",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help=f"Clinic settings file (TOML: [clinic] and [defaults]). Default: ${CONFIG_ENV}, if set.",
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
    FastingChoice | None,
    typer.Option(
        "--fasting",
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
    LanguageChoice | None,
    typer.Option(
        "--lang",
        help="Language of the plan: en (English) or es (Spanish, español). Default: settings file, else en.",
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
