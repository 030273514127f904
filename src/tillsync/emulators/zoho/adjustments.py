"""Inventory adjustments: signed quantity deltas per item and location, listed and read back.

A `value` adjustment is stored but changes no quantity (valuation is not emulated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from tillsync.emulators.zoho import items
from tillsync.emulators.zoho.errors import does_not_exist, invalid
from tillsync.emulators.zoho.paging import page_of, sort_order
from tillsync.emulators.zoho.records import ZERO, Item, Organization
from tillsync.emulators.zoho.wire import format_time, new_id, parse_date, parse_number, text

ADJUSTMENT_TYPES = ("quantity", "value")


def create(
    organization: Organization,
    body: Mapping[str, Any],
    *,
    now: dt.datetime,
    touched: Callable[[Item], None],
) -> dict[str, Any]:
    """Check every line first, then apply them all: a refused adjustment changes nothing."""
    date = parse_date(body.get("date"), field="date")
    reason = text(body.get("reason"), field="reason", required=True)
    kind = text(body.get("adjustment_type"), field="adjustment_type", required=True)
    if kind not in ADJUSTMENT_TYPES:
        raise invalid("adjustment_type")
    default_location = items.location_of(organization, body.get("location_id"))
    raw_lines = body.get("line_items")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise invalid("line_items")
    checked = []
    for n, line in enumerate(raw_lines):
        if not isinstance(line, Mapping):
            raise invalid(f"line_items[{n}]")
        item_id = text(line.get("item_id"), field="item_id", required=True)
        assert item_id is not None
        item = items.item_of(organization, item_id, status=400)
        delta = parse_number(line.get("quantity_adjusted"), field="quantity_adjusted")
        location = (
            items.location_of(organization, line["location_id"])
            if line.get("location_id")
            else default_location
        )
        checked.append((item, delta, location))
    lines: list[dict[str, Any]] = []
    for item, delta, location in checked:
        if kind == "quantity":
            items.change_stock(organization, item, location_id=location, delta=delta, now=now)
        lines.append(
            {
                "line_item_id": new_id(),
                "item_id": item.id,
                "name": item.name,
                "quantity_adjusted": delta,
                "location_id": location,
            }
        )
    adjustment: dict[str, Any] = {
        "inventory_adjustment_id": new_id(),
        "date": date,
        "reason": reason,
        "reference_number": text(body.get("reference_number"), field="reference_number") or "",
        "description": text(body.get("description"), field="description") or "",
        "adjustment_type": kind,
        "line_items": lines,
        "total": sum((line["quantity_adjusted"] for line in lines), ZERO),
        "created_time": format_time(now),
    }
    organization.adjustments[adjustment["inventory_adjustment_id"]] = adjustment
    if kind == "quantity":
        for item in {item.id: item for item, _, _ in checked}.values():
            touched(item)
    return adjustment


def adjustment_of(organization: Organization, adjustment_id: str) -> dict[str, Any]:
    found = organization.adjustments.get(adjustment_id)
    if found is None:
        raise does_not_exist("Inventory Adjustment")
    return found


def listing(organization: Organization, query: Mapping[str, str]) -> dict[str, Any]:
    order = sort_order(query) if query.get("sort_order") else "D"
    rows = sorted(
        organization.adjustments.values(),
        key=lambda a: (a["created_time"], a["inventory_adjustment_id"]),
        reverse=order == "D",
    )
    page, context = page_of(
        rows,
        query,
        report_name="Inventory Adjustments",
        applied_filter="Status.All",
        sort_column="created_time",
        sort_order=order,
    )
    rows_out = [{k: v for k, v in a.items() if k != "line_items"} for a in page]
    return {"inventory_adjustments": rows_out, "page_context": context}
