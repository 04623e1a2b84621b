"""Run axe-core on an HTML page in headless Chromium: the accessibility harness.

``tests/a11y/axe_run.mjs`` (Node.js) drives the system Chromium with
playwright-core (no browser of its own is downloaded) and runs axe-core in the
page; both npm packages are pinned in ``tests/a11y/package-lock.json`` and
installed by ``bash tests/a11y/setup.sh``. The page is loaded from a local
file, offline; any request it makes is aborted and reported, since the
handout is self-contained.

Without Chromium, Node.js or the npm packages the tests that need them are
skipped on a developer's machine, but fail under CI (``CI=true``).

Typical use in a test::

    violations = axe_violations(html_text)
    assert violations == [], describe(violations)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.missing_tools import skip_or_fail
from tests.pdf_tools import chromium_path

A11Y_DIR = Path(__file__).resolve().parent / "a11y"
RUNNER = A11Y_DIR / "axe_run.mjs"
SETUP = A11Y_DIR / "setup.sh"
NEEDED = [
    A11Y_DIR / "node_modules" / "axe-core" / "axe.min.js",
    A11Y_DIR / "node_modules" / "playwright-core",
]

WCAG_22_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
"""The axe tags of WCAG 2.2 level AA: every A and AA success criterion of 2.0, 2.1 and 2.2."""
MEDIA = ("screen", "print")
"""The handout is read on a screen and on paper: the print stylesheet is checked too."""
TIMEOUT_S = 120.0


@dataclass(frozen=True)
class AxeResult:
    """What axe found on one page in one media type."""

    name: str
    media: str
    violations: list[dict[str, Any]]
    """axe's violations, as axe gives them (``id``, ``impact``, ``help``, ``helpUrl``, ``nodes``, ...)."""
    incomplete: list[dict[str, Any]]
    """What axe could not decide, for a person to look at (``id``, ``impact``, ``help``, ``targets``,
    ``reasons``)."""
    passes: list[str]
    """The ids of the rules that found something to check and passed."""
    requests: list[str]
    """Every URL the page asked for beyond its own file (each was aborted)."""


def require_axe() -> tuple[str, str]:
    """The paths of Chromium and node; skip the test without them or the npm packages, except under CI."""
    missing = []
    chromium = chromium_path()
    node = shutil.which("node")
    if chromium is None:
        missing.append("Chromium (apt-get install chromium)")
    if node is None:
        missing.append("Node.js (apt-get install nodejs npm)")
    if not all(path.exists() for path in NEEDED):
        missing.append(f"axe-core and playwright-core (bash {SETUP.relative_to(A11Y_DIR.parent.parent)})")
    if missing:
        reason = "the accessibility check needs " + " and ".join(missing)
        skip_or_fail(reason)
    assert chromium is not None
    assert node is not None
    return chromium, node


def axe_results(
    pages: Mapping[str, str], media: Sequence[str] = MEDIA, tags: Sequence[str] = WCAG_22_AA
) -> list[AxeResult]:
    """axe's findings on each page of *pages* (name -> HTML text) in each of *media*, in one browser run."""
    chromium, node = require_axe()
    with tempfile.TemporaryDirectory(prefix="kp-axe-") as work:
        files = {}
        for number, (name, html) in enumerate(pages.items()):
            files[name] = Path(work) / f"page-{number}.html"
            files[name].write_text(html, encoding="utf-8")
        command = [node, str(RUNNER), "--chromium", chromium, "--tags", ",".join(tags)]
        command += ["--media", ",".join(media), *map(str, files.values())]
        result = subprocess.run(
            command,
            check=False,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S + 30.0 * len(pages) * len(media),
            stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 0, f"axe_run.mjs failed ({result.returncode}):\n{result.stderr[-3000:]}"
    report = json.loads(result.stdout)
    names = {str(path): name for name, path in files.items()}
    return [
        AxeResult(
            name=names[found["file"]],
            media=found["media"],
            violations=found["violations"],
            incomplete=found["incomplete"],
            passes=found["passes"],
            requests=found["requests"],
        )
        for found in report["results"]
    ]


def axe_violations(
    html: str, *, media: str = "screen", tags: Sequence[str] = WCAG_22_AA
) -> list[dict[str, Any]]:
    """axe's violations of WCAG 2.2 AA (or of *tags*) on the page *html*, shown as *media*."""
    (result,) = axe_results({"page": html}, media=[media], tags=tags)
    return result.violations


def violation_lines(violations: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per element at fault: ``rule-id (impact) target: what to fix``."""
    return [
        f"{violation['id']} ({violation['impact']}) {' '.join(map(str, node['target']))}: {violation['help']}"
        for violation in violations
        for node in violation["nodes"]
    ]


def describe(violations: Sequence[Mapping[str, Any]]) -> str:
    """The violations as an assertion message a person can act on."""
    return "\n".join([f"{len(violations)} axe rule(s) violated:", *violation_lines(violations)])
