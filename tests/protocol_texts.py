"""Protocol file texts shared by the tests."""

from __future__ import annotations

# The smallest valid protocol: one step, one source, no fasting marks (so only the "midnight" rule).
MINIMAL_PROTOCOL = """\
format = 1
id = "demo"
name = "Demo"
summary = "A demo."
procedure_minutes = 60
arrive_minutes = 60
reminder_minutes = 30
medicine_reminder_at = "08:00"

[sources]
s1 = "A source"

[[steps]]
id = "one"
title = "Step one"
detail = "Do it."
category = "prepare"
when = { rule = "days-before", days = 2, at = "09:00" }
source = ["s1"]
"""
