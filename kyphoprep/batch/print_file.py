"""The day's print file (``batch --print-file day.pdf`` or ``day.html``): every handout in one file.

Every patient's handout, in appointment order (procedure start, then row), each starting on a
new page, with the patient's name and procedure time in every page header; rows that failed
are listed on a cover page by row, id and a reason that names no medicine, date or dose.

Memory stays bounded for any roster: each batch worker writes its patient's *piece* to a
temporary folder as the row is planned, and the pieces are joined at the end one at a time.

* For a PDF, a piece is that patient's handout as a PDF (laid out by WeasyPrint, in the
  workers, so in parallel), with the header added; the pieces are joined with pypdf, so every
  patient's pages keep their own page numbers ("2 / 4").
* For HTML, a piece is the handout's body and its ``@page`` rules renamed to a page of that
  patient's own (CSS named pages: ``@page kp-row-7``), so the clinic, phone and name in the
  page-margin boxes of one patient can never appear on another's pages. The rest of the
  stylesheet is the same for every plan and is written once.

Nothing here reads a patient's data to decide anything; the handout itself is the HTML
renderer's, unchanged.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from kyphoprep.core.models import Plan
from kyphoprep.errors import InputError, InternalError, OutputError
from kyphoprep.io.safe_write import check_name, check_target, shown, write_output_with
from kyphoprep.io.text_rules import printable
from kyphoprep.render import OutputFormat, format_for_file
from kyphoprep.render.common import words_of

PRINT_FORMATS = (OutputFormat.PDF, OutputFormat.HTML)
"""The formats a print file can be, picked by its name's ending."""

HEADER_CSS = (
    "font-family: {fonts}; font-size: 14pt; font-weight: bold; color: #000; "
    "vertical-align: bottom; padding-bottom: 6pt; white-space: nowrap;"
)


# --- one patient's piece (in a batch worker) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrintJob:
    """Where the workers put their pieces, and which kind of print file they are for."""

    kind: OutputFormat
    folder: str
    paper: str = "letter"
    """A PDF print file's paper (see ``render.PAPERS``)."""


@dataclass(frozen=True, slots=True)
class Printed:
    """A planned row's place in the print file (small: it crosses from a worker process)."""

    start: str
    """The procedure's start in UTC, ISO 8601: the print file's order."""
    row: int
    label: str
    """The header of this patient's pages, the PDF's bookmark to them."""


@dataclass(frozen=True, slots=True)
class Unprinted:
    """A failed row, as the cover page lists it."""

    row: int
    patient_id: str
    reason: str


def print_format(name: str) -> OutputFormat:
    """The kind of print file *name* asks for (``.pdf`` or ``.html``); InputError for any other ending."""
    chosen = format_for_file(name)
    if chosen not in PRINT_FORMATS:
        raise InputError(
            f"--print-file '{shown(name)}': the name must end in .pdf or .html, which say what to write "
            "(such as --print-file day.pdf)."
        )
    return chosen


def header_text(plan: Plan, patient_id: str) -> str:
    """What every page of this patient's handout says at its top: who, and when the procedure is."""
    words = words_of(plan)
    who = plan.request.patient or patient_id
    return f"{who} · {words.moment(plan.request.procedure_start)}"


def _header_rule(page: str, text: str) -> str:
    """The page header of one patient's handout in the print file: who and when, left; the page, right.

    A PDF piece is a document of its own, so its pages count "2 / 4"; in an HTML print file the
    pages are the whole file's, so they count alone.
    """
    from kyphoprep.render.html import FONTS, css_string

    selector = f"@page {page}" if page else "@page"
    count = 'counter(page) " / " counter(pages)' if not page else "counter(page)"
    style = HEADER_CSS.format(fonts=FONTS)
    return (
        f"{selector} {{\n  @top-left {{ content: {css_string(text)}; {style} }}\n"
        f"  @top-right {{ content: {count}; {style} font-weight: normal; }}\n}}\n"
    )


def piece_path(job: PrintJob, row: int) -> Path:
    return Path(job.folder) / f"row-{row}{'.pdf' if job.kind is OutputFormat.PDF else '.json'}"


def write_piece(job: PrintJob, plan: Plan, patient_id: str, row: int, handout: bytes) -> Printed:
    """Write this patient's piece of the print file (*handout* is the HTML renderer's page)."""
    header = header_text(plan, patient_id)
    path = piece_path(job, row)
    if job.kind is OutputFormat.PDF:
        from kyphoprep.render.pdf import PdfInfo, html_to_pdf

        pdf = html_to_pdf(handout, PdfInfo.of_plan(plan), extra_css=_header_rule("", header), paper=job.paper)
        path.write_bytes(pdf)
    else:
        path.write_text(json.dumps(html_piece(handout, row, header, words_of(plan).language)), "utf-8")
    return Printed(plan.request.procedure_start.astimezone(UTC).isoformat(), row, header)


# --- CSS and HTML taken apart ---------------------------------------------------------------

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)


def _blocks(css: str) -> Iterator[tuple[str, str]]:
    """The top-level parts of *css*, in order, as (prelude, whole text): a rule or at-rule each.

    Strings and comments are skipped over, so a brace inside ``content: "{"`` ends nothing.
    """
    depth, start, at, length = 0, 0, 0, len(css)
    prelude_end = -1
    while at < length:
        char = css[at]
        if char in "\"'":
            at += 1
            while at < length and css[at] != char:
                at += 2 if css[at] == "\\" else 1
        elif css.startswith("/*", at):
            end = css.find("*/", at + 2)
            at = length if end < 0 else end + 1
        elif char == "{":
            if depth == 0:
                prelude_end = at
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                yield css[start:prelude_end].strip(), css[start : at + 1]
                start = at + 1
        elif char == ";" and depth == 0:  # @import, @charset: a statement with no block
            yield css[start:at].strip(), css[start : at + 1]
            start = at + 1
        at += 1
    if css[start:].strip():
        yield css[start:].strip(), css[start:]


def split_page_rules(css: str) -> tuple[list[tuple[str, str]], str]:
    """*css* as its ``@page`` rules (selector, whole rule) and everything else."""
    pages: list[tuple[str, str]] = []
    rest: list[str] = []
    for prelude, text in _blocks(css):
        if prelude.lower().startswith("@page") and (len(prelude) == 5 or not prelude[5].isalnum()):
            pages.append((prelude[5:].strip(), text))
        else:
            rest.append(text)
    return pages, "".join(rest).strip() + "\n"


def renamed_page_rule(selector: str, rule: str, page: str) -> str:
    """An ``@page`` rule of one patient's handout made to apply to that patient's pages only."""
    body = rule[rule.index("{") :]
    if selector and not selector.startswith(":"):
        return f"@page {selector} {body}"  # a page the handout named itself: left as it is
    return f"@page {page}{selector} {body}"


def html_piece(handout: bytes, row: int, header: str, language: str) -> dict[str, str]:
    """One patient's handout, for an HTML print file: the stylesheet but its pages, its pages, its body."""
    page = f"kp-row-{row}"
    text = handout.decode("utf-8")
    body = _BODY.search(text)
    if body is None:
        raise InternalError("The handout has no <body>, so it cannot go in a print file. Please report it.")
    css = "\n".join(match.group(1) for match in _STYLE.finditer(text))
    pages, rest = split_page_rules(css)
    page_css = "".join(renamed_page_rule(selector, rule, page) + "\n" for selector, rule in pages)
    page_css += _header_rule(page, header)
    page_css += f".{page} {{ page: {page}; }}\n"
    section = (
        f'<section class="kp-patient {page}" lang="{html.escape(language)}">\n'
        f"{body.group(1).strip()}\n</section>\n"
    )
    return {"rest": rest, "pages": page_css, "body": section}


# --- the whole file (in the main process) ---------------------------------------------------


def check_print_target(name: str, *, force: bool, out_dir: str) -> OutputFormat:
    """The print file's kind, once its name is sure to be writable; checked before any row is planned.

    Its folder may be *out_dir* before that is made: then only the name is checked here, and the
    command checks again once the folder is there.
    """
    kind = print_format(name)
    folder = Path(name).parent
    if folder.exists() or folder.is_symlink() or folder.absolute() != Path(out_dir).absolute():
        check_target(name, force=force)
    else:
        check_name(name)
    return kind


def make_folder() -> str:
    """A private temporary folder for the pieces (removed by ``remove_folder``)."""
    return tempfile.mkdtemp(prefix="kyphoprep-print-")


def remove_folder(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def reason_shown(column: str | None, reason: str, *, output: bool, columns: tuple[str, ...] = ()) -> str:
    """What the cover page says of a failed row: nothing medical, so a cell's value never.

    An id problem and a file that could not be written are said in full (they are about ids and
    file names); a cell is named by its column only (several cells, by their columns); anything
    else, generically.
    """
    if len(columns) > 1:
        named = [f"'{c}'" for c in columns]
        return f"the {', '.join(named[:-1])} and {named[-1]} cells cannot be used"
    if column == "patient_id" or (column is None and output):
        return reason
    if column is not None:
        return f"the '{column}' cell cannot be used"
    return "the plan could not be made"


COVER_CSS = """@page kp-cover { margin: 0.75in; }
.kp-cover { page: kp-cover; font-family: $fonts; font-size: 14pt; line-height: 1.3; color: #000; }
.kp-cover h1 { font-size: 24pt; margin: 0 0 12pt; }
.kp-cover h2 { font-size: 18pt; margin: 18pt 0 8pt; }
.kp-cover table { border-collapse: collapse; width: 100%; }
.kp-cover th, .kp-cover td {
  border: 1pt solid #000; padding: 4pt 6pt; text-align: left; vertical-align: top;
}
.kp-patient { break-before: page; }
"""


def cover_html(failed: list[Unprinted], printed: int) -> str:
    """The cover page's section: how many handouts follow, and the rows that failed."""
    rows = "".join(
        f"<tr><td>{item.row}</td><td>{html.escape(printable(item.patient_id))}</td>"
        f"<td>{html.escape(printable(item.reason))}</td></tr>\n"
        for item in failed
    )
    count = f"{len(failed)} row{'s' if len(failed) != 1 else ''}"
    handouts = f"{printed} handout{'s' if printed != 1 else ''}"
    return (
        '<section class="kp-cover" lang="en">\n'
        f"<h1>{handouts} follow; {count} could not be planned</h1>\n"
        "<p>These rows of the roster have no handout in this file. The batch's messages say "
        "why in full; correct the rows and run the batch again for them.</p>\n"
        f"<h2>Rows not planned ({len(failed)})</h2>\n"
        '<table>\n<thead><tr><th scope="col">Row</th><th scope="col">Patient id</th>'
        '<th scope="col">Reason</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody>\n</table>\n</section>\n"
    )


def _cover_css() -> str:
    from kyphoprep.render.html import FONTS

    return COVER_CSS.replace("$fonts", FONTS)


def title(handouts: int) -> str:
    """The print file's title (its PDF title too)."""
    return f"The day's handouts: {handouts} patient{'s' if handouts != 1 else ''}"


def ordered(printed: Iterable[Printed]) -> list[Printed]:
    """Appointment order: the procedure's start (UTC), then the roster's row."""
    return sorted(printed, key=lambda p: (p.start, p.row))


@dataclass(frozen=True, slots=True)
class PrintSummary:
    language: str
    author: str | None
    moment: datetime
    """The batch's "now": the print file's creation date."""


def write_print_file(
    target: str,
    *,
    force: bool,
    job: PrintJob,
    printed: list[Printed],
    failed: list[Unprinted],
    about: PrintSummary,
) -> None:
    """Join the pieces in *job*'s folder into *target*, atomically (never over a file without *force*)."""
    order = ordered(printed)
    failed = sorted(failed, key=lambda f: f.row)
    try:
        if job.kind is OutputFormat.PDF:
            write_output_with(lambda out: _join_pdf(out, job, order, failed, about), target, force=force)
        else:
            write_output_with(lambda out: _join_html(out, job, order, failed, about), target, force=force)
    except OSError as exc:  # a piece that cannot be read
        raise OutputError(f"Cannot write the print file '{shown(target)}': {exc.strerror or exc}.") from None


def _join_html(
    out: IO[bytes], job: PrintJob, order: list[Printed], failed: list[Unprinted], about: PrintSummary
) -> None:
    def piece(item: Printed) -> dict[str, str]:
        data: dict[str, str] = json.loads(piece_path(job, item.row).read_text("utf-8"))
        return data

    rest = piece(order[0])["rest"] if order else ""
    out.write(
        (
            f'<!DOCTYPE html>\n<html lang="{html.escape(about.language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title(len(order))}</title>\n<style>\n{rest}{_cover_css()}"
        ).encode()
    )
    for item in order:
        data = piece(item)
        if data["rest"] != rest:
            # Never expected: the stylesheet outside @page is the same for every plan. If a plan's
            # own data moved there, one patient's CSS would style another's pages.
            raise InternalError(
                "The handouts' stylesheets differ outside their pages, so they cannot share one file. "
                "Please report it."
            )
        out.write(data["pages"].encode())
    out.write(b"</style>\n</head>\n<body>\n")
    if failed:
        out.write(cover_html(failed, len(order)).encode())
    for item in order:
        out.write(piece(item)["body"].encode())
    out.write(b"</body>\n</html>\n")


def _join_pdf(
    out: IO[bytes], job: PrintJob, order: list[Printed], failed: list[Unprinted], about: PrintSummary
) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    from kyphoprep.render.pdf import PdfInfo, html_to_pdf, identifier_for, pdf_date

    writer: Any = PdfWriter()
    info = PdfInfo(
        author=about.author, moment=about.moment, language=about.language, identifier=identifier_for("day")
    )
    if failed or not order:
        cover = (
            f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Cover</title>\n'
            f"<style>\n{_cover_css()}</style>\n</head>\n<body>\n"
            f"{cover_html(failed, len(order))}</body>\n</html>\n"
        )
        writer.append(io.BytesIO(html_to_pdf(cover.encode(), info, paper=job.paper)), import_outline=False)
    for item in order:
        at = len(writer.pages)
        writer.append(str(piece_path(job, item.row)), import_outline=False)
        writer.add_outline_item(title=item.label, page_number=at)
    date = "D:" + pdf_date(about.moment).replace("-", "").replace(":", "").replace("T", "")
    metadata = {
        "/Title": title(len(order)),
        "/Creator": "kyphoprep",
        "/Producer": "kyphoprep",
        "/CreationDate": date,
        "/ModDate": date,
    }
    if about.author:
        metadata["/Author"] = about.author
    writer.add_metadata(metadata)
    writer._root_object[NameObject("/Lang")] = TextStringObject(about.language)
    writer.write(out)
