"""The emulator's state: accounts and their data, logs, settings, faults; no HTTP.

Rules live in the services it holds (`catalog`, `stock`, `sales`, `subscriptions`); this
class wires them to one clock and one event bus and offers the control surface in Python.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tillsync.clock import Clock
from tillsync.emulators.cin7 import seeding
from tillsync.emulators.cin7.catalog import Catalog
from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.emulators.cin7.events import EventBus
from tillsync.emulators.cin7.faults import Faults
from tillsync.emulators.cin7.logs import CallRecord, DeliveryRecord
from tillsync.emulators.cin7.records import Account, Customer, Location, Product, Webhook
from tillsync.emulators.cin7.sales import Sales
from tillsync.emulators.cin7.settings import Settings
from tillsync.emulators.cin7.stock import Stock
from tillsync.emulators.cin7.subscriptions import Subscriptions
from tillsync.emulators.state import EmulatorState


@dataclass(frozen=True, slots=True)
class Credentials:
    account_id: str
    application_key: str


class UnknownAccountError(LookupError):
    pass


class Cin7State(EmulatorState[Settings, Faults, CallRecord, DeliveryRecord]):
    def __init__(self, *, clock: Clock | None = None, settings: Settings | None = None) -> None:
        super().__init__(clock=clock, settings=settings or Settings(), faults=Faults())
        self.events = EventBus()
        self.catalog = Catalog(clock=self.clock, events=self.events)
        self.stock = Stock(events=self.events)
        self.sales = Sales(clock=self.clock, events=self.events, stock=self.stock)
        self.subscriptions = Subscriptions()
        self.accounts: dict[str, Account] = {}

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group changes into one webhook delivery each, as one API call does."""
        with self.events.batch():
            yield

    def create_account(
        self,
        *,
        account_id: str | None = None,
        application_key: str | None = None,
        company: str | None = None,
    ) -> Credentials:
        account_id = account_id or str(uuid.uuid4())
        if account_id in self.accounts:
            raise ValueError(f"account {account_id!r} already exists")
        key = application_key or str(uuid.uuid4())
        self._check_key_is_free(key)
        account = Account(id=account_id, company=company or "Demo Company", keys=[key])
        seeding.seed_defaults(account, now=self.clock.now())
        self.accounts[account_id] = account
        return Credentials(account_id, key)

    def add_application_key(
        self, account_id: str, application_key: str | None = None
    ) -> Credentials:
        """Another API application on the account: it has its own rate budget."""
        account = self.account(account_id)
        key = application_key or str(uuid.uuid4())
        self._check_key_is_free(key)
        account.keys.append(key)
        return Credentials(account_id, key)

    def _check_key_is_free(self, key: str) -> None:
        if any(key in account.keys for account in self.accounts.values()):
            raise ValueError("application key already in use")

    def account(self, account_id: str) -> Account:
        try:
            return self.accounts[account_id]
        except KeyError:
            raise UnknownAccountError(f"unknown account {account_id!r}") from None

    def authenticate(self, account_id: str, application_key: str) -> Account | None:
        account = self.accounts.get(account_id)
        if account is None or application_key not in account.keys:
            return None
        return account

    def reset(self, *, keep_accounts: bool = True) -> None:
        """Back to the seeded defaults; accounts and their keys stay unless told otherwise."""
        self.events.discard()
        kept = list(self.accounts.values()) if keep_accounts else []
        self.accounts = {}
        for old in kept:
            account = Account(id=old.id, company=old.company, keys=list(old.keys))
            seeding.seed_defaults(account, now=self.clock.now())
            self.accounts[account.id] = account
        super().reset()

    def seed_products(self, account_id: str, products: Iterable[ProductSeed]) -> list[Product]:
        return seeding.seed_products(self.account(account_id), products, now=self.clock.now())

    def generate_products(self, account_id: str, *, count: int, prefix: str = "GEN") -> int:
        return seeding.generate_products(
            self.account(account_id), count=count, prefix=prefix, now=self.clock.now()
        )

    def add_location(self, account_id: str, name: str, *, bins: Iterable[str] = ()) -> Location:
        return seeding.add_location(self.account(account_id), name, bins=bins)

    def add_customer(self, account_id: str, name: str) -> Customer:
        return seeding.add_customer(self.account(account_id), name, now=self.clock.now())

    def counts(self) -> dict[str, Any]:
        per_account = {
            account.id: {
                "products": len(account.products),
                "stock_rows": sum(len(p.rows) for p in account.products.values()),
                "locations": len(account.locations),
                "customers": len(account.customers),
                "sales": len(account.sales),
                "stock_adjustments": len(account.adjustments),
                "webhooks": len(account.webhooks),
                "active_webhooks": sum(w.is_active for w in account.webhooks.values()),
            }
            for account in self.accounts.values()
        }
        return {
            "accounts": per_account,
            "calls": len(self.calls),
            "deliveries": len(self.deliveries),
        }

    def webhook(self, account_id: str, webhook_id: str) -> Webhook | None:
        account = self.accounts.get(account_id)
        return None if account is None else account.webhooks.get(webhook_id)

    def active_webhooks(self, account_id: str, event_type: str) -> list[Webhook]:
        account = self.accounts.get(account_id)
        if account is None:
            return []
        return [w for w in account.webhooks.values() if w.is_active and w.type == event_type]

    def deactivate_webhook(self, account_id: str, webhook_id: str) -> None:
        """What CIN7 does, silently, after the last failed delivery."""
        webhook = self.webhook(account_id, webhook_id)
        if webhook is not None:
            webhook.is_active = False
