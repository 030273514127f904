"""Exact figures as JSON numbers: how every answer and stream frame writes a quantity or a sum.

Services keep quantities and money as `Decimal`; the API writes them here, once, as JSON
numbers: a whole figure as an integer (`17`, never `17.0` or `"17.0000"`), any other as the
nearest float (`1.5`). Figures have at most 4 places and 13 digits in all, well inside the
15 a float keeps, so the number written reads back as the exact figure.

Stored `stock.changed` payloads carry their figures as decimal text (a format kept in the
database, `services/event_payloads.py`): `numbers` turns the keys it is told of into
numbers too, for the stream's frames and the catalog's rows of that shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

STOCK_FIGURES = frozenset({"available_to_sell", "warehouse_available", "pending", "reserved"})
"""The figures of a stock row, as its view (the catalog's rows, `stock.changed`) names them."""


def number(figure: Decimal | str) -> int | float:
    exact = Decimal(figure)
    if not exact.is_finite():
        raise ValueError(f"{figure!r} is not a finite figure")
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def numbers(tree: Any, *, text: frozenset[str] = frozenset()) -> Any:
    """`tree` with every Decimal, and the decimal text under the keys in `text`, as numbers."""
    if isinstance(tree, Decimal):
        return number(tree)
    if isinstance(tree, Mapping):
        return {key: _value(key, value, text) for key, value in tree.items()}
    if isinstance(tree, list | tuple):
        return [numbers(item, text=text) for item in tree]
    return tree


def wire(view: Mapping[str, Any], *, text: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A service's answer as the API sends it: its figures as numbers."""
    return {key: _value(key, value, text) for key, value in view.items()}


def _value(key: str, value: Any, text: frozenset[str]) -> Any:
    if key in text and isinstance(value, str):
        try:
            return number(value)
        except (InvalidOperation, ValueError):
            return value  # not a figure after all: shown as it is, never a failed answer
    return numbers(value, text=text)
