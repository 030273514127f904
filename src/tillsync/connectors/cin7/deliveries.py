"""CIN7 Core deliveries in the hub's words: which event is a stock hint, a product, a sale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tillsync.connectors.cin7 import mapping, webhooks
from tillsync.connectors.deliveries import Delivery, Event, EventKind

PRODUCT_EVENT = "Product/Updated"
SALE_PREFIX = "Sale/"


class Cin7Deliveries:
    """A bare array of stock rows is a stock hint; `EventType` names every other event."""

    def verify(self, headers: Mapping[str, str], *, secret: str) -> bool:
        return webhooks.verify(headers, expected_token=secret)

    def check_content_type(self, value: str | None) -> None:
        webhooks.check_content_type(value)

    def parse(self, body: bytes) -> list[Delivery]:
        return webhooks.parse(body)

    def kind(self, event_type: str) -> EventKind:
        if event_type == webhooks.STOCK_EVENT:
            return EventKind.STOCK
        if event_type == PRODUCT_EVENT:
            return EventKind.PRODUCTS
        if event_type.startswith(SALE_PREFIX):
            return EventKind.SALE
        return EventKind.OTHER

    def read(self, event_type: str, data: Any) -> Event:
        kind = self.kind(event_type)
        if kind is EventKind.STOCK:
            return Event(kind, skus=sorted({row.sku for row in mapping.stock_rows(data)}))
        if kind is EventKind.PRODUCTS:
            details = data.get("ProductDetailsList") or []
            return Event(kind, products=[mapping.product_fields(detail) for detail in details])
        if kind is EventKind.SALE:
            record = data if isinstance(data, dict) else {}
            sale_id = record.get("SaleTaskID") or record.get("SaleID")
            return Event(kind, sale_id=str(sale_id) if sale_id else None)
        return Event(kind)
