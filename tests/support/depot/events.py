"""Depot's deliveries in the hub's words: every event is a stock hint for one SKU."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.support.depot import webhooks
from tillsync.connectors.deliveries import Delivery, Event, EventKind
from tillsync.errors import ClientError


class UnsupportedMediaType(ClientError):
    status_code = 415
    code = "unsupported_media_type"


class DepotDeliveries:
    """Verified by the bearer token we registered; `stock.changed` names one SKU to re-read."""

    def verify(self, headers: Mapping[str, str], *, secret: str) -> bool:
        return webhooks.verify(headers, expected_token=secret)

    def check_content_type(self, value: str | None) -> None:
        if (value or "").split(";")[0].strip().lower() != "application/json":
            raise UnsupportedMediaType(
                "a Depot delivery is sent as application/json", field="Content-Type"
            )

    def parse(self, body: bytes) -> list[Delivery]:
        event = webhooks.parse(body)
        data = {"sku": event.sku, "location": event.location, "account_id": event.account_id}
        return [Delivery(type=event.type, dedupe_key=event.dedupe_key, data=data)]

    def kind(self, event_type: str) -> EventKind:
        return EventKind.STOCK if event_type == webhooks.STOCK_CHANGED else EventKind.OTHER

    def read(self, event_type: str, data: Any) -> Event:
        kind = self.kind(event_type)
        if kind is EventKind.STOCK and isinstance(data, Mapping) and data.get("sku"):
            return Event(kind, skus=[str(data["sku"])])
        return Event(kind)
