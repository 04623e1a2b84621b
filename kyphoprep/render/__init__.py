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
    """The formats ``--format`` accepts (each described once, in ``FORMATS``)."""

    TERMINAL = "terminal"
    TEXT = "text"
    ICS = "ics"
    JSON = "json"
    HTML = "html"
    CAREGIVER = "caregiver"
    CAREGIVER_HTML = "caregiver-html"
    PDF = "pdf"
    FHIR = "fhir"


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """What kyphoprep knows about one output format, in the one place it is said."""

    module: str
    """The module whose ``RENDERER`` writes it (imported on first use)."""
    description: str
    """What it is, for ``--help``."""
    suffixes: tuple[str, ...] = ()
    """File-name endings that pick it for ``-o``; the first is the one ``batch`` names files with.
    None: it is only for the screen."""
    read_as_written: bool = False
    """A person reads it as it is printed, warnings first, so they are not said again on stderr."""
    binary: bool = False
    """Bytes that are not text (a PDF): never written to a terminal."""


FORMATS: dict[OutputFormat, FormatInfo] = {
    OutputFormat.TERMINAL: FormatInfo(
        "kyphoprep.render.terminal", "a view for the screen", read_as_written=True
    ),
    OutputFormat.TEXT: FormatInfo(
        "kyphoprep.render.text", "a printable handout", (".txt",), read_as_written=True
    ),
    OutputFormat.ICS: FormatInfo("kyphoprep.render.ics", "a calendar file", (".ics",)),
    OutputFormat.JSON: FormatInfo("kyphoprep.render.json", "for scripts", (".json",)),
    OutputFormat.HTML: FormatInfo(
        "kyphoprep.render.html", "a large-print handout to print from a web browser", (".html", ".htm")
    ),
    OutputFormat.CAREGIVER: FormatInfo(
        "kyphoprep.render.caregiver",
        "a short summary for the driver",
        (".caregiver.txt",),
        read_as_written=True,
    ),
    OutputFormat.CAREGIVER_HTML: FormatInfo(
        "kyphoprep.render.caregiver_html",
        "the driver's summary in large print, to print from a web browser",
        (".caregiver.html",),
    ),
    OutputFormat.PDF: FormatInfo(
        "kyphoprep.render.pdf",
        "the large-print handout as a PDF (needs pip install 'kyphoprep[pdf]')",
        (".pdf",),
        binary=True,
    ),
    OutputFormat.FHIR: FormatInfo(
        "kyphoprep.render.fhir", "a FHIR R4 CarePlan, for health records (JSON)", (".fhir.json",)
    ),
}
FILE_FORMATS: tuple[OutputFormat, ...] = tuple(f for f, info in FORMATS.items() if info.suffixes)
"""The formats that can be written to a file by name (all but the screen view)."""


def format_for_file(name: str) -> OutputFormat | None:
    """The format a file name's ending picks (``plan.ics``: ICS), or None if no format has it."""
    lowered = name.lower()
    # The longest ending first, so that "x.caregiver.txt" is not read as ".txt" alone.
    endings = sorted(((s, f) for f in FILE_FORMATS for s in FORMATS[f].suffixes), key=lambda e: -len(e[0]))
    return next((f for suffix, f in endings if lowered.endswith(suffix)), None)


def file_name(stem: str, output_format: OutputFormat) -> str:
    """The name ``batch`` gives a file of *output_format*: ``A1.ics``, ``A1.caregiver.txt``."""
    return stem + FORMATS[output_format].suffixes[0]


PAPERS = ("letter", "a4")
"""The paper sizes a PDF can be laid out on (the HTML handout prints on either)."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Settings that only some renderers use."""

    paper: str = "letter"
    """PDF only: one of :data:`PAPERS`."""
    color: bool = False
    """Terminal only: use colour and styles (off for NO_COLOR or a non-terminal)."""
    width: int = 80
    """Terminal only: the screen width in columns."""


class Renderer(Protocol):
    """Turns a plan into the bytes of one output format."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the whole document for *plan*."""
        ...


def renderer_for(output_format: OutputFormat) -> Renderer:
    """The renderer for *output_format* (its module is imported on first use)."""
    module = importlib.import_module(FORMATS[output_format].module)
    renderer: Renderer = module.RENDERER
    return renderer
