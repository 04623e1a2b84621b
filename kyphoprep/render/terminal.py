"""The on-screen view: grouped by day, readable with or without colour.

Colour only adds emphasis; every meaning is also carried by words and boxes
("[ ]", "PAST", "IMPORTANT"), so the view works with NO_COLOR and on paper.
Text from the person (names, phone) is always passed as ``rich.text.Text``, never
as markup, so brackets in a name cannot restyle the screen.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kyphoprep.models import Plan, PlannedStep
from kyphoprep.render import RenderOptions
from kyphoprep.render.calendar import removed_reminders
from kyphoprep.render.common import bring_rows, days, header_rows, step_time, warning_signs, words_of
from kyphoprep.wording import Words


class TerminalRenderer:
    """Renders the plan for a terminal screen."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the screen text (with ANSI styles only when *options.color*)."""
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=options.width,
            force_terminal=options.color,
            no_color=not options.color,
            color_system="standard" if options.color else None,
            highlight=False,
            emoji=False,
            legacy_windows=False,
        )
        for part in self._parts(plan):
            console.print(part)
        return buffer.getvalue().encode("utf-8")

    def _parts(self, plan: Plan) -> list[RenderableType]:
        message = words_of(plan)
        parts: list[RenderableType] = []
        if plan.warnings:
            body = Group(*(Text(f"* {w.message}", style="bold") for w in plan.warnings))
            parts.append(Panel(body, title=message("heading_warnings"), border_style="red", box=box.HEAVY))
        header = Table.grid(padding=(0, 2))
        header.add_column(style="bold")
        header.add_column()
        for label, value in header_rows(plan):
            header.add_row(Text(label), Text(value))
        title = message("plan_title", procedure=plan.protocol.name.lower())
        parts.append(Panel(header, title=Text(title, style="bold"), box=box.ROUNDED))
        parts.append(Text(message("care_team_first"), style="italic"))
        removed = removed_reminders(plan)
        if removed:
            body = Group(Text(message("removed_intro")), *(Text(f"* {text}") for text in removed))
            parts.append(Panel(body, title=message("heading_removed"), border_style="yellow"))
        for group in days(plan):
            parts.append(Text(""))
            parts.append(Text(group.heading, style="bold underline"))
            table = Table.grid(padding=(0, 1))
            table.add_column(no_wrap=True)
            table.add_column(no_wrap=True, justify="right")
            table.add_column(ratio=1)
            for step in group.steps:
                table.add_row(*self._step_row(step, message))
            parts.append(table)
        parts.append(Text(""))
        parts.append(self._bring(plan, message))
        call = Group(*(Text(f"* {text}") for text in warning_signs(plan, "call")))
        parts.append(Panel(call, title=message("heading_call"), border_style="yellow"))
        emergency = Group(*(Text(f"* {text}", style="bold") for text in warning_signs(plan, "emergency")))
        parts.append(Panel(emergency, title=message("heading_emergency"), border_style="red"))
        parts.append(Text(message("calendar_update"), style="italic"))
        return parts

    def _step_row(self, step: PlannedStep, message: Words) -> tuple[Text, Text, Text]:
        box_text = Text("[ ]" if step.actionable else " - ")
        when = Text(step_time(step, message), style="dim" if step.past else "bold cyan")
        body = Text(step.title, style="dim" if step.past else "bold")
        if step.past:
            body.append(f"  {message('past_marker')}", style="bold red")
        body.append("\n")
        body.append(step.detail, style="dim" if step.past else "")
        for item in step.items:
            body.append(f"\n[ ] {item}")
        return box_text, when, body

    def _bring(self, plan: Plan, message: Words) -> Panel:
        rows = bring_rows(plan)
        if not rows:
            allergies = Text(f"[ ] {message('bring_allergies')} ____________________")
            return Panel(Group(Text(message("bring_none")), allergies), title=message("heading_bring"))
        table = Table(box=box.SIMPLE_HEAD)
        for column in message("bring_columns").split(" | "):
            table.add_column(column)
        for name, said, last in rows:
            table.add_row(Text(name), Text(said), Text(last))
        allergies = Text(f"[ ] {message('bring_allergies')} ____________________")
        return Panel(Group(Text(message("bring_intro")), table, allergies), title=message("heading_bring"))


RENDERER = TerminalRenderer()
