"""What the emulator stores per merchant: locations, orders, catalog, inventory, replays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tillsync.emulators.square.wire import format_time


@dataclass(slots=True)
class Location:
    id: str
    merchant_id: str
    name: str
    currency: str
    created_at: dt.datetime
    country: str = "US"
    timezone: str = "America/Los_Angeles"
    status: str = "ACTIVE"

    def document(self, business_name: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "address": {"address_line_1": "1 Market Street", "locality": "San Francisco"},
            "timezone": self.timezone,
            "capabilities": ["CREDIT_CARD_PROCESSING"],
            "status": self.status,
            "created_at": format_time(self.created_at),
            "merchant_id": self.merchant_id,
            "country": self.country,
            "language_code": "en-US",
            "currency": self.currency,
            "business_name": business_name,
            "type": "PHYSICAL",
        }


@dataclass(frozen=True, slots=True)
class Replay:
    """A call already answered under an idempotency key: its request data and its answer."""

    request: str
    answer: dict[str, Any]


@dataclass(slots=True)
class Count:
    quantity: Decimal
    calculated_at: dt.datetime


@dataclass(slots=True)
class Merchant:
    id: str
    business_name: str
    locations: dict[str, Location] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    catalog: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[tuple[str, str, str], Count] = field(default_factory=dict)
    """(catalog object id, location id, state) → count."""
    changes: list[dict[str, Any]] = field(default_factory=list)
    replays: dict[tuple[str, str], Replay] = field(default_factory=dict)
    """(endpoint, idempotency key) → the first call's data and answer."""

    def currency(self, location_id: str) -> str:
        return self.locations[location_id].currency
