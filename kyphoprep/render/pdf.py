"""The large-print handout as a PDF: the HTML renderer's page, laid out by WeasyPrint.

WeasyPrint is a paged-media engine (HTML and CSS to PDF, page-margin boxes included)
that needs Pango from the operating system, so it is an optional extra
(``pip install 'kyphoprep[pdf]'``) and is imported here only, when a PDF is asked for.

The PDF's metadata comes from the plan, never from the clock: its title is the page's
``<title>``, its author the clinic, its language the plan's, and its creation and
modification dates the plan's "now". With no identifier drawn from the clock either, the
same plan gives the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from types import ModuleType

from kyphoprep.core.models import Plan
from kyphoprep.errors import InternalError, MissingPartError
from kyphoprep.render import PAPERS, OutputFormat, RenderOptions, renderer_for
from kyphoprep.render.common import words_of

INSTALL = "pip install 'kyphoprep[pdf]'"
PANGO_PACKAGES = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
"""The Debian (and Ubuntu) packages WeasyPrint loads Pango from."""


def paper_css(paper: str) -> str:
    """The rule that gives a PDF its paper size (the HTML handout leaves it to the print dialog)."""
    if paper not in PAPERS:
        raise InternalError(f"Unknown paper size {paper!r}. Please report it.")
    return f"@page {{ size: {paper}; }}\n"


@cache
def weasyprint() -> ModuleType:
    """The weasyprint module, imported once; MissingPartError (exit 2) saying how to install it."""
    try:
        import weasyprint as module
    except ImportError:
        raise MissingPartError(
            f"PDF output needs WeasyPrint, which is not installed: {INSTALL} (it also needs Pango from "
            f"the system: on Debian or Ubuntu, {PANGO_PACKAGES})."
        ) from None
    except OSError:
        # WeasyPrint is there, but cffi could not load Pango (or a library Pango needs).
        raise MissingPartError(
            "PDF output needs the Pango library, which WeasyPrint could not load: on Debian or Ubuntu, "
            f"{PANGO_PACKAGES} (and {INSTALL})."
        ) from None
    # WeasyPrint logs what it ignores in the CSS, quoting it; the CSS holds names and phone
    # numbers, and stderr is kept in logs. Nothing of it is for the person running kyphoprep.
    for name in ("weasyprint", "weasyprint.progress"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
    imported: ModuleType = module
    return imported


@dataclass(frozen=True, slots=True)
class PdfInfo:
    """What a PDF says about itself (its title comes from the page's ``<title>``)."""

    author: str | None
    """The clinic, when it was given."""
    moment: datetime
    """Its creation and modification date: the plan's "now", never the clock."""
    language: str
    identifier: bytes

    @classmethod
    def of_plan(cls, plan: Plan) -> PdfInfo:
        return cls(
            author=plan.request.facility,
            moment=plan.request.now,
            language=words_of(plan).language,
            identifier=identifier_for(plan.plan_id),
        )


def pdf_date(moment: datetime) -> str:
    """*moment* as a W3C date in UTC (``2026-11-21T06:00:00Z``), as WeasyPrint takes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identifier_for(plan_id: str) -> bytes:
    """A PDF file identifier: the same for every version of one person's plan (from its plan id)."""
    return hashlib.sha256(f"kyphoprep-pdf:{plan_id}".encode()).hexdigest()[:32].encode()


def html_to_pdf(html: bytes, info: PdfInfo, *, extra_css: str = "", paper: str = "letter") -> bytes:
    """*html* (a page made by kyphoprep, fetching nothing) as PDF bytes on *paper*, with *info*.

    *extra_css* is added after the page's own style, so it wins over it (the day's print file
    puts the procedure time in each page's header with it). It goes into the page itself: a
    stylesheet given to WeasyPrint apart from the page would be a user stylesheet, which the
    page's own rules override.
    """
    module = weasyprint()
    text = html.decode("utf-8")
    at = text.lower().find("</head>")
    if at < 0:
        raise InternalError("The handout has no </head>, so it cannot be made a PDF. Please report it.")
    text = f"{text[:at]}<style>\n{paper_css(paper)}{extra_css}</style>\n{text[at:]}"
    document = module.HTML(string=text).render()
    metadata = document.metadata
    metadata.authors = [info.author] if info.author else []
    metadata.created = metadata.modified = pdf_date(info.moment)
    metadata.lang = info.language
    metadata.generator = "kyphoprep"
    data: bytes = document.write_pdf(pdf_identifier=info.identifier)
    return data


class PdfRenderer:
    """Renders the plan as the large-print handout, in PDF."""

    def render(self, plan: Plan, options: RenderOptions) -> bytes:
        """Return the PDF of the HTML handout."""
        weasyprint()  # before the HTML is made: a missing WeasyPrint is said first
        html = renderer_for(OutputFormat.HTML).render(plan, options)
        return html_to_pdf(html, PdfInfo.of_plan(plan), paper=options.paper)


RENDERER = PdfRenderer()
