"""One renderer per output format, behind one interface, chosen once.

Renderers *return* bytes and never print; the CLI decides where they go. Each
format's module is imported only when that format is asked for, so that
``--format text`` never pays for importing icalendar or rich.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kyphoprep.core.models import Plan


class OutputFormat(StrEnum):
    """The formats ``--format`` accepts."""

    TERMINAL = "terminal"
    TEXT = "text"
    ICS = "ics"
    JSON = "json"
    HTML = "html"
    CAREGIVER = "caregiver"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Settings that only some renderers use."""

    color: bool = False
    """Terminal only: use colour and styles (off for NO_COLOR or a non-terminal)."""
    width: int = 80
    """Terminal only: the screen width in columns."""


class Renderer(Protocol):
    """Turns a plan into the bytes of one output format."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the whole document for *plan*."""
        ...


_MODULES = {
    OutputFormat.TERMINAL: "kyphoprep.render.terminal",
    OutputFormat.TEXT: "kyphoprep.render.text",
    OutputFormat.ICS: "kyphoprep.render.ics",
    OutputFormat.JSON: "kyphoprep.render.json",
    OutputFormat.HTML: "kyphoprep.render.html",
    OutputFormat.CAREGIVER: "kyphoprep.render.caregiver",
}


def renderer_for(output_format: OutputFormat) -> Renderer:
    """The renderer for *output_format* (its module is imported on first use)."""
    module = importlib.import_module(_MODULES[output_format])
    renderer: Renderer = module.RENDERER
    return renderer
