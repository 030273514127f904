"""Square's inventory in the hub's words: pure translations, no I/O.

A product is an item variation with a SKU (named "item (variation)"); its figure at a
location is its IN_STOCK count there, under the location's name. A sale is one batch of
adjustments IN_STOCK → SOLD, one per line, each carrying our reference as `reference_id`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tillsync.connectors.square.mapping import catalog_products
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.orders import plain

IN_STOCK, SOLD = "IN_STOCK", "SOLD"


def stocked_products(objects: Iterable[Any]) -> list[ProductFields]:
    """The variations that have a SKU: the only ones a ledger can name."""
    return [p for p in catalog_products(objects) if p.external_id and p.sku != p.external_id]


def stock_rows(
    counts: Iterable[Any], *, skus: Mapping[str, str], locations: Mapping[str, str]
) -> list[StockRow]:
    """IN_STOCK counts of known variations at known locations, as the ledger's rows."""
    rows: list[StockRow] = []
    for count in _objects(counts):
        sku = skus.get(str(count.get("catalog_object_id")))
        location = locations.get(str(count.get("location_id")))
        quantity = _quantity(count.get("quantity"))
        if count.get("state") != IN_STOCK or sku is None or location is None or quantity is None:
            continue
        rows.append(
            StockRow(
                sku=sku,
                location=location,
                available=quantity,
                on_hand=quantity,
                product_id=str(count["catalog_object_id"]),
                name=None,
            )
        )
    return rows


def counts_query(
    *, variation_ids: Iterable[str] = (), limit: int, cursor: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"states": [IN_STOCK], "limit": limit}
    if ids := sorted(set(variation_ids)):
        body["catalog_object_ids"] = ids
    if cursor:
        body["cursor"] = cursor
    return body


def sale_changes(
    *, reference: str, lines: Iterable[tuple[str, Decimal]], location_id: str
) -> list[dict[str, Any]]:
    """One adjustment per (variation id, quantity): stock leaves IN_STOCK, sold."""
    return [
        {
            "type": "ADJUSTMENT",
            "adjustment": {
                "from_state": IN_STOCK,
                "to_state": SOLD,
                "catalog_object_id": variation,
                "location_id": location_id,
                "quantity": plain(quantity),
                "reference_id": reference,
            },
        }
        for variation, quantity in lines
    ]


def changes_query(
    *, variation_ids: Iterable[str], since: dt.datetime, cursor: str | None
) -> dict[str, Any]:
    """Adjustments of these variations recorded since `since` (Square cannot filter by
    `reference_id`: the caller matches it)."""
    start = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    body: dict[str, Any] = {
        "catalog_object_ids": sorted(set(variation_ids)),
        "types": ["ADJUSTMENT"],
        "updated_after": start,
        "limit": 1000,
    }
    if cursor:
        body["cursor"] = cursor
    return body


def adjustment_with_reference(answer: Mapping[str, Any], reference: str) -> str | None:
    """The id of the first adjustment in a changes answer that carries our reference."""
    for change in _objects(answer.get("changes")):
        adjustment = change.get("adjustment")
        if (
            isinstance(adjustment, dict)
            and adjustment.get("reference_id") == reference
            and isinstance(adjustment.get("id"), str)
        ):
            return str(adjustment["id"])
    return None


def counted_objects(event: Any) -> list[str]:
    """The variations an `inventory.count.updated` event's counts name (IN_STOCK only)."""
    data = event.get("data") if isinstance(event, dict) else None
    found = data.get("object") if isinstance(data, dict) else None
    counts = found.get("inventory_counts") if isinstance(found, dict) else None
    return sorted(
        {
            str(count["catalog_object_id"])
            for count in _objects(counts)
            if count.get("state") == IN_STOCK and isinstance(count.get("catalog_object_id"), str)
        }
    )


def _quantity(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if isinstance(value, str | int) else None
    except InvalidOperation:
        return None


def _objects(value: Any) -> list[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
