"""The data files shipped inside kyphoprep (``checklists/*.toml``): their names, text and parsed form.

Parsing the built-in TOML takes longer than making a whole plan (tomllib is pure
Python), so the parsed form is kept in a cache folder in marshal format (the one
Python keeps compiled modules in: built in, and read many times faster). A cached
copy holds the exact text it was parsed from and is used only when that text is
unchanged, so an edited file is never read stale.
The cache holds only kyphoprep's own data, never anything about a patient, and
any problem with it (missing, unreadable, corrupt, read-only folder) just means
the file is parsed again. ``KYPHOPREP_CACHE_DIR`` moves it; set empty, no cache.
"""

from __future__ import annotations

import importlib
import marshal
import os
import sys
import tempfile
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from kyphoprep.errors import ChecklistError

CACHE_ENV = "KYPHOPREP_CACHE_DIR"
_CACHE_FORMAT = 2


def _folder() -> Path:
    # The files are read from the package's folder directly: wheels and editable installs both
    # have one, and importlib.resources costs more to start than reading the files does.
    package = importlib.import_module("kyphoprep.checklists")  # checklists/, mapped in pyproject.toml
    return Path(str(package.__file__)).parent


def builtin_file_names() -> list[str]:
    """The names of every ``.toml`` file shipped with kyphoprep, sorted."""
    return sorted(name for name in os.listdir(_folder()) if name.endswith(".toml"))


def builtin_text(name: str) -> str:
    """The text of the shipped data file *name* (such as ``medications.toml``)."""
    return (_folder() / name).read_text(encoding="utf-8")


@cache
def builtin_data(name: str) -> dict[str, Any]:
    """The parsed TOML of the shipped data file *name*, from the cache when its text is unchanged."""
    text = builtin_text(name)
    folder = cache_folder()
    entry = folder / f"{name}.{zlib.crc32(text.encode('utf-8')):08x}.marshal" if folder else None
    if entry is not None:
        cached = _read_cached(entry, text)
        if cached is not None:
            return cached
    import tomllib  # only when the cache cannot answer: importing it takes a few milliseconds

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(name, f"not valid TOML ({exc})") from None
    if entry is not None:
        _write_cached(entry, text, data)
    return data


def cache_folder(environ: dict[str, str] | None = None, platform: str = sys.platform) -> Path | None:
    """Where parsed data files are kept: ``$KYPHOPREP_CACHE_DIR``, else the system's cache folder.

    None when ``KYPHOPREP_CACHE_DIR`` is set but empty (no cache), or no home folder is known.
    """
    env = os.environ if environ is None else environ
    if CACHE_ENV in env:
        chosen = env[CACHE_ENV].strip()
        return Path(chosen) if chosen else None
    if platform == "win32":
        base = env.get("LOCALAPPDATA")
        return Path(base) / "kyphoprep" / "Cache" if base else None
    home = env.get("HOME")
    if platform == "darwin":
        return Path(home) / "Library" / "Caches" / "kyphoprep" if home else None
    xdg = env.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "kyphoprep"
    return Path(home) / ".cache" / "kyphoprep" if home else None


def _read_cached(entry: Path, text: str) -> dict[str, Any] | None:
    """The data cached in *entry* if it was parsed from exactly *text*, else None."""
    try:
        stored = marshal.loads(entry.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(stored, dict) or stored.get("format") != _CACHE_FORMAT or stored.get("source") != text:
        return None
    data = stored.get("data")
    return data if isinstance(data, dict) else None


def _write_cached(entry: Path, text: str, data: dict[str, Any]) -> None:
    """Keep *data* in *entry* (written whole, then renamed); older copies of the same file go."""
    try:
        blob = marshal.dumps({"format": _CACHE_FORMAT, "source": text, "data": data})
    except ValueError:
        return  # a TOML date or time: marshal has no such type, so this file is parsed every time
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=entry.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(blob)
            os.replace(temporary, entry)
        except BaseException:
            os.unlink(temporary)
            raise
        name = entry.name.split(".")[0]
        for older in entry.parent.glob(f"{name}.toml.*.marshal"):
            if older != entry:
                older.unlink(missing_ok=True)
    except OSError:
        return  # a cache only saves time; without one, the file is parsed again next time
