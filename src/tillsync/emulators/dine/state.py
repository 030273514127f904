"""The Dine emulator's state: restaurants with their API key, menu and orders; faults, the
rate limit and the call log. No HTTP."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from tillsync.clock import Clock, SystemClock
from tillsync.emulators.dine.menu import DEMO_MENU, ItemSeed, MenuItem, new_item
from tillsync.emulators.dine.orders import Book
from tillsync.emulators.dine.settings import Settings
from tillsync.emulators.fault_plans import RandomFaults
from tillsync.emulators.faults import RouteRule
from tillsync.emulators.logs import Call, Log
from tillsync.emulators.ratelimit import RateLimiter

FaultKind = Literal["500", "503", "429", "reset"]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)


class Faults(RandomFaults[FaultKind, RouteRule]):
    """Random failures and latency on every API call, and one-shot rules by method and path
    (`/v1/orders`, as sent)."""

    def __init__(self) -> None:
        super().__init__(FAULT_KINDS)


@dataclass(slots=True)
class Restaurant:
    id: str
    name: str
    currency: str
    api_key: str
    menu: dict[str, MenuItem] = field(default_factory=dict)
    book: Book = field(default_factory=Book)

    @property
    def orders(self) -> dict[str, dict[str, Any]]:
        return self.book.orders

    def document(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "currency": self.currency}


@dataclass(frozen=True, slots=True)
class CallRecord(Call):
    restaurant_id: str | None
    key_hint: str
    """The API key's last four characters: enough to tell keys apart, never the key."""
    query: str = ""
    idempotency_key: str | None = None


class DineState:
    def __init__(self, *, clock: Clock | None = None, settings: Settings | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self._initial_settings = settings or Settings()
        self._initial_settings.validate()
        self.settings = dataclasses.replace(self._initial_settings)
        self.faults = Faults()
        self.rate_limiter = RateLimiter(self.clock)
        self.restaurants: dict[str, Restaurant] = {}
        self.calls: Log[CallRecord] = Log()

    def create_restaurant(
        self,
        *,
        name: str = "Dine Demo Cafe",
        currency: str = "USD",
        api_key: str | None = None,
        menu: Iterable[ItemSeed] = DEMO_MENU,
    ) -> Restaurant:
        key = api_key or "dine_live_" + secrets.token_urlsafe(24)
        if any(secrets.compare_digest(key, r.api_key) for r in self.restaurants.values()):
            raise ValueError("API key already in use")
        restaurant = Restaurant("rst_" + secrets.token_hex(6), name, currency, key)
        self.restaurants[restaurant.id] = restaurant
        self.seed_menu(restaurant.id, menu)
        return restaurant

    def seed_menu(self, restaurant_id: str, items: Iterable[ItemSeed]) -> list[MenuItem]:
        restaurant = self.restaurant(restaurant_id)
        made = [new_item(seed) for seed in items]
        restaurant.menu.update((item.id, item) for item in made)
        return made

    def restaurant(self, restaurant_id: str) -> Restaurant:
        found = self.restaurants.get(restaurant_id)
        if found is None:
            raise LookupError(f"no restaurant {restaurant_id!r}")
        return found

    def authenticate(self, key: str | None) -> Restaurant | None:
        if not key:
            return None
        for restaurant in self.restaurants.values():
            if secrets.compare_digest(key.encode(), restaurant.api_key.encode()):
                return restaurant
        return None

    def update_settings(self, **changes: Any) -> None:
        self.settings.update(changes)

    def record_call(self, record: CallRecord) -> None:
        self.calls.append(record)

    def calls_since(self, since: dt.datetime | None = None) -> list[CallRecord]:
        return self.calls.since(since)

    def calls_of(self, method: str, path: str) -> list[int]:
        """The statuses of the calls to `method path`, in order (0: dropped)."""
        return [c.status for c in self.calls if (c.method, c.path) == (method, path)]

    def reset(self) -> None:
        """Orders, faults, limits and logs cleared; restaurants, keys and menus kept."""
        for restaurant in self.restaurants.values():
            restaurant.book = Book()
        self.settings = dataclasses.replace(self._initial_settings)
        self.faults.clear()
        self.rate_limiter.clear()
        self.calls.clear()

    def counts(self) -> dict[str, int]:
        return {
            "restaurants": len(self.restaurants),
            "orders": sum(len(r.orders) for r in self.restaurants.values()),
            "calls": len(self.calls),
        }
