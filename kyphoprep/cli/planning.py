"""The steps plan, example, batch and start share: "now", settings, the format, and writing a plan.

The CLI is the only part of kyphoprep that reads the clock, the environment or the terminal;
it does no date arithmetic and no formatting of its own.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kyphoprep.cli.options import CONFIG_ENV, chosen
from kyphoprep.cli.reporting import report_errors_in
from kyphoprep.core.models import FASTING_RULES, Plan, PlanRequest
from kyphoprep.core.planner import build_plan
from kyphoprep.data.clinic_file import ClinicConfig, load_config
from kyphoprep.data.settings import Overrides, Settings, resolve_settings
from kyphoprep.errors import InputError, WarningsError
from kyphoprep.i18n.words import words_for
from kyphoprep.io.safe_write import shown, write_output
from kyphoprep.io.text_rules import printable
from kyphoprep.io.typed_input import clean_text, now_from_epoch, parse_today, resolve_zone, system_zone
from kyphoprep.render import FILE_FORMATS, FORMATS, OutputFormat, RenderOptions, format_for_file, renderer_for


def clock_now() -> datetime:
    """ "Now" when --today is not given: SOURCE_DATE_EPOCH, else the clock (read here, never in the core)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return now_from_epoch(epoch)
    return datetime.now(UTC)


def now_for(today: str | None, zone: str) -> datetime:
    """ "Now" for a plan in *zone*: --today (read in that zone), else ``clock_now``."""
    return parse_today(today, zone) if today is not None else clock_now()


CONFIG_NAME = "clinic.toml"
PLATFORM = sys.platform
"""The platform whose settings folder is used (read once: tests replace this module's ``sys``)."""


def config_folder(environ: Mapping[str, str], platform: str, home: Path | None) -> Path | None:
    """kyphoprep's folder in the platform's place for a user's settings, or None if there is none.

    Linux and other Unix: ``$XDG_CONFIG_HOME/kyphoprep`` (the XDG Base Directory rule: a relative
    value is ignored), else ``~/.config/kyphoprep``; macOS: ``~/Library/Application Support/kyphoprep``;
    Windows: ``%APPDATA%\\kyphoprep``. Written out here rather than taken from platformdirs: three
    rules are less than a dependency, and platformdirs' macOS and Windows answers are the same.
    """
    if platform == "win32":
        appdata = environ.get("APPDATA")
        if appdata:
            return Path(appdata) / "kyphoprep"
        return None if home is None else home / "AppData" / "Roaming" / "kyphoprep"
    if platform == "darwin":
        return None if home is None else home / "Library" / "Application Support" / "kyphoprep"
    xdg = environ.get("XDG_CONFIG_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "kyphoprep"
    return None if home is None else home / ".config" / "kyphoprep"


def default_config_path() -> Path | None:
    """The settings file kyphoprep looks for when neither --config nor $KYPHOPREP_CONFIG is given."""
    try:
        home: Path | None = Path.home()
    except (RuntimeError, KeyError):  # no HOME and no password entry: a bare container
        home = None
    folder = config_folder(os.environ, PLATFORM, home)
    return None if folder is None else folder / CONFIG_NAME


def read_config(path: str | None) -> ClinicConfig | None:
    """The clinic settings from --config, else $KYPHOPREP_CONFIG, else the settings folder's file, else none.

    A file found in the settings folder is read like any other: a bad one stops the run (exit 4),
    naming its path. One that is not there is no error: most people have none.
    """
    if path is not None:
        return load_config(path, option="--config")
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return load_config(from_env, option=CONFIG_ENV)
    found = default_config_path()
    if found is None or not os.path.lexists(found):  # a dangling link is said as "no such file"
        return None
    return replace(load_config(str(found), option=str(found)), found_by_location=True)


def note_settings_file(config: ClinicConfig | None, language: str, *, quiet: bool) -> None:
    """Say on stderr which settings file was used when kyphoprep found it by itself.

    A file nobody named changes fasting rules and clinic details, so it is never applied silently.
    """
    if config is not None and config.found_by_location and not quiet:
        sys.stderr.write(printable(words_for(language)("notice_settings_file", path=config.file)) + "\n")


def settle(given: Overrides, config_path: str | None, *, quiet: bool = False) -> Settings:
    """Settings for this run: the command line, then the settings file, then built-ins.

    From here on, errors are reported in the plan's language.
    """
    return settle_with_file(given, config_path, quiet=quiet)[0]


def settle_with_file(
    given: Overrides, config_path: str | None, *, quiet: bool = False
) -> tuple[Settings, ClinicConfig | None]:
    """``settle``, and the settings file they were settled from (``plan -`` settles a row again)."""
    config = read_config(config_path)
    settings = resolve_settings(given, config)
    report_errors_in(settings.language)
    note_settings_file(config, settings.language, quiet=quiet)
    return settings, config


def zone_of(settings: Settings) -> str:
    """The zone of the plan: --tz or the settings file, else this computer's zone."""
    return settings.timezone if settings.timezone is not None else system_zone()


def choose_format(requested: str | None, output: str) -> OutputFormat:
    """The format of this output: --format, else the -o file's ending, else text (terminal on a screen)."""
    if requested is not None:
        return OutputFormat(requested)
    if output != "-":
        found = format_for_file(output)
        suffix = os.path.splitext(os.path.basename(output))[1]
        if found is None and len(suffix) > 1:
            # plan.docx or plan.xyz: a plain-text file under that name would not be what was asked for.
            raise InputError(
                f"-o '{shown(output)}': kyphoprep cannot write {shown(suffix)} files. End the name in "
                f"{', '.join(s for f in FILE_FORMATS for s in FORMATS[f].suffixes)} (such as -o plan.pdf), "
                "or say what to write with --format."
            )
        return found or OutputFormat.TEXT
    return OutputFormat.TERMINAL if sys.stdout.isatty() else OutputFormat.TEXT


def use_color() -> bool:
    """Colour for the screen view: on a terminal, or whenever FORCE_COLOR is set; never with NO_COLOR.

    https://no-color.org: any non-empty NO_COLOR turns colour off, and it wins.
    https://force-color.org: any non-empty FORCE_COLOR turns it on even when standard output is
    not a terminal (a pager such as ``less -R``, a CI log) or TERM is dumb.
    """
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def emit(
    plan_request: PlanRequest,
    output_format: OutputFormat,
    output: str,
    force: bool,
    paper: str | None = None,
    *,
    quiet: bool = False,
) -> Plan:
    """Plan, render and write one plan; say its warnings on stderr when the output may go unread."""
    if output == "-" and FORMATS[output_format].binary and sys.stdout.isatty():
        raise InputError(
            f"--format {output_format.value} makes a file, not text for the screen. Give a file name, "
            f"such as -o plan{FORMATS[output_format].suffixes[0]}."
        )
    plan = build_plan(plan_request, words_for(plan_request.language))
    options = RenderOptions(paper=paper or "letter")
    if output_format is OutputFormat.TERMINAL:
        width = min(shutil.get_terminal_size((88, 24)).columns, 100)
        options = RenderOptions(color=output == "-" and use_color(), width=width)
    data = renderer_for(output_format).render(plan, options)
    write_output(data, output, force=force)
    if output != "-" and not quiet:
        sys.stderr.write(f"Wrote {printable(output)}\n")  # one line, whatever the name holds
    # The handout and the screen open with the warnings; a file or a calendar
    # might not be read before it is too late, so say them here too.
    readable_here = output == "-" and FORMATS[output_format].read_as_written
    if not readable_here:
        for warning in plan.warnings:
            sys.stderr.write(f"Warning: {printable(warning.message)}\n")
    return plan


def check_strict(plan: Plan, strict: bool) -> None:
    if strict and plan.warnings:
        count = len(plan.warnings)
        raise WarningsError(
            f"--strict: the plan has {count} warning{'s' if count != 1 else ''} (shown at the top of the "
            "plan). It was still written so the care team can act on it."
        )


def overrides(
    *,
    lang: str | None = None,
    tz: str | None = None,
    protocol: str | None = None,
    arrive_minutes: int | None = None,
    reminder_minutes: int | None = None,
    fasting: str | None = None,
    discreet_titles: bool | None = None,
    facility: str | None = None,
    address: str | None = None,
    phone: str | None = None,
) -> Overrides:
    """The settings typed on the command line, checked."""
    if lang is not None:
        report_errors_in(lang)  # a wrong --tz in a Spanish plan is said in Spanish
    return Overrides(
        timezone=None if tz is None else resolve_zone(tz),
        protocol=None if protocol is None else protocol.strip(),
        arrive_minutes=arrive_minutes,
        reminder_minutes=reminder_minutes,
        fasting=chosen(fasting, FASTING_RULES),
        discreet_titles=discreet_titles,
        language=lang,
        facility=clean_text(facility, "--facility"),
        address=clean_text(address, "--address"),
        phone=clean_text(phone, "--phone"),
    )


SETTING_OPTIONS = frozenset(
    {"tz", "protocol", "arrive_minutes", "reminder_minutes", "fasting", "discreet_titles", "lang"}
    | {"facility", "address", "phone"}
)
"""The parameters of a command that are settings (``Overrides``): plan, example and batch share them."""


def settings_given(arguments: Mapping[str, Any]) -> Overrides:
    """The settings among a command's *arguments* (its ``locals()``), checked: see ``overrides``."""
    return overrides(**{name: value for name, value in arguments.items() if name in SETTING_OPTIONS})
