"""The data files shipped inside kyphoprep (``checklists/*.toml``): their names, text and parsed form.

Built-in medical data is read only from the package itself, parsed with tomllib on
each run (once per process). Until issue 16 the parsed form was kept in a marshal
cache under ``~/.cache`` (or ``$KYPHOPREP_CACHE_DIR``); a hostile-input review showed
that a cache file written by another user on a shared folder could change a
medicine's advice with no sign of it, and that a corrupt, FIFO or ``/dev/zero`` entry
could hang a plan or exhaust memory. Parsing costs a few milliseconds a run; no file
outside the package, and no environment variable, can change the built-in data.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from pathlib import Path
from typing import Any

from kyphoprep.errors import ChecklistError


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
    """The parsed TOML of the shipped data file *name* (parsed once per process)."""
    import tomllib  # only when data is needed: importing it takes a few milliseconds

    try:
        return tomllib.loads(builtin_text(name))
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(name, f"not valid TOML ({exc})") from None
