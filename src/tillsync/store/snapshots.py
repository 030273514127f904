"""Frozen values read off rows: each field is the row's attribute of the same name.

A column the hub fills from a closed set (a state, a status) is read as that set's Literal
with `one_of`, so a value's readers see every state it can take.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Value = TypeVar("Value", bound="DataclassInstance")
Known = TypeVar("Known", bound=str)


def snapshot(kind: type[Value], row: object, **given: Any) -> Value:
    """A `kind` of `row`: every field taken from the row, but those `given`."""
    taken = {
        field.name: getattr(row, field.name) for field in fields(kind) if field.name not in given
    }
    return kind(**taken, **given)


def one_of(stored: str, known: tuple[Known, ...]) -> Known:
    """`stored` as one of the `known` values (a Literal's `get_args`); anything else is a
    value no writer of the hub puts there, so a defect, not a state to show."""
    for value in known:
        if stored == value:
            return value
    raise ValueError(f"{stored!r} is none of {', '.join(known)}")
