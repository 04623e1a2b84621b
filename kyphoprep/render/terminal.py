"""The on-screen view: grouped by day, readable with or without colour.

Colour only adds emphasis; every meaning is also carried by words and boxes
("[ ]", "PAST", "IMPORTANT"), so the view works with NO_COLOR and on paper.
Text from the person (names, phone) is always passed as ``rich.text.Text``, never
as markup, so brackets in a name cannot restyle the screen.

On a narrow screen (under ``NARROW`` columns: a phone, a split window) the boxes and
side-by-side columns would cut dates and titles short ("Thursda..."), so the same parts
are stacked instead: headings on their own line, each label above its value, and every
word wrapped, never cut.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kyphoprep.core.models import Plan, PlannedStep
from kyphoprep.i18n.words import Words
from kyphoprep.render import RenderOptions
from kyphoprep.render.calendar import removed_reminders
from kyphoprep.render.common import (
    bring_rows,
    days,
    header_rows,
    key_steps,
    step_time,
    warning_signs,
    words_of,
)

NARROW = 60
"""Below this many columns the view is stacked, not boxed."""


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
            # Not the environment: the CLI has read NO_COLOR, FORCE_COLOR and TERM (``use_color``),
            # and this renderer draws from its options alone, so the same options give the same bytes.
            _environ={},
        )
        for part in self._parts(plan, narrow=console.width < NARROW):
            console.print(part, overflow="fold")
        return buffer.getvalue().encode("utf-8")

    def _parts(self, plan: Plan, *, narrow: bool = False) -> list[RenderableType]:
        message = words_of(plan)

        def boxed(body: RenderableType, title: str | Text, **style: object) -> RenderableType:
            if narrow:
                heading = title if isinstance(title, Text) else Text(title, style="bold")
                return Group(Text(""), heading, body)
            return Panel(body, title=title, **style)  # type: ignore[arg-type]

        parts: list[RenderableType] = []
        if plan.warnings:
            body = Group(*(Text(f"* {w.message}", style="bold") for w in plan.warnings))
            parts.append(boxed(body, message("heading_warnings"), border_style="red", box=box.HEAVY))
        title = message("plan_title", procedure=plan.protocol.name.lower())
        if narrow:
            header: RenderableType = Group(
                *(Text.assemble((f"{label}:", "bold"), "\n", value) for label, value in header_rows(plan))
            )
        else:
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold")
            grid.add_column()
            for label, value in header_rows(plan):
                grid.add_row(Text(label), Text(value))
            header = grid
        parts.append(boxed(header, Text(title, style="bold"), box=box.ROUNDED))
        parts.append(Text(message("care_team_first"), style="italic"))
        removed = removed_reminders(plan)
        if removed:
            body = Group(Text(message("removed_intro")), *(Text(f"* {text}") for text in removed))
            parts.append(boxed(body, message("heading_removed"), border_style="yellow"))
        for group in days(plan):
            parts.append(Text(""))
            parts.append(Text(group.heading, style="bold underline"))
            if narrow:
                for step in group.steps:
                    mark, when, text = self._step_row(step, message)
                    parts.append(Group(Text(""), Text.assemble(mark, " ", when), text))
                continue
            table = Table.grid(padding=(0, 1))
            table.add_column(no_wrap=True)
            table.add_column(no_wrap=True, justify="right")
            table.add_column(ratio=1)
            for step in group.steps:
                table.add_row(*self._step_row(step, message))
            parts.append(table)
        parts.append(Text(""))
        parts.append(self._bring(plan, message, boxed, narrow))
        call = Group(*(Text(f"* {text}") for text in warning_signs(plan, "call")))
        parts.append(boxed(call, message("heading_call"), border_style="yellow"))
        emergency = Group(*(Text(f"* {text}", style="bold") for text in warning_signs(plan, "emergency")))
        parts.append(boxed(emergency, message("heading_emergency"), border_style="red"))
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

    def _bring(
        self, plan: Plan, message: Words, boxed: Callable[..., RenderableType], narrow: bool
    ) -> RenderableType:
        rows = bring_rows(plan)
        allergies = Text(f"[ ] {message('bring_allergies')} ____________________")
        if not rows:
            return boxed(Group(Text(message("bring_none")), allergies), message("heading_bring"))
        columns = message("bring_columns").split(" | ")
        if narrow:
            # One medicine after another, each value under its column's name.
            table: RenderableType = Group(
                *(
                    Text.assemble(
                        *(
                            part
                            for label, value in zip(columns, row, strict=True)
                            for part in ((f"{label}: ", "bold"), value, "\n")
                        )
                    )
                    for row in rows
                )
            )
        else:
            grid = Table(box=box.SIMPLE_HEAD)
            for column in columns:
                grid.add_column(column)
            for name, said, last in rows:
                grid.add_row(Text(name), Text(said), Text(last))
            table = grid
        return boxed(Group(Text(message("bring_intro")), table, allergies), message("heading_bring"))


RENDERER = TerminalRenderer()


def key_dates_lines(plan: Plan) -> list[str]:
    """The short view guided mode shows first: any warning, the procedure, then every date that
    decides whether it goes ahead (the handout's first page), one line each, as plain text."""
    words = words_of(plan)
    lines: list[str] = []
    for warning in plan.warnings:
        lines += [f"!!! {words('heading_warnings')} !!!", warning.message, ""]
    lines.append(
        f"{words('label_procedure')}: {plan.protocol.name}, {words.moment(plan.request.procedure_start)}"
    )
    lines += ["", f"{words('heading_key_dates')}:"]
    for step in key_steps(plan):
        day = words.date(step.start.date(), year=False)
        # A to-do of its day ("Last day to take warfarin") has no time to show.
        when = day if step.clock == "reminder" else f"{day}, {step_time(step, words)}"
        lines.append(f"  {when}: {step.title}")
    return lines
