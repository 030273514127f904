"""Items: the list with Zoho's filters, sorting and paging, one item, and stock changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tillsync.emulators.zoho.errors import does_not_exist, invalid
from tillsync.emulators.zoho.paging import page_of, sort_order
from tillsync.emulators.zoho.records import ZERO, Item, Organization
from tillsync.emulators.zoho.wire import parse_time

SORT_KEYS: dict[str, Callable[[Item], Any]] = {
    "name": lambda item: item.name.lower(),
    "sku": lambda item: item.sku.lower(),
    "rate": lambda item: item.rate,
    "created_time": lambda item: item.created,
    "last_modified_time": lambda item: item.modified,
}
STATUS_FILTERS = {"Status.All": None, "Status.Active": "active", "Status.Inactive": "inactive"}


def item_of(organization: Organization, item_id: str, *, status: int = 404) -> Item:
    found = organization.items.get(item_id)
    if found is None:
        raise does_not_exist("Item", status=status)
    return found


def location_of(organization: Organization, value: object) -> str:
    """The location a document names, or the primary one when it names none."""
    if value is None or value == "":
        return organization.primary.id
    if not isinstance(value, str) or value not in organization.locations:
        raise does_not_exist("Location", status=400)
    return value


def listing(organization: Organization, query: Mapping[str, str]) -> dict[str, Any]:
    """`GET /items`: filter, sort (name ascending by default), then one page."""
    applied = query.get("filter_by") or "Status.All"
    if applied not in STATUS_FILTERS:
        raise invalid("filter_by")
    column = query.get("sort_column") or "name"
    if column not in SORT_KEYS:
        raise invalid("sort_column")
    order = sort_order(query)
    location_id = query.get("location_id") or None
    if location_id is not None and location_id not in organization.locations:
        raise does_not_exist("Location", status=400)
    since = query.get("last_modified_time")
    moment = parse_time(since, field="last_modified_time") if since else None
    rows = [item for item in organization.items.values() if _wanted(item, query, applied, moment)]
    rows.sort(key=lambda item: (SORT_KEYS[column](item), item.id), reverse=order == "D")
    page, context = page_of(
        rows,
        query,
        report_name="Items",
        applied_filter=applied,
        sort_column=column,
        sort_order=order,
    )
    return {"items": [item.row(location_id) for item in page], "page_context": context}


def _wanted(item: Item, query: Mapping[str, str], applied: str, since: dt.datetime | None) -> bool:
    status = STATUS_FILTERS[applied]
    if status is not None and item.status != status:
        return False
    if (sku := query.get("sku")) and item.sku != sku:
        return False
    search = (query.get("search_text") or "").lower()
    if search and search not in item.name.lower() and search not in item.sku.lower():
        return False
    return since is None or item.modified >= since


def change_stock(
    organization: Organization,
    item: Item,
    *,
    location_id: str,
    delta: Decimal,
    now: dt.datetime,
) -> None:
    """Add a signed delta to the item's stock on hand at a location (negative stock allowed)."""
    if location_id not in organization.locations:
        raise does_not_exist("Location", status=400)
    item.on_hand[location_id] = item.on_hand.get(location_id, ZERO) + delta
    item.modified = now


def commit(item: Item, *, location_id: str, quantity: Decimal, now: dt.datetime) -> None:
    """Commit (or with a negative quantity release) stock to a confirmed sales order."""
    item.committed[location_id] = item.committed.get(location_id, ZERO) + quantity
    item.modified = now
