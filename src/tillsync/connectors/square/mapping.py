"""Pure translations between our values and Square's JSON; no I/O.

An order goes as seed 004 shows it: our reference as `reference_id` and in `metadata`
(the idempotency key is the caller's, the same reference), lines by catalog id where the
item mapping has one, else by name with the unit price in minor units; quantities as
strings. Square has no customer or note field on an order: the customer's name and phone
go as the recipient of a pickup fulfillment, the special instructions as its note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tillsync.domain.catalog import ProductFields
from tillsync.domain.currencies import EXPONENTS, minor_units
from tillsync.domain.orders import PosLine, PosOrder, plain

__all__ = [
    "SOURCE",
    "Location",
    "catalog_products",
    "locations",
    "order_body",
    "order_id",
    "order_search",
    "with_reference",
]

SOURCE = "tillsync"
"""`metadata.source` and `<source>_order_id`: who made the order, and our id of it."""
_NAME_MAX, _NOTE_MAX, _PICKUP_NOTE_MAX, _RECIPIENT_MAX = 512, 2000, 500, 255
SEARCH_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str
    currency: str | None
    active: bool
    merchant_id: str | None = None


def order_body(order: PosOrder, *, location_id: str, source: str = SOURCE) -> dict[str, Any]:
    """The `order` of a CreateOrder request for `order` at `location_id`."""
    body: dict[str, Any] = {
        "location_id": location_id,
        "reference_id": order.reference,
        "line_items": [_line(line, order.currency) for line in order.lines],
        "metadata": {"source": source, f"{source.lower()}_order_id": order.reference},
    }
    pickup: dict[str, Any] = {}
    if recipient := _recipient(order):
        pickup["recipient"] = recipient
    if order.note:
        pickup["note"] = order.note[:_PICKUP_NOTE_MAX]
    if pickup:
        pickup["schedule_type"] = "ASAP"
        body["fulfillments"] = [{"type": "PICKUP", "state": "PROPOSED", "pickup_details": pickup}]
    return body


def _line(line: PosLine, currency: str) -> dict[str, Any]:
    shown: dict[str, Any] = {"quantity": plain(line.quantity)}
    if line.catalog_id:
        shown["catalog_object_id"] = line.catalog_id
    else:
        shown["name"] = line.name[:_NAME_MAX]
        shown["base_price_money"] = money(line.unit_price, currency)
    if line.note:
        shown["note"] = line.note[:_NOTE_MAX]
    return shown


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": minor_units(amount, currency), "currency": currency}


def _recipient(order: PosOrder) -> dict[str, str]:
    customer = order.customer
    if customer is None:
        return {}
    shown = {"display_name": customer.name, "phone_number": customer.phone}
    return {key: value[:_RECIPIENT_MAX] for key, value in shown.items() if value}


def order_id(answer: Mapping[str, Any]) -> str | None:
    """The id of the order in a CreateOrder or RetrieveOrder answer."""
    order = answer.get("order")
    found = order.get("id") if isinstance(order, dict) else None
    return found if isinstance(found, str) and found else None


def order_search(
    *, location_id: str, since: dt.datetime, cursor: str | None = None
) -> dict[str, Any]:
    """A SearchOrders body: the location's orders created since `since`, newest first.

    Square cannot filter by `reference_id`; the caller matches it in what comes back.
    """
    start = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    body: dict[str, Any] = {
        "location_ids": [location_id],
        "limit": SEARCH_LIMIT,
        "query": {
            "filter": {"date_time_filter": {"created_at": {"start_at": start}}},
            "sort": {"sort_field": "CREATED_AT", "sort_order": "DESC"},
        },
    }
    if cursor:
        body["cursor"] = cursor
    return body


def with_reference(answer: Mapping[str, Any], reference: str) -> str | None:
    """The id of the first order in a SearchOrders answer whose `reference_id` is ours."""
    for order in _objects(answer.get("orders")):
        if order.get("reference_id") == reference and isinstance(order.get("id"), str):
            return str(order["id"])
    return None


def locations(answer: Mapping[str, Any]) -> list[Location]:
    return [
        _location(row)
        for row in _objects(answer.get("locations"))
        if isinstance(row.get("id"), str)
    ]


def location(answer: Mapping[str, Any]) -> Location | None:
    """The `location` of a RetrieveLocation answer."""
    row = answer.get("location")
    return _location(row) if isinstance(row, dict) and isinstance(row.get("id"), str) else None


def _location(row: Mapping[str, Any]) -> Location:
    merchant = row.get("merchant_id")
    return Location(
        id=str(row["id"]),
        name=str(row.get("name") or row["id"]),
        currency=row.get("currency") if isinstance(row.get("currency"), str) else None,
        active=row.get("status", "ACTIVE") == "ACTIVE",
        merchant_id=merchant if isinstance(merchant, str) and merchant else None,
    )


def catalog_products(objects: Iterable[Any]) -> list[ProductFields]:
    """One product per item variation (what an order line names), from ITEM objects with
    their variations nested, or ITEM_VARIATION objects listed on their own."""
    products: list[ProductFields] = []
    for obj in _objects(objects):
        if obj.get("is_deleted"):
            continue
        if obj.get("type") == "ITEM":
            data = obj.get("item_data") or {}
            item_name = str(data.get("name") or "")
            for variation in _objects(data.get("variations")):
                products.extend(_variation(variation, item_name))
        elif obj.get("type") == "ITEM_VARIATION":
            products.extend(_variation(obj, ""))
    return products


def _variation(obj: Mapping[str, Any], item_name: str) -> Iterator[ProductFields]:
    data = obj.get("item_variation_data")
    if obj.get("is_deleted") or not isinstance(data, dict) or not isinstance(obj.get("id"), str):
        return
    variation = str(data.get("name") or "")
    name = f"{item_name} ({variation})" if item_name and variation else item_name or variation
    yield ProductFields(
        sku=str(data.get("sku") or obj["id"]),
        name=name or str(obj["id"]),
        barcode=data.get("upc") if isinstance(data.get("upc"), str) else None,
        price=_amount(data.get("price_money")),
        reorder_level=None,
        active=True,
        external_id=str(obj["id"]),
    )


def _amount(value: Any) -> Decimal | None:
    """Money in minor units as a decimal amount in its currency; None if unreadable."""
    if not isinstance(value, dict) or value.get("currency") not in EXPONENTS:
        return None
    try:
        minor = Decimal(int(value["amount"]))
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    return minor.scaleb(-EXPONENTS[str(value["currency"])])


def _objects(value: Any) -> list[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
