"""Square webhook deliveries: the signature Square puts on each, and the events in them.

Square signs `notification_url + raw body` with HMAC-SHA256 under the subscription's
signature key and sends it base64 in `x-square-hmacsha256-signature`; the URL must be the
subscription's exactly. Repeats share an `event_id`, which is the dedupe key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from tillsync.clock import moment_of
from tillsync.connectors.deliveries import (
    Delivery,
    DeliveryRefused,
    UnsupportedMediaType,
    json_object,
)

__all__ = [
    "ORDER_UPDATED",
    "RETRIES_FOR",
    "SIGNATURE_HEADER",
    "WEBHOOK_TYPES",
    "DeliveryRefused",
    "UnsupportedMediaType",
    "order_state",
    "parse",
    "sent_at",
    "signature",
    "verify",
]

SIGNATURE_HEADER = "x-square-hmacsha256-signature"
RETRIES_FOR = dt.timedelta(hours=72)
"""Square retries an unanswered event for up to 72 hours, then drops it."""
ORDER_UPDATED = "order.updated"
COUNTS_UPDATED = "inventory.count.updated"
WEBHOOK_TYPES = (ORDER_UPDATED, COUNTS_UPDATED)
_MAX_ID = 100


def signature(key: str, notification_url: str, body: bytes) -> str:
    digest = hmac.new(key.encode(), notification_url.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(
    headers: Mapping[str, str], body: bytes, *, signature_key: str, notification_url: str
) -> bool:
    """Whether the delivery carries Square's signature of exactly this URL and body.

    Compared in constant time; an empty key, URL or body never verifies.
    """
    if not signature_key or not notification_url or not body:
        return False
    sent = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), None)
    if not sent:
        return False
    expected = signature(signature_key, notification_url, body)
    return hmac.compare_digest(sent.strip().encode(), expected.encode())


def parse(body: bytes) -> list[Delivery]:
    """One delivery is one event: `{merchant_id, type, event_id, created_at, data}`."""
    event = json_object(body)
    kind, event_id = event.get("type"), event.get("event_id")
    if not isinstance(kind, str) or not 0 < len(kind) <= _MAX_ID:
        raise DeliveryRefused("type must be an event type", field="type")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= _MAX_ID:
        raise DeliveryRefused("event_id must be an event id", field="event_id")
    if not isinstance(event.get("data"), dict):
        raise DeliveryRefused("data must be an object", field="data")
    if sent_at(event) is None:
        raise DeliveryRefused("created_at must be an RFC 3339 time", field="created_at")
    if kind == ORDER_UPDATED and order_state(event) is None:
        raise DeliveryRefused(
            "an order.updated event names its order_id, state and updated_at",
            field="data.object.order_updated",
        )
    return [Delivery(type=kind, dedupe_key=event_id, data=event)]


def sent_at(event: Mapping[str, Any]) -> dt.datetime | None:
    """When Square says the event happened (`created_at`)."""
    at = event.get("created_at")
    return moment_of(at) if isinstance(at, str) and 0 < len(at) <= _MAX_ID else None


def order_state(event: Mapping[str, Any]) -> tuple[str, str, dt.datetime] | None:
    """An `order.updated` event's order id, state and `updated_at`; None if it has none."""
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    updated = obj.get("order_updated") if isinstance(obj, dict) else None
    if not isinstance(updated, dict):
        return None
    order_id, state, at = updated.get("order_id"), updated.get("state"), updated.get("updated_at")
    for value in (order_id, state, at):
        if not isinstance(value, str) or not 0 < len(value) <= _MAX_ID:
            return None
    moment = moment_of(str(at))
    return None if moment is None else (str(order_id), str(state), moment)
