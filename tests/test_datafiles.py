"""The built-in data files (kyphoprep.data.builtin): read only from the package, never from a cache.

Until issue 16 kyphoprep kept a parsed copy of these files in ``~/.cache/kyphoprep`` (or
``$XDG_CACHE_HOME``, ``$KYPHOPREP_CACHE_DIR``). A copy written there by someone else changed
apixaban's hold to 1 day, and a FIFO there hung every plan. These tests plant exactly such files,
named as the old cache named them, and check that nothing outside the package changes a plan and
that making a plan writes nothing to the home folder.
"""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
import tomllib
import zlib
from pathlib import Path
from typing import Any

import pytest

from kyphoprep.data.builtin import TWIN, builtin_data, builtin_file_names, builtin_text, twin_text
from kyphoprep.errors import ChecklistError
from tests.child_env import coverage_env

NAMES = builtin_file_names()
PLAN = ["plan", "2026-12-03 07:30", "--tz", "America/Chicago", "--today", "2026-11-20"]
PLAN += ["--med", "apixaban", "--med", "warfarin", "--format", "json"]


def test_the_shipped_files_are_listed() -> None:
    """The built-in data files are exactly the two protocols, the medicine catalogue and the messages, so a
    file added or lost in packaging is noticed."""
    assert NAMES == ["kyphoplasty.toml", "medications.toml", "messages.toml", "vertebroplasty.toml"]


@pytest.mark.parametrize("name", NAMES)
def test_the_data_is_the_shipped_text_parsed(name: str) -> None:
    """What a plan reads for each shipped file is exactly that file's TOML, parsed."""
    assert builtin_data(name) == tomllib.loads(builtin_text(name))


def test_the_json_twin_is_current() -> None:
    """builtin.json is remade from the TOML files: after editing one, run the command this names."""
    assert TWIN.read_text(encoding="utf-8") == twin_text(), (
        "kyphoprep/data/builtin.json is out of date: run 'python -m kyphoprep.data.builtin'"
    )


def test_a_name_missing_from_the_twin_says_how_to_remake_it() -> None:
    """A data file added without remaking the twin is a clear error, not a KeyError."""
    with pytest.raises(
        ChecklistError, match=r"^new\.toml: is not in builtin\.json; run 'python -m kyphoprep"
    ):
        builtin_data("new.toml")


def plan_json(home: Path, **extra: str) -> dict[str, Any]:
    """``kyphoprep plan ... --format json`` in a fresh process whose home folder is *home*."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "TZ": "UTC", **extra}
    env.update(coverage_env())
    done = subprocess.run(
        [sys.executable, "-m", "kyphoprep", *PLAN], capture_output=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def plant(folder: Path) -> None:
    """Fill *folder* the way a hostile user could have filled the old cache folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        text = builtin_text(name)
        entry = folder / f"{name}.{zlib.crc32(text.encode('utf-8')):08x}.marshal"
        data = tomllib.loads(text)
        if name == "medications.toml":  # the real source text, so the old cache took it as current
            data = {"poisoned": True}
            entry.write_bytes(marshal.dumps({"format": 2, "source": text, "data": data}))
        elif name == "messages.toml":
            os.mkfifo(entry)  # reading it would wait for a writer forever
        elif name == "kyphoplasty.toml":
            entry.symlink_to("/dev/zero")  # reading it would never end
        else:
            entry.write_bytes(b"\xe3" * 640)  # a corrupt entry


def test_a_hostile_cache_folder_changes_nothing(tmp_path: Path) -> None:
    """Poisoned, FIFO, endless and corrupt files where the old cache was: the same plan, in time."""
    clean_home = tmp_path / "clean"
    clean_home.mkdir()
    expected = plan_json(clean_home)
    hostile = tmp_path / "hostile"
    for folder in (hostile / ".cache" / "kyphoprep", tmp_path / "xdg" / "kyphoprep", tmp_path / "chosen"):
        plant(folder)
    got = plan_json(
        hostile, XDG_CACHE_HOME=str(tmp_path / "xdg"), KYPHOPREP_CACHE_DIR=str(tmp_path / "chosen")
    )
    assert got == expected
    medicines = {m["catalogue_id"]: m for m in got["inputs"]["medicines"]}
    assert medicines["apixaban"]["typical_hold"] != "1 day"


def test_making_a_plan_writes_nothing_to_the_home_folder(tmp_path: Path) -> None:
    """Making a plan writes nothing under the home folder (no cache), so kyphoprep leaves no trace on a
    shared clinic computer."""
    plan_json(tmp_path)
    assert list(tmp_path.rglob("*")) == []
