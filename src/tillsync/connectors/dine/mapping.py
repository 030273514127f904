"""Pure translations between our values and Dine's JSON (assumed, see `provider`); no I/O.

An order carries our reference (the app's order_id, also the idempotency key), lines by
menu item id where the item mapping has one, else by name and unit price, amounts and
quantities as decimal strings, the special instructions as its note, and the customer
only when the order has one (the integration's `sync_customer_info`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tillsync.domain.catalog import ProductFields
from tillsync.domain.orders import PosLine, PosOrder, plain

__all__ = ["menu_products", "order_body", "order_id", "restaurant_name", "with_reference"]

SOURCE = "tillsync"
_NAME_MAX, _NOTE_MAX, _CUSTOMER_MAX = 200, 500, 100


def order_body(order: PosOrder) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": order.reference,
        "currency": order.currency,
        "lines": [_line(line) for line in order.lines],
        "source": SOURCE,
    }
    if order.note:
        body["note"] = order.note[:_NOTE_MAX]
    customer = order.customer
    if customer is not None and (customer.name or customer.phone):
        shown = {"name": customer.name, "phone": customer.phone}
        body["customer"] = {k: v[:_CUSTOMER_MAX] for k, v in shown.items() if v}
    return body


def _line(line: PosLine) -> dict[str, Any]:
    shown: dict[str, Any] = {"quantity": plain(line.quantity)}
    if line.catalog_id:
        shown["menu_item_id"] = line.catalog_id
    else:
        shown["name"] = line.name[:_NAME_MAX]
        shown["unit_price"] = plain(line.unit_price)
    if line.note:
        shown["note"] = line.note[:_NOTE_MAX]
    return shown


def order_id(answer: Mapping[str, Any]) -> str | None:
    """The id of the order in a create or get answer."""
    order = answer.get("order")
    found = order.get("id") if isinstance(order, dict) else None
    return found if isinstance(found, str) and found else None


def with_reference(answer: Mapping[str, Any], reference: str) -> str | None:
    """The id of the first order in a look-up answer whose reference is ours."""
    for order in _objects(answer.get("orders")):
        if order.get("reference") == reference and isinstance(order.get("id"), str):
            return str(order["id"])
    return None


def restaurant_name(answer: Mapping[str, Any]) -> str:
    restaurant = answer.get("restaurant")
    name = restaurant.get("name") if isinstance(restaurant, dict) else None
    return name if isinstance(name, str) and name else "Dine"


def menu_products(answer: Mapping[str, Any]) -> list[ProductFields]:
    """One product per menu item, its id as the external id an order line names."""
    return [
        ProductFields(
            sku=str(item.get("sku") or item["id"]),
            name=str(item.get("name") or item["id"]),
            barcode=None,
            price=_amount(item.get("price")),
            reorder_level=None,
            active=item.get("available") is not False,
            external_id=str(item["id"]),
        )
        for item in _objects(answer.get("items"))
        if isinstance(item.get("id"), str)
    ]


def _amount(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _objects(value: Any) -> list[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
