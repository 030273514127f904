"""Webhook events raised by the rules, gathered per call and handed to listeners.

Stock changes are coalesced: however many rows one call touches, each account gets one
`Stock/AvailableStockLevelChanged` event holding every row of every product x location
that changed, as the bare array CIN7 sends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tillsync.emulators.cin7.documents import stock_webhook_row
from tillsync.emulators.cin7.records import Account, Location, Product

STOCK_CHANGED = "Stock/AvailableStockLevelChanged"


@dataclass(frozen=True, slots=True)
class Event:
    account_id: str
    type: str
    payload: Any


Listener = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._depth = 0
        self._pending: list[Event] = []
        self._stock: dict[tuple[str, str, str], tuple[Account, Product, Location]] = {}

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; the returned callable removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Hold events back until the outermost batch ends: one API call, one delivery."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._flush()

    def emit(self, account: Account, event_type: str, build: Callable[[], Any]) -> None:
        """Queue an event; `build` runs only if some active webhook wants this type."""
        if account.has_active_webhook(event_type):
            self._pending.append(Event(account.id, event_type, build()))
        if self._depth == 0:
            self._flush()

    def stock_changed(self, account: Account, product: Product, location: Location) -> None:
        self._stock[(account.id, product.id, location.id)] = (account, product, location)
        if self._depth == 0:
            self._flush()

    def discard(self) -> None:
        self._pending.clear()
        self._stock.clear()

    def _flush(self) -> None:
        events, self._pending = self._pending, []
        rows_by_account: dict[str, list[dict[str, Any]]] = {}
        for account, product, location in self._stock.values():
            rows = [stock_webhook_row(product, row) for row in product.rows_at(location)]
            if rows and account.has_active_webhook(STOCK_CHANGED):
                rows_by_account.setdefault(account.id, []).extend(rows)
        self._stock.clear()
        for account_id, rows in rows_by_account.items():
            for row in rows:
                row["MaxRows"] = len(rows)
            events.append(Event(account_id, STOCK_CHANGED, rows))
        for event in events:
            for listener in list(self._listeners):
                listener(event)
