"""An ordering app's order: its items, its fingerprint, and the states of its sync to a POS.

Pure rules, no I/O. An order's `order_id` is the app's own and the idempotency key end
to end: stored once per business, sent to the POS as the reference it is found by.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Literal

SyncState = Literal["pending", "syncing", "retry", "success", "failed"]
SYNC_STATES: tuple[SyncState, ...] = ("pending", "syncing", "retry", "success", "failed")
"""Seed 004's states of one sync; an order with no POS job to do shows `not_synced`."""


@dataclass(frozen=True, slots=True)
class OrderItem:
    dish_id: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    sku: str | None = None
    """Names a product of the ledger: the item then holds and sells its stock."""
    note: str | None = None

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price


@dataclass(frozen=True, slots=True)
class Customer:
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """An order as the app sent it."""

    order_id: str
    currency: str
    items: tuple[OrderItem, ...]
    special_instructions: str | None = None
    customer: Customer | None = None

    @property
    def total(self) -> Decimal:
        return sum((item.total for item in self.items), Decimal(0))

    def stocked(self) -> list[tuple[int, OrderItem]]:
        """The items that name a SKU, with their positions (they move the ledger)."""
        return [(i, item) for i, item in enumerate(self.items) if item.sku]

    def fingerprint(self) -> str:
        """The same order_id with a different body is a client bug, not a retry."""
        text = json.dumps(asdict(self), sort_keys=True, default=plain)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PosLine:
    """One line for the POS: by its catalog item where the item mapping has one, else by
    name and price."""

    name: str
    quantity: Decimal
    unit_price: Decimal
    catalog_id: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PosOrder:
    """What a POS connector gets to make one order; `reference` is the app's order_id."""

    reference: str
    currency: str
    lines: Sequence[PosLine]
    note: str | None = None
    customer: Customer | None = None
    """Only when the integration's `sync_customer_info` allows it."""


def plain(value: object) -> str:
    """A number as its plain digits (2, 2.0 and 2.0000 read the same); anything else as text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def pos_order(
    draft: OrderDraft, *, item_mapping: Mapping[str, str], sync_customer_info: bool
) -> PosOrder:
    """The order as a POS is given it: mapped dishes by catalog id, the customer if allowed."""
    return PosOrder(
        reference=draft.order_id,
        currency=draft.currency,
        lines=[
            PosLine(
                name=item.name,
                quantity=item.quantity,
                unit_price=item.unit_price,
                catalog_id=item_mapping.get(item.dish_id),
                note=item.note,
            )
            for item in draft.items
        ],
        note=draft.special_instructions,
        customer=draft.customer if sync_customer_info else None,
    )


def shown_state(states: Iterable[str]) -> str:
    """One state for an order from its push jobs' states: the least advanced one wins.

    A job handed to a batch shows `syncing`; with no job: `not_synced`.
    """
    seen = {("syncing" if s == "batched" else s) for s in states}
    for state in ("failed", "retry", "syncing", "pending", "success"):
        if state in seen:
            return state
    return "not_synced"
