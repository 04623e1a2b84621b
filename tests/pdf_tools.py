"""Print an HTML handout to PDF with headless Chromium, and read the PDF's pages back with pypdf.

Chromium is the browser nurses print from (Chrome, Edge), so its PDF is what
a printed handout looks like. Without Chromium or pypdf the tests that need
them are skipped on a developer's machine, but fail under CI (``CI=true``),
which installs both.

Typical use in a test::

    require_print_tools()
    pdf = print_to_pdf(html_bytes, "letter", tmp_path)
    pages = page_texts(pdf)
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from tests.missing_tools import skip_or_fail

PRINT_TIMEOUT_S = 60.0
PAPERS = {"letter": (612, 792), "A4": (595, 842)}
"""The paper sizes the tests print on, with their size in PDF points (width, height)."""


def chromium_path() -> str | None:
    """The Chromium (or Chrome) executable, if one is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def require_print_tools() -> str:
    """The Chromium path; skip the test without Chromium or pypdf, except under CI, where it fails."""
    missing = []
    chromium = chromium_path()
    if chromium is None:
        missing.append("Chromium (apt-get install chromium)")
    if importlib.util.find_spec("pypdf") is None:
        missing.append("pypdf (pip install pypdf)")
    if missing:
        reason = "printing to PDF needs " + " and ".join(missing)
        skip_or_fail(reason)
    assert chromium is not None
    return chromium


def with_paper(html: bytes, paper: str) -> bytes:
    """*html* with ``@page { size: PAPER }`` put first in its style, as a print dialog would choose."""
    marker = b"<style>\n"
    assert html.count(marker) == 1, "the handout has one <style> element"
    return html.replace(marker, marker + f"@page {{ size: {paper}; }}\n".encode())


def print_to_pdf(html: bytes, paper: str, workdir: Path) -> Path:
    """Print *html* on *paper* ("letter" or "A4") with headless Chromium; return the PDF's path."""
    chromium = require_print_tools()
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / f"handout-{paper}.html"
    source.write_bytes(with_paper(html, paper))
    pdf = workdir / f"handout-{paper}.pdf"
    with tempfile.TemporaryDirectory(prefix="kp-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}",
            source.resolve().as_uri(),
        ]
        result = subprocess.run(
            command,
            check=False,
            capture_output=True,
            text=True,
            timeout=PRINT_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 0, f"Chromium failed ({result.returncode}):\n{result.stderr[-2000:]}"
    assert pdf.exists(), f"Chromium wrote no PDF:\n{result.stderr[-2000:]}"
    assert pdf.stat().st_size > 0, "Chromium wrote an empty PDF"
    return pdf


def page_sizes(pdf: Path) -> list[tuple[int, int]]:
    """Each page's size in PDF points, rounded."""
    from pypdf import PdfReader

    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(pdf).pages]


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, made comparable: ligatures undone (NFKC) and all whitespace removed.

    Removing whitespace makes a phrase match wherever the browser wrapped it,
    even after a hyphen; compare with ``squeeze`` applied to the expected text.
    """
    from pypdf import PdfReader

    return [squeeze(page.extract_text()) for page in PdfReader(pdf).pages]


def squeeze(text: str) -> str:
    """*text* in NFKC with every whitespace character removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def require_weasyprint() -> None:
    """Skip a test without WeasyPrint (or the Pango it loads), except under CI, where it fails."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        reason = f"PDF output needs WeasyPrint and Pango (pip install 'kyphoprep[pdf]'): {exc}"
        skip_or_fail(reason)


def pdf_metadata(pdf: Path | bytes) -> dict[str, str]:
    """The PDF's document information, and its catalogue's /Lang as "/Lang"."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    info = {key: str(value) for key, value in (reader.metadata or {}).items()}
    root = reader.trailer["/Root"].get_object()
    assert isinstance(root, dict)
    lang = root.get("/Lang")
    if lang is not None:
        info["/Lang"] = str(lang)
    return info


def unembedded_fonts(pdf: Path) -> list[str]:
    """The fonts the PDF uses without embedding them (an empty list when every font is embedded)."""
    from pypdf import PdfReader

    missing = []
    for page in PdfReader(pdf).pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font["/BaseFont"]))
    return missing


def raw_page_texts(pdf: Path) -> list[str]:
    """Each page's text as pypdf extracts it (lines kept)."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(pdf).pages]


PAGE_MARGINS_PT = (0.4 * 72, 0.55 * 72)
"""The handout's top and bottom page margins (``@page { margin: 0.4in 0.4in 0.55in }`` in
handout.css): text above or below them is the page header or footer, not the body."""


@dataclass(frozen=True)
class PrintedLine:
    """One line of body text on a printed page, with its vertical place in PDF points from the top."""

    text: str
    """The line's words, squeezed (see :func:`squeeze`)."""
    top: float
    bottom: float


def body_lines(pdf: Path) -> tuple[float, list[list[PrintedLine]]]:
    """The page height and each page's body lines from top to bottom, read by poppler's
    ``pdftotext -bbox-layout`` (a line's words with their boxes). The margin boxes are left out."""
    if shutil.which("pdftotext") is None:
        skip_or_fail("poppler's pdftotext is not installed (Debian: poppler-utils)")
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        timeout=PRINT_TIMEOUT_S,
    ).stdout
    # The XHTML has a DOCTYPE and a namespace; strip both so ElementTree reads plain tags.
    markup = re.sub(rb"<!DOCTYPE[^>]*>", b"", out).replace(b' xmlns="http://www.w3.org/1999/xhtml"', b"")
    root = ElementTree.fromstring(markup)
    top_margin, bottom_margin = PAGE_MARGINS_PT
    pages: list[list[PrintedLine]] = []
    height = 0.0
    for page in root.iter("page"):
        height = float(page.attrib["height"])
        lines = []
        for line in page.iter("line"):
            top, bottom = float(line.attrib["yMin"]), float(line.attrib["yMax"])
            if bottom <= top_margin + 1 or top >= height - bottom_margin - 1:
                continue
            text = squeeze("".join(word.text or "" for word in line.iter("word")))
            lines.append(PrintedLine(text, top, bottom))
        pages.append(sorted(lines, key=lambda line: line.top))
    return height, pages
