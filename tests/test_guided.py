"""Guided mode (``kyphoprep start``): driven as a person would, on a real terminal, one answer at a time.

The end-to-end tests run the installed ``kyphoprep`` command in a pseudo-terminal
(pexpect) and check what it asks, how it explains a bad answer, the exit code, and
that the files it saves are byte for byte what ``kyphoprep plan`` writes for the
same answers. The unit tests drive ``kyphoprep.cli.start_questions.Conversation`` with scripted
answers, so the checking of each answer is covered without a terminal.
"""

from __future__ import annotations

import io
import os
import platform
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pexpect
import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.cli.start import NOT_A_TERMINAL
from kyphoprep.cli.start_questions import GUIDED_WORDS, Answers, Conversation, Stop
from kyphoprep.data.builtin import builtin_data
from kyphoprep.i18n.words import Words, words_for
from kyphoprep.io.spoken_input import US_ZONES
from kyphoprep.io.typed_input import parse_today
from tests.child_env import coverage_env

TODAY = "2026-11-21"
CHICAGO = "America/Chicago"
EN = words_for("en")
ES = words_for("es")
STEM = "kyphoplasty-plan-2026-12-03"
STOPPED = "Stopped. No file was changed."
LANGUAGE_QUESTION = "Type 1 or 2 / Escriba 1 o 2 [1]: "


def kyphoprep_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m kyphoprep``."""
    script = Path(sys.executable).parent / "kyphoprep"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kyphoprep"]


def question(words: Words, key: str, default: str | None = None, **fields: object) -> str:
    """A prompt exactly as guided mode shows it: the text, the default in brackets, then ': '."""
    shown = f" [{default}]" if default else ""
    return f"{words(key, **fields)}{shown}: "


def doctor_said(words: Words, medicine: str) -> str:
    return question(words, "start_doctor_said", medicine=medicine)


def yes_no(words: Words, key: str, default: bool, **fields: object) -> str:
    return question(words, key, words("start_yes_no" if default else "start_no_yes"), **fields)


DEC_3 = "Thursday, December 3, 2026 at 7:30 AM"
DIC_3 = ES.moment(datetime(2026, 12, 3, 7, 30))


def confirm_when(words: Words, when: str) -> str:
    """The question that reads the date back ("Thursday, December 3, 2026 at 7:30 AM: is that right?")."""
    return yes_no(words, "start_when_confirm", True, when=when)


def driver_question(words: Words) -> str:
    """Who drives the person home and stays with them (the built-in protocols' 24 hours)."""
    return question(words, "start_driver", hours=24)


def the_date_is(s: Session, words: Words, typed: str, shown: str) -> list[str]:
    """Type the date at its question and say yes to its reading *shown*; the lines shown before the
    date question."""
    lines = s.answer(question(words, "start_when"), typed)
    s.answer(confirm_when(words, shown), "")
    return lines


def _default_sigint() -> None:
    """Let SIGINT stop the child (a run started with ``cmd &`` ignores it, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Session:
    """``kyphoprep`` in a pseudo-terminal: wait for a question, type an answer, read what was said."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        command = [*kyphoprep_command(), *args]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TZ": CHICAGO,
            "NO_COLOR": "1",
            "COLUMNS": "100",
            "HOME": str(cwd),
            **coverage_env(),
            **(env or {}),
        }
        self.log = io.StringIO()
        self.child = pexpect.spawn(
            command[0],
            command[1:],
            encoding="utf-8",
            codec_errors="replace",  # the terminal echoes bytes that are not UTF-8 as they were typed
            timeout=20,
            cwd=str(cwd),
            env=env,
            dimensions=(40, 100),
            # A run started in the background (`cmd &` in a script) ignores SIGINT, and the child would
            # inherit that: Ctrl-C must reach kyphoprep as it does on a real terminal.
            preexec_fn=_default_sigint,
        )
        self.child.logfile_read = self.log
        self._last_reply: str | None = None
        self.closing: list[str] = []
        """The lines shown after the last question, once the command has ended."""

    @property
    def transcript(self) -> str:
        return self.log.getvalue().replace("\r\n", "\n")

    def expect(self, text: str | type[pexpect.EOF]) -> list[str]:
        """Wait for *text*; return the lines shown before it, without the echo of the last answer."""
        try:
            self.child.expect_exact(text)
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            pytest.fail(
                f"waited for {text!r} but got {type(exc).__name__}; the session so far:\n{self.transcript}"
            )
        before = str(self.child.before).replace("\r\n", "\n")
        if self._last_reply is not None and before.startswith(self._last_reply + "\n"):
            before = before[len(self._last_reply) + 1 :]
        self._last_reply = None
        return before.removesuffix("\n").split("\n") if before else []

    def answer(self, prompt: str, reply: str) -> list[str]:
        """Wait for *prompt*, type *reply* and Enter; return the lines shown since the last answer."""
        shown = self.expect(prompt)
        self.child.sendline(reply)
        self._last_reply = reply
        return shown

    def answer_bytes(self, prompt: str, reply: bytes) -> list[str]:
        """Like ``answer``, but type *reply* as raw bytes (which need not be UTF-8)."""
        shown = self.expect(prompt)
        os.write(self.child.child_fd, reply + b"\r")
        self._last_reply = reply.decode("utf-8", "replace")
        return shown

    def end_input(self, prompt: str) -> list[str]:
        """At *prompt*, press Ctrl+D (end of input); the lines shown since the last answer."""
        shown = self.expect(prompt)
        self.child.sendeof()
        return shown

    def interrupt(self, prompt: str) -> list[str]:
        """At *prompt*, press Ctrl+C; the lines shown since the last answer."""
        shown = self.expect(prompt)
        assert self.child.pid is not None
        wait_until_reading(self.child.pid)
        self.child.sendintr()
        return shown

    def finish(self) -> int:
        """Wait for the command to end; its exit code. ``closing`` holds the lines it showed last."""
        self.closing = self.expect(pexpect.EOF)
        self.child.close()
        assert self.child.signalstatus is None, self.transcript
        assert self.child.exitstatus is not None, self.transcript
        return self.child.exitstatus


# The number of the read() system call, where /proc/PID/syscall says what a process waits in.
READ_SYSCALL = {"x86_64": 0, "aarch64": 63}.get(platform.machine())


def wait_until_reading(pid: int, timeout: float = 10.0) -> None:
    """Wait until the process *pid* waits in read(), that is, for the person's answer.

    A Ctrl+C that comes after the prompt is printed but before the program reaches read() is
    only noticed at the next key: a person never presses it that fast, but a test does, and on a
    loaded machine it hung about one run in twelve. Where /proc cannot tell, wait a moment.
    """
    deadline = time.monotonic() + timeout
    path = Path(f"/proc/{pid}/syscall")
    while READ_SYSCALL is not None and time.monotonic() < deadline:
        try:
            if path.read_text().split()[0] == str(READ_SYSCALL):
                return
        except (OSError, IndexError):
            break
        time.sleep(0.02)
    time.sleep(0.5)


Start = Callable[..., Session]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """Start ``kyphoprep ARGS...`` in tmp_path; every session still running at the end is closed."""
    sessions: list[Session] = []

    def started(*args: str, env: dict[str, str] | None = None) -> Session:
        sessions.append(Session(tmp_path, *args, env=env))
        return sessions[-1]

    yield started
    for session in sessions:
        if session.child.isalive():
            session.child.close(force=True)


def plan_bytes(runner: CliRunner, *args: str, output_format: str) -> bytes:
    """What ``kyphoprep plan ARGS --format FORMAT`` writes, for comparison with the saved files."""
    result = runner.invoke(app, ["plan", *args, "--today", TODAY, "--format", output_format])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def saved_path(tmp_path: Path, name: str) -> str:
    return str(tmp_path.resolve() / name)


def answer_the_short_way(s: Session, procedure: str = "") -> None:
    """English, 2026-12-03 7:30 AM in the default zone, no medicines, no name, driver or phone."""
    s.answer(question(EN, "start_procedure", "1"), procedure)
    the_date_is(s, EN, "2026-12-03 7:30 AM", DEC_3)
    s.answer(question(EN, "start_zone", CHICAGO), "")
    s.answer(question(EN, "start_medicine_first"), "")
    s.answer(question(EN, "start_patient"), "")
    s.answer(driver_question(EN), "")
    s.answer(question(EN, "start_phone"), "")
    s.answer(yes_no(EN, "start_show_plan", True), "n")


# --- English, from the first question to the saved files ----------------------------------------

ENGLISH_PLAN = [
    "2026-12-03 7:30 AM",
    "--tz",
    CHICAGO,
    "--med",
    "warfarin=5d",
    "--med",
    "Eliquis",
    "--med",
    "enoxaparin:treatment",
    "--patient",
    "Ann Lee",
    "--driver",
    "Tom Lee",
    "--phone",
    "555-0100",
]


def test_english_from_start_to_saved_files(start: Start, tmp_path: Path, runner: CliRunner) -> None:
    """Every question in order; the handout and calendar equal what ``kyphoprep plan`` writes."""
    s = start("start", "--today", TODAY)
    assert s.answer(LANGUAGE_QUESTION, "1") == ["Language / Idioma:", "  1  English", "  2  Español"]
    shown = s.answer(question(EN, "start_procedure", "1"), "1")
    assert shown == ["", EN("start_welcome"), "", "  1  Kyphoplasty", "  2  Vertebroplasty"]
    assert the_date_is(s, EN, "2026-12-03 7:30 AM", DEC_3) == []
    assert s.answer(question(EN, "start_zone", CHICAGO), "") == []
    assert s.answer(question(EN, "start_medicine_first"), "warfarin") == [EN("start_medicines_intro")]
    s.answer(doctor_said(EN, "warfarin"), "5 days")
    assert s.answer(question(EN, "start_medicine_next"), "Eliquis") == ["Added: warfarin."]
    s.answer(doctor_said(EN, "Eliquis (apixaban)"), "")
    assert s.answer(question(EN, "start_medicine_next"), "enoxaparin") == ["Added: Eliquis (apixaban)."]
    s.answer(doctor_said(EN, "enoxaparin"), "")
    assert s.answer(question(EN, "start_form"), "2") == [
        "The usual advice for enoxaparin depends on how you take it. Which one fits?",
        "  1  a preventive dose, such as 40 mg once a day",
        "  2  a treatment dose, such as 1 mg per kg twice a day",
        "  3  I am not sure",
    ]
    assert s.answer(question(EN, "start_medicine_next"), "") == ["Added: enoxaparin."]
    s.answer(question(EN, "start_patient"), "Ann Lee")
    s.answer(driver_question(EN), "Tom Lee")
    s.answer(question(EN, "start_phone"), "555-0100")
    # On a terminal the key dates come first; the whole plan (about 170 lines) only on request.
    key_dates = s.answer(yes_no(EN, "start_show_plan", True), "")
    assert key_dates == [
        "",
        f"Procedure: Kyphoplasty, {DEC_3}",
        "",
        "Your key dates:",
        "  Friday, November 27: Last day to take warfarin",
        "  Friday, November 27: Last day to take Eliquis (apixaban) — confirm with doctor",
        "  Wednesday, December 2, 7:30 AM: Last dose of enoxaparin by 7:30 AM — confirm with doctor",
        "  Thursday, December 3, 12:00 midnight: Nothing to eat or drink after midnight",
        "  Thursday, December 3, 6:00 AM: Arrive for check-in",
        "",
    ]
    plan_shown = "\n".join(s.answer(yes_no(EN, "start_save_handout", True), ""))
    assert "Thursday, December 3, 2026 at 7:30 AM" in plan_shown
    assert "Friday, November 27, 2026" in plan_shown
    assert "Last day to take warfarin" in plan_shown
    s.answer(question(EN, "start_file_name", f"{STEM}.html"), "")
    shown = s.answer(yes_no(EN, "start_save_calendar", True), "")
    assert shown == [EN("start_saved_handout", file=saved_path(tmp_path, f"{STEM}.html")), ""]
    assert s.answer(yes_no(EN, "start_full_titles", False), "") == []
    s.answer(question(EN, "start_file_name", f"{STEM}.ics"), "")
    assert s.answer(yes_no(EN, "start_save_caregiver", True, driver="Tom Lee"), "") == [
        EN("start_saved_calendar", file=saved_path(tmp_path, f"{STEM}.ics")),
        # The save message says what to do when the plan changes, as the calendar file itself does.
        EN("calendar_update"),
        "",
    ]
    s.answer(question(EN, "start_file_name", f"{STEM}.caregiver.txt"), "")
    s.expect(EN("start_saved_caregiver", file=saved_path(tmp_path, f"{STEM}.caregiver.txt")) + "\r\n")
    s.expect(EN("start_goodbye") + "\r\n")
    assert s.finish() == 0

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{STEM}.caregiver.txt",
        f"{STEM}.html",
        f"{STEM}.ics",
    ]
    html = plan_bytes(runner, *ENGLISH_PLAN, output_format="html")
    ics = plan_bytes(runner, *ENGLISH_PLAN, output_format="ics")
    caregiver = plan_bytes(runner, *ENGLISH_PLAN, output_format="caregiver")
    assert (tmp_path / f"{STEM}.html").read_bytes() == html
    assert (tmp_path / f"{STEM}.caregiver.txt").read_bytes() == caregiver
    assert (tmp_path / f"{STEM}.ics").read_bytes() == ics


# --- A bad answer is explained, and the same question asked again -----------------------------


def test_a_bad_date_or_zone_is_explained_and_asked_again(start: Start) -> None:
    """An impossible, past or far-off date and an unknown zone each get a one-line reason and the same
    question again, so a typo never ends the conversation."""
    s = start("start", "--lang", "en", "--today", TODAY)
    when = question(EN, "start_when")
    s.answer(question(EN, "start_procedure", "1"), "1")
    s.answer(when, "2026-13-40 7:30")
    assert s.answer(when, "2026-01-03 7:30 AM") == [
        "Sorry, that did not work: '2026-13-40 7:30' is not a real date or time (month must be in 1..12). "
        + "Check the day and month."
    ]
    assert s.answer(when, "2028-01-03 7:30 AM") == [
        "Saturday, January 3, 2026 at 7:30 AM has already passed. Check the date and the year."
    ]
    assert s.answer(when, "") == [
        "Monday, January 3, 2028 at 7:30 AM is more than a year away. Check the year."
    ]
    assert s.answer(when, "2026-12-03 7:30 AM") == [EN("start_when_empty")]
    # "no" to the date read back asks for the date again.
    s.answer(confirm_when(EN, DEC_3), "n")
    s.answer(when, "2026-12-04 7:30 AM")
    s.answer(confirm_when(EN, "Friday, December 4, 2026 at 7:30 AM"), "y")
    zone = question(EN, "start_zone", CHICAGO)
    s.answer(zone, "Mars/Olympus")
    # The re-ask names the zones as people say them, not the zone database ("IANA").
    assert s.answer(zone, "America/Denver") == [
        "Sorry, that did not work: 'Mars/Olympus' is not a time zone kyphoprep knows. Type Central, "
        + "Eastern, Mountain, Pacific, Alaska or Hawaii, or a zone name such as America/Chicago."
    ]
    s.end_input(question(EN, "start_medicine_first"))
    assert s.finish() == 1


def test_a_bad_medicine_answer_is_explained_and_asked_again(start: Start) -> None:
    """A misspelt medicine, an unreadable hold, a duplicate (by brand name) and a form the person is unsure of
    are each explained and asked again, so no wrong medicine plan is made from a slip."""
    s = start("start", "--lang", "en", "--today", TODAY)
    s.answer(question(EN, "start_procedure", "1"), "1")
    the_date_is(s, EN, "2026-12-03 7:30 AM", DEC_3)
    s.answer(question(EN, "start_zone", CHICAGO), "")
    first, following = question(EN, "start_medicine_first"), question(EN, "start_medicine_next")
    # Close to a medicine that is not a blood thinner: said, and kept only when typed the same way again.
    s.answer(first, "metformn")
    assert s.answer(first, "metformin") == [
        "'metformn' is not in kyphoprep's list. Did you mean metformin? Type the name again. "
        + "To keep 'metformn', type it the same way again."
    ]
    s.answer(doctor_said(EN, "metformin"), "")
    # Close to a blood thinner: asked about by name, never "type it again to keep".
    s.answer(following, "warfrin")
    s.answer(yes_no(EN, "start_medicine_mean", True, medicine="warfarin"), "")
    s.answer(doctor_said(EN, "warfarin"), "5 months")
    assert s.answer(doctor_said(EN, "warfarin"), "5 days") == [
        "Sorry, that did not work: kyphoprep cannot read '5 months' as a length of time. Type a number of "
        + "days or hours, such as 5 days or 24 hours. Or type keep if your doctor said to keep taking it."
    ]
    # "No" to the blood thinner it is close to: kept, with a word of warning.
    s.answer(following, "Xareltoo")
    s.answer(yes_no(EN, "start_medicine_mean", True, medicine="Xarelto (rivaroxaban)"), "n")
    assert s.answer(doctor_said(EN, "Xareltoo"), "keep") == [
        "Xareltoo is not in kyphoprep's list, so there is no usual advice for it. Ask your doctor what to do."
    ]
    # The same medicine twice (by its brand name) would make two clashing plans for it.
    assert s.answer(following, "Coumadin") == ["Added: Xareltoo."]
    assert s.answer(following, "heparin") == ["warfarin is already on your list. Type each medicine once."]
    s.answer(doctor_said(EN, "heparin"), "")
    form = question(EN, "start_form")
    s.answer(form, "4")
    assert s.answer(form, "3") == [EN("start_pick_number", count=3)]
    # "I am not sure" of the form: kyphoprep needs the doctor's answer, so it asks that again.
    assert s.answer(doctor_said(EN, "heparin"), "24 hours") == [EN("start_need_doctor", medicine="heparin")]
    s.end_input(following)
    assert s.finish() == 1
    assert s.transcript.endswith(f"\n{STOPPED}\n")


def test_a_bad_yes_or_no_is_explained_and_asked_again(
    start: Start, tmp_path: Path, runner: CliRunner
) -> None:
    """A word that is neither yes nor no is asked again, and a "y" to the titles question writes the same
    calendar as --full-titles."""
    s = start("start", "--lang", "en", "--today", TODAY)
    answer_the_short_way(s, procedure="2")
    handout = yes_no(EN, "start_save_handout", True)
    s.answer(handout, "maybe")
    assert s.answer(handout, "no") == [EN("start_say_yes_or_no")]
    assert s.answer(yes_no(EN, "start_save_calendar", True), "YES") == [""]
    full_titles = yes_no(EN, "start_full_titles", False)
    s.answer(full_titles, "perhaps")
    assert s.answer(full_titles, "y") == [EN("start_say_yes_or_no")]
    s.answer(question(EN, "start_file_name", "vertebroplasty-plan-2026-12-03.ics"), "")
    s.answer(yes_no(EN, "start_save_caregiver_anyone", True), "n")
    s.expect(EN("start_goodbye"))
    assert s.finish() == 0
    assert [p.name for p in tmp_path.iterdir()] == ["vertebroplasty-plan-2026-12-03.ics"]
    # "y" to the titles question gives what --full-titles gives.
    expected = plan_bytes(
        runner,
        "2026-12-03 7:30 AM",
        "--tz",
        CHICAGO,
        "-p",
        "vertebroplasty",
        "--full-titles",
        output_format="ics",
    )
    discreet = plan_bytes(
        runner, "2026-12-03 7:30 AM", "--tz", CHICAGO, "-p", "vertebroplasty", output_format="ics"
    )
    assert b"SUMMARY:It is time for your vertebroplasty" in expected
    assert b"SUMMARY:It is time for your vertebroplasty" not in discreet
    assert (tmp_path / "vertebroplasty-plan-2026-12-03.ics").read_bytes() == expected


# --- Spanish ---------------------------------------------------------------------------------


SPANISH_PLAN = [
    "2026-12-03 1:30 PM",
    "--tz",
    CHICAGO,
    "--lang",
    "es",
    "--med",
    "warfarin=5d",
    "--med",
    "Eliquis=continue",
    "--patient",
    "Ana López",
    "--driver",
    "Tomás López",
]


def test_spanish_from_start_to_saved_files(start: Start, tmp_path: Path, runner: CliRunner) -> None:
    """--lang es: no language question; Spanish questions, answers, reasons, plan and files."""
    s = start("start", "--lang", "es", "--today", TODAY)
    shown = s.answer(question(ES, "start_procedure", "1"), "1")
    # The menu names the procedures in Spanish.
    assert shown == ["", ES("start_welcome"), "", "  1  Cifoplastia", "  2  Vertebroplastia"]
    when = question(ES, "start_when")
    assert when.startswith("¿Qué día y a qué hora es su procedimiento?")
    s.answer(when, "2026-13-40 7:30")
    # A date as people say it, read back in full before it is used.
    assert s.answer(when, "3 de diciembre a la 1:30 de la tarde") == [
        "Perdón, eso no funcionó: revise su respuesta y pruebe otra vez."
    ]
    s.answer(confirm_when(ES, ES.moment(datetime(2026, 12, 3, 13, 30))), "s")
    s.answer(question(ES, "start_zone", CHICAGO), "hora del centro")
    s.answer(yes_no(ES, "start_zone_confirm", True, name="Hora del centro", zone=CHICAGO), "")
    # The doctor's interval typed with the name is read back, and not asked again.
    s.answer(question(ES, "start_medicine_first"), "warfarin 5 días antes")
    s.answer(yes_no(ES, "start_doctor_said_confirm", True, medicine="warfarina", hold="5 días"), "")
    assert s.answer(question(ES, "start_medicine_next"), "Eliquis") == ["Agregada: warfarina."]
    s.answer(doctor_said(ES, "Eliquis (apixaban)"), "seguir")
    s.answer(question(ES, "start_medicine_next"), "")
    s.answer(question(ES, "start_patient"), "Ana López")
    s.answer(driver_question(ES), "Tomás López")
    s.answer(question(ES, "start_phone"), "")
    key_dates = s.answer(yes_no(ES, "start_show_plan", True), "s")
    assert "Sus fechas clave:" in key_dates
    plan_shown = "\n".join(s.answer(yes_no(ES, "start_save_handout", True), "s"))
    assert "Su plan para la cifoplastia" in plan_shown
    assert "jueves, 3 de diciembre de 2026" in plan_shown
    assert "Ana López" in plan_shown
    s.answer(question(ES, "start_file_name", f"{STEM}.html"), "")
    s.answer(yes_no(ES, "start_save_calendar", True), "sí")
    s.answer(yes_no(ES, "start_full_titles", False), "n")
    s.answer(question(ES, "start_file_name", f"{STEM}.ics"), "")
    s.answer(yes_no(ES, "start_save_caregiver", True, driver="Tomás López"), "s")
    s.answer(question(ES, "start_file_name", f"{STEM}.caregiver.txt"), "")
    s.expect(ES("start_saved_caregiver", file=saved_path(tmp_path, f"{STEM}.caregiver.txt")))
    s.expect(ES("start_goodbye"))
    assert s.finish() == 0
    caregiver = plan_bytes(runner, *SPANISH_PLAN, output_format="caregiver")
    assert (tmp_path / f"{STEM}.caregiver.txt").read_bytes() == caregiver
    assert "Para la persona que maneja y se queda".upper() in caregiver.decode()
    assert (tmp_path / f"{STEM}.html").read_bytes() == plan_bytes(runner, *SPANISH_PLAN, output_format="html")
    assert (tmp_path / f"{STEM}.ics").read_bytes() == plan_bytes(runner, *SPANISH_PLAN, output_format="ics")


def test_kyphoprep_alone_on_a_terminal_asks_and_2_means_spanish(start: Start, tmp_path: Path) -> None:
    """``kyphoprep`` alone, on a terminal, starts the questions; answering 2 switches to Spanish."""
    s = start()
    s.answer(LANGUAGE_QUESTION, "2")
    assert s.answer(question(ES, "start_procedure", "1"), "3")[:2] == ["", ES("start_welcome")]
    assert s.end_input(question(ES, "start_procedure", "1")) == [ES("start_pick_number", count=2)]
    assert s.finish() == 1
    assert s.closing == ["", STOPPED]
    assert list(tmp_path.iterdir()) == []


# --- What the terminal sends and shows: bytes that are not UTF-8, a locale without UTF-8 ------

C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def test_the_c_locale_shows_and_reads_spanish(start: Start) -> None:
    """Without UTF-8 mode, Python in the C locale writes ASCII: 'Español' in the first menu stopped it."""
    s = start("start", "--today", TODAY, env=C_LOCALE)
    assert s.answer(LANGUAGE_QUESTION, "2") == ["Language / Idioma:", "  1  English", "  2  Español"]
    s.answer(question(ES, "start_procedure", "1"), "1")
    the_date_is(s, ES, "2026-12-03 7:30", DIC_3)
    s.answer(question(ES, "start_zone", CHICAGO), "")
    s.answer(question(ES, "start_medicine_first"), "")
    # Typed on a UTF-8 terminal, the name arrives as UTF-8 bytes whatever the locale says.
    s.answer(question(ES, "start_patient"), "José Núñez")
    s.answer(driver_question(ES), "")
    s.answer(question(ES, "start_phone"), "")
    s.answer(yes_no(ES, "start_show_plan", True), "")
    plan_shown = "\n".join(s.answer(yes_no(ES, "start_save_handout", True), "n"))
    assert "José Núñez" in plan_shown
    assert "jueves, 3 de diciembre de 2026" in plan_shown
    s.answer(yes_no(ES, "start_save_calendar", True), "n")
    s.answer(yes_no(ES, "start_save_caregiver_anyone", True), "n")
    s.expect(ES("start_goodbye"))
    assert s.finish() == 0


def test_an_answer_that_is_not_utf8_is_asked_again(start: Start) -> None:
    """Latin-1 bytes from the terminal: said in one line, and the same question asked again."""
    s = start("start", "--lang", "es", "--today", TODAY)
    answer_the_short_way_until_patient(s, ES)
    patient = question(ES, "start_patient")
    s.answer_bytes(patient, b"Jos\xe9")
    assert s.answer(patient, "José") == [ES("start_not_utf8")]
    # No driver: kyphoprep says someone must drive and stay.
    assert s.answer(driver_question(ES), "") == []
    assert s.answer(question(ES, "start_phone"), "") == [ES("start_no_driver", hours=24)]
    s.answer(yes_no(ES, "start_show_plan", True), "s")
    assert "José" in "\n".join(s.answer(yes_no(ES, "start_save_handout", True), "n"))
    s.answer(yes_no(ES, "start_save_calendar", True), "n")
    s.answer(yes_no(ES, "start_save_caregiver_anyone", True), "n")
    s.expect(ES("start_goodbye"))
    assert s.finish() == 0


def answer_the_short_way_until_patient(s: Session, words: Words) -> None:
    s.answer(question(words, "start_procedure", "1"), "1")
    the_date_is(s, words, "2026-12-03 7:30", words.moment(datetime(2026, 12, 3, 7, 30)))
    s.answer(question(words, "start_zone", CHICAGO), "")
    s.answer(question(words, "start_medicine_first"), "")


# --- An existing file is replaced only when the person says so ---------------------------------


def test_an_existing_file_is_kept_unless_the_person_says_replace(
    start: Start, tmp_path: Path, runner: CliRunner
) -> None:
    """An existing file is left as it was unless the person answers "y" to replacing it, and a folder that
    does not exist is explained and the name asked again."""
    original = tmp_path / f"{STEM}.html"
    original.write_bytes(b"<p>my own notes</p>\n")
    s = start("start", "--lang", "en", "--today", TODAY)
    answer_the_short_way(s)
    s.answer(yes_no(EN, "start_save_handout", True), "y")
    file_name = question(EN, "start_file_name", f"{STEM}.html")
    s.answer(file_name, "")
    s.answer(yes_no(EN, "start_file_exists", False, file=f"{STEM}.html"), "n")
    s.answer(file_name, "no-such-folder/handout.html")
    assert s.answer(file_name, "~/handout.html") == [  # HOME is tmp_path
        EN(
            "start_cannot_save",
            reason="The folder 'no-such-folder' does not exist. Create it first or choose another place.",
        )
    ]
    assert s.answer(yes_no(EN, "start_save_calendar", True), "n") == [
        EN("start_saved_handout", file=str(tmp_path / "handout.html")),  # ~ is HOME, as given
        "",
    ]
    s.answer(yes_no(EN, "start_save_caregiver_anyone", True), "n")
    s.expect(EN("start_goodbye"))
    assert s.finish() == 0
    assert original.read_bytes() == b"<p>my own notes</p>\n"
    expected = plan_bytes(runner, "2026-12-03 7:30 AM", "--tz", CHICAGO, output_format="html")
    assert (tmp_path / "handout.html").read_bytes() == expected

    s = start("start", "--lang", "en", "--today", TODAY)
    answer_the_short_way(s)
    s.answer(yes_no(EN, "start_save_handout", True), "")
    s.answer(file_name, "")
    s.answer(yes_no(EN, "start_file_exists", False, file=f"{STEM}.html"), "y")
    s.answer(yes_no(EN, "start_save_calendar", True), "n")
    s.answer(yes_no(EN, "start_save_caregiver_anyone", True), "n")
    s.expect(EN("start_goodbye"))
    assert s.finish() == 0
    assert original.read_bytes() == expected


# --- Never a question without a terminal; stopping part way -------------------------------------


def test_start_without_a_terminal_refuses_in_one_line(runner: CliRunner) -> None:
    """``kyphoprep start`` with no terminal exits 2 with one line on stderr, so a script that pipes into it
    fails clearly instead of hanging on a question."""
    result = runner.invoke(app, ["start", "--today", TODAY], input="1\n")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {NOT_A_TERMINAL}\n"
    assert result.stderr.startswith("Error: kyphoprep start asks questions, so it needs a terminal")
    assert result.stdout == ""


def test_kyphoprep_alone_without_a_terminal_shows_help(runner: CliRunner) -> None:
    """``kyphoprep`` alone without a terminal prints the usage and exits 2 instead of starting the questions,
    so scripts are never left waiting."""
    result = runner.invoke(app, [], input="1\n")
    assert result.exit_code == 2
    assert result.stdout.startswith("Usage: ")
    assert "Language / Idioma" not in result.output
    assert EN("start_language") not in result.output


def test_end_of_input_stops_and_changes_nothing(start: Start, tmp_path: Path) -> None:
    """Closing the input (Ctrl-D) mid-conversation exits 1 saying nothing was changed, and no file is
    written."""
    s = start("start", "--lang", "en", "--today", TODAY)
    s.answer(question(EN, "start_procedure", "1"), "1")
    s.end_input(question(EN, "start_when"))
    assert s.finish() == 1
    assert s.closing == ["", STOPPED]
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_stops_with_130_and_changes_nothing(start: Start, tmp_path: Path) -> None:
    """Ctrl-C at a question exits 130, as shells expect of an interrupted command, and leaves no file
    behind."""
    s = start("start", "--lang", "en", "--today", TODAY)
    s.answer(question(EN, "start_procedure", "1"), "1")
    the_date_is(s, EN, "2026-12-03 7:30 AM", DEC_3)
    s.interrupt(question(EN, "start_zone", CHICAGO))
    assert s.finish() == 130
    assert s.closing == ["^C", STOPPED]
    assert list(tmp_path.iterdir()) == []


def test_stopping_after_a_file_was_saved_says_which(start: Start, tmp_path: Path) -> None:
    """ "No file was changed" would be untrue once the handout is saved: the message names it instead."""
    s = start("start", "--lang", "en", "--today", TODAY)
    answer_the_short_way(s)
    s.answer(yes_no(EN, "start_save_handout", True), "")
    s.answer(question(EN, "start_file_name", f"{STEM}.html"), "")
    s.interrupt(yes_no(EN, "start_save_calendar", True))
    assert s.finish() == 130
    assert s.closing == ["^C", f"Stopped. Already saved: {saved_path(tmp_path, f'{STEM}.html')}."]
    assert [p.name for p in tmp_path.iterdir()] == [f"{STEM}.html"]


# --- A settings file ----------------------------------------------------------------------------


def test_a_settings_file_gives_the_language_zone_and_phone(
    start: Start, tmp_path: Path, runner: CliRunner
) -> None:
    """A clinic settings file supplies the language, zone and phone as the defaults, and the saved handout
    equals what ``kyphoprep plan --config`` writes."""
    config = tmp_path / "clinic.toml"
    config.write_text(
        '[clinic]\nphone = "555-0142"\n\n[defaults]\nlanguage = "es"\ntimezone = "America/Denver"\n',
        encoding="utf-8",
    )
    s = start("start", "--config", str(config), "--today", TODAY)
    shown = s.answer(question(ES, "start_procedure", "1"), "1")
    assert shown == ["", ES("start_welcome"), "", "  1  Cifoplastia", "  2  Vertebroplastia"]
    the_date_is(s, ES, "2026-12-03 7:30", DIC_3)
    s.answer(question(ES, "start_zone", "America/Denver"), "")
    s.answer(question(ES, "start_medicine_first"), "")
    s.answer(question(ES, "start_patient"), "")
    s.answer(driver_question(ES), "")
    s.answer(question(ES, "start_phone", "555-0142"), "")
    s.answer(yes_no(ES, "start_show_plan", True), "n")
    s.answer(yes_no(ES, "start_save_handout", True), "")
    s.answer(question(ES, "start_file_name", f"{STEM}.html"), "")
    s.answer(yes_no(ES, "start_save_calendar", True), "n")
    s.answer(yes_no(ES, "start_save_caregiver_anyone", True), "n")
    s.expect(ES("start_goodbye"))
    assert s.finish() == 0
    expected = plan_bytes(runner, "2026-12-03 7:30", "--config", str(config), output_format="html")
    assert b"555-0142" in expected
    assert b"America/Denver" in expected
    assert (tmp_path / f"{STEM}.html").read_bytes() == expected


# --- The conversation itself, with scripted answers (no terminal) -----------------------------


class Script:
    """Scripted answers for ``Conversation``; records every prompt and every line said."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []
        self.said: list[str] = []

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    def conversation(self, language: str = "en") -> Conversation:
        talk = Conversation(self.ask, self.said.append, now=lambda zone: parse_today(TODAY, zone))
        talk.language(language)
        return talk


def when_in(language: str, *answers: str, zone: str = CHICAGO) -> tuple[datetime, Script]:
    script = Script(*answers)
    found = Answers()
    script.conversation(language).when_and_zone(found, zone, None)
    assert found.start is not None
    return found.start, script


@pytest.mark.parametrize(
    ("typed", "hour"),
    [
        ("2026-12-03 1:30 p. m.", 13),
        ("2026-12-03 1:30 p.m.", 13),
        ("2026-12-03 1:30 P. M.", 13),
        ("2026-12-03 7:30 a. m.", 7),
        ("2026-12-03 7:30 a.m.", 7),
        ("2026-12-03 1:30 PM", 13),
    ],
)
def test_spanish_a_m_and_p_m_are_understood(typed: str, hour: int) -> None:
    """Spanish ways of writing a.m. and p.m. ("p. m.", "a.m.") are read as the right hour, so a Spanish
    speaker's time is not taken twelve hours off."""
    start, script = when_in("es", typed, "", "")
    assert start == datetime(2026, 12, 3, hour, 30, tzinfo=ZoneInfo(CHICAGO))
    assert script.said == []
    assert script.prompts[1] == confirm_when(ES, ES.moment(start))


def test_a_time_that_cannot_be_in_the_zone_asks_for_the_date_again() -> None:
    """Valid in Chicago, 1:30 AM on 2027-03-28 does not exist in London (the clocks jump forward)."""
    start, script = when_in(
        "en", "2027-03-28 1:30 AM", "", "Europe/London", "2027-03-28 3:30 AM", "", "Europe/London"
    )
    assert start == datetime(2027, 3, 28, 3, 30, tzinfo=ZoneInfo("Europe/London"))
    assert script.prompts[3] == question(EN, "start_when")
    assert len(script.said) == 1
    assert script.said[0].startswith(
        "Sorry, that did not work: 1:30 AM does not exist on Sunday, March 28, 2027"
    )


def test_an_unknown_zone_in_spanish_is_explained_in_spanish() -> None:
    """In a Spanish conversation an unknown zone is explained in Spanish, not in the English of the error
    underneath."""
    _, script = when_in("es", "2026-12-03 7:30", "", "Marte", "America/Denver")
    assert script.said == [ES("start_not_understood", reason=ES("start_zone_unknown", zone="Marte"))]


def medicines_from(language: str, *answers: str) -> tuple[Answers, Script]:
    script = Script(*answers)
    found = Answers()
    script.conversation(language).medicines(found)
    return found, script


@pytest.mark.parametrize(
    ("said", "amount", "unit"),
    [
        ("5 días", 5, "days"),
        ("5 dias", 5, "days"),
        ("1 día", 1, "days"),
        ("24 horas", 24, "hours"),
        ("5 days", 5, "days"),
        ("5d", 5, "days"),
        ("12 hours", 12, "hours"),
    ],
)
def test_what_the_doctor_said_in_days_or_hours(said: str, amount: int, unit: str) -> None:
    """The doctor's hold is read in days or hours whether typed in Spanish (with or without the accent) or
    English, and recorded as the doctor's."""
    found, script = medicines_from("es", "warfarin", said, "")
    [order] = found.medicines
    assert order.hold is not None
    assert (order.hold.amount, order.hold.unit) == (amount, unit)
    assert order.hold_source == "doctor"
    assert script.said[-1] == "Agregada: warfarina."


@pytest.mark.parametrize("said", ["keep", "Keep", "continue", "seguir", "Seguir", "sigo", "continuar"])
def test_keep_taking_in_either_language(said: str) -> None:
    """The words "keep" and "continue", and their Spanish ones, mean the doctor said to keep taking the
    medicine, so no stop step is planned for it."""
    found, _ = medicines_from("en", "Eliquis", said, "")
    [order] = found.medicines
    assert order.keep_taking
    assert order.hold is None


@pytest.mark.parametrize("said", ["5 months", "soon", "-1 days", "5 meses"])
def test_a_hold_that_is_not_days_or_hours_is_asked_again(said: str) -> None:
    """A hold in months or words is refused once with a reason in Spanish (no English leaks through) and asked
    again, and the next valid answer is used."""
    found, script = medicines_from("es", "warfarin", said, "3 días", "")
    assert [p for p in script.prompts if p == doctor_said(ES, "warfarin")] == [
        doctor_said(ES, "warfarin")
    ] * 2
    # The reason is said in Spanish: kyphoprep's own words where it has them, else a plain request.
    refusals = [line for line in script.said if line.startswith(ES("start_not_understood", reason=""))]
    assert len(refusals) == 1
    assert "hold must" not in refusals[0]
    assert refusals == [ES("start_not_understood", reason=ES("start_hold_unreadable", given=said))]
    assert found.medicines[0].hold is not None
    assert found.medicines[0].hold.amount == 3


@pytest.mark.parametrize(
    ("typed", "meaning"),
    [
        ("", True),
        ("y", True),
        ("Yes", True),
        ("s", True),
        ("si", True),
        ("Sí.", True),
        ("n", False),
        ("NO", False),
    ],
)
def test_yes_and_no_words(typed: str, meaning: bool) -> None:
    """The yes and no words of both languages, in any case and with an accent or a full stop, are read as
    meant, and Enter takes the default."""
    script = Script(typed)
    assert script.conversation("es").yes("start_save_handout", True) is meaning
    assert script.prompts == [yes_no(ES, "start_save_handout", True)]


def test_enter_takes_the_default_no() -> None:
    """Enter at "Replace it? [y/N]" means no, so a file is never replaced without an explicit yes."""
    script = Script("")
    assert script.conversation("en").yes("start_file_exists", False, file="plan.html") is False
    assert script.prompts == ["plan.html already exists. Replace it? [y/N]: "]


def test_a_word_that_is_not_yes_or_no_is_asked_again() -> None:
    """Words that are neither yes nor no are asked again each time, rather than being taken as one or the
    other."""
    script = Script("ok", "sure", "s")
    assert script.conversation("es").yes("start_save_calendar", True) is True
    assert script.said == [ES("start_say_yes_or_no")] * 2
    assert len(script.prompts) == 3


@pytest.mark.parametrize(
    ("kidney", "form"), [("80", "crcl-50-or-more"), ("50", "crcl-50-or-more"), ("30", "crcl-under-50")]
)
def test_the_kidney_number_picks_the_dabigatran_advice(kidney: str, form: str) -> None:
    """The kidney number (CrCl) picks dabigatran's advice for 50 or more versus under 50, the boundary where
    the usual hold changes."""
    found, script = medicines_from("en", "Pradaxa", "", kidney, "")
    [order] = found.medicines
    assert order.form is not None
    assert order.form.id == form
    assert found.crcl == int(kidney)
    assert script.prompts[2] == question(EN, "start_crcl", medicine="dabigatran")


@pytest.mark.parametrize("kidney", ["0", "201", "abc", "80.5", "-5"])
def test_a_kidney_number_out_of_range_is_asked_again(kidney: str) -> None:
    """A kidney number that is out of range, not a number or not whole is asked again, so a made-up value
    never chooses the advice."""
    found, script = medicines_from("en", "Pradaxa", "", kidney, "60", "")
    assert script.said.count(EN("start_crcl_range")) == 1
    assert found.crcl == 60


def test_an_unknown_kidney_number_needs_the_doctor() -> None:
    """Without a kidney number there is no usual dabigatran advice, so kyphoprep asks for the doctor's
    interval and plans that."""
    found, script = medicines_from("es", "Pradaxa", "", "", "4 días", "")
    assert ES("start_need_doctor", medicine="Pradaxa (dabigatran)") in script.said
    [order] = found.medicines
    assert order.hold is not None
    assert order.hold.amount == 4
    assert found.crcl is None


def test_a_near_miss_is_kept_only_when_typed_the_same_way_twice() -> None:
    """A name close to a known medicine (not a blood thinner) is questioned first and kept as an unknown
    medicine only when typed the same way again, so a typo is not silently planned."""
    found, script = medicines_from("en", "metformn", "metformn", "", "")
    assert script.said[1] == EN("start_medicine_near", medicine="metformn", choices="metformin")
    assert script.said[2] == EN("start_medicine_unknown", medicine="metformn")
    [order] = found.medicines
    assert order.entry is None
    assert order.name == "metformn"


def test_a_name_close_to_a_blood_thinner_is_asked_about_by_name() -> None:
    """ "warfrin" is asked as "Do you mean warfarin? [Y/n]", never "type it again to keep": a blood thinner
    planned as an unknown medicine would get no stop at all."""
    found, script = medicines_from("en", "warfrin", "", "5 days", "")
    assert script.prompts[1] == yes_no(EN, "start_medicine_mean", True, medicine="warfarin")
    assert not any("type it the same way again" in line for line in script.said)
    [order] = found.medicines
    assert order.entry is not None
    assert order.entry.generic == "warfarin"
    assert order.hold is not None
    assert order.hold.amount == 5


def test_no_to_the_blood_thinner_keeps_the_name_as_typed() -> None:
    """ "n" to "Do you mean Xarelto (rivaroxaban)?" keeps the name as an unlisted medicine, with the warning
    that there is no usual advice for it."""
    found, script = medicines_from("es", "Xareltoo", "n", "", "")
    assert script.prompts[1] == yes_no(ES, "start_medicine_mean", True, medicine="Xarelto (rivaroxaban)")
    assert ES("start_medicine_unknown", medicine="Xareltoo") in script.said
    [order] = found.medicines
    assert order.entry is None
    assert order.name == "Xareltoo"


def test_the_same_medicine_twice_is_refused() -> None:
    """The same medicine under another brand name is refused, since two plans for one medicine would clash."""
    found, script = medicines_from("es", "warfarin", "5 días", "Jantoven", "")
    assert [order.name for order in found.medicines] == ["warfarin"]
    assert ES("start_medicine_twice", medicine="warfarina") in script.said


def test_language_and_procedure_choices() -> None:
    """Language and procedure can be chosen by name, and an out-of-range number is answered with the numbers
    to pick from."""
    script = Script("3", "español", "vertebroplasty")
    talk = Conversation(script.ask, script.said.append, now=lambda zone: parse_today(TODAY, zone))
    assert talk.language(None) == "es"
    assert talk.procedure(["kyphoplasty", "vertebroplasty"], "kyphoplasty") == "vertebroplasty"
    assert script.said[-1] == "  2  Vertebroplasty"
    assert EN("start_pick_number", count=2) in script.said


def test_an_answer_that_is_not_utf8_is_said_and_asked_again() -> None:
    """Bytes that are not UTF-8 reach the answer as lone surrogates ("Jos\\xe9" as "Jos\\udce9")."""
    script = Script("Jos\udce9", "José")
    assert script.conversation("es").optional_text("start_patient") == "José"
    assert script.said == [ES("start_not_utf8")]
    assert script.prompts == [question(ES, "start_patient")] * 2


def test_utf8_bytes_left_undecoded_by_the_locale_are_read() -> None:
    """In the C locale the bytes of 'é' arrive undecoded; they are good UTF-8, so they are read."""
    script = Script("Jos\udcc3\udca9")
    assert script.conversation("en").optional_text("start_patient") == "José"
    assert script.said == []


@pytest.mark.parametrize("kidney", ["\u0665\u0660", "\uff15\uff10", "5\u0660"])
def test_a_kidney_number_in_other_digits_is_asked_again(kidney: str) -> None:
    """int() reads Arabic-Indic and fullwidth digits; guided mode asks for 0-9 instead."""
    found, script = medicines_from("es", "Pradaxa", "", kidney, "50", "")
    assert script.said.count(ES("start_digits_ascii")) == 1
    assert found.crcl == 50


def test_a_choice_in_other_digits_is_asked_again() -> None:
    """A procedure number typed in Arabic-Indic or fullwidth digits is asked again in 0-9 instead of being
    read as a choice."""
    script = Script("\u0662", "\uff12", "2")
    talk = Conversation(script.ask, script.said.append, now=lambda zone: parse_today(TODAY, zone))
    talk.language("en")
    assert talk.procedure(["kyphoplasty", "vertebroplasty"], "kyphoplasty") == "vertebroplasty"
    assert script.said[-2:] == [EN("start_digits_ascii")] * 2


def test_a_language_number_in_other_digits_is_asked_again() -> None:
    """A language number in other digits is asked again with the request in both languages, since the language
    is not chosen yet."""
    script = Script("\u0662", "2")
    talk = Conversation(script.ask, script.said.append, now=lambda zone: parse_today(TODAY, zone))
    assert talk.language(None) == "es"
    assert script.said[-1] == f"{EN('start_digits_ascii')} / {ES('start_digits_ascii')}"


def test_end_of_input_stops_the_conversation() -> None:
    """End of input while a question waits raises Stop, the signal that ends the conversation without writing
    anything."""
    with pytest.raises(Stop):
        Script("2026-12-03 7:30").conversation("en").when_and_zone(Answers(), CHICAGO, None)


# --- At home: a daughter types what the doctor said, the way people say it ---------------------


def test_at_home_dates_zones_and_medicines_as_people_say_them(
    start: Start, tmp_path: Path, runner: CliRunner
) -> None:
    """ "next Thursday 7am", "Central time", "eliquis 2 days", "stop Plavix a week before" and "I don't know"
    are each read, read back to confirm, and make the same handout as the exact ``kyphoprep plan`` options."""
    s = start("start", "--lang", "en", "--today", TODAY)
    s.answer(question(EN, "start_procedure", "1"), "")
    s.answer(question(EN, "start_when"), "next Thursday 7am")
    # Today is Saturday, November 21: next Thursday is the 26th.
    s.answer(confirm_when(EN, "Thursday, November 26, 2026 at 7:00 AM"), "")
    s.answer(question(EN, "start_zone", CHICAGO), "Central time")
    s.answer(yes_no(EN, "start_zone_confirm", True, name="Central time", zone=CHICAGO), "y")
    s.answer(question(EN, "start_medicine_first"), "eliquis 2 days")
    # The doctor's interval came with the name: read back, and the doctor question is not asked.
    confirm = yes_no(EN, "start_doctor_said_confirm", True, medicine="Eliquis (apixaban)", hold="2 days")
    s.answer(confirm, "")
    assert s.answer(question(EN, "start_medicine_next"), "stop Plavix a week before") == [
        "Added: Eliquis (apixaban)."
    ]
    s.answer(
        yes_no(EN, "start_doctor_said_confirm", True, medicine="Plavix (clopidogrel)", hold="7 days"), ""
    )
    assert s.answer(question(EN, "start_medicine_next"), "Xarelto") == ["Added: Plavix (clopidogrel)."]
    # "I don't know" is the usual advice, as Enter is.
    s.answer(doctor_said(EN, "Xarelto (rivaroxaban)"), "I don't know")
    s.answer(question(EN, "start_medicine_next"), "")
    s.answer(question(EN, "start_patient"), "Ann Lee")
    s.answer(driver_question(EN), "Maria Lee")
    s.answer(question(EN, "start_phone"), "")
    key_dates = s.answer(yes_no(EN, "start_show_plan", True), "n")
    # A warning comes first on the screen too: a week before the 26th has already passed.
    assert key_dates == [
        "",
        "!!! IMPORTANT - READ THIS FIRST !!!",
        "TOO LATE TO STOP PLAVIX (CLOPIDOGREL) ON TIME. If you took PLAVIX (CLOPIDOGREL) after Wednesday, "
        + "November 18, call your care team before your procedure. Do not change your doses on your own.",
        "",
        "Procedure: Kyphoplasty, Thursday, November 26, 2026 at 7:00 AM",
        "",
        "Your key dates:",
        "  Wednesday, November 18: Last day to take Plavix (clopidogrel)",
        "  Sunday, November 22: Last day to take Xarelto (rivaroxaban) — confirm with doctor",
        "  Monday, November 23: Last day to take Eliquis (apixaban)",
        "  Thursday, November 26, 12:00 midnight: Nothing to eat or drink after midnight",
        "  Thursday, November 26, 5:30 AM: Arrive for check-in",
        "",
    ]
    s.answer(yes_no(EN, "start_save_handout", True), "")
    s.answer(question(EN, "start_file_name", "kyphoplasty-plan-2026-11-26.html"), "")
    s.answer(yes_no(EN, "start_save_calendar", True), "n")
    s.answer(yes_no(EN, "start_save_caregiver", True, driver="Maria Lee"), "n")
    s.expect(EN("start_goodbye"))
    assert s.finish() == 0
    expected = plan_bytes(
        runner,
        "2026-11-26 07:00",
        "--tz",
        CHICAGO,
        "--med",
        "Eliquis=2 days",
        "--med",
        "Plavix=7 days",
        "--med",
        "Xarelto",
        "--patient",
        "Ann Lee",
        "--driver",
        "Maria Lee",
        output_format="html",
    )
    assert b"confirm with your doctor" in expected
    assert (tmp_path / "kyphoplasty-plan-2026-11-26.html").read_bytes() == expected


def test_en_casa_fechas_zonas_y_medicinas_como_se_dicen(start: Start) -> None:
    """Spanish: "17 de diciembre de 2026 7:30", "hora del pacífico", "Eliquis 5d" and "no sé" are read and
    read back in Spanish; a "no" to the zone asks it again."""
    s = start("start", "--lang", "es", "--today", TODAY)
    s.answer(question(ES, "start_procedure", "1"), "cifoplastia")
    s.answer(question(ES, "start_when"), "17 de diciembre de 2026 7:30")
    s.answer(confirm_when(ES, ES.moment(datetime(2026, 12, 17, 7, 30))), "sí")
    zone = question(ES, "start_zone", CHICAGO)
    s.answer(zone, "hora del pacífico")
    pacific = yes_no(ES, "start_zone_confirm", True, name="Hora del pacífico", zone="America/Los_Angeles")
    s.answer(pacific, "n")
    assert s.answer(zone, "PST") == [ES("start_zone_again")]
    s.answer(pacific, "s")
    s.answer(question(ES, "start_medicine_first"), "Eliquis 5d")
    # "no" to the interval read back: the doctor question is asked after all.
    s.answer(yes_no(ES, "start_doctor_said_confirm", True, medicine="Eliquis (apixabán)", hold="5 días"), "n")
    s.answer(doctor_said(ES, "Eliquis (apixaban)"), "no sé")
    assert s.answer(question(ES, "start_medicine_next"), "") == ["Agregada: Eliquis (apixabán)."]
    s.answer(question(ES, "start_patient"), "")
    s.answer(driver_question(ES), "")
    s.answer(question(ES, "start_phone"), "")
    key_dates = s.answer(yes_no(ES, "start_show_plan", True), "n")
    assert f"Procedimiento: Cifoplastia, {ES.moment(datetime(2026, 12, 17, 7, 30))}" in key_dates
    assert (
        "  viernes, 11 de diciembre: Último día para tomar Eliquis (apixabán) — confírmelo con su médico"
        in key_dates
    )
    s.answer(yes_no(ES, "start_save_handout", True), "n")
    s.answer(yes_no(ES, "start_save_calendar", True), "n")
    s.answer(yes_no(ES, "start_save_caregiver_anyone", True), "n")
    s.expect(ES("start_goodbye"))
    assert s.finish() == 0


def test_a_date_that_could_be_two_dates_is_asked_as_a_choice(start: Start) -> None:
    """ "12/3 7:30" could be December 3 or March 12: kyphoprep shows both and asks which, never guessing."""
    s = start("start", "--lang", "en", "--today", TODAY)
    s.answer(question(EN, "start_procedure", "1"), "")
    s.answer(question(EN, "start_when"), "12/3 7:30")
    assert s.answer(question(EN, "start_form"), "2") == [
        EN("start_date_which", typed="12/3"),
        "  1  Thursday, December 3, 2026",
        "  2  Friday, March 12, 2027",
    ]
    s.answer(confirm_when(EN, "Friday, March 12, 2027 at 7:30 AM"), "n")
    s.answer(question(EN, "start_when"), "Dec 3 at 7:30 in the morning")
    s.answer(confirm_when(EN, DEC_3), "y")
    s.end_input(question(EN, "start_zone", CHICAGO))
    assert s.finish() == 1


def test_the_whole_plan_is_printed_when_the_output_is_not_a_terminal(tmp_path: Path) -> None:
    """With standard output sent to a file, the plan is printed whole and the "show the whole plan?"
    question is not asked (the answers below would fall one short if it were, and the run would stop)."""
    out = tmp_path / "out.txt"
    command = " ".join(f"'{part}'" for part in kyphoprep_command())
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", f"exec {command} start --lang en --today {TODAY} > '{out}'"],
        encoding="utf-8",
        timeout=30,
        cwd=str(tmp_path),
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TZ": CHICAGO,
            "NO_COLOR": "1",
            "HOME": str(tmp_path),
            **coverage_env(),
        },
        preexec_fn=_default_sigint,
    )
    # procedure, date, its confirmation, zone, no medicine, name, driver, phone, handout, calendar, sheet.
    for reply in ["", "2026-12-03 7:30 AM", "", "", "", "", "Tom Lee", "", "n", "n", "n"]:
        child.sendline(reply)
    child.expect(pexpect.EOF)
    child.close()
    written = out.read_text(encoding="utf-8")
    assert child.exitstatus == 0, written
    assert "Your plan to get ready for kyphoplasty" in written
    assert "Thursday, November 26, 2026\n" in written  # the day-by-day part, not only the key dates
    assert EN("start_show_plan") not in written
    assert written.rstrip().endswith(EN("start_goodbye"))


# --- No command-line syntax in guided mode ---------------------------------------------------------

# Written apart from start_questions' own net (_CLI_SYNTAX), so a hole in that one cannot hide one here:
# an option (--tz), a value glued to a name (Eliquis=5d), a quoted option word ('continue'), "IANA".
CLI_SYNTAX = re.compile(
    r"(?<![\w-])--[a-z]|\b\w+=\w|'(?:continue|keep|seguir|other:[^']*)'|\bIANA\b|\bTZ=", re.IGNORECASE
)


@pytest.mark.parametrize(
    "leak",
    [
        EN("error_hold_unreadable", name="Eliquis", given="5 weeks"),
        ES("error_date_ambiguous", typed="03/04", first_date="a", second_date="b", year=2027),
        EN("error_zone_unknown", zone="Mars"),
        "or 'continue' if your doctor said",
        "Eliquis=5d",
    ],
)
def test_the_cli_syntax_check_finds_what_it_looks_for(leak: str) -> None:
    """The check below finds the command-line words that guided mode showed before (so it can fail)."""
    assert CLI_SYNTAX.search(leak) is not None


def guided_message_keys() -> set[str]:
    """Every message key guided mode can show: named in start.py or start_questions.py, the zone names,
    and the guided words of the errors it meets."""
    source = "".join(
        (Path(__file__).parents[1] / "kyphoprep" / "cli" / name).read_text(encoding="utf-8")
        for name in ("start.py", "start_questions.py")
    )
    keys = set(re.findall(r'"((?:start|calendar|heading|label)_[a-z_]+)"', source))
    keys |= {f"zone_{zone}" for zone in US_ZONES} | set(GUIDED_WORDS.values())
    return keys


@pytest.mark.parametrize("words", [EN, ES], ids=["en", "es"])
def test_no_guided_message_has_command_line_syntax(words: Words) -> None:
    """No question, re-ask or notice of guided mode, in either language, shows an option, an '=' value,
    a quoted option word or "IANA": a person at home types none of these."""
    keys = guided_message_keys()
    assert {"start_doctor_said", "start_hold_unreadable", "start_zone_unknown", "zone_central"} <= keys
    table = builtin_data("messages.toml")[words.language]
    leaks = {key: table[key] for key in sorted(keys) if CLI_SYNTAX.search(str(table[key]))}
    assert leaks == {}


WALK: list[tuple[str, list[str]]] = [
    ("procedure", ["9", "1"]),
    (
        "when",
        [
            *["", "2026-13-40 7:30", "2020-01-03 7:30", "2028-06-03 7:30", "12/3 7:30", "5", "1"],
            *["maybe", "n", "7:30", "2026-12-03", "next Thursday 7am", "y"],
            *["Mars/Olympus", "Chicgo", "CST", "n", "EST", "y"],
        ],
    ),
    (
        "medicines",
        [
            *["metformn", "metformin", "5 months", "99 days", "5 \u0665 days", ""],
            *["warfrin 5 days", "y", "n", "keep", "Coumadin"],
            *["heparin", "", "9", "3", "24 hours"],
            *["Pradaxa", "", "0", "", "2 days"],
            *["bad*name!", "Xareltoo", "n", "I don't know", "aspirin 400 days", "keep", ""],
        ],
    ),
    ("driver", [""]),
    ("yes", ["perhaps", "n"]),
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_guided_question_and_reask_is_free_of_command_line_syntax(language: str) -> None:
    """A walk through every question and every re-ask of guided mode (a bad number, date, zone, hold,
    name, form, kidney number and yes/no; a date of two readings; a near miss; a medicine twice) shows no
    command-line syntax in either language."""
    words = words_for(language)
    answers = [reply for _, replies in WALK for reply in replies]
    script = Script(*answers)
    talk = script.conversation(language)
    found = Answers()
    talk.procedure(["kyphoplasty", "vertebroplasty"], "kyphoplasty")
    talk.when_and_zone(found, CHICAGO, None)
    talk.medicines(found)
    talk.optional_text("start_driver", hours=24)
    talk.yes("start_save_handout", True)
    assert script.answers == []  # every answer was asked for: the walk reached every question
    shown = script.prompts + script.said
    assert [line for line in shown if CLI_SYNTAX.search(line)] == []
    # The walk met the re-asks it is for (each in the person's language).
    for expected in [
        words("start_pick_number", count=2),
        words("start_date_which", typed="12/3"),
        words("start_zone_unknown", zone="Mars/Olympus"),
        words("start_zone_again"),
        words("start_hold_unreadable", given="5 months"),
        words("start_hold_range_days", given="99 days", limit=60),
        words("start_digits_ascii"),
        words("start_medicine_twice", medicine="warfarin" if language == "en" else "warfarina"),
        words("start_medicine_bad_name", name="bad*name!", limit=60),
        words("start_crcl_range"),
        words("start_say_yes_or_no"),
    ]:
        assert any(expected in line for line in shown), expected
    assert [order.name for order in found.medicines] == [
        "metformin",
        "warfarin",
        "heparin",
        "Pradaxa (dabigatran)",
        "Xareltoo",
        "aspirin",
    ]


@pytest.mark.parametrize(
    ("choice", "meant"), [("1", datetime(2027, 3, 4, 7, 30)), ("2", datetime(2027, 4, 3, 7, 30))]
)
def test_a_numeric_date_with_its_year_that_could_be_two_is_a_choice(choice: str, meant: datetime) -> None:
    """ "03/04/2027" is March 4 or April 3: both are shown in Spanish, and the one picked is read back."""
    start, script = when_in("es", "03/04/2027 7:30", choice, "", "")
    assert start == meant.replace(tzinfo=ZoneInfo(CHICAGO))
    assert script.said == [
        ES("start_date_which", typed="03/04/2027"),
        "  1  jueves, 4 de marzo de 2027",
        "  2  sábado, 3 de abril de 2027",
    ]
    assert script.prompts[2] == confirm_when(ES, ES.moment(meant))


@pytest.mark.parametrize(
    "said", ["I don't know", "i dont know", "Not sure", "I\u2019m not sure", "no sé", "No lo sé", "no se"]
)
def test_i_do_not_know_is_the_usual_advice(said: str) -> None:
    """ "I don't know" (any case, straight or curly apostrophe) and "no sé" to what the doctor said give the
    catalogue's usual advice, as Enter does, which the plan labels "confirm with your doctor"."""
    found, _ = medicines_from("es", "Eliquis", said, "")
    [order] = found.medicines
    assert order.hold is None
    assert not order.keep_taking
    assert order.hold_source == "catalogue"


def test_the_procedure_may_be_picked_by_its_name_in_spanish() -> None:
    """The Spanish menu names the procedures in Spanish, and "vertebroplastia" picks that one."""
    script = Script("Vertebroplastia")
    talk = script.conversation("es")
    names = {"kyphoplasty": "Cifoplastia", "vertebroplasty": "Vertebroplastia"}
    assert talk.procedure(["kyphoplasty", "vertebroplasty"], "kyphoplasty", names) == "vertebroplasty"
    assert script.said == ["  1  Cifoplastia", "  2  Vertebroplastia"]
