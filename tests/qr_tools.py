"""Read the QR codes back from a printed handout: ``pdftoppm`` rasterises, zbar's ``zbarimg`` decodes.

Both are Debian packages (poppler-utils, zbar-tools) that ``.ci/run`` installs.
Without them the tests that need them are skipped on a developer's machine,
but fail under CI (``CI=true``).

Typical use in a test::

    require_qr_tools()
    pdf = print_to_pdf(html_bytes, "letter", tmp_path)   # tests/pdf_tools.py
    payloads = decode_qr_codes_from_pdf(pdf.read_bytes())

What zbar gives back, and so what these functions promise:

* The payload as UTF-8 text (``zbarimg --raw``: no conversion of its
  output). zbar takes the charset from the code's ECI header; without one
  it guesses, and takes UTF-8 "Última" for Shift JIS ("ﾃ嗟tima"). So make
  codes with ``segno.make_qr(text, encoding="utf-8", eci=True)``.
* QR codes only: zbar reads no Micro QR, which ``segno.make`` picks for a
  short text; ``segno.make_qr`` never does.
* Pages in order; within a page, in the order zbar found them, which is
  not always the reading order. Match codes by their UID, and use
  :func:`decode_qr_codes_by_page` for what is on which page.
* ``zbarimg --raw`` ends each payload with a line feed and nothing else,
  so payloads are told apart by that bare line feed: a payload must end
  its lines with CRLF, as iCalendar text does. The count is checked against
  zbar's own, so a payload with a bare line feed fails loudly, never
  silently splits in two.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.missing_tools import skip_or_fail

DPI = 200
"""Resolution of the page images: a QR module of 0.5 mm is 4 pixels, which zbar reads reliably."""
TIMEOUT_S = 60.0

_SCANNED = re.compile(rb"scanned (\d+) barcode symbols? from (\d+) images?")


def require_qr_tools() -> None:
    """Skip the test without pdftoppm or zbarimg, except under CI, where it fails."""
    missing = [
        f"{tool} (apt-get install {package})"
        for tool, package in (("pdftoppm", "poppler-utils"), ("zbarimg", "zbar-tools"))
        if shutil.which(tool) is None
    ]
    if missing:
        reason = "reading QR codes needs " + " and ".join(missing)
        skip_or_fail(reason)


def decode_qr_codes_from_pdf(pdf: bytes, dpi: int = DPI) -> list[str]:
    """Every QR code's payload in *pdf*, page by page (see the module's notes on order)."""
    return [payload for page in decode_qr_codes_by_page(pdf, dpi) for payload in page]


def decode_qr_codes_by_page(pdf: bytes, dpi: int = DPI) -> list[list[str]]:
    """The payloads of the QR codes on each page of *pdf*, one list per page (empty for a page without)."""
    require_qr_tools()
    with tempfile.TemporaryDirectory(prefix="kp-qr-") as work:
        source = Path(work) / "in.pdf"
        source.write_bytes(pdf)
        _run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(Path(work) / "page")])
        # pdftoppm pads the page number to the width of the page count: page-1.png or page-01.png.
        images = sorted(Path(work).glob("page-*.png"), key=lambda path: int(path.stem.rsplit("-", 1)[1]))
        assert images, "pdftoppm made no page image"
        return [_decode_image(image) for image in images]


def decode_qr_codes_from_png(png: bytes) -> list[str]:
    """Every QR code's payload in the PNG image *png*, in the order zbar found them."""
    require_qr_tools()
    with tempfile.TemporaryDirectory(prefix="kp-qr-") as work:
        image = Path(work) / "in.png"
        image.write_bytes(png)
        return _decode_image(image)


def _decode_image(image: Path) -> list[str]:
    """The payloads zbar finds in one image file."""
    # Not -q: zbar's summary line on stderr gives the count the payloads are checked against.
    result = _run(["zbarimg", "--raw", "--nodbus", "-Sdisable", "-Sqrcode.enable", str(image)], codes=(0, 4))
    if result.returncode == 4:  # zbarimg: the image was read and held no code
        return []
    found = _SCANNED.search(result.stderr)
    assert found, f"zbarimg printed no summary:\n{result.stderr.decode(errors='replace')[-2000:]}"
    count = int(found.group(1))
    data = result.stdout
    assert data.endswith(b"\n"), "zbarimg ends each payload with a line feed"
    payloads = re.split(rb"(?<!\r)\n", data[:-1])
    assert len(payloads) == count, (
        f"zbar read {count} codes but the output splits into {len(payloads)}: "
        "a payload has a line feed without a carriage return before it"
    )
    return [payload.decode("utf-8") for payload in payloads]


def _run(command: list[str], codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(
        command, check=False, capture_output=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL
    )
    assert result.returncode in codes, (
        f"{command[0]} failed ({result.returncode}):\n{result.stderr.decode(errors='replace')[-2000:]}"
    )
    return result
