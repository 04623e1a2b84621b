"""What a test's clean environment for a ``kyphoprep`` child process keeps from the test's own.

Some tests start kyphoprep with a made-up environment (only PATH, HOME, TZ, a locale), so that
nothing of the developer's leaks in. Under ``coverage run`` (see [tool.coverage.run] in
pyproject.toml) that would also drop the variable with which coverage.py measures the child, and
the child's lines would not count. ``coverage_env()`` is that variable, or nothing.
"""

from __future__ import annotations

import os

COVERAGE_VARIABLES = ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")


def coverage_env() -> dict[str, str]:
    """The variables that make coverage.py measure a child process, where it is measuring this one."""
    return {name: os.environ[name] for name in COVERAGE_VARIABLES if name in os.environ}
