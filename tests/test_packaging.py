"""The built wheel carries the protocols and works from a normal (non-editable) install."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this checkout with the standard build front end."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("kyphoprep-*.whl")
    return built


def test_wheel_contains_every_checklist(wheel: Path) -> None:
    """Every checklists/*.toml and the format README ship as kyphoprep/checklists/...; so does handout.css."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in [*sorted((ROOT / "checklists").glob("*.toml")), ROOT / "checklists" / "README.md"]:
        assert f"kyphoprep/checklists/{source.name}" in names
    assert "kyphoprep/py.typed" in names
    schemas = {f"kyphoprep/schemas/{n}" for n in ("__init__.py", "plan.schema.json", "meds.schema.json")}
    assert schemas <= names
    assert "kyphoprep/render/handout.css" in names
    assert "kyphoprep/cli/app.py" in names
    assert not any(name.startswith(("tests/", "checklists/")) for name in names)


def test_installed_wheel_makes_a_plan(wheel: Path, tmp_path: Path) -> None:
    """Installed from the wheel (outside the source tree), the tool finds its protocols and catalogue."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    result = subprocess.run(
        [
            str(env_dir / "bin" / "kyphoprep"),
            "plan",
            "2026-12-03 07:30",
            "--tz",
            "America/Chicago",
            "--today",
            "2026-11-21",
            "--procedure",
            "vertebroplasty",
            "--med",
            "Eliquis",
            "--format",
            "text",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "YOUR PLAN TO GET READY FOR VERTEBROPLASTY" in result.stdout
    assert "Last day to take Eliquis (apixaban) — confirm with" in result.stdout
    handout = subprocess.run(
        [
            str(env_dir / "bin" / "kyphoprep"),
            "plan",
            "2026-12-03 07:30",
            "--tz",
            "America/Chicago",
            "--today",
            "2026-11-21",
            "--format",
            "html",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert handout.returncode == 0, handout.stderr
    assert "@page {" in handout.stdout  # handout.css, read from the installed package
