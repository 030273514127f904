"""What the emulator stores: accounts, their organizations, locations, items and documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tillsync.emulators.zoho.wire import format_time, number_out

ZERO = Decimal(0)


@dataclass(slots=True)
class Account:
    """A Zoho user: who approves the OAuth consent and which organizations they may call."""

    id: str
    email: str


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str
    is_primary: bool

    def document(self) -> dict[str, Any]:
        return {
            "location_id": self.id,
            "location_name": self.name,
            "is_primary": self.is_primary,
            "status": "active",
        }


@dataclass(slots=True)
class Item:
    """An inventory item; stock lives per location, as on-hand and committed quantities."""

    id: str
    name: str
    sku: str
    rate: Decimal
    created: dt.datetime
    modified: dt.datetime
    unit: str = "pcs"
    status: str = "active"
    purchase_rate: Decimal = ZERO
    reorder_level: Decimal | None = None
    on_hand: dict[str, Decimal] = field(default_factory=dict)
    committed: dict[str, Decimal] = field(default_factory=dict)

    def stock(self, location_id: str | None = None) -> tuple[Decimal, Decimal]:
        """(on hand, available) at one location, or over all of them."""
        keys = list(self.on_hand) if location_id is None else [location_id]
        on_hand = sum((self.on_hand.get(k, ZERO) for k in keys), ZERO)
        committed = sum((self.committed.get(k, ZERO) for k in keys), ZERO)
        return on_hand, on_hand - committed

    def row(self, location_id: str | None = None) -> dict[str, Any]:
        """The list row; with a location, its stock figures are that location's."""
        on_hand, available = self.stock(location_id)
        return {
            "item_id": self.id,
            "name": self.name,
            "sku": self.sku,
            "unit": self.unit,
            "status": self.status,
            "rate": number_out(self.rate),
            "purchase_rate": number_out(self.purchase_rate),
            "item_type": "inventory",
            "product_type": "goods",
            "stock_on_hand": number_out(on_hand),
            "available_stock": number_out(available),
            "actual_available_stock": number_out(available),
            "reorder_level": "" if self.reorder_level is None else number_out(self.reorder_level),
            "created_time": format_time(self.created),
            "last_modified_time": format_time(self.modified),
        }

    def document(self, locations: dict[str, Location]) -> dict[str, Any]:
        """The single-item answer: the row, tracking, custom fields and `locations[]`."""
        document = self.row()
        document.update(track_inventory=True, vendor_id="", custom_fields=[])
        document["locations"] = [self._location(location) for location in locations.values()]
        return document

    def _location(self, location: Location) -> dict[str, Any]:
        on_hand, available = self.stock(location.id)
        return {
            "location_id": location.id,
            "location_name": location.name,
            "is_primary": location.is_primary,
            "location_stock_on_hand": number_out(on_hand),
            "location_available_stock": number_out(available),
            "location_actual_available_stock": number_out(available),
        }


@dataclass(slots=True)
class Organization:
    id: str
    name: str
    account_id: str
    plan: str
    currency_code: str = "USD"
    created: dt.datetime | None = None
    locations: dict[str, Location] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    salesorders: dict[str, dict[str, Any]] = field(default_factory=dict)
    adjustments: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def primary(self) -> Location:
        return next(loc for loc in self.locations.values() if loc.is_primary)

    def document(self) -> dict[str, Any]:
        return {
            "organization_id": self.id,
            "name": self.name,
            "currency_code": self.currency_code,
            "is_default_org": False,
            "plan_name": self.plan.upper(),
            "time_zone": "UTC",
            "created_time": "" if self.created is None else format_time(self.created),
        }
