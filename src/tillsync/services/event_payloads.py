"""The payloads of the stream's events: `stock.changed`, `alert.raised`, `alert.resolved`.

A payload is stored in the events table as it is written here and sent to every stream
client as it was stored, long after (`GET /api/events` replays from Last-Event-ID): its
keys and their values are a wire format kept in the database, changed only with its
readers.

Each payload is also an API answer of the same shape: a location's row of the catalog is
a `stock.changed` payload, an alert of `GET /api/alerts` an `alert.*` one. One function
writes both, here where the events are emitted (services may not import the API), so the
stream and the answers cannot drift apart; the API writes the figures as numbers, as the
stream does when it frames a payload (`api/numbers.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tillsync.services.stock_rows import LocationStock
from tillsync.store.tables import Alert

ALERT_COLUMNS = (
    "id",
    "sku",
    "product_name",
    "location",
    "alert_type",
    "severity",
    "message",
    "resolved",
    "created_at",
    "resolved_at",
)
"""An alert's columns that its payload shows."""


def stock_payload(stock: LocationStock) -> dict[str, Any]:
    """Figures as decimal text, as every stored `stock.changed` event has them."""
    return {
        "sku": stock.sku,
        "location": stock.location,
        "available_to_sell": str(stock.available_to_sell),
        "warehouse_available": str(stock.warehouse_available),
        "pending": str(stock.pending),
        "reserved": str(stock.reserved),
        "as_of": stock.as_of.isoformat() if stock.as_of else None,
    }


def alert_payload(alert: Alert | Mapping[str, Any]) -> dict[str, Any]:
    """From the alert's row, or the values of one about to be inserted."""
    row = (
        alert
        if isinstance(alert, Mapping)
        else {name: getattr(alert, name) for name in ALERT_COLUMNS}
    )
    return {
        "id": row["id"],
        "product_sku": row["sku"],
        "product_name": row["product_name"],
        "location": row["location"],
        "alert_type": row["alert_type"],
        "severity": row["severity"],
        "message": row["message"],
        "resolved": row["resolved"],
        "created_at": row["created_at"].isoformat(),
        "resolved_at": row["resolved_at"].isoformat() if row["resolved_at"] else None,
    }
