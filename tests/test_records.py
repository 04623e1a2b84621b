"""Record, the base of kyphoprep's values, behaves like @dataclass(frozen=True)."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace

import pytest

from kyphoprep.models import Hold, Source
from kyphoprep.records import Record


class Sample(Record):
    """A record with every kind of field."""

    name: str
    count: int = 0
    notes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    hidden: str = field(default="", repr=False)


class Other(Record):
    """A different record with the same fields."""

    name: str
    count: int = 0


@dataclass(frozen=True)
class Frozen:
    """The standard library's frozen dataclass, to compare with."""

    name: str
    count: int = 0


def test_fields_defaults_and_replace_work_as_for_a_dataclass() -> None:
    sample = Sample("a", 2)
    assert [f.name for f in fields(sample)] == ["name", "count", "notes", "hidden"]
    assert sample.notes == {}
    assert sample.notes is not Sample("b").notes
    changed = replace(sample, count=3)
    assert (changed.name, changed.count) == ("a", 3)
    assert sample.count == 2


def test_equality_and_hash_follow_the_compared_fields() -> None:
    assert Sample("a", 1, {"x": "1"}) == Sample("a", 1, {"y": "2"})  # notes: compare=False
    assert hash(Sample("a", 1, {"x": "1"})) == hash(Sample("a", 1))
    assert Sample("a", 1) != Sample("a", 2)
    assert Sample("a", 1, hidden="h") != Sample("a", 1)  # repr=False still compares
    assert Sample("a") != Other("a")  # different classes are never equal
    assert Sample("a").__eq__(Frozen("a")) is NotImplemented
    assert len({Sample("a"), Sample("a"), Sample("b")}) == 2
    assert hash(Hold(5, "days", "5d")) == hash(Hold(5, "days", "5d"))


def test_repr_is_the_dataclass_repr() -> None:
    assert repr(Sample("a", 1, hidden="x")) == "Sample(name='a', count=1, notes={})"
    assert repr(Other("a")) == repr(Frozen("a")).replace("Frozen", "Other")


@pytest.mark.parametrize("record", [Sample("a"), Source(key="k", citation="c"), Frozen("a")])
def test_fields_cannot_be_changed_added_or_deleted(record: object) -> None:
    with pytest.raises(FrozenInstanceError):
        record.name = "b"  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        record.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        del record.name  # type: ignore[attr-defined]


def test_pickle_and_copy_keep_the_value() -> None:
    sample = Sample("a", 2, {"x": "y"}, hidden="h")
    for clone in (pickle.loads(pickle.dumps(sample)), copy.copy(sample), copy.deepcopy(sample)):
        assert clone == sample
        assert clone.notes == {"x": "y"}
        assert clone.hidden == "h"
        with pytest.raises(FrozenInstanceError):
            clone.count = 5  # type: ignore[misc]
