"""Poster's stock in the hub's words: pure translations, no I/O.

A product is an ingredient: its SKU is its `ingredient_barcode` when set and no other live
ingredient shares it, else `ingredient-<id>`; kilograms and litres sell in fractions,
pieces (`p`) whole. A figure is an ingredient's leftover at a storage, under the storage's
name. A sale is one write-off (`storage.createWriteOff`) from the sale's storage, our
reference as every line's `reason` (its comment), which is how it is found again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tillsync.connectors.poster.mapping import decimal, flag
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.orders import plain

ID_SKU = "ingredient-{}"
PIECES = "p"
WRITE_OFF_INGREDIENT = "4"
"""`storage.createWriteOff`'s type of an ingredient (its table: product 1 … ingredient 4)."""


def products(rows: Any) -> list[ProductFields]:
    """The live ingredients of `menu.getIngredients`, each under its SKU."""
    live = [row for row in _objects(rows) if _id(row) and not flag(row.get("delete"))]
    shared = Counter(_barcode(row) for row in live)
    return [
        ProductFields(
            sku=_sku(row, unique=shared[_barcode(row)] == 1),
            name=str(row.get("ingredient_name") or "").strip() or ID_SKU.format(_id(row)),
            barcode=_barcode(row) or None,
            price=None,  # an ingredient has a prime cost, not a price
            reorder_level=exact(row.get("limit_value")),
            active=not flag(row.get("hidden")),
            external_id=_id(row),
            whole_units=row.get("ingredient_unit") == PIECES,
        )
        for row in live
    ]


def storages(rows: Any) -> dict[str, str]:
    """Live storages of `storage.getStorages`: id → name, in Poster's order by id."""
    found = [row for row in _objects(rows) if not flag(row.get("delete"))]
    found.sort(key=lambda row: int(str(row.get("storage_id") or 0)))
    return {str(row["storage_id"]): str(row.get("storage_name") or "") for row in found}


def stock_rows(rows: Any, *, skus: Mapping[str, str], location: str) -> list[StockRow]:
    """One storage's `storage.getStorageLeftovers` rows of known ingredients."""
    found: list[StockRow] = []
    for row in _objects(rows):
        sku = skus.get(_id(row))
        left = exact(row.get("storage_ingredient_left"))
        if sku is None or left is None:
            continue  # a product or a removed ingredient: not the ledger's
        found.append(StockRow(sku, location, left, left, _id(row), row.get("ingredient_name")))
    return found


def write_off(
    *, reference: str, storage_id: str, lines: Iterable[tuple[str, Decimal]], at: dt.datetime
) -> dict[str, Any]:
    """`storage.createWriteOff`'s body: the storage, and one line per (ingredient id, weight)."""
    return {
        "write_off": {"storage_id": storage_id, "date": at.strftime("%Y-%m-%d %H:%M:%S")},
        "ingredient": [
            {
                "id": ingredient,
                "type": WRITE_OFF_INGREDIENT,
                "weight": plain(weight),
                "reason": reference,
            }
            for ingredient, weight in lines
        ],
    }


def candidates(rows: Any, *, storage_id: str) -> list[str]:
    """`storage.getWastes` rows that may be ours: at the storage, not removed, newest first."""
    found = [
        str(row["waste_id"])
        for row in _objects(rows)
        if str(row.get("storage_id")) == storage_id
        and not flag(row.get("delete"))
        and str(row.get("waste_id") or "").isdigit()
    ]
    return sorted(found, key=int, reverse=True)


def carries(waste: Any, reference: str) -> bool:
    """Whether a `storage.getWaste` answer has a line with our reference as its comment
    (GUESS: the docs list no comment in the answer; the emulator echoes each line's)."""
    elements = waste.get("elements") if isinstance(waste, dict) else None
    return any(
        line.get("reason") == reference
        for element in _objects(elements)
        for line in _objects(element.get("ingredients"))
    )


def exact(value: Any) -> Decimal | None:
    """`"443.45000"` as `Decimal("443.45")`; None for no number."""
    try:
        number = decimal(value)
    except ValueError:
        return None
    return None if number is None else Decimal(plain(number))


def _sku(row: Mapping[str, Any], *, unique: bool) -> str:
    barcode = _barcode(row)
    return barcode if barcode and unique else ID_SKU.format(_id(row))


def _barcode(row: Mapping[str, Any]) -> str:
    return str(row.get("ingredient_barcode") or "").strip()


def _id(row: Mapping[str, Any]) -> str:
    return str(row.get("ingredient_id") or "").strip()


def _objects(value: Any) -> Sequence[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
