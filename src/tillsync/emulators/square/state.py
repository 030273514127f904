"""The emulator's state: one application, its merchants and their data, logs, rules; no HTTP.

Rules live in the services it holds (`orders`, `catalog`, `inventory`, `subscriptions`,
`tokens`); this class wires them to one clock and one event bus and offers the control
surface in Python.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tillsync.clock import Clock
from tillsync.emulators.square.catalog import Catalog
from tillsync.emulators.square.events import EventBus
from tillsync.emulators.square.faults import Faults
from tillsync.emulators.square.inventory import Inventory
from tillsync.emulators.square.logs import CallRecord, DeliveryRecord
from tillsync.emulators.square.orders import Orders
from tillsync.emulators.square.records import Location, Merchant
from tillsync.emulators.square.seeding import DEMO_CATALOG, ItemSeed, seed_items
from tillsync.emulators.square.settings import Settings
from tillsync.emulators.square.subscriptions import Subscription, Subscriptions
from tillsync.emulators.square.tokens import DEFAULT_SCOPES, AccessToken, Tokens
from tillsync.emulators.square.wire import UPPER, location_id, new_id
from tillsync.emulators.state import EmulatorState


@dataclass(frozen=True, slots=True)
class Application:
    """The developer application the emulator plays Square for (OAuth client)."""

    client_id: str
    client_secret: str


@dataclass(frozen=True, slots=True)
class Seller:
    """What the control surface hands out for a new merchant."""

    merchant_id: str
    location_id: str
    access_token: str


class UnknownMerchantError(LookupError):
    pass


class SquareState(EmulatorState[Settings, Faults, CallRecord, DeliveryRecord]):
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        settings: Settings | None = None,
        application: Application | None = None,
    ) -> None:
        super().__init__(clock=clock, settings=settings or Settings(), faults=Faults())
        self.application = application or Application(
            "sq0idp-" + secrets.token_urlsafe(16), "sq0csp-" + secrets.token_urlsafe(32)
        )
        self.events = EventBus()
        self.rate_limits: dict[str, int | None] = {}
        """Per access token, overriding `settings.rate_limit`."""
        self.tokens = Tokens()
        self.orders = Orders(clock=self.clock, events=self.events)
        self.catalog = Catalog(clock=self.clock)
        self.inventory = Inventory(clock=self.clock, events=self.events)
        self.subscriptions = Subscriptions()
        self.merchants: dict[str, Merchant] = {}

    def create_merchant(
        self,
        *,
        merchant_id: str | None = None,
        business_name: str = "Demo Kitchen",
        currency: str = "USD",
        access_token: str | None = None,
        demo_catalog: bool = True,
    ) -> Seller:
        """A merchant with one location, a personal access token and the demo catalog."""
        merchant_id = merchant_id or new_id(UPPER, 13)
        if merchant_id in self.merchants:
            raise ValueError(f"merchant {merchant_id!r} already exists")
        if access_token is not None and access_token in self.tokens.access:
            raise ValueError("access token already in use")
        merchant = Merchant(id=merchant_id, business_name=business_name)
        self.merchants[merchant_id] = merchant
        location = self.add_location(merchant_id, "Main Street", currency=currency)
        if demo_catalog:
            self.seed_catalog(merchant_id, DEMO_CATALOG)
        token = self.personal_token(merchant_id, access_token)
        return Seller(merchant_id, location.id, token.token)

    def personal_token(self, merchant_id: str, token: str | None = None) -> AccessToken:
        grant = self.tokens.new_grant(
            self.merchant(merchant_id).id, DEFAULT_SCOPES, refreshable=False
        )
        return self.tokens.issue(grant, expires_at=None, token=token)

    def add_location(self, merchant_id: str, name: str, *, currency: str = "USD") -> Location:
        merchant = self.merchant(merchant_id)
        location = Location(location_id(), merchant.id, name, currency, self.clock.now())
        merchant.locations[location.id] = location
        return location

    def merchant(self, merchant_id: str) -> Merchant:
        try:
            return self.merchants[merchant_id]
        except KeyError:
            raise UnknownMerchantError(f"unknown merchant {merchant_id!r}") from None

    def seed_catalog(self, merchant_id: str, items: Iterable[ItemSeed]) -> list[dict[str, Any]]:
        """Items (and their stock at the first location) as the seller would key them in."""
        merchant = self.merchant(merchant_id)
        first = next(iter(merchant.locations.values()))
        items = list(items)
        stored = seed_items(self.catalog, merchant, items, currency=first.currency)
        for item, seed in zip(stored, items, strict=True):
            variations = item["item_data"]["variations"]
            for variation, wanted in zip(variations, seed.variations, strict=False):
                if wanted.stock is not None:
                    self.set_count(merchant_id, variation["id"], first.id, wanted.stock)
        return stored

    def set_count(
        self, merchant_id: str, object_id: str, location: str, quantity: Decimal
    ) -> dict[str, Any]:
        merchant = self.merchant(merchant_id)
        if location not in merchant.locations:
            raise ValueError(f"unknown location {location!r}")
        found = merchant.catalog.get(object_id)
        if found is None or found["type"] != "ITEM_VARIATION":
            raise ValueError(f"unknown item variation {object_id!r}")
        return self.inventory.set_count(
            merchant, object_id=object_id, location_id=location, quantity=quantity
        )

    def subscribe(self, notification_url: str, event_types: Iterable[str]) -> Subscription:
        """A webhook subscription of the application, as `POST /v2/webhooks/subscriptions`."""
        body = {
            "subscription": {"event_types": list(event_types), "notification_url": notification_url}
        }
        created = self.subscriptions.create(body, now=self.clock.now())
        return self.subscriptions.by_id[created["subscription"]["id"]]

    def rate_limit_for(self, token: str) -> int | None:
        return self.rate_limits.get(token, self.settings.rate_limit)

    def reset(self) -> None:
        """Back to no merchants, default settings, no faults, no subscriptions, empty logs."""
        self.merchants.clear()
        self.tokens = Tokens()
        self.subscriptions.clear()
        self.rate_limits.clear()
        super().reset()

    def counts(self) -> dict[str, Any]:
        return {
            "merchants": {
                m.id: {
                    "locations": len(m.locations),
                    "orders": len(m.orders),
                    "catalog_objects": len(m.catalog),
                    "inventory_counts": len(m.counts),
                }
                for m in self.merchants.values()
            },
            "subscriptions": len(self.subscriptions.by_id),
            "calls": len(self.calls),
            "deliveries": len(self.deliveries),
        }
