"""``Record``: the base class of kyphoprep's values, immutable dataclasses that are quick to define.

For each frozen dataclass, Python 3.11 writes out and compiles the source of six
methods (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``,
``__delattr__``). With some thirty of them, that was the largest part of
kyphoprep's start-up. A subclass of ``Record`` is made a dataclass when it is
defined, with only ``__init__`` written for it (so defaults, ``field()``,
``fields()`` and ``dataclasses.replace`` work as usual); the rest is written once,
here, with the dataclass meaning: fields compared in order, only between instances
of the same class, leaving out ``compare=False`` fields, hashing the fields that
take part.

Immutability is checked twice. Type checkers treat every ``Record`` as a frozen
dataclass (``dataclass_transform``), so assigning to a field is a mypy error; and
at run time ``__init__`` sets each field once and any later assignment or deletion
raises ``FrozenInstanceError``, as it would for ``@dataclass(frozen=True)``.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field, fields
from typing import Any, dataclass_transform

# Per class: the fields that equality, hashing and repr use, worked out on first use.
_COMPARED: dict[type, tuple[str, ...]] = {}
_HASHED: dict[type, tuple[str, ...]] = {}
_SHOWN: dict[type, tuple[str, ...]] = {}


def _compared(cls: type) -> tuple[str, ...]:
    if cls not in _COMPARED:
        _COMPARED[cls] = tuple(f.name for f in fields(cls) if f.compare)
    return _COMPARED[cls]


def _hashed(cls: type) -> tuple[str, ...]:
    if cls not in _HASHED:
        _HASHED[cls] = tuple(f.name for f in fields(cls) if (f.compare if f.hash is None else f.hash))
    return _HASHED[cls]


def _shown(cls: type) -> tuple[str, ...]:
    if cls not in _SHOWN:
        _SHOWN[cls] = tuple(f.name for f in fields(cls) if f.repr)
    return _SHOWN[cls]


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Record:
    """An immutable dataclass: subclass it and declare the fields (see the module docstring)."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(eq=False, repr=False)(cls)

    def __setattr__(self, name: str, value: object) -> None:
        # __init__ sets each field once; nothing may be set after that.
        if name in self.__dict__ or name not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = _compared(self.__class__)
        return tuple(getattr(self, name) for name in names) == tuple(getattr(other, name) for name in names)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in _hashed(self.__class__)))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _shown(self.__class__))
        return f"{self.__class__.__qualname__}({shown})"
