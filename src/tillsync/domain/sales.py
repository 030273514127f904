"""A sale line as the hub hands it to a provider, a batch's lines, and a recorded sale's outcome."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from tillsync.domain.ledger import ZERO


@dataclass(frozen=True, slots=True)
class SaleLine:
    sku: str
    name: str
    quantity: Decimal
    price: Decimal
    tax: Decimal = ZERO


def summed(lines: Iterable[SaleLine]) -> list[SaleLine]:
    """Lines of several sales as one document's: one line per SKU, in SKU order, with the
    quantities and taxes added and the price that keeps the amount."""
    totals: dict[str, tuple[str, Decimal, Decimal, Decimal]] = {}
    for line in lines:
        name, quantity, amount, tax = totals.get(line.sku, ("", ZERO, ZERO, ZERO))
        totals[line.sku] = (
            name or line.name,
            quantity + line.quantity,
            amount + line.quantity * line.price,
            tax + line.tax,
        )
    return [
        SaleLine(sku=sku, name=name, quantity=quantity, price=amount / quantity, tax=tax)
        for sku, (name, quantity, amount, tax) in sorted(totals.items())
    ]


SyncStatus = Literal[
    "not_configured", "failed", "retry", "syncing", "pending", "batched", "success"
]
WORST_FIRST: tuple[SyncStatus, ...] = ("failed", "retry", "syncing", "pending", "batched")


@dataclass(frozen=True, slots=True)
class RecordedSale:
    """A stored POS sale as its answers name it: the hub's id and the POS's `sale_id`."""

    id: str
    sale_id: str
    total: Decimal


@dataclass(frozen=True, slots=True)
class SaleOutcome:
    """A sale recorded (or recorded before: `duplicate`) with the state of its pushes."""

    sale: RecordedSale
    sync_status: SyncStatus
    duplicate: bool

    @property
    def message(self) -> str:
        return "Sale already recorded" if self.duplicate else "Sale recorded"


def sync_status(states: Collection[str]) -> SyncStatus:
    """The sale's jobs' states as one: the worst under way, else success; none: not configured."""
    if not states:
        return "not_configured"
    return next((state for state in WORST_FIRST if state in states), "success")
