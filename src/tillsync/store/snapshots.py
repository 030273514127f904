"""Frozen values read off rows: each field is the row's attribute of the same name."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Value = TypeVar("Value", bound="DataclassInstance")


def snapshot(kind: type[Value], row: object, **given: Any) -> Value:
    """A `kind` of `row`: every field taken from the row, but those `given`."""
    taken = {
        field.name: getattr(row, field.name) for field in fields(kind) if field.name not in given
    }
    return kind(**taken, **given)
