"""Shared fixtures: a deterministic CLI runner, golden files, Hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

GOLDEN = Path(__file__).parent / "golden"

# "ci" is fixed and derandomized so CI is repeatable; "long" explores more on demand:
#   HYPOTHESIS_PROFILE=long pytest tests/test_properties.py
settings.register_profile(
    "ci", max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --update-golden: rewrite golden files from the current output instead of comparing."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output",
    )


@pytest.fixture(autouse=True)
def no_user_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test sees an empty settings folder, never the clinic.toml of whoever runs the suite.

    kyphoprep reads ``$XDG_CONFIG_HOME/kyphoprep/clinic.toml`` when no --config is given
    (``~/.config`` without the variable); so does every process a test starts, which inherits this.
    """
    folder = tmp_path_factory.mktemp("xdg-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner with a fixed width, no colour and no SOURCE_DATE_EPOCH leaking in."""
    return CliRunner(
        env={
            "COLUMNS": "88",
            "TERM": "dumb",
            "NO_COLOR": "1",
            "SOURCE_DATE_EPOCH": None,
            "KYPHOPREP_DEBUG": None,
            "KYPHOPREP_CONFIG": None,
            "TZ": "America/Chicago",
        }
    )


class Golden:
    """Compare bytes with a golden file, or rewrite it under --update-golden."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, name: str, actual: bytes) -> None:
        path = GOLDEN / name
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual)
            return
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
        expected = path.read_bytes()
        if actual != expected:
            # Show text diffs readably; pytest prints the first differing line.
            assert actual.decode("utf-8").splitlines() == expected.decode("utf-8").splitlines()
            assert actual == expected, f"{name}: same lines but different line endings"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """The golden-file checker."""
    return Golden(bool(request.config.getoption("--update-golden")))
