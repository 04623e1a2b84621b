"""``kyphoprep start``: guided mode, one question at a time (also ``kyphoprep`` alone on a terminal)."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import typer

from kyphoprep.cli.options import EXIT_CODES_HELP, ConfigOption, DateOrderOption, LanguageOption, TodayOption
from kyphoprep.cli.planning import note_settings_file, now_for, read_config, use_color
from kyphoprep.cli.reporting import reported_errors
from kyphoprep.core.planner import build_plan
from kyphoprep.data.protocols import builtin_protocol_names, load_protocol, protocol_in_language
from kyphoprep.data.settings import Overrides, make_request, resolve_settings
from kyphoprep.errors import INPUT_ENDED_EXIT, STOPPED_EXIT, InputError, OutputError
from kyphoprep.i18n.words import words_for
from kyphoprep.io.safe_write import write_output
from kyphoprep.io.text_rules import printable
from kyphoprep.io.typed_input import system_zone
from kyphoprep.render import OutputFormat, RenderOptions, renderer_for

if TYPE_CHECKING:
    from kyphoprep.cli.start_questions import Answers, Conversation
    from kyphoprep.core.models import Plan
    from kyphoprep.data.clinic_file import ClinicConfig

START_EPILOG = (
    "Examples:\n\n"
    "  kyphoprep start\n\n"
    "  kyphoprep start --lang es\n\n"
    "It asks for the date and time of the procedure, the time zone, each medicine and what the "
    "doctor said about it, who drives you home and stays with you, and the clinic's phone; shows "
    "the key dates, then the whole plan if you ask; and offers to save a large-print handout "
    "(.html), a calendar file (.ics) and a sheet for the person who stays with you "
    "(.caregiver.txt). It never asks anything when its "
    "input is not a terminal (exit code 2): scripts use 'kyphoprep plan'. If the input ends before "
    "the last question it stops with exit code 1, and Ctrl+C stops it with 130; no file is changed "
    "unless you said to save it.\n\n" + EXIT_CODES_HELP
)
NOT_A_TERMINAL = (
    "kyphoprep start asks questions, so it needs a terminal to type in. In a script, use "
    "'kyphoprep plan WHEN --med NAME=HOLD ...' (see kyphoprep plan --help)."
)


def start(
    lang: LanguageOption = None,
    date_order: DateOrderOption = None,
    config: ConfigOption = None,
    today: TodayOption = None,
) -> None:
    """Answer a few questions and get your plan, a handout to print and a calendar file."""
    with reported_errors():
        if not sys.stdin.isatty():
            raise InputError(NOT_A_TERMINAL)
        run_guided(
            lang=lang,
            date_order=date_order,
            config=config,
            today=today,
        )


def run_guided(*, lang: str | None, date_order: str | None, config: str | None, today: str | None) -> None:
    """Ask the questions, show the plan, and offer to save the handout and the calendar."""
    # Imported here: reading dates and zones as people say them compiles some sixty patterns,
    # which only guided mode needs (every other command would pay for them at start-up).
    from kyphoprep.cli.start_questions import Answers, Conversation, Stop

    conversation = Conversation(_ask, _say, now=lambda zone: now_for(today, zone))
    clinic = read_config(config)
    base = resolve_settings(Overrides(), clinic)
    try:
        default_zone = base.timezone or system_zone()
    except InputError:
        default_zone = None  # the person types it; there is nothing sensible to offer
    saved: list[str] = []
    try:
        language = conversation.language(lang or (clinic.language if clinic is not None else None))
        note_settings_file(clinic, language, quiet=False)
        words = conversation.words
        conversation.say("")
        conversation.say(words("start_welcome"))
        conversation.say("")
        answers = Answers(language=language)
        names = builtin_protocol_names()
        shown = {name: protocol_in_language(load_protocol(name), language).name for name in names}
        answers.protocol = conversation.procedure(names, base.protocol.id, shown)
        conversation.when_and_zone(answers, default_zone, date_order)
        conversation.medicines(answers)
        answers.patient = conversation.optional_text("start_patient")
        hours = load_protocol(answers.protocol).companion_hours
        answers.driver = conversation.optional_text("start_driver", hours=hours)
        if answers.driver is None:
            conversation.say(words("start_no_driver", hours=hours))
        answers.phone = conversation.optional_text("start_phone", base.phone)
        plan = _make_plan(answers, clinic, today)
        _show(conversation, plan)
        _offer_files(conversation, plan, saved)
        conversation.say(words("start_goodbye"))
    except (Stop, KeyboardInterrupt) as stopped:
        # End of input exits 1, Ctrl+C 130; either may come after a file was saved, so say which.
        sys.stdout.write("\n")
        sys.stdout.flush()
        if saved:
            sys.stderr.write(f"Stopped. Already saved: {printable(', '.join(saved))}.\n")
        else:
            sys.stderr.write("Stopped. No file was changed.\n")
        raise typer.Exit(
            STOPPED_EXIT if isinstance(stopped, KeyboardInterrupt) else INPUT_ENDED_EXIT
        ) from None


def _ask(prompt: str) -> str:
    return input(prompt)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _make_plan(answers: Answers, clinic: ClinicConfig | None, today: str | None) -> Plan:
    """The plan for the answers, under the clinic's settings file already read."""
    assert answers.start is not None
    given = Overrides(
        timezone=answers.timezone,
        protocol=answers.protocol,
        language=answers.language,
        phone=answers.phone,
    )
    settings = resolve_settings(given, clinic)
    request = make_request(
        settings,
        start=answers.start,
        timezone=answers.timezone,
        now=now_for(today, answers.timezone),
        medicines=tuple(answers.medicines),
        crcl=answers.crcl,
        patient=answers.patient,
        driver=answers.driver,
    )
    return build_plan(request, words_for(request.language))


def _show(conversation: Conversation, plan: Plan) -> None:
    """The plan on the screen. On a terminal the key dates come first, and the whole plan (about
    170 lines, which would scroll them away) only if the person asks; elsewhere all of it."""
    if sys.stdout.isatty():
        from kyphoprep.render.terminal import key_dates_lines  # imports rich, which only the screen needs

        conversation.say("")
        for line in key_dates_lines(plan):
            conversation.say(line)
        conversation.say("")
        if not conversation.yes("start_show_plan", True):
            return
    width = min(shutil.get_terminal_size((88, 24)).columns, 100)
    data = renderer_for(OutputFormat.TERMINAL).render(plan, RenderOptions(color=use_color(), width=width))
    sys.stdout.write("\n")
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def _offer_files(conversation: Conversation, plan: Plan, saved: list[str]) -> None:
    """Offer the handout and the calendar; an existing file is replaced only if the person says so."""
    words = conversation.words
    stem = f"{plan.protocol.id}-plan-{plan.procedure_date.isoformat()}"
    driver = plan.request.driver
    offers = [
        ("start_save_handout", OutputFormat.HTML, f"{stem}.html", "start_saved_handout"),
        ("start_save_calendar", OutputFormat.ICS, f"{stem}.ics", "start_saved_calendar"),
        (
            "start_save_caregiver" if driver else "start_save_caregiver_anyone",
            OutputFormat.CAREGIVER,
            f"{stem}.caregiver.txt",
            "start_saved_caregiver",
        ),
    ]
    for question, output_format, default, done in offers:
        conversation.say("")
        if not conversation.yes(question, True, driver=driver):
            continue
        made = plan
        if output_format is OutputFormat.ICS and conversation.yes("start_full_titles", False):
            made = _with_full_titles(plan)
        path = _save(conversation, made, output_format, default)
        if path is not None:
            saved.append(os.path.abspath(path))
            conversation.say(words(done, file=saved[-1]))
            if output_format is OutputFormat.ICS:
                conversation.say(words("calendar_update"))


def _with_full_titles(plan: Plan) -> Plan:
    """*plan* with medicine and procedure names in its calendar titles (the person asked for them)."""
    request = replace(plan.request, discreet_titles=False)
    return build_plan(request, words_for(request.language))


def _save(conversation: Conversation, plan: Plan, output_format: OutputFormat, default: str) -> str | None:
    data = renderer_for(output_format).render(plan, RenderOptions())
    while True:
        path = os.path.expanduser(conversation.ask("start_file_name", default))  # ~/Desktop/plan.html
        replace = False
        if os.path.lexists(path) and not os.path.isdir(path):
            replace = conversation.yes("start_file_exists", False, file=path)
            if not replace:
                continue
        try:
            write_output(data, path, force=replace)
        except OutputError as exc:
            conversation.say(conversation.words("start_cannot_save", reason=conversation.reason(exc)))
            continue
        return path
