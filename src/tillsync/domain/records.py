"""Records: provider objects kept as the provider has them, with exact numbers and a hash.

A record's `data` is JSON in which every number is a decimal string (`"38.50"`, never a
float), written one way (`decimal_text`), so the same object read twice hashes the same and
an unchanged object is skipped. Pure: no I/O, no project imports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

JsonValue = Any
"""What `data` holds: str, bool, None, lists and string-keyed objects of them."""


@dataclass(frozen=True, slots=True)
class RemoteRecord:
    """One object as a provider lists it, in our words."""

    external_id: str
    name: str
    """What the app searches and shows it by."""
    data: Mapping[str, JsonValue]
    deleted: bool = False
    """The provider marks it removed (it may still list it)."""
    updated_at: dt.datetime | None = None
    """When the provider says it last changed, where it says."""


@dataclass(frozen=True, slots=True)
class RecordChange:
    """A webhook's news of one object: read it afresh, or mark it removed."""

    entity: str
    external_id: str
    removed: bool = False


@dataclass(frozen=True, slots=True)
class RecordCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __add__(self, other: RecordCounts) -> RecordCounts:
        return RecordCounts(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.removed + other.removed,
        )

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


@dataclass(frozen=True, slots=True)
class Listing:
    """A whole entity as the provider lists it: what is absent from it is removed."""

    rows: Sequence[RemoteRecord]
    calls: int = 1
    notes: Mapping[str, str] = field(default_factory=dict)


def decimal_text(value: Decimal) -> str:
    """The one way a number is written in a record: no exponent, no trailing zeros."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a number a record can hold")
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def canonical(data: Mapping[str, JsonValue]) -> Mapping[str, JsonValue]:
    """`data` with every `Decimal` (and int) written by `decimal_text`; floats refused."""
    return {str(key): _canonical(value) for key, value in data.items()}


def _canonical(value: JsonValue) -> JsonValue:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, int):
        return decimal_text(Decimal(value))
    if isinstance(value, float):
        raise TypeError("a record holds no floats: give a Decimal")
    if isinstance(value, Mapping):
        return canonical(value)
    if isinstance(value, Sequence):
        return [_canonical(item) for item in value]
    raise TypeError(f"{type(value).__name__} cannot be held in a record")


def content_hash(data: Mapping[str, JsonValue], *, name: str, deleted: bool) -> str:
    """What decides whether a record changed: its canonical data, name and removal."""
    document = {"data": canonical(data), "name": name, "deleted": deleted}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
