"""Depot's webhook deliveries: the bearer token we registered, then one small JSON event.

Depot posts `{"id", "event", "account_id", "sku", "location", "occurred_at"}` with
`Authorization: Bearer <token>`; a `stock.changed` event is a hint (no figure): the hub
reads that SKU's stock again. The event's `id` is the dedupe key (Depot never resends).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass

from tillsync.errors import InvalidInput, MalformedBody

STOCK_CHANGED = "stock.changed"
EVENT_TYPES = (STOCK_CHANGED,)
_BEARER = "bearer "
MAX_BODY = 4096


@dataclass(frozen=True, slots=True)
class DepotEvent:
    dedupe_key: str
    type: str
    account_id: str
    sku: str
    location: str


def verify(headers: Mapping[str, str], *, expected_token: str) -> bool:
    """Whether `Authorization: Bearer <token>` carries our token (constant-time compare)."""
    if not expected_token:
        return False
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if value is None or value[: len(_BEARER)].lower() != _BEARER:
        return False
    token = value[len(_BEARER) :].strip()
    return bool(token) and hmac.compare_digest(token.encode(), expected_token.encode())


def parse(body: bytes) -> DepotEvent:
    """The event in one delivery; `MalformedBody` or `InvalidInput` for what Depot never sends."""
    if len(body) > MAX_BODY:
        raise MalformedBody(f"a Depot delivery is under {MAX_BODY} bytes")
    try:
        payload = json.loads(body)
    except ValueError:
        raise MalformedBody("the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise MalformedBody("the body is not a JSON object")
    fields = {}
    for name in ("id", "event", "account_id", "sku", "location"):
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"body.{name} must be non-empty text", field=f"body.{name}")
        fields[name] = value
    if fields["event"] not in EVENT_TYPES:
        raise InvalidInput("body.event is not a Depot event type", field="body.event")
    return DepotEvent(
        dedupe_key=f"depot:{fields['id']}",
        type=fields["event"],
        account_id=fields["account_id"],
        sku=fields["sku"],
        location=fields["location"],
    )
