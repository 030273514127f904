"""Zoho workflow webhooks: the secret header the user configured, and the records they carry.

Zoho has no webhook API and signs nothing: a user sets up a workflow action (Settings →
Automation → Webhooks) posting to our receiver URL with a custom header, `SECRET_HEADER`,
holding the connection's secret, which the connect answer shows once. The body is the
record under its module's key (`{"item": {...}}`, `{"salesorder": {...}}`) or, with a
custom payload, the record alone; both are read. A record changed twice is two events, even
within one second (Zoho's `last_modified_time` has no finer grain, so the key holds a digest
of the record too); the same change sent again (Zoho's retries) has the same dedupe key.

An item change is a stock hint (its SKU read afresh at Zoho) for a connection that is its
tenant's stock source, and nothing for a POS only; a sales order change is the order's POS
state.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from tillsync.clock import moment_of
from tillsync.connectors.deliveries import (
    Delivery,
    DeliveryRefused,
    Event,
    EventKind,
    PosOrderState,
    UnsupportedMediaType,
    json_object,
)
from tillsync.errors import Permanent

__all__ = ["ITEM", "SALESORDER", "SECRET_HEADER", "ZohoDeliveries", "parse"]

SECRET_HEADER = "x-tillsync-secret"  # noqa: S105 (a header name)
ITEM, SALESORDER = "item", "salesorder"
_IDS = {ITEM: "item_id", SALESORDER: "salesorder_id"}
KINDS = {ITEM: EventKind.STOCK, SALESORDER: EventKind.POS_ORDER}
_MAX = 100


def verify(headers: Mapping[str, str], *, secret: str) -> bool:
    """Whether the secret header carries exactly the connection's secret (constant time)."""
    sent = next((v for k, v in headers.items() if k.lower() == SECRET_HEADER), None)
    if not sent or not secret:
        return False
    return hmac.compare_digest(sent.strip().encode(), secret.encode())


def parse(body: bytes) -> list[Delivery]:
    document = json_object(body)
    for module, id_field in _IDS.items():
        record = document.get(module)
        if not isinstance(record, dict) and id_field in document:
            record = document  # a flat payload: the record alone
        if isinstance(record, dict):
            return [_delivery(module, id_field, record)]
    raise DeliveryRefused("the body holds no item or sales order", field="body")


def _delivery(module: str, id_field: str, record: dict[str, Any]) -> Delivery:
    record_id, changed = record.get(id_field), record.get("last_modified_time")
    if not isinstance(record_id, str | int) or not 0 < len(str(record_id)) <= _MAX:
        raise DeliveryRefused(f"{id_field} must be a Zoho id", field=f"{module}.{id_field}")
    if not isinstance(changed, str) or moment_of(changed) is None:
        raise DeliveryRefused(
            "last_modified_time must be a time", field=f"{module}.last_modified_time"
        )
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    key = f"{module}:{record_id}:{changed}:{digest}"
    return Delivery(type=module, dedupe_key=key, data=record)


def order_state(record: Any) -> PosOrderState | None:
    if not isinstance(record, dict):
        return None
    order_id, status = record.get("salesorder_id"), record.get("status")
    at = moment_of(str(record.get("last_modified_time") or ""))
    if not order_id or not isinstance(status, str) or not status or at is None:
        return None
    return PosOrderState(str(order_id), status[:_MAX], at)


class ZohoDeliveries:
    def verify(self, headers: Mapping[str, str], *, secret: str) -> bool:
        return verify(headers, secret=secret)

    def check_content_type(self, value: str | None) -> None:
        if value is not None and value.split(";")[0].strip().lower() != "application/json":
            raise UnsupportedMediaType(
                "a Zoho workflow webhook is sent as application/json", field="Content-Type"
            )

    def parse(self, body: bytes) -> list[Delivery]:
        return parse(body)

    def kind(self, event_type: str) -> EventKind:
        return KINDS.get(event_type, EventKind.OTHER)

    def read(self, event_type: str, data: Any) -> Event:
        if event_type == ITEM:
            sku = data.get("sku") or data.get("item_id") if isinstance(data, dict) else None
            return Event(EventKind.STOCK, skus=[str(sku)] if sku else [])
        if event_type != SALESORDER:
            return Event(EventKind.OTHER)
        found = order_state(data)
        if found is None:
            raise Permanent(f"{event_type} delivery without a readable order state")
        return Event(EventKind.POS_ORDER, pos_order=found)
