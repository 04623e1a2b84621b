"""What a test does when a tool it needs (Chromium, WeasyPrint, zbar, axe-core) is not installed.

On a developer's machine the test is skipped, with what to install; under CI (``CI=true``),
which installs every tool, a missing one is a failure, so a test can never pass by not running.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def skip_or_fail(reason: str) -> NoReturn:
    """Skip with *reason*, or fail with it under CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason + "; CI must install it")
    pytest.skip(reason)
