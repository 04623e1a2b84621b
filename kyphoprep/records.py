"""``Record``: the base of kyphoprep's immutable values (frozen dataclasses), written to start fast.

For each dataclass, Python 3.11 writes out and compiles the source of six methods
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``).
With some thirty of them, that was the largest part of kyphoprep's start-up. So each
value class is declared as::

    @dataclass(frozen=True, eq=False, repr=False)
    class Hold(Record): ...

The dataclass still writes ``__init__`` (defaults, ``field()``, ``dataclasses.replace``)
and still refuses changes to a field, while equality, hashing and ``repr`` come from
``Record``, written once, with the same meaning as the dataclass ones: fields compared in
order, only between instances of the same class, leaving out fields with
``compare=False``, and hashing the fields that take part in it.
"""

from __future__ import annotations

from dataclasses import fields

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


class Record:
    """Equality, hashing and ``repr`` for a frozen dataclass declared with ``eq=False, repr=False``."""

    __slots__ = ()

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
