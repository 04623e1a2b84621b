"""The built-in data files and the cache of their parsed form (kyphoprep.datafiles)."""

from __future__ import annotations

import marshal
import tomllib
import zlib
from datetime import date
from pathlib import Path

import pytest

from kyphoprep import datafiles
from kyphoprep.datafiles import builtin_file_names, builtin_text, cache_folder

NAMES = builtin_file_names()
read_fresh = datafiles.builtin_data.__wrapped__  # without the per-process memo


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KYPHOPREP_CACHE_DIR", str(folder))
    return folder


def entry_for(folder: Path, name: str) -> Path:
    return folder / f"{name}.{zlib.crc32(builtin_text(name).encode('utf-8')):08x}.marshal"


def test_the_shipped_files_are_listed() -> None:
    assert NAMES == ["kyphoplasty.toml", "medications.toml", "messages.toml", "vertebroplasty.toml"]


@pytest.mark.parametrize("name", NAMES)
def test_first_read_fills_the_cache_and_later_reads_use_it(cache: Path, name: str) -> None:
    expected = tomllib.loads(builtin_text(name))
    assert read_fresh(name) == expected
    entry = entry_for(cache, name)
    stored = marshal.loads(entry.read_bytes())
    assert stored == {"format": 2, "source": builtin_text(name), "data": expected}
    # Prove the second read comes from the cache: change the cached data (keeping the source).
    entry.write_bytes(marshal.dumps({**stored, "data": {"from": "cache"}}))
    assert read_fresh(name) == {"from": "cache"}


def test_a_copy_parsed_from_other_text_is_not_used(cache: Path) -> None:
    name = "messages.toml"
    entry = entry_for(cache, name)
    entry.parent.mkdir(parents=True)
    entry.write_bytes(marshal.dumps({"format": 2, "source": "old = 1", "data": {"old": 1}}))
    assert read_fresh(name) == tomllib.loads(builtin_text(name))
    assert marshal.loads(entry.read_bytes())["source"] == builtin_text(name)  # written again


@pytest.mark.parametrize(
    "content",
    [b"", b"not marshal at all", marshal.dumps([1, 2]), marshal.dumps({"format": 1}), b"\xe3" * 40],
    ids=["empty", "garbage", "a-list", "old-format", "truncated"],
)
def test_a_broken_cache_file_is_parsed_again(cache: Path, content: bytes) -> None:
    name = "kyphoplasty.toml"
    entry = entry_for(cache, name)
    entry.parent.mkdir(parents=True)
    entry.write_bytes(content)
    assert read_fresh(name) == tomllib.loads(builtin_text(name))


def test_older_copies_of_the_same_file_are_removed(cache: Path) -> None:
    cache.mkdir()
    (cache / "messages.toml.00000000.marshal").write_bytes(b"old")
    (cache / "medications.toml.00000000.marshal").write_bytes(b"other file")
    read_fresh("messages.toml")
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        ["medications.toml.00000000.marshal", entry_for(cache, "messages.toml").name]
    )


def test_an_unusable_cache_folder_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KYPHOPREP_CACHE_DIR", str(blocker / "cache"))
    assert read_fresh("messages.toml") == tomllib.loads(builtin_text("messages.toml"))
    assert blocker.read_text() == "not a folder"


def test_an_empty_cache_variable_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KYPHOPREP_CACHE_DIR", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert read_fresh("messages.toml") == tomllib.loads(builtin_text("messages.toml"))
    assert list(tmp_path.iterdir()) == []


def test_data_marshal_cannot_hold_is_never_cached(cache: Path) -> None:
    datafiles._write_cached(cache / "x.toml.0.marshal", "day = 2026-11-21", {"day": date(2026, 11, 21)})
    assert not cache.exists() or list(cache.iterdir()) == []


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({"KYPHOPREP_CACHE_DIR": "/c", "HOME": "/h"}, "linux", "/c"),
        ({"KYPHOPREP_CACHE_DIR": " ", "HOME": "/h"}, "linux", None),
        ({"HOME": "/h"}, "linux", "/h/.cache/kyphoprep"),
        ({"HOME": "/h", "XDG_CACHE_HOME": "/x"}, "linux", "/x/kyphoprep"),
        ({"HOME": "/h", "XDG_CACHE_HOME": "relative"}, "linux", "/h/.cache/kyphoprep"),
        ({}, "linux", None),
        ({"HOME": "/h"}, "darwin", "/h/Library/Caches/kyphoprep"),
        ({"LOCALAPPDATA": "/l"}, "win32", "/l/kyphoprep/Cache"),
        ({"HOME": "/h"}, "win32", None),
    ],
)
def test_cache_folder_follows_each_system(
    environ: dict[str, str], platform: str, expected: str | None
) -> None:
    folder = cache_folder(environ, platform)
    assert (None if folder is None else folder.as_posix()) == expected
