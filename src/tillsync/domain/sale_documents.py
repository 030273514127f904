"""A sale as a warehouse holds it: the document we send, the one we find again by our
reference, and the sales the warehouse reports (shipped, or made in another channel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tillsync.domain.sales import SaleLine


@dataclass(frozen=True, slots=True)
class SaleDocument:
    """What becomes one sale document at a warehouse: one POS sale, or a batch of them."""

    reference: str
    """Ours, unique, sent so the document can be found again after an uncertain outcome."""
    number: str
    location: str
    note: str
    lines: Sequence[SaleLine]
    date: dt.date


@dataclass(frozen=True, slots=True)
class RemoteSale:
    """A sale document found at the warehouse by our reference, and the steps it has done."""

    external_id: str
    steps_done: frozenset[str]


@dataclass(frozen=True, slots=True)
class ShippedSale:
    """A sale the warehouse shipped, from any channel; `reference` is ours if we made it."""

    external_id: str
    reference: str | None


@dataclass(frozen=True, slots=True)
class ExternalSale:
    external_id: str
    reference: str | None
    number: str | None
    customer: str | None
    location: str
    lines: Sequence[ExternalLine]


@dataclass(frozen=True, slots=True)
class ExternalLine:
    sku: str
    name: str
    quantity: Decimal
    price: Decimal
    tax: Decimal
    total: Decimal
    product_id: str | None
