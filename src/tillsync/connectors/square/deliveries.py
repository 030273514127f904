"""Square deliveries in the hub's words: an order's state, or a stock hint.

`inventory.count.updated` names the item variations whose counts changed: a hint, read
afresh at Square, for a connection that is the tenant's stock source (and nothing for a
connection that is only a POS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tillsync.connectors.deliveries import Delivery, Event, EventKind, PosOrderState
from tillsync.connectors.square import stock, webhooks
from tillsync.errors import Permanent

KINDS = {
    webhooks.ORDER_UPDATED: EventKind.POS_ORDER,
    webhooks.COUNTS_UPDATED: EventKind.STOCK,
}


class SquareDeliveries:
    signature_header = webhooks.SIGNATURE_HEADER
    account_field = "merchant_id"
    time_field = "created_at"
    replay_window = webhooks.RETRIES_FOR + dt.timedelta(hours=1)

    def sent_at(self, delivery: Delivery) -> dt.datetime | None:
        return webhooks.sent_at(delivery.data) if isinstance(delivery.data, dict) else None

    def account(self, delivery: Delivery) -> str | None:
        merchant = delivery.data.get("merchant_id") if isinstance(delivery.data, dict) else None
        return merchant if isinstance(merchant, str) and merchant else None

    def verify(self, headers: Mapping[str, str], *, secret: str) -> bool:
        return False  # Square signs its deliveries: only `verify_signed` can tell

    def verify_signed(self, headers: Mapping[str, str], body: bytes, *, key: str, url: str) -> bool:
        return webhooks.verify(headers, body, signature_key=key, notification_url=url)

    def check_content_type(self, value: str | None) -> None:
        if value is not None and value.split(";")[0].strip().lower() != "application/json":
            raise webhooks.UnsupportedMediaType(
                "a Square delivery is sent as application/json", field="Content-Type"
            )

    def parse(self, body: bytes) -> list[Delivery]:
        return webhooks.parse(body)

    def kind(self, event_type: str) -> EventKind:
        return KINDS.get(event_type, EventKind.OTHER)

    def read(self, event_type: str, data: Any) -> Event:
        if self.kind(event_type) is EventKind.STOCK:
            return Event(EventKind.STOCK, product_refs=stock.counted_objects(data))
        if self.kind(event_type) is not EventKind.POS_ORDER:
            return Event(EventKind.OTHER)
        found = webhooks.order_state(data) if isinstance(data, dict) else None
        if found is None:  # refused at receipt: only a row stored otherwise could be so
            raise Permanent(f"{event_type} delivery without a readable order state")
        return Event(EventKind.POS_ORDER, pos_order=PosOrderState(*found))
