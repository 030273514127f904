"""What the Depot emulator stores: accounts, products, stock, sales, webhooks, calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

SaleStatus = Literal["draft", "confirmed", "shipped"]
LostAnswer = Literal["drop", "502"]
STOCK_CHANGED = "stock.changed"
EVENT_TYPES = (STOCK_CHANGED,)


def stamp(moment: dt.datetime) -> str:
    """Depot writes times as UTC with a `Z`, to the millisecond."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def number(value: Decimal) -> str:
    """Depot writes money and quantities as decimal strings, never as JSON numbers."""
    return format(value.normalize() if value == value.to_integral_value() else value, "f")


@dataclass(slots=True)
class Account:
    """An account and everything in it; several keys may share its rate limit."""

    id: str
    name: str
    keys: set[str] = field(default_factory=set)
    products: dict[str, Product] = field(default_factory=dict)
    levels: dict[tuple[str, str], Level] = field(default_factory=dict)
    sales: dict[str, Sale] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)


@dataclass(slots=True)
class Product:
    id: str
    sku: str
    name: str
    barcode: str | None
    price: Decimal
    reorder_level: Decimal | None
    active: bool
    updated_at: dt.datetime

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sku": self.sku,
            "name": self.name,
            "barcode": self.barcode,
            "price": number(self.price),
            "reorder_level": None if self.reorder_level is None else number(self.reorder_level),
            "active": self.active,
            "updated_at": stamp(self.updated_at),
        }


@dataclass(slots=True)
class Level:
    """Stock of one SKU at one location."""

    sku: str
    location: str
    on_hand: Decimal
    available: Decimal
    updated_at: dt.datetime

    def document(self, product: Product | None) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "product_id": product.id if product else None,
            "name": product.name if product else None,
            "location": self.location,
            "on_hand": number(self.on_hand),
            "available": number(self.available),
            "updated_at": stamp(self.updated_at),
        }


@dataclass(frozen=True, slots=True)
class Line:
    sku: str
    name: str
    quantity: Decimal
    price: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.quantity * self.price + self.tax

    def document(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "quantity": number(self.quantity),
            "price": number(self.price),
            "tax": number(self.tax),
            "total": number(self.total),
        }


@dataclass(slots=True)
class Sale:
    id: str
    reference: str | None
    number: str | None
    customer: str | None
    location: str
    note: str
    date: dt.date
    lines: list[Line]
    created_at: dt.datetime
    status: SaleStatus = "draft"
    confirmed_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reference": self.reference,
            "number": self.number,
            "customer": self.customer,
            "location": self.location,
            "note": self.note,
            "date": self.date.isoformat(),
            "status": self.status,
            "lines": [line.document() for line in self.lines],
            "created_at": stamp(self.created_at),
            "confirmed_at": stamp(self.confirmed_at) if self.confirmed_at else None,
            "shipped_at": stamp(self.shipped_at) if self.shipped_at else None,
        }


@dataclass(slots=True)
class Webhook:
    id: str
    account_id: str
    event: str
    url: str
    token: str
    active: bool
    created_at: dt.datetime

    def document(self) -> dict[str, Any]:
        """The token is write-only: Depot never shows it again."""
        return {
            "id": self.id,
            "event": self.event,
            "url": self.url,
            "active": self.active,
            "created_at": stamp(self.created_at),
        }


@dataclass(frozen=True, slots=True)
class CallRecord:
    at: dt.datetime
    method: str
    path: str
    status: int
    """0 when the connection was dropped instead of answered."""
    account_id: str | None
    query: str = ""
    """As sent (`page=2&limit=50`), so a test can tell which page a call read."""


@dataclass(slots=True)
class Failure:
    """Fail the next `times` calls of `path` (any method when `method` is None; only those
    whose query has every parameter of `query`, when given)."""

    path: str
    times: int
    status: int = 500
    method: str | None = None
    query: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook delivery; `status` 0 when it could not be sent at all."""

    webhook_id: str
    url: str
    body: dict[str, Any]
    status: int


class DepotError(Exception):
    """A refusal in Depot's words: `{"error": {"code", "message", "field"}}` with `status`."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


@dataclass(frozen=True, slots=True)
class StockEvent:
    account_id: str
    sku: str
    location: str


@dataclass(frozen=True, slots=True)
class SaleDraft:
    reference: str | None
    number: str | None
    customer: str | None
    location: str
    note: str
    date: dt.date
    lines: Sequence[Line]
