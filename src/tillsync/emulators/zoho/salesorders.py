"""Sales orders: create (lines by item id or by name), search, get, confirm and void.

Confirming commits each item line's quantity at its location, so `available_stock`
drops while `stock_on_hand` stays until shipment (not emulated); voiding releases it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tillsync.emulators.zoho import items
from tillsync.emulators.zoho.errors import ZohoError, does_not_exist, invalid
from tillsync.emulators.zoho.paging import page_of, sort_order
from tillsync.emulators.zoho.records import ZERO, Item, Organization
from tillsync.emulators.zoho.wire import (
    format_date,
    format_time,
    new_id,
    parse_date,
    parse_number,
    parse_time,
    text,
)

STATUS_FILTERS = {
    "Status.All": None,
    "Status.Draft": "draft",
    "Status.Confirmed": "confirmed",
    "Status.Void": "void",
}
SORT_COLUMNS = ("created_time", "date", "salesorder_number", "last_modified_time")
Touched = Callable[[Item], None]


def salesorder_of(organization: Organization, salesorder_id: str) -> dict[str, Any]:
    found = organization.salesorders.get(salesorder_id)
    if found is None:
        raise does_not_exist("Sales Order")
    return found


def create(
    organization: Organization,
    body: Mapping[str, Any],
    query: Mapping[str, str],
    *,
    now: dt.datetime,
) -> dict[str, Any]:
    customer_id = text(body.get("customer_id"), field="customer_id", required=True)
    assert customer_id is not None
    customer = organization.contacts.get(customer_id)
    if customer is None:
        raise does_not_exist("Customer", status=400)
    default_location = items.location_of(organization, body.get("location_id"))
    raw_lines = body.get("line_items")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise invalid("line_items")
    lines = [_line(organization, line, n, default_location) for n, line in enumerate(raw_lines)]
    total = sum((line["item_total"] for line in lines), ZERO)
    salesorder = {
        "salesorder_id": new_id(),
        "salesorder_number": _number(organization, body, query),
        "reference_number": text(body.get("reference_number"), field="reference_number") or "",
        "status": "draft",
        "customer_id": customer_id,
        "customer_name": customer["contact_name"],
        "date": parse_date(body["date"], field="date") if body.get("date") else format_date(now),
        "shipment_date": text(body.get("shipment_date"), field="shipment_date") or "",
        "notes": text(body.get("notes"), field="notes") or "",
        "currency_code": organization.currency_code,
        "line_items": lines,
        "sub_total": total,
        "total": total,
        "created_time": format_time(now),
        "last_modified_time": format_time(now),
    }
    organization.salesorders[salesorder["salesorder_id"]] = salesorder
    return salesorder


def _line(
    organization: Organization, line: object, n: int, default_location: str
) -> dict[str, Any]:
    if not isinstance(line, Mapping):
        raise invalid(f"line_items[{n}]")
    item_id = text(line.get("item_id"), field="item_id")
    item = None if item_id is None else items.item_of(organization, item_id, status=400)
    name = text(line.get("name"), field="name") or (item.name if item else None)
    if name is None:
        raise invalid("name")
    if line.get("rate") is not None:
        rate = parse_number(line["rate"], field="rate")
    elif item is not None:
        rate = item.rate
    else:
        raise invalid("rate")
    quantity = parse_number(line.get("quantity"), field="quantity")
    if quantity <= 0 or rate < 0:
        raise invalid("quantity" if quantity <= 0 else "rate")
    return {
        "line_item_id": new_id(),
        "item_id": item_id or "",
        "name": name,
        "sku": item.sku if item else "",
        "rate": rate,
        "quantity": quantity,
        "unit": text(line.get("unit"), field="unit") or (item.unit if item else ""),
        "description": text(line.get("description"), field="description") or "",
        "item_total": rate * quantity,
        "location_id": (
            items.location_of(organization, line["location_id"])
            if line.get("location_id")
            else default_location
        ),
    }


def _number(organization: Organization, body: Mapping[str, Any], query: Mapping[str, str]) -> str:
    taken = {so["salesorder_number"] for so in organization.salesorders.values()}
    if query.get("ignore_auto_number_generation") == "true":
        number = text(body.get("salesorder_number"), field="salesorder_number", required=True)
        assert number is not None
        if number in taken:
            raise ZohoError(4, "Sales Order number already exists.")
        return number
    count = len(organization.salesorders) + 1
    while f"SO-{count:05d}" in taken:
        count += 1
    return f"SO-{count:05d}"


def listing(organization: Organization, query: Mapping[str, str]) -> dict[str, Any]:
    """`GET /salesorders`, newest first, with `reference_number`, `salesorder_number`,
    `customer_id`, `filter_by`, `search_text` and `last_modified_time` filters."""
    applied = query.get("filter_by") or "Status.All"
    if applied not in STATUS_FILTERS:
        raise invalid("filter_by")
    column = query.get("sort_column") or "created_time"
    if column not in SORT_COLUMNS:
        raise invalid("sort_column")
    order = sort_order(query) if query.get("sort_order") else "D"
    since = query.get("last_modified_time")
    moment = parse_time(since, field="last_modified_time") if since else None
    rows = [
        so
        for so in organization.salesorders.values()
        if _wanted(so, query, STATUS_FILTERS[applied], moment)
    ]
    rows.sort(key=lambda so: (so[column], so["salesorder_id"]), reverse=order == "D")
    page, context = page_of(
        rows,
        query,
        report_name="Sales Orders",
        applied_filter=applied,
        sort_column=column,
        sort_order=order,
    )
    return {"salesorders": [_row(so) for so in page], "page_context": context}


def _wanted(
    so: dict[str, Any], query: Mapping[str, str], status: str | None, since: dt.datetime | None
) -> bool:
    for name in ("reference_number", "salesorder_number", "customer_id"):
        if (wanted := query.get(name)) and so[name] != wanted:
            return False
    if status is not None and so["status"] != status:
        return False
    search = (query.get("search_text") or "").lower()
    if search and not any(
        search in so[k].lower() for k in ("reference_number", "salesorder_number")
    ):
        return False
    return since is None or parse_time(so["last_modified_time"], field="") >= since


def _row(so: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in so.items() if k not in ("line_items", "notes", "sub_total")}


def set_status(
    organization: Organization,
    salesorder: dict[str, Any],
    status: str,
    *,
    now: dt.datetime,
    touched: Touched,
) -> None:
    """Draft → confirmed commits stock, confirmed → void releases it; the same status again
    changes nothing; a void order cannot be confirmed."""
    current = salesorder["status"]
    if current == status:
        return
    if current == "void":
        raise ZohoError(4, "A void sales order cannot change its status.")
    sign = Decimal(1) if status == "confirmed" else Decimal(-1) if current == "confirmed" else ZERO
    for line in salesorder["line_items"]:
        item = organization.items.get(line["item_id"])
        if item is not None and sign:
            items.commit(
                item, location_id=line["location_id"], quantity=sign * line["quantity"], now=now
            )
            touched(item)
    salesorder["status"] = status
    salesorder["last_modified_time"] = format_time(now)
