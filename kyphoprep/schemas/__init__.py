"""The JSON Schemas (draft 2020-12) of kyphoprep's JSON output, shipped inside the package.

``plan`` describes ``kyphoprep plan --format json``; ``meds`` describes
``kyphoprep meds --json``. See docs/json-schema.md.
"""

from __future__ import annotations

from importlib import resources

SCHEMA_NAMES: tuple[str, ...] = ("plan", "meds")
"""The shipped schemas, by name: ``<name>.schema.json`` in this package."""


def schema_text(name: str) -> str:
    """The text of the shipped schema *name* (``"plan"`` or ``"meds"``)."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}; choose one of: {', '.join(SCHEMA_NAMES)}")
    return (resources.files("kyphoprep.schemas") / f"{name}.schema.json").read_text(encoding="utf-8")
