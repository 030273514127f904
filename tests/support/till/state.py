"""Till's state: one merchant, its orders by id and by our reference, and injected faults.

Till keeps an idempotency key for a day, as POS providers do: the same key and body answer
the first order, the same key with another body is refused (400).
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

Fault = Literal["drop", "500", "429", "throttle", "400", "401"]
"""drop: the order is made and the answer lost; the others refuse before acting (429 with
Retry-After: 0, throttle: a 429 that says nothing of when to come back)."""


@dataclass
class TillOrder:
    id: str
    reference: str
    idempotency_key: str
    body: dict[str, Any]
    state: str = "OPEN"

    def document(self) -> dict[str, Any]:
        return {"id": self.id, "reference": self.reference, "state": self.state, **self.body}


@dataclass
class TillState:
    access_token: str = field(default_factory=lambda: "till_" + secrets.token_urlsafe(24))
    orders: dict[str, TillOrder] = field(default_factory=dict)
    faults: deque[Fault] = field(default_factory=deque)
    calls: list[tuple[str, str, int]] = field(default_factory=list)
    revoked: bool = False

    def authorised(self, header: str | None) -> bool:
        return not self.revoked and header == f"Bearer {self.access_token}"

    def create(self, key: str, body: dict[str, Any]) -> TillOrder | None:
        """The order for this key (made now or before); None if the key had another body."""
        for order in self.orders.values():
            if order.idempotency_key == key:
                return order if order.body == body else None
        order = TillOrder(
            id="TILL-" + secrets.token_hex(6),
            reference=str(body.get("reference", "")),
            idempotency_key=key,
            body=body,
        )
        self.orders[order.id] = order
        return order

    def by_reference(self, reference: str) -> list[TillOrder]:
        return [order for order in self.orders.values() if order.reference == reference]

    def calls_of(self, method: str, path: str) -> list[int]:
        return [status for m, p, status in self.calls if (m, p) == (method, path)]
