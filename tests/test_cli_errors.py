"""Every way a person can get the input wrong: exact exit code, exact one-line message, no traceback."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from kyphoprep.cli.app import app
from kyphoprep.errors import InputError, OutputError

BASE = ["plan", "--tz", "America/Chicago", "--today", "2026-11-21"]

# (id, extra arguments after BASE, exit code, exact stderr line)
CASES = [
    (
        "date-only",
        ["2026-12-03"],
        InputError.exit_code,
        (
            "Error: '2026-12-03' has a date but no time. The time matters for fasting and medicines: "
            "add it, for example '2026-12-03 7:30am'."
        ),
    ),
    (
        "no-year",
        ["Dec 3 7:30am"],
        InputError.exit_code,
        "Error: Add the year to 'Dec 3 7:30am', for example 2026-12-03 07:30.",
    ),
    (
        "ambiguous-day-month",
        ["03/04/2027 08:00"],
        InputError.exit_code,
        (
            "Error: '03/04/2027' could be Thursday, March 4, 2027 or Saturday, April 3, 2027. "
            "Write the date as 2027-MM-DD, or add "
            "--date-order mdy (month first) or dmy (day first)."
        ),
    ),
    (
        "two-digit-year-dashes",
        ["3-4-27 08:00"],
        InputError.exit_code,
        "Error: Write the year with four digits in '3-4-27 08:00', for example 3-4-2027.",
    ),
    (
        "impossible-with-order-dots",
        ["30.02.2027 08:00", "--date-order", "dmy"],
        InputError.exit_code,
        "Error: '30.02.2027' is not a real date (reading it day first, as --date-order dmy says).",
    ),
    (
        "two-digit-year",
        ["03/04/27 08:00"],
        InputError.exit_code,
        "Error: Write the year with four digits in '03/04/27 08:00', for example 03/04/2027.",
    ),
    (
        "impossible-date",
        ["2026-02-30 08:00"],
        InputError.exit_code,
        (
            "Error: '2026-02-30 08:00' is not a real date or time (day is out of range for month). "
            "Check the day and month."
        ),
    ),
    (
        "impossible-hour",
        ["2026-12-03 25:00"],
        InputError.exit_code,
        (
            "Error: '2026-12-03 25:00' is not a real date or time (hour must be in 0..23). "
            "Check the time, for example 07:30 or 7:30pm."
        ),
    ),
    (
        "impossible-minute",
        ["Dec 3 2026 7:75am"],
        InputError.exit_code,
        (
            "Error: 'Dec 3 2026 7:75am' is not a real date or time (minute must be in 0..59). "
            "Check the time, for example 07:30 or 7:30pm."
        ),
    ),
    (
        "when-very-long",
        ["2026-12-03 07:30 " + "x" * 1000],
        InputError.exit_code,
        (
            f"Error: Could not read '2026-12-03 07:30 {'x' * 43}…' as a date and time. Example: "
            "2026-12-03 07:30 or 'Dec 3 2026 7:30am'."
        ),
    ),
    (
        "impossible-with-order",
        ["02/30/2027 08:00", "--date-order", "mdy"],
        InputError.exit_code,
        "Error: '02/30/2027' is not a real date (reading it month first, as --date-order mdy says).",
    ),
    (
        "month-13-with-order",
        ["13/04/2027 08:00", "--date-order", "mdy"],
        InputError.exit_code,
        "Error: '13/04/2027' is not a real date (reading it month first, as --date-order mdy says).",
    ),
    (
        "nonsense",
        ["next tuesday-ish"],
        InputError.exit_code,
        (
            "Error: Could not read 'next tuesday-ish' as a date and time. Example: 2026-12-03 07:30 or "
            "'Dec 3 2026 7:30am'."
        ),
    ),
    (
        "empty-when",
        [""],
        InputError.exit_code,
        "Error: The procedure date and time is empty. Example: 2026-12-03 07:30",
    ),
    (
        "past",
        ["2026-11-20 07:30"],
        InputError.exit_code,
        (
            "Error: The procedure time Friday, November 20, 2026 at 7:30 AM has already passed "
            "(today is Saturday, November 21, 2026). Check the date and year."
        ),
    ),
    (
        "over-a-year",
        ["2027-11-22 07:30"],
        InputError.exit_code,
        (
            "Error: The procedure time Monday, November 22, 2027 at 7:30 AM is more than a year away. "
            "Check the year."
        ),
    ),
    (
        "dst-gap",
        ["2027-03-14 02:30"],
        InputError.exit_code,
        (
            "Error: 2:30 AM does not exist on Sunday, March 14, 2027 in America/Chicago: the clocks jump "
            "forward for daylight saving time. Check the time with your care team."
        ),
    ),
    (
        "dst-overlap",
        ["2026-11-01 01:30", "--today", "2026-10-01"],
        InputError.exit_code,
        (
            "Error: 1:30 AM happens twice on Sunday, November 1, 2026 in America/Chicago: the clocks go back "
            "for daylight saving time. Add the offset to say which: '2026-11-01 01:30-05:00' (the first) or "
            "'2026-11-01 01:30-06:00' (the second)."
        ),
    ),
    (
        "wrong-offset",
        ["2026-12-03T07:30+01:00"],
        InputError.exit_code,
        (
            "Error: The offset in '2026-12-03T07:30+01:00' does not match America/Chicago at that time. "
            "Leave the offset out, or check --tz "
            "(that moment is Thursday, December 3, 2026 at 12:30 AM there)."
        ),
    ),
    # These five were internal errors (exit 70): an offset datetime refuses, or a moment past the first
    # or last date Python holds once it is turned into UTC.
    (
        "offset-of-99-hours",
        ["2026-12-03 07:30+99:00"],
        InputError.exit_code,
        (
            "Error: The offset in '2026-12-03 07:30+99:00' is 24 hours or more; real UTC offsets are from "
            "-12:00 to +14:00. Leave the offset out, or check it."
        ),
    ),
    (
        "offset-utc-plus-99",
        ["2026-12-03 07:30 UTC+99"],
        InputError.exit_code,
        (
            "Error: The offset in '2026-12-03 07:30 UTC+99' is 24 hours or more; real UTC offsets are from "
            "-12:00 to +14:00. Leave the offset out, or check it."
        ),
    ),
    (
        "year-1-with-offset",
        ["0001-01-01 00:30+05:00"],
        InputError.exit_code,
        (
            "Error: The year 1 in '0001-01-01 00:30+05:00' is outside the years kyphoprep can plan for "
            "(1970 to 9990). Check the year."
        ),
    ),
    (
        "year-9999-with-offset",
        ["9999-12-31 23:59-05:00"],
        InputError.exit_code,
        (
            "Error: The year 9999 in '9999-12-31 23:59-05:00' is outside the years kyphoprep can plan for "
            "(1970 to 9990). Check the year."
        ),
    ),
    (
        "year-1-east-of-utc",
        ["0001-01-01 00:00", "--tz", "Asia/Tokyo"],
        InputError.exit_code,
        (
            "Error: The year 1 in '0001-01-01 00:00' is outside the years kyphoprep can plan for "
            "(1970 to 9990). Check the year."
        ),
    ),
    (
        "year-1969",
        ["1969-12-31 23:59"],
        InputError.exit_code,
        (
            "Error: The year 1969 in '1969-12-31 23:59' is outside the years kyphoprep can plan for "
            "(1970 to 9990). Check the year."
        ),
    ),
    (
        "unknown-zone",
        ["2026-12-03 07:30", "--tz", "Mars/Olympus_Mons"],
        InputError.exit_code,
        "Error: Unknown time zone 'Mars/Olympus_Mons'. Use an IANA name such as America/Chicago.",
    ),
    (
        "empty-zone",
        ["2026-12-03 07:30", "--tz", " "],
        InputError.exit_code,
        "Error: --tz is empty. Give an IANA zone name such as America/Chicago.",
    ),
    (
        "zone-case",
        ["2026-12-03 07:30", "--tz", "america/chicago"],
        InputError.exit_code,
        (
            "Error: Unknown time zone 'america/chicago'. Did you mean America/Chicago? "
            "(Zone names are case-sensitive.)"
        ),
    ),
    (
        "zone-city-only",
        ["2026-12-03 07:30", "--tz", "Chicago"],
        InputError.exit_code,
        "Error: Unknown time zone 'Chicago'. Did you mean: America/Chicago?",
    ),
    (
        "bad-today",
        ["2026-12-03 07:30", "--today", "tomorrow"],
        InputError.exit_code,
        "Error: --today 'tomorrow' is not a date. Use YYYY-MM-DD, for example 2026-11-21.",
    ),
    (
        "today-very-long",
        ["2026-12-03 07:30", "--today", "2026-11-21" + "x" * 1000],
        InputError.exit_code,
        f"Error: --today '2026-11-21{'x' * 50}…' is not a date. Use YYYY-MM-DD, for example 2026-11-21.",
    ),
    (
        "today-year-9999",
        ["9999-12-31 07:30", "--today", "9999-12-30"],
        InputError.exit_code,
        (
            "Error: --today '9999-12-30' is outside the years kyphoprep can plan for. Use a date from 1970 "
            "to 9990, for example 2026-11-21."
        ),
    ),
    (
        "today-before-1970",
        ["2026-12-03 07:30", "--today", "1969-12-31T23:00", "--tz", "Asia/Tokyo"],
        InputError.exit_code,
        (
            "Error: --today '1969-12-31T23:00' is outside the years kyphoprep can plan for. Use a date from "
            "1970 to 9990, for example 2026-11-21."
        ),
    ),
    (
        "zone-very-long",
        ["2026-12-03 07:30", "--tz", "Europe/" + "y" * 1000],
        InputError.exit_code,
        f"Error: Unknown time zone 'Europe/{'y' * 53}…'. Use an IANA name such as America/Chicago.",
    ),
    (
        "procedure-very-long",
        ["2026-12-03 07:30", "--procedure", "Kypho" * 200],
        InputError.exit_code,
        (
            f"Error: Unknown procedure '{'kypho' * 12}…'. Choose one of: kyphoplasty, vertebroplasty, "
            "or give the path of a protocol file."
        ),
    ),
    (
        "med-empty-hold",
        ["2026-12-03 07:30", "--med", "warfarin="],
        InputError.exit_code,
        "Error: --med 'warfarin=' has no hold after '='. Example: warfarin=5d or warfarin=24h.",
    ),
    (
        "med-no-name",
        ["2026-12-03 07:30", "--med", "=5d"],
        InputError.exit_code,
        "Error: --med '=5d' has no medicine name. Example: --med warfarin=5d",
    ),
    (
        "med-bad-unit",
        ["2026-12-03 07:30", "--med", "warfarin=5w"],
        InputError.exit_code,
        (
            "Error: 'warfarin=5w': the hold must be a whole number of days or hours, such as "
            "warfarin=5d or warfarin=24h, or 'continue' if your doctor said to keep taking it."
        ),
    ),
    (
        "med-zero",
        ["2026-12-03 07:30", "--med", "warfarin=0d"],
        InputError.exit_code,
        "Error: --med 'warfarin=0d': the hold must be from 1 to 60 days. Check what your doctor said.",
    ),
    (
        "med-too-long",
        ["2026-12-03 07:30", "--med", "warfarin=61d"],
        InputError.exit_code,
        "Error: --med 'warfarin=61d': the hold must be from 1 to 60 days. Check what your doctor said.",
    ),
    (
        "med-five-digit-days",
        ["2026-12-03 07:30", "--med", "warfarin=99999d"],
        InputError.exit_code,
        "Error: --med 'warfarin=99999d': the hold must be from 1 to 60 days. Check what your doctor said.",
    ),
    (
        "med-five-digit-hours",
        ["2026-12-03 07:30", "--med", "Lovenox=99999 hours"],
        InputError.exit_code,
        (
            "Error: --med 'Lovenox=99999 hours': the hold must be from 1 to 1440 hours. Check what your "
            "doctor said."
        ),
    ),
    (
        "med-hold-very-long",
        ["2026-12-03 07:30", "--med", "warfarin=" + "1" * 1000 + "d"],
        InputError.exit_code,
        (
            f"Error: --med 'warfarin={'1' * 60}…': the hold must be from 1 to 60 days. Check what your "
            "doctor said."
        ),
    ),
    (
        "med-form-very-long",
        ["2026-12-03 07:30", "--med", "enoxaparin:" + "z" * 1000],
        InputError.exit_code,
        (
            f"Error: --med 'enoxaparin:{'z' * 60}…': no such form. Add one of: :preventive (a preventive "
            "dose, such as 40 mg once a day); :treatment (a treatment dose, such as 1 mg per kg twice a "
            "day). Or give your doctor's interval, such as --med 'enoxaparin=12h'."
        ),
    ),
    (
        "med-negative",
        ["2026-12-03 07:30", "--med", "warfarin=-5d"],
        InputError.exit_code,
        (
            "Error: 'warfarin=-5d': the hold must be a whole number of days or hours, such as "
            "warfarin=5d or warfarin=24h, or 'continue' if your doctor said to keep taking it."
        ),
    ),
    (
        "med-twice",
        ["2026-12-03 07:30", "--med", "warfarin=5d", "--med", "Warfarin=3d"],
        InputError.exit_code,
        "Error: --med names warfarin twice. Give each medicine once.",
    ),
    (
        "med-brand-and-generic",
        ["2026-12-03 07:30", "--med", "Eliquis", "--med", "apixaban=3d"],
        InputError.exit_code,
        "Error: --med names apixaban twice (also as 'Eliquis (apixaban)'). Give each medicine once.",
    ),
    (
        "med-generic-then-brand",
        ["2026-12-03 07:30", "--med", "warfarin=5d", "--med", "Coumadin"],
        InputError.exit_code,
        "Error: --med names warfarin twice (also as 'Coumadin (warfarin)'). Give each medicine once.",
    ),
    (
        "med-two-brands",
        ["2026-12-03 07:30", "--med", "Bayer=6d", "--med", "St Joseph=continue"],
        InputError.exit_code,
        "Error: --med names aspirin twice (as 'Bayer' and 'St Joseph'). Give each medicine once.",
    ),
    (
        "med-two-brands-with-forms",
        ["2026-12-03 07:30", "--med", "Ozempic", "--med", "wegovy:weekly=7d"],
        InputError.exit_code,
        "Error: --med names semaglutide twice (as 'Ozempic' and 'wegovy'). Give each medicine once.",
    ),
    (
        "med-one-brand-twice",
        ["2026-12-03 07:30", "--med", "Eliquis=3d", "--med", "ELIQUIS"],
        InputError.exit_code,
        "Error: --med names Eliquis (apixaban) twice. Give each medicine once.",
    ),
    (
        "med-other-in-front-of-a-listed-name",
        ["2026-12-03 07:30", "--med", "other:Eliquis", "--require-doctor-holds"],
        InputError.exit_code,
        (
            "Error: --med 'other:Eliquis': Eliquis (apixaban) is in kyphoprep's medicine list. Leave out "
            "'other:' and write --med 'Eliquis'."
        ),
    ),
    (
        "med-other-keeps-the-inr-test",
        ["2026-12-03 07:30", "--med", "OTHER:Warfarin=5d"],
        InputError.exit_code,
        (
            "Error: --med 'OTHER:Warfarin=5d': warfarin is in kyphoprep's medicine list. Leave out "
            "'other:' and write --med 'Warfarin=5d'."
        ),
    ),
    (
        "med-misspelled",
        ["2026-12-03 07:30", "--med", "Elliquis"],
        InputError.exit_code,
        (
            "Error: --med 'Elliquis' is not in kyphoprep's medicine list. Did you mean Eliquis (apixaban)? "
            "If it is a different medicine, write --med 'other:Elliquis'."
        ),
    ),
    (
        "med-misspelled-with-hold",
        ["2026-12-03 07:30", "--med", "warfarn=5d"],
        InputError.exit_code,
        (
            "Error: --med 'warfarn' is not in kyphoprep's medicine list. Did you mean warfarin? "
            "If it is a different medicine, write --med 'other:warfarn=5d'."
        ),
    ),
    (
        "med-which-insulin",
        ["2026-12-03 07:30", "--med", "Humulin"],
        InputError.exit_code,
        (
            "Error: --med 'Humulin' is not in kyphoprep's medicine list. Did you mean Humulin N "
            "(NPH insulin) or Humulin R (regular insulin) or Humulin 70/30 (premixed insulin)? If it is a "
            "different medicine, write --med 'other:Humulin'."
        ),
    ),
    (
        "med-needs-form",
        ["2026-12-03 07:30", "--med", "enoxaparin"],
        InputError.exit_code,
        (
            "Error: --med 'enoxaparin': the typical guidance for enoxaparin depends on the dose. Add one "
            "of: :preventive (a preventive dose, such as 40 mg once a day); :treatment (a treatment dose, "
            "such as 1 mg per kg twice a day). Or give your doctor's interval, such as --med "
            "'enoxaparin=12h'."
        ),
    ),
    (
        "med-aspirin-needs-use",
        ["2026-12-03 07:30", "--med", "Bayer"],
        InputError.exit_code,
        (
            "Error: --med 'Bayer': the typical guidance for aspirin depends on why you take it. Add one "
            "of: :primary (to prevent a first heart attack or stroke); :secondary (after a heart attack, "
            "stroke, stent or blocked arteries); :pain (for pain, fever or headache, such as Excedrin or an "
            "aspirin powder). Or give your doctor's interval, such as --med 'aspirin=6d'."
        ),
    ),
    (
        "med-unknown-form",
        ["2026-12-03 07:30", "--med", "enoxaparin:weekly"],
        InputError.exit_code,
        (
            "Error: --med 'enoxaparin:weekly': no such form. Add one of: :preventive (a preventive dose, "
            "such as 40 mg once a day); :treatment (a treatment dose, such as 1 mg per kg twice a day). "
            "Or give your doctor's interval, such as --med 'enoxaparin=12h'."
        ),
    ),
    (
        "med-form-contradicts-brand",
        ["2026-12-03 07:30", "--med", "Rybelsus:weekly"],
        InputError.exit_code,
        (
            "Error: --med 'Rybelsus:weekly': Rybelsus is always a pill every day, not a shot once a "
            "week. Leave out ':weekly'."
        ),
    ),
    (
        "med-form-without-forms",
        ["2026-12-03 07:30", "--med", "warfarin:daily"],
        InputError.exit_code,
        "Error: --med 'warfarin:daily': no such form. warfarin has no forms; leave out the ':'.",
    ),
    (
        "med-form-of-unknown-medicine",
        ["2026-12-03 07:30", "--med", "Tylenol:extra"],
        InputError.exit_code,
        (
            "Error: --med 'Tylenol:extra': 'Tylenol' is not in kyphoprep's medicine list, so it has no "
            "forms. Write --med 'Tylenol=5d' with your doctor's interval."
        ),
    ),
    (
        "dabigatran-needs-kidney-function",
        ["2026-12-03 07:30", "--med", "Pradaxa"],
        InputError.exit_code,
        (
            "Error: --med 'Pradaxa': the typical guidance for dabigatran depends on kidney function: add "
            "--crcl with the creatinine clearance from a recent blood test. Add one of: :crcl-50-or-more "
            "(kidney function (creatinine clearance) 50 mL/min or more); :crcl-under-50 (kidney function "
            "(creatinine clearance) under 50 mL/min). Or give your doctor's interval, such as --med "
            "'dabigatran=5d'."
        ),
    ),
    (
        "crcl-out-of-range",
        ["2026-12-03 07:30", "--med", "Pradaxa", "--crcl", "0"],
        InputError.exit_code,
        "Error: --crcl 0 is not a creatinine clearance. Give mL/min from 1 to 200.",
    ),
    (
        "require-doctor-holds",
        ["2026-12-03 07:30", "--med", "Eliquis", "--require-doctor-holds"],
        InputError.exit_code,
        (
            "Error: Eliquis (apixaban) is a blood thinner and --require-doctor-holds is on: add the "
            "doctor's interval, such as --med 'Eliquis=5d', or --med 'Eliquis=continue' if the doctor "
            "said to keep taking it."
        ),
    ),
    (
        "med-newline",
        ["2026-12-03 07:30", "--med", "warfarin\nX-INJECT:1=5d"],
        InputError.exit_code,
        "Error: --med contains a line break or control character; type it on one line.",
    ),
    (
        "patient-newline",
        ["2026-12-03 07:30", "--patient", "Ann\nBEGIN:VEVENT"],
        InputError.exit_code,
        "Error: --patient contains a line break or control character; type it on one line.",
    ),
    (
        "patient-empty",
        ["2026-12-03 07:30", "--patient", "   "],
        InputError.exit_code,
        "Error: --patient is empty; leave it out or give a value.",
    ),
    (
        "patient-too-long",
        ["2026-12-03 07:30", "--patient", "A" * 201],
        InputError.exit_code,
        "Error: --patient is longer than 200 characters; shorten it.",
    ),
    (
        "unknown-procedure",
        ["2026-12-03 07:30", "--procedure", "discectomy"],
        InputError.exit_code,
        (
            "Error: Unknown procedure 'discectomy'. Choose one of: kyphoplasty, vertebroplasty, "
            "or give the path of a protocol file."
        ),
    ),
]


@pytest.mark.parametrize(("args", "code", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_one_clear_line(
    runner: CliRunner, args: list[str], code: int, message: str
) -> None:
    """Bad input exits with its code and exactly one explanatory line on stderr, nothing on stdout."""
    result = runner.invoke(app, [*BASE, *args])
    assert result.exit_code == code, result.output
    assert result.stderr == message + "\n"
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_zone_typo_suggests_the_closest_names(runner: CliRunner) -> None:
    """A misspelt zone is refused, and the real name is the first suggestion."""
    result = runner.invoke(app, [*BASE, "2026-12-03 07:30", "--tz", "America/Chicgo"])
    assert result.exit_code == InputError.exit_code
    assert result.stderr.startswith(
        "Error: Unknown time zone 'America/Chicgo'. Did you mean: America/Chicago"
    )


def test_source_date_epoch_fixes_today(runner: CliRunner) -> None:
    """SOURCE_DATE_EPOCH stands in for the clock when --today is not given."""
    args = ["plan", "2026-11-20 07:30", "--tz", "America/Chicago"]
    result = runner.invoke(app, args, env={"SOURCE_DATE_EPOCH": "1795000000"})  # 2026-11-18
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, args, env={"SOURCE_DATE_EPOCH": "soon"})
    assert result.exit_code == InputError.exit_code
    assert result.stderr == "Error: SOURCE_DATE_EPOCH 'soon' must be a whole number of seconds since 1970.\n"
    result = runner.invoke(app, args, env={"SOURCE_DATE_EPOCH": "999999999999"})  # the year 33658
    assert result.exit_code == InputError.exit_code
    assert result.stderr == (
        "Error: SOURCE_DATE_EPOCH '999999999999' is outside the years kyphoprep can plan for. Use whole "
        "seconds since 1970 for a moment from 1970 to 9990, such as 1795000000.\n"
    )


@pytest.mark.parametrize("command", ["plan", "batch"])
def test_today_wins_over_source_date_epoch(runner: CliRunner, tmp_path: Path, command: str) -> None:
    """With --today, plan and batch alike never read SOURCE_DATE_EPOCH, even a bad one."""
    roster = tmp_path / "roster.csv"
    roster.write_text("patient_id,when,tz\nP1,2026-12-03 07:30,America/Chicago\n", encoding="utf-8")
    for epoch in ("soon", "999999999999"):
        out = str(tmp_path / epoch)
        args = [*BASE, "2026-12-03 07:30"] if command == "plan" else ["batch", str(roster), "--out", out]
        result = runner.invoke(app, [*args, "--today", "2026-11-21"], env={"SOURCE_DATE_EPOCH": epoch})
        assert result.exit_code == 0, result.stderr
        assert "SOURCE_DATE_EPOCH" not in result.stderr


# Usage errors of typer (an option's value of the wrong kind, an unknown option, a missing argument):
# one line, like every other error, ending with where to find the help.
USAGE_CASES = [
    (
        [*BASE, "2026-12-03 07:30", "--arrive-minutes", "5"],
        (
            "Error: Invalid value for '--arrive-minutes': Input should be greater than or equal to 10. "
            "See 'kyphoprep plan --help'."
        ),
    ),
    (
        [*BASE, "2026-12-03 07:30", "--crcl", "abc"],
        (
            "Error: Invalid value for '--crcl': Input should be a valid integer, unable to parse string as "
            "an integer. See 'kyphoprep plan --help'."
        ),
    ),
    (
        ["plan", "2026-12-03 07:30", "--colour"],
        "Error: No such option: --colour. See 'kyphoprep plan --help'.",
    ),
    (["plan"], "Error: Missing argument 'WHEN'. See 'kyphoprep plan --help'."),
    (["plann"], "Error: No such command 'plann'. Did you mean 'plan'? See 'kyphoprep --help'."),
    (["protocols", "check"], "Error: Missing argument 'FILE'. See 'kyphoprep protocols check --help'."),
]


@pytest.mark.parametrize(("args", "message"), USAGE_CASES, ids=[" ".join(c[0][-2:]) for c in USAGE_CASES])
def test_usage_errors_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    """Typer's own usage errors keep exit code 2, and are one 'Error:' line like kyphoprep's own."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert result.stdout == ""


def test_a_group_without_its_command_still_shows_its_help(runner: CliRunner) -> None:
    """'kyphoprep protocols' alone is not an error to shorten: it shows what the group can do."""
    result = runner.invoke(app, ["protocols"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: kyphoprep protocols [OPTIONS] COMMAND [ARGS]...\n")
    assert "check" in result.stderr


def test_internal_errors_show_no_traceback(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug becomes one line and exit 70, without a traceback that could show patient details."""

    def broken(*_: object) -> None:
        raise RuntimeError("Ann Lee secret")

    monkeypatch.setattr("kyphoprep.cli.planning.build_plan", broken)
    result = runner.invoke(app, [*BASE, "2026-12-03 07:30", "--patient", "Ann Lee"])
    assert result.exit_code == 70
    assert result.stderr == (
        "Error: kyphoprep hit an internal problem (RuntimeError). Please report it. "
        "Set KYPHOPREP_DEBUG=1 to see the details.\n"
    )


class TestOutputFiles:
    """-o never overwrites without --force and never leaves a partial file."""

    ARGS: ClassVar[list[str]] = [*BASE, "2026-12-03 07:30"]

    def test_writes_file_and_says_so(self, runner: CliRunner, tmp_path: Path) -> None:
        """-o writes the file (format from the suffix) and reports it on stderr."""
        target = tmp_path / "plan.ics"
        result = runner.invoke(app, [*self.ARGS, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert result.stderr == f"Wrote {target}\n"
        assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")

    def test_refuses_to_overwrite(self, runner: CliRunner, tmp_path: Path) -> None:
        """An existing file is left alone without --force, and replaced with it."""
        target = tmp_path / "plan.txt"
        target.write_text("keep me")
        result = runner.invoke(app, [*self.ARGS, "-o", str(target)])
        assert result.exit_code == OutputError.exit_code
        assert result.stderr == (
            f"Error: '{target}' already exists. Add --force to replace it, or choose another name.\n"
        )
        assert target.read_text() == "keep me"
        assert [p.name for p in target.parent.iterdir()] == ["plan.txt"]
        result = runner.invoke(app, [*self.ARGS, "-o", str(target), "--force"])
        assert result.exit_code == 0
        assert target.read_text().startswith("=" * 72)

    def test_missing_folder(self, runner: CliRunner, tmp_path: Path) -> None:
        """A folder that does not exist is reported, not created."""
        target = tmp_path / "nope" / "plan.txt"
        result = runner.invoke(app, [*self.ARGS, "-o", str(target)])
        assert result.exit_code == OutputError.exit_code
        assert result.stderr == (
            f"Error: The folder '{target.parent}' does not exist. Create it first or choose another place.\n"
        )

    def test_folder_as_target(self, runner: CliRunner, tmp_path: Path) -> None:
        """A folder given as -o is refused with a hint."""
        result = runner.invoke(app, [*self.ARGS, "-o", str(tmp_path)])
        assert result.exit_code == OutputError.exit_code
        assert result.stderr.startswith(f"Error: '{tmp_path}' is a folder.")

    def test_failed_write_leaves_nothing(
        self, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If the disk fails mid-write, no partial file and no temporary file remain."""

        def failing_fsync(_: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr("kyphoprep.io.safe_write.os.fsync", failing_fsync)
        target = tmp_path / "plan.txt"
        result = runner.invoke(app, [*self.ARGS, "-o", str(target)])
        assert result.exit_code == OutputError.exit_code
        assert result.stderr == f"Error: Cannot write '{target}': No space left on device.\n"
        assert list(tmp_path.iterdir()) == []


# --- -o names that cannot be meant, and files that are not files ------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "nope/.",
            "'{tmp}/nope/.' names a folder, not a file. Give a file name, such as {tmp}/nope/plan.txt.",
        ),
        (
            " ",
            "The file name at the end of '{tmp}/ ' is only spaces. Give a file name, such as {tmp}/plan.txt.",
        ),
        (
            "kept.txt/a/plan.txt",
            "'{tmp}/kept.txt' is a file, not a folder. Choose another place, such as {tmp}/plan.txt.",
        ),
        (
            "plan\u2028.txt",
            (
                "The file name '{tmp}/plan?.txt' contains a line break or control character; "
                "type it on one line."
            ),
        ),
    ],
)
def test_output_name_that_cannot_be_a_new_file(
    runner: CliRunner, tmp_path: Path, name: str, message: str
) -> None:
    """An -o name that is a folder, only spaces, under a file, or has a line break is refused even with
    --force, and nothing is written or removed."""
    (tmp_path / "kept.txt").write_text("keep me")
    result = runner.invoke(app, [*BASE, "2026-12-03 07:30", "-o", f"{tmp_path}/{name}", "--force"])
    assert result.exit_code == OutputError.exit_code
    assert result.stderr == "Error: " + message.replace("{tmp}", str(tmp_path)) + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]


def test_long_name_that_fits_is_written(runner: CliRunner, tmp_path: Path) -> None:
    """A 250-character name is allowed; the temporary file's name stays short enough too."""
    target = tmp_path / ("p" * 246 + ".txt")
    result = runner.invoke(app, [*BASE, "2026-12-03 07:30", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Wrote {target}\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_force_never_replaces_a_pipe_that_appears_while_writing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check is made again just before the file takes its name."""
    target = tmp_path / "plan.txt"
    real_fsync = os.fsync

    def fsync_then_pipe(fd: int) -> None:
        real_fsync(fd)
        os.mkfifo(target)

    monkeypatch.setattr("kyphoprep.io.safe_write.os.fsync", fsync_then_pipe)
    result = runner.invoke(app, [*BASE, "2026-12-03 07:30", "-o", str(target), "--force"])
    assert result.exit_code == OutputError.exit_code
    assert result.stderr == (
        f"Error: '{target}' is a named pipe, not a file; kyphoprep never writes over one, even with --force. "
        "Choose another name.\n"
    )
    assert stat.S_ISFIFO(target.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.txt"]
