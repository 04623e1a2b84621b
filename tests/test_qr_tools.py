"""The QR harness itself (tests/qr_tools.py), on codes made here with segno, before the handout has any.

The codes are made the way the handout is to make them (``segno.make_qr`` with
UTF-8 and an ECI header, inlined SVG) and printed to PDF by headless Chromium
as tests/pdf_tools.py prints the handout, so the harness is known to read what
a printed page carries.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import segno
from icalendar import Calendar

from tests.pdf_tools import print_to_pdf
from tests.qr_tools import decode_qr_codes_by_page, decode_qr_codes_from_pdf, decode_qr_codes_from_png


def reminder(uid: str, start: str, summary: str) -> str:
    """A one-event calendar as a QR code is to carry it: UTC times, CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//kyphoprep//QR harness test//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261121T000000Z",
        f"DTSTART:{start}",
        f"SUMMARY:{summary}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


PAGE_1 = [
    reminder("last-dose-warfarin@kyphoprep.test", "20261128T030000Z", "Última dosis de warfarina"),
    reminder("stop-food@kyphoprep.test", "20261203T053000Z", "Stop eating — nothing after midnight"),
    reminder("arrive@kyphoprep.test", "20261203T123000Z", "Arrive at Lakeside Spine Center"),
]
PAGE_2 = [reminder("check-up@kyphoprep.test", "20261210T150000Z", "Check-up visit")]


def qr(payload: str) -> segno.QRCode:
    """A QR code (never Micro QR) of *payload* in UTF-8, saying so in its ECI header."""
    return segno.make_qr(payload, encoding="utf-8", eci=True, error="m")


def png_of(code: segno.QRCode, scale: int = 4) -> bytes:
    """*code* as a PNG image, *scale* pixels a module."""
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale)
    return out.getvalue()


def page_with_codes(pages: list[list[str]], module_mm: float = 0.5) -> bytes:
    """An HTML page with each payload's code as inlined SVG, a page break between the *pages*."""
    sections = []
    for number, payloads in enumerate(pages):
        figures = "".join(
            f'<div class="reminder"><p>Reminder {number}.{at}</p>'
            f"{qr(payload).svg_inline(scale=module_mm, unit='mm', title=f'Reminder {number}.{at}')}</div>"
            for at, payload in enumerate(payloads)
        )
        sections.append(f'<section class="page"><h1>Page {number + 1}</h1>{figures}</section>')
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>QR codes</title>\n'
        "<style>\n.page + .page { break-before: page; }\n"
        ".reminder { display: flex; gap: 1em; align-items: center; }\n</style>\n</head>\n"
        f"<body>{''.join(sections)}</body>\n</html>\n"
    ).encode()


@pytest.fixture(scope="module")
def printed_codes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The two-page PDF of PAGE_1's and PAGE_2's codes, printed once for the module."""
    pdf = print_to_pdf(page_with_codes([PAGE_1, PAGE_2]), "letter", tmp_path_factory.mktemp("qr"))
    return pdf.read_bytes()


def test_png_payload_comes_back_exactly() -> None:
    """A code's payload comes back byte for byte: CRLF line ends, accents and dashes included."""
    for payload in [*PAGE_1, *PAGE_2]:
        assert decode_qr_codes_from_png(png_of(qr(payload))) == [payload]


def test_png_without_a_code() -> None:
    """An image without a code gives an empty list, not an error."""
    out = io.BytesIO()
    segno.make_qr("x").save(out, kind="png", dark="white", light="white", scale=4)
    assert decode_qr_codes_from_png(out.getvalue()) == []


def test_pdf_codes_in_page_order(printed_codes: bytes) -> None:
    """Every code printed by Chromium is read back, each page's codes with that page."""
    pages = decode_qr_codes_by_page(printed_codes)
    assert len(pages) == 2
    assert sorted(pages[0]) == sorted(PAGE_1)
    assert pages[1] == PAGE_2
    assert decode_qr_codes_from_pdf(printed_codes) == [*pages[0], *pages[1]]


def test_pdf_payloads_parse_as_calendars(printed_codes: bytes) -> None:
    """Each decoded payload is a calendar with one event whose UTC start is the one encoded."""
    starts = {}
    for payload in decode_qr_codes_from_pdf(printed_codes):
        events = Calendar.from_ical(payload).walk("VEVENT")
        assert len(events) == 1
        starts[str(events[0]["UID"])] = events[0].decoded("DTSTART")
    assert starts["last-dose-warfarin@kyphoprep.test"] == datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert len(starts) == len(PAGE_1) + len(PAGE_2)


def test_small_codes_still_read(tmp_path: Path) -> None:
    """Codes with 0.3 mm modules (a 17 mm code for such a payload) still read at the harness's 200 dpi."""
    pdf = print_to_pdf(page_with_codes([PAGE_1], module_mm=0.3), "A4", tmp_path).read_bytes()
    assert sorted(decode_qr_codes_from_pdf(pdf)) == sorted(PAGE_1)


def test_bare_line_feed_is_refused() -> None:
    """A payload with a bare line feed cannot be told from two; the harness says so instead of guessing."""
    with pytest.raises(AssertionError, match="line feed without a carriage return"):
        decode_qr_codes_from_png(png_of(qr("BEGIN:VCALENDAR\nEND:VCALENDAR\r\n")))


def test_micro_qr_is_not_read() -> None:
    """zbar reads no Micro QR, which segno.make picks for short texts: the handout must use make_qr."""
    micro = segno.make("Call 555-0100")
    assert micro.is_micro
    assert decode_qr_codes_from_png(png_of(micro)) == []
    assert decode_qr_codes_from_png(png_of(qr("Call 555-0100"))) == ["Call 555-0100"]
