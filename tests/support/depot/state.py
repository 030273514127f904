"""The Depot emulator's state and Depot's rules; no HTTP (see `emulator` for the wire)."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TypeVar

from tests.support.depot.records import (
    EVENT_TYPES,
    Account,
    Delivery,
    DepotError,
    Level,
    Product,
    Sale,
    SaleDraft,
    StockEvent,
    Webhook,
)
from tests.support.depot.traffic import Traffic
from tillsync.clock import Clock, SystemClock

T = TypeVar("T")
ZERO = Decimal(0)


class DepotState:
    """Accounts with their catalog, stock, sales and webhooks, plus the emulator's faults."""

    def __init__(
        self, *, clock: Clock | None = None, rate_calls: int = 120, rate_window: float = 60.0
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.traffic = Traffic(self.clock, rate_calls=rate_calls, rate_window=rate_window)
        """Rate limit, injected faults and the call log."""
        self.accounts: dict[str, Account] = {}
        self.delivered: list[Delivery] = []
        self.in_flight: set[asyncio.Task[None]] = set()
        self._listeners: list[Callable[[StockEvent], None]] = []
        self._serial = 0

    async def settle(self) -> None:
        """Wait until every webhook delivery begun so far has been answered or has failed."""
        while self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)

    # accounts and keys

    def add_account(
        self, name: str = "Depot Demo", *, account_id: str | None = None, api_key: str | None = None
    ) -> tuple[str, str]:
        """A new account (or one more key for `account_id`); answers (account id, key)."""
        account_id = account_id or f"acc_{secrets.token_hex(6)}"
        account = self.accounts.setdefault(account_id, Account(id=account_id, name=name))
        key = api_key or f"dpk_{secrets.token_hex(16)}"
        account.keys.add(key)
        return account_id, key

    def authenticate(self, account_id: str | None, key: str | None) -> Account | None:
        account = self.accounts.get(account_id or "")
        if account is None or not key:
            return None
        return account if any(secrets.compare_digest(key, k) for k in account.keys) else None

    def account(self, account_id: str) -> Account:
        return self.accounts[account_id]

    def subscribe(self, listener: Callable[[StockEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # catalog and stock

    def seed_product(
        self,
        account_id: str,
        *,
        sku: str,
        name: str,
        price: Decimal = ZERO,
        barcode: str | None = None,
        reorder_level: Decimal | None = None,
        active: bool = True,
    ) -> Product:
        """Creates or overwrites by SKU; `updated_at` becomes now either way."""
        products = self.account(account_id).products
        earlier = products.get(sku)
        product = Product(
            id=earlier.id if earlier else self._id("prd"),
            sku=sku,
            name=name,
            barcode=barcode,
            price=price,
            reorder_level=reorder_level,
            active=active,
            updated_at=self.clock.now(),
        )
        products[sku] = product
        return product

    def set_stock(
        self,
        account_id: str,
        *,
        sku: str,
        location: str,
        on_hand: Decimal,
        available: Decimal | None = None,
    ) -> Level:
        """An absolute figure, as a stock take sets it; registered webhooks hear of it."""
        levels = self.account(account_id).levels
        figure = on_hand if available is None else available
        level = Level(sku, location, on_hand, figure, self.clock.now())
        levels[(sku, location)] = level
        self._changed(account_id, sku, location)
        return level

    def products_page(
        self, account_id: str, *, page: int, limit: int, updated_since: dt.datetime | None
    ) -> tuple[list[Product], int]:
        """Oldest change first; `updated_since` is inclusive (a product changed at that very
        moment comes again)."""
        rows = sorted(
            (
                p
                for p in self.account(account_id).products.values()
                if updated_since is None or p.updated_at >= updated_since
            ),
            key=lambda p: (p.updated_at, p.sku),
        )
        return _slice(rows, page, limit), len(rows)

    def stock_page(
        self, account_id: str, *, page: int, limit: int, sku: str | None = None
    ) -> tuple[list[Level], int]:
        """Rows with nothing on hand and nothing available are left out, as Depot does."""
        rows = sorted(
            (
                level
                for level in self.account(account_id).levels.values()
                if (sku is None or level.sku == sku) and (level.on_hand or level.available)
            ),
            key=lambda level: (level.sku, level.location),
        )
        return _slice(rows, page, limit), len(rows)

    # sales

    def create_sale(self, account_id: str, draft: SaleDraft) -> Sale:
        """Depot does not keep references unique: creating twice makes two sales."""
        account = self.account(account_id)
        for index, line in enumerate(draft.lines):
            if line.sku not in account.products:
                raise DepotError(
                    422, "unknown_sku", f"no product '{line.sku}'", field=f"lines[{index}].sku"
                )
        sale = Sale(
            id=self._id("sal"),
            reference=draft.reference,
            number=draft.number,
            customer=draft.customer,
            location=draft.location,
            note=draft.note,
            date=draft.date,
            lines=list(draft.lines),
            created_at=self.clock.now(),
        )
        account.sales[sale.id] = sale
        return sale

    def sale(self, account_id: str, sale_id: str) -> Sale:
        sale = self.account(account_id).sales.get(sale_id)
        if sale is None:
            raise DepotError(404, "not_found", f"no sale '{sale_id}'")
        return sale

    def sales_by_reference(self, account_id: str, reference: str) -> list[Sale]:
        sales = self.account(account_id).sales.values()
        return sorted((s for s in sales if s.reference == reference), key=lambda s: s.created_at)

    def confirm(self, account_id: str, sale_id: str) -> Sale:
        """Stock now includes the sale: each line leaves the sale's location (may go negative)."""
        sale = self.sale(account_id, sale_id)
        if sale.status != "draft":
            raise DepotError(409, "already_confirmed", f"sale '{sale_id}' is {sale.status}")
        now = self.clock.now()
        levels = self.account(account_id).levels
        for line in sale.lines:
            key = (line.sku, sale.location)
            level = levels.get(key) or Level(line.sku, sale.location, ZERO, ZERO, now)
            level.on_hand -= line.quantity
            level.available -= line.quantity
            level.updated_at = now
            levels[key] = level
        sale.status, sale.confirmed_at = "confirmed", now
        for sku in dict.fromkeys(line.sku for line in sale.lines):
            self._changed(account_id, sku, sale.location)
        return sale

    def ship(self, account_id: str, sale_id: str) -> Sale:
        """Control: the warehouse ships a sale (confirming it first if it is a draft)."""
        sale = self.sale(account_id, sale_id)
        if sale.status == "draft":
            self.confirm(account_id, sale_id)
        if sale.status == "confirmed":
            sale.status, sale.shipped_at = "shipped", self.clock.now()
        return sale

    def shipped_page(
        self, account_id: str, *, since: dt.datetime, page: int, limit: int
    ) -> tuple[list[Sale], int]:
        rows = sorted(
            (
                s
                for s in self.account(account_id).sales.values()
                if s.shipped_at is not None and s.shipped_at >= since
            ),
            key=lambda s: (s.shipped_at, s.id),
        )
        return _slice(rows, page, limit), len(rows)

    # webhooks

    def add_webhook(self, account_id: str, *, event: str, url: str, token: str) -> Webhook:
        _check_event(event)
        hook = Webhook(self._id("whk"), account_id, event, url, token, True, self.clock.now())
        self.account(account_id).webhooks[hook.id] = hook
        return hook

    def webhook(self, account_id: str, webhook_id: str) -> Webhook:
        hook = self.account(account_id).webhooks.get(webhook_id)
        if hook is None:
            raise DepotError(404, "not_found", f"no webhook '{webhook_id}'")
        return hook

    def update_webhook(
        self,
        account_id: str,
        webhook_id: str,
        *,
        event: str | None = None,
        url: str | None = None,
        token: str | None = None,
        active: bool | None = None,
    ) -> Webhook:
        hook = self.webhook(account_id, webhook_id)
        if event is not None:
            _check_event(event)
            hook.event = event
        hook.url = url if url is not None else hook.url
        hook.token = token if token is not None else hook.token
        hook.active = active if active is not None else hook.active
        return hook

    def deactivate_webhook(self, account_id: str, webhook_id: str) -> Webhook:
        """Control: Depot switches a hook off (as after failed deliveries); it stays listed."""
        return self.update_webhook(account_id, webhook_id, active=False)

    def delete_webhook(self, account_id: str, webhook_id: str) -> None:
        self.webhook(account_id, webhook_id)
        del self.account(account_id).webhooks[webhook_id]

    def active_webhooks(self, account_id: str, event: str) -> list[Webhook]:
        hooks = self.account(account_id).webhooks.values()
        return [h for h in hooks if h.active and h.event == event]

    def _changed(self, account_id: str, sku: str, location: str) -> None:
        for listener in list(self._listeners):
            listener(StockEvent(account_id, sku, location))

    def _id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}_{self._serial:06d}{secrets.token_hex(2)}"


def _check_event(event: str) -> None:
    if event not in EVENT_TYPES:
        known = ", ".join(EVENT_TYPES)
        raise DepotError(422, "invalid", f"event must be one of: {known}", field="event")


def _slice(rows: Iterable[T], page: int, limit: int) -> list[T]:
    listed = list(rows)
    return listed[(page - 1) * limit : page * limit]


__all__ = ["DepotError", "DepotState", "SaleDraft", "StockEvent"]
