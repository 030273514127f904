"""Typed requests the state accepts; the HTTP layer builds them from CIN7 JSON.

Fields are optional where CIN7 lets the caller leave them out, so that the state (not the
wire layer) decides what is required and answers with CIN7's own message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(slots=True)
class ProductInput:
    id: str | None = None
    sku: str | None = None
    name: str | None = None
    category: str | None = None
    brand: str | None = None
    type: str | None = None
    costing_method: str | None = None
    uom: str | None = None
    barcode: str | None = None
    minimum_before_reorder: Decimal | None = None
    reorder_quantity: Decimal | None = None
    price_tiers: dict[int, Decimal] = field(default_factory=dict)
    status: str | None = None
    default_location: str | None = None
    tags: str | None = None
    description: str | None = None


@dataclass(slots=True)
class ProductSeed:
    """A product for the control surface, with its on-hand stock per location name."""

    sku: str
    name: str
    category: str = "General"
    brand: str = ""
    barcode: str = ""
    price_tier1: Decimal = Decimal(0)
    average_cost: Decimal = Decimal(0)
    minimum_before_reorder: Decimal | None = None
    stock: dict[str, Decimal] = field(default_factory=dict)


@dataclass(slots=True)
class SaleInput:
    customer: str | None = None
    customer_id: str | None = None
    location: str | None = None
    external_id: str | None = None
    customer_reference: str | None = None
    skip_quote: bool = False
    sale_order_date: dt.datetime | None = None
    ship_by: dt.datetime | None = None
    note: str | None = None
    tax_rule: str | None = None
    tax_inclusive: bool = False


@dataclass(slots=True)
class LineInput:
    product_id: str | None = None
    sku: str | None = None
    name: str | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    discount: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    tax_rule: str | None = None
    total: Decimal | None = None
    comment: str = ""


@dataclass(slots=True)
class OrderInput:
    sale_id: str | None = None
    status: str | None = None
    auto_mode: str | None = None
    memo: str = ""
    lines: list[LineInput] = field(default_factory=list)


@dataclass(slots=True)
class FulfilmentInput:
    task_id: str | None = None
    status: str | None = None
    auto: bool = False


@dataclass(slots=True)
class InvoiceInput:
    sale_id: str | None = None
    task_id: str | None = None
    status: str | None = None
    invoice_date: dt.datetime | None = None
    due_date: dt.datetime | None = None
    memo: str = ""
    lines: list[LineInput] = field(default_factory=list)


@dataclass(slots=True)
class AdjustmentLineInput:
    product_id: str | None = None
    sku: str | None = None
    quantity: Decimal | None = None
    unit_cost: Decimal | None = None
    location: str | None = None
    location_id: str | None = None
    batch: str | None = None
    expiry: dt.datetime | None = None
    bin: str | None = None
    comment: str = ""


@dataclass(slots=True)
class AdjustmentInput:
    task_id: str | None = None
    effective_date: dt.datetime | None = None
    status: str | None = None
    reference: str = ""
    comment: str = ""
    account_code: str = ""
    update_on_hand: bool = False
    lines: list[AdjustmentLineInput] | None = None


@dataclass(slots=True)
class WebhookInput:
    id: str | None = None
    type: str | None = None
    url: str | None = None
    is_active: bool = True
    auth_type: str | None = None
    user_name: str = ""
    password: str = ""
    bearer_token: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
