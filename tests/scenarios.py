"""The fixed scenarios behind the golden files (one per kind of zone and DST case)."""

from __future__ import annotations

SCENARIOS: dict[str, list[str]] = {
    # A US zone, two doctor's holds (days and hours), all header fields.
    "us-chicago": [
        "plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-21",
        "--patient", "Ann Lee", "--driver", "Tom Lee", "--facility", "Lakeside Spine Center",
        "--phone", "555-0100", "--med", "warfarin=5d", "--med", "enoxaparin=24h",
    ],
    # A European zone, day-first date, vertebroplasty, arrival changed.
    "eu-berlin": [
        "plan", "10/02/2027 08:15", "--date-order", "dmy", "--tz", "Europe/Berlin",
        "--today", "2027-01-20", "--procedure", "vertebroplasty", "--patient", "Jörg Müller",
        "--phone", "+49 30 1234567", "--arrive-minutes", "60", "--med", "clopidogrel=7d",
    ],
    # Clocks spring forward on Sunday March 14, 2027, between the holds and the procedure:
    # the 72-hour hold lands at 6:00 AM (EST), not 7:00.
    "dst-new-york": [
        "plan", "Mar 16 2027 7:00am", "--tz", "America/New_York", "--today", "2027-03-01",
        "--patient", "Rosa Díaz", "--med", "enoxaparin=72h", "--med", "apixaban=3d",
    ],
    # Southern hemisphere: Sydney leaves daylight saving on Sunday April 4, 2027.
    "south-sydney": [
        "plan", "6 April 2027 09:00", "--tz", "Australia/Sydney", "--today", "2027-03-25",
        "--patient", "Mei Chen", "--facility", "Harbour Day Hospital", "--med", "aspirin=6d",
    ],
    # Made too late: the warfarin stop date has passed, so every format opens with a warning.
    "too-late": [
        "plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-28T10:00",
        "--patient", "Ann Lee", "--med", "warfarin=5d",
    ],
}
