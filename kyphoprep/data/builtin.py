"""The data files shipped inside kyphoprep (``checklists/*.toml``): their names, text and parsed form.

People edit the TOML files; plans read their JSON twin, ``builtin.json`` beside this module,
which holds every file parsed (``{"medications.toml": {...}, ...}``). Parsing the TOML with
tomllib took about 130 M instructions (~29 ms) of every plan; ``json.loads`` of the same data
takes a small part of that (docs/benchmarks.md). The twin is made at commit time,
``python -m kyphoprep.data.builtin``, and a test fails when it is not the TOML files parsed, so
the two cannot drift apart unseen.

Built-in medical data is read only from the package itself: no file outside it (no cache in the
home folder, issue 16) and no environment variable can change it.
"""

from __future__ import annotations

import importlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from kyphoprep.errors import ChecklistError

TWIN = Path(__file__).with_name("builtin.json")
# checklists/ is mapped to the package kyphoprep.checklists in pyproject.toml, which type
# checkers do not follow: hence import_module. Wheels and editable installs both have a folder.
_FOLDER = Path(str(importlib.import_module("kyphoprep.checklists").__file__)).parent


def builtin_file_names() -> list[str]:
    """The names of every ``.toml`` file shipped with kyphoprep, sorted."""
    return sorted(name for name in os.listdir(_FOLDER) if name.endswith(".toml"))


def builtin_text(name: str) -> str:
    """The text of the shipped data file *name* (such as ``medications.toml``)."""
    return (_FOLDER / name).read_text(encoding="utf-8")


@cache
def _twin() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(TWIN.read_text(encoding="utf-8"))
    return data


def builtin_data(name: str) -> dict[str, Any]:
    """The parsed form of the shipped data file *name*, from its JSON twin."""
    try:
        return _twin()[name]
    except KeyError:
        raise ChecklistError(name, "is not in builtin.json; run 'python -m kyphoprep.data.builtin'") from None


def twin_text() -> str:
    """What ``builtin.json`` must hold: every shipped TOML file parsed, as sorted, indented JSON."""
    import tomllib  # only here: making the twin is a maintainer's step, never part of a plan

    parsed = {name: tomllib.loads(builtin_text(name)) for name in builtin_file_names()}
    # TOML dates and times have no JSON form; the data files have none, and must not start to.
    return json.dumps(parsed, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    TWIN.write_text(twin_text(), encoding="utf-8")
    print(f"Wrote {TWIN}")
