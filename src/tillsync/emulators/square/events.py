"""Webhook events raised by the rules, in Square's envelope, handed to listeners."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from tillsync.emulators.events import EventBus as SharedBus
from tillsync.emulators.square.wire import format_time

ORDER_CREATED = "order.created"
ORDER_UPDATED = "order.updated"
COUNT_UPDATED = "inventory.count.updated"
EVENT_TYPES = (ORDER_CREATED, ORDER_UPDATED, COUNT_UPDATED)
MAX_COUNTS_PER_EVENT = 100


@dataclass(frozen=True, slots=True)
class Event:
    merchant_id: str
    type: str
    event_id: str
    payload: dict[str, Any]


class EventBus(SharedBus[Event]):
    def emit(
        self,
        *,
        merchant_id: str,
        event_type: str,
        data_type: str,
        data_id: str,
        obj: dict[str, Any],
        now: dt.datetime,
    ) -> None:
        event_id = str(uuid.uuid4())
        payload = {
            "merchant_id": merchant_id,
            "type": event_type,
            "event_id": event_id,
            "created_at": format_time(now),
            "data": {"type": data_type, "id": data_id, "object": obj},
        }
        self.publish(Event(merchant_id, event_type, event_id, payload))

    def order_changed(
        self, merchant_id: str, order: dict[str, Any], *, created: bool, now: dt.datetime
    ) -> None:
        summary = {"order_id": order["id"]}
        summary.update({key: order[key] for key in ("version", "location_id", "state")})
        summary["created_at"] = order["created_at"]
        if not created:
            summary["updated_at"] = order["updated_at"]
        key = "order_created" if created else "order_updated"
        self.emit(
            merchant_id=merchant_id,
            event_type=ORDER_CREATED if created else ORDER_UPDATED,
            data_type="order",
            data_id=order["id"],
            obj={key: summary},
            now=now,
        )

    def counts_changed(
        self, merchant_id: str, counts: list[dict[str, Any]], *, now: dt.datetime
    ) -> None:
        """One event per 100 counts, as Square splits them."""
        for start in range(0, len(counts), MAX_COUNTS_PER_EVENT):
            self.emit(
                merchant_id=merchant_id,
                event_type=COUNT_UPDATED,
                data_type="inventory",
                data_id=str(uuid.uuid4()),
                obj={"inventory_counts": counts[start : start + MAX_COUNTS_PER_EVENT]},
                now=now,
            )
