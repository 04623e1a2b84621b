"""Page counts of the printed handout: every golden scenario and issue 15's plans, on Letter and A4.

Prints a Markdown table for docs/printing.md. The HTML handout is printed with headless Chromium
(what nurses print from); ``--pdf`` also counts the pages of ``--format pdf`` (WeasyPrint). Each
page's fill is how far down its last line of body text comes (0 to 1), from poppler's
``pdftotext -bbox-layout``. Needs Chromium and poppler-utils, like the print tests.

    .venv/bin/python bench/page_counts.py [--pdf]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kyphoprep.cli.app import app
from tests.pdf_tools import PAGE_MARGINS_PT, body_lines, page_sizes, print_to_pdf
from tests.test_html import PLANS

NAMES = [
    "issue-warfarin",
    "issue-warfarin-late",
    "issue-five",
    *sorted(
        name for name in PLANS if name not in {"hostile", "no-medicines"} and not name.startswith("issue")
    ),
]


def fills(pdf: Path) -> list[float]:
    """How far down each page its body text comes, 0 to 1."""
    height, pages = body_lines(pdf)
    top, bottom = PAGE_MARGINS_PT
    return [round((page[-1].bottom - top) / (height - top - bottom), 2) if page else 0.0 for page in pages]


def main() -> None:
    with_pdf = "--pdf" in sys.argv[1:]
    runner = CliRunner()
    columns = ["plan", "Letter", "A4"] + (["PDF Letter", "PDF A4"] if with_pdf else [])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    with tempfile.TemporaryDirectory() as work:
        for name in NAMES:
            html = runner.invoke(app, [*PLANS[name], "--format", "html"]).stdout_bytes
            cells = [f"`{name}`"]
            for paper in ("letter", "A4"):
                pdf = print_to_pdf(html, paper, Path(work) / f"{name}-{paper}")
                filled = fills(pdf)
                cells.append(f"{len(filled)} (last {filled[-1]:.0%})")
            if with_pdf:
                for paper in ("letter", "a4"):
                    target = Path(work) / f"{name}-{paper}.pdf"
                    runner.invoke(app, [*PLANS[name], "--paper", paper, "-o", str(target), "--force"])
                    cells.append(str(len(page_sizes(target))))
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
