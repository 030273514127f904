"""Pure translations between our values and Zoho Inventory's JSON; no I/O.

An order is a sales order with our reference as `reference_number`, its customer a contact
(found or created by the caller), lines by `item_id` where the item mapping has one, else by
name, each with our price as `rate` and its note as `description`; the special instructions
are the order's `notes`. Stock figures are read as numbers or their text (Zoho writes
floats such as `5.000000`, per-location ones sometimes as strings), never through float.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tillsync.clock import moment_of
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.orders import PosLine, PosOrder
from tillsync.domain.sale_documents import ExternalLine, ExternalSale
from tillsync.domain.sales import SaleLine

__all__ = [
    "Organization",
    "changed_since",
    "contact_id",
    "external_sale",
    "has_more",
    "item_stock",
    "order_body",
    "organizations",
    "products",
    "sale_body",
    "salesorder",
    "salesorder_id",
    "stock_rows",
    "with_reference",
]

_NAME_MAX, _NOTES_MAX, _DESCRIPTION_MAX, _REFERENCE_MAX = 255, 5000, 2000, 50
CONFIRMED = frozenset({"confirmed", "fulfilled", "partially_shipped", "shipped", "invoiced"})


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str


def organizations(answer: Mapping[str, Any]) -> list[Organization]:
    return [
        Organization(id=str(row["organization_id"]), name=str(row.get("name") or ""))
        for row in _objects(answer.get("organizations"))
        if row.get("organization_id")
    ]


def order_body(order: PosOrder, *, customer_id: str) -> dict[str, Any]:
    """A sales order for `order`: our reference, the customer, its lines and notes."""
    body: dict[str, Any] = {
        "customer_id": customer_id,
        "reference_number": order.reference[:_REFERENCE_MAX],
        "line_items": [_line(line) for line in order.lines],
    }
    if order.note:
        body["notes"] = order.note[:_NOTES_MAX]
    return body


def _line(line: PosLine) -> dict[str, Any]:
    shown: dict[str, Any] = {"rate": line.unit_price, "quantity": line.quantity}
    if line.catalog_id:
        shown["item_id"] = line.catalog_id
    else:
        shown["name"] = line.name[:_NAME_MAX]
    if line.note:
        shown["description"] = line.note[:_DESCRIPTION_MAX]
    return shown


def sale_body(
    *,
    reference: str,
    customer_id: str,
    lines: Sequence[SaleLine],
    item_ids: Mapping[str, str],
    location_id: str | None,
    date: dt.date,
    note: str,
) -> dict[str, Any]:
    """A warehouse sale as a sales order: lines by the item of each SKU, else by name."""
    body: dict[str, Any] = {
        "customer_id": customer_id,
        "reference_number": reference[:_REFERENCE_MAX],
        "date": date.isoformat(),
        "line_items": [
            {
                **(
                    {"item_id": item_ids[line.sku]} if line.sku in item_ids else {"name": line.name}
                ),
                "rate": line.price,
                "quantity": line.quantity,
            }
            for line in lines
        ],
    }
    if location_id:
        body["location_id"] = location_id
    if note:
        body["notes"] = note[:_NOTES_MAX]
    return body


def salesorder(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    """The sales order of an answer: real clients read `salesorder`, the spec says
    `sales_order`; either is accepted."""
    for key in ("salesorder", "sales_order"):
        found = answer.get(key)
        if isinstance(found, dict):
            return found
    return None


def salesorder_id(answer: Mapping[str, Any]) -> str | None:
    found = salesorder(answer)
    made = found.get("salesorder_id") if found else None
    return str(made) if isinstance(made, str | int) and str(made) else None


def with_reference(answer: Mapping[str, Any], reference: str) -> dict[str, Any] | None:
    """The first listed sales order with our reference that is not void."""
    for row in _objects(answer.get("salesorders")):
        if row.get("reference_number") == reference and row.get("status") != "void":
            return row
    return None


def contact_id(answer: Mapping[str, Any]) -> str | None:
    """The first contact of a listing, or the one a create answered."""
    rows = _objects(answer.get("contacts"))
    found = rows[0] if rows else answer.get("contact")
    value = found.get("contact_id") if isinstance(found, dict) else None
    return str(value) if value else None


def has_more(answer: Mapping[str, Any]) -> bool:
    context = answer.get("page_context")
    return isinstance(context, dict) and context.get("has_more_page") is True


def products(answer: Mapping[str, Any]) -> list[ProductFields]:
    return [
        ProductFields(
            sku=_sku(row),
            name=str(row.get("name") or row["item_id"]),
            barcode=None,
            price=number(row.get("rate")),
            reorder_level=number(row.get("reorder_level")),
            active=row.get("status", "active") == "active",
            external_id=str(row["item_id"]),
        )
        for row in _objects(answer.get("items"))
        if row.get("item_id")
    ]


def stock_rows(answer: Mapping[str, Any], *, location: str) -> list[StockRow]:
    """The listing's figures, taken at `location` (a listing filtered by it); service
    items, which carry no stock, are left out."""
    rows: list[StockRow] = []
    for row in _objects(answer.get("items")):
        on_hand = number(row.get("stock_on_hand"))
        if not row.get("item_id") or on_hand is None:
            continue
        available = number(row.get("available_stock"))
        rows.append(
            StockRow(
                sku=_sku(row),
                location=location,
                available=on_hand if available is None else available,
                on_hand=on_hand,
                product_id=str(row["item_id"]),
                name=str(row.get("name") or ""),
            )
        )
    return rows


def item_stock(answer: Mapping[str, Any]) -> list[StockRow]:
    """Every location's figure of one item (`GET /items/{id}`)."""
    item = answer.get("item")
    if not isinstance(item, dict) or not item.get("item_id"):
        return []
    found: list[StockRow] = []
    for place in _objects(item.get("locations")):
        on_hand = number(place.get("location_stock_on_hand"))
        if on_hand is None:
            continue
        available = number(place.get("location_available_stock"))
        found.append(
            StockRow(
                sku=_sku(item),
                location=str(place.get("location_name") or place.get("location_id")),
                available=on_hand if available is None else available,
                on_hand=on_hand,
                product_id=str(item["item_id"]),
                name=str(item.get("name") or ""),
            )
        )
    return found


def external_sale(answer: Mapping[str, Any], *, location: str) -> ExternalSale | None:
    found = salesorder(answer)
    if found is None or not found.get("salesorder_id"):
        return None
    lines = [
        ExternalLine(
            sku=str(line.get("sku") or line.get("item_id") or ""),
            name=str(line.get("name") or ""),
            quantity=number(line.get("quantity")) or Decimal(0),
            price=number(line.get("rate")) or Decimal(0),
            tax=Decimal(0),
            total=number(line.get("item_total")) or Decimal(0),
            product_id=str(line["item_id"]) if line.get("item_id") else None,
        )
        for line in _objects(found.get("line_items"))
    ]
    return ExternalSale(
        external_id=str(found["salesorder_id"]),
        reference=str(found.get("reference_number") or "") or None,
        number=str(found.get("salesorder_number") or "") or None,
        customer=str(found.get("customer_name") or "") or None,
        location=location,
        lines=lines,
    )


def changed_since(moment: dt.datetime) -> str:
    """The `last_modified_time` filter: `yyyy-MM-ddTHH:mm:ss+0000`, in UTC."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def modified_at(row: Mapping[str, Any]) -> dt.datetime | None:
    value = row.get("last_modified_time")
    return moment_of(value) if isinstance(value, str) else None


def number(value: Any) -> Decimal | None:
    """A figure sent as a number or its text; None for `""` (an unset reorder level)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str) or value == "":
        return None
    try:
        found = Decimal(str(value))
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


def _sku(row: Mapping[str, Any]) -> str:
    return str(row.get("sku") or row["item_id"])


def _objects(value: Any) -> list[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
