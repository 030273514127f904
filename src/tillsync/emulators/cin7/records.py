"""What a CIN7 account holds: plain slotted records and what they derive; no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
AUTHORISED = "AUTHORISED"
DEFAULT_LOCATION = "Main Warehouse"
DEFAULT_CUSTOMER = "Walk-in Customer"
DEFAULT_CATEGORIES = ("General", "Shaving", "Hair Care", "Beard Care", "Tools")
DEFAULT_BRANDS = ("Tomb45",)
PRICE_TIER_COUNT = 10


@dataclass(slots=True, eq=False)
class Bin:
    id: str
    name: str
    is_staging: bool = False


@dataclass(slots=True, eq=False)
class Location:
    id: str
    name: str
    is_default: bool = False
    is_deprecated: bool = False
    bins: list[Bin] = field(default_factory=list)

    def bin_named(self, name: str) -> Bin | None:
        wanted = name.casefold()
        return next((b for b in self.bins if b.name.casefold() == wanted), None)


@dataclass(slots=True, eq=False)
class Customer:
    id: str
    name: str
    last_modified: dt.datetime
    status: str = "Active"
    currency: str = "USD"
    payment_term: str = "30 days"
    tax_rule: str = "Tax Exempt"
    price_tier: str = "Tier 1"
    location: str = DEFAULT_LOCATION


@dataclass(slots=True, eq=False)
class StockRow:
    """Stock of one product at one location x bin x batch."""

    location: Location
    bin: str | None
    batch: str | None
    expiry: dt.datetime | None
    on_hand: Decimal = ZERO
    allocated: Decimal = ZERO
    on_order: Decimal = ZERO
    in_transit: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.allocated

    def is_empty(self) -> bool:
        return not (self.on_hand or self.allocated or self.on_order or self.in_transit)


@dataclass(slots=True, eq=False)
class Product:
    id: str
    sku: str
    name: str
    category: str
    last_modified: dt.datetime
    brand: str = ""
    type: str = "Stock"
    costing_method: str = "FIFO"
    uom: str = "Item"
    barcode: str = ""
    minimum_before_reorder: Decimal | None = None
    reorder_quantity: Decimal | None = None
    price_tiers: tuple[Decimal, ...] = (ZERO,) * PRICE_TIER_COUNT
    average_cost: Decimal = ZERO
    status: str = "Active"
    default_location: str = ""
    tags: str = ""
    description: str = ""
    rows: list[StockRow] = field(default_factory=list)

    def row(self, location: Location, bin_name: str | None, batch: str | None) -> StockRow | None:
        for row in self.rows:
            if row.location is location and row.bin == bin_name and row.batch == batch:
                return row
        return None

    def rows_at(self, location: Location) -> list[StockRow]:
        return [row for row in self.rows if row.location is location]


@dataclass(slots=True, eq=False)
class Allocation:
    row: StockRow
    quantity: Decimal


@dataclass(slots=True, eq=False)
class SaleLine:
    product: Product
    name: str
    quantity: Decimal
    price: Decimal
    discount: Decimal
    tax: Decimal
    tax_rule: str
    comment: str = ""
    backorder: Decimal = ZERO
    allocations: list[Allocation] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return line_total(self.quantity, self.price, self.discount)


def line_total(quantity: Decimal, price: Decimal, discount: Decimal) -> Decimal:
    return (quantity * price * (1 - discount / 100)).quantize(Decimal("0.0001"))


@dataclass(slots=True, eq=False)
class Invoice:
    task_id: str
    number: str
    status: str
    invoice_date: dt.datetime
    due_date: dt.datetime
    memo: str
    lines: list[SaleLine]


@dataclass(slots=True, eq=False)
class Sale:
    id: str
    order_number: str
    customer: Customer
    location: Location
    created: dt.datetime
    last_modified: dt.datetime
    order_date: dt.datetime
    external_id: str | None = None
    customer_reference: str = ""
    note: str = ""
    skip_quote: bool = False
    ship_by: dt.datetime | None = None
    tax_rule: str = "Tax Exempt"
    tax_inclusive: bool = False
    voided: bool = False
    order_status: str = "NOT AVAILABLE"
    order_memo: str = ""
    auto_mode: str = "NOPICK"
    lines: list[SaleLine] = field(default_factory=list)
    pick_status: str = "NOT AVAILABLE"
    pack_status: str = "NOT AVAILABLE"
    ship_status: str = "NOT AVAILABLE"
    invoice: Invoice | None = None

    @property
    def backordered(self) -> bool:
        return any(line.backorder for line in self.lines)

    @property
    def order_authorised(self) -> bool:
        return self.order_status == AUTHORISED

    @property
    def invoiced(self) -> bool:
        return self.invoice is not None and self.invoice.status == AUTHORISED

    def status(self) -> str:
        """The sale's headline status, derived from its stages (GUESS past ORDERED)."""
        if self.voided:
            return "VOIDED"
        if not self.order_authorised:
            return "ORDERING" if self.skip_quote or self.order_status == "DRAFT" else "ESTIMATING"
        shipped = self.ship_status == AUTHORISED
        for done, status in (
            (shipped and self.invoiced, "COMPLETED"),
            (self.invoiced, "INVOICED"),
            (shipped, "SHIPPED"),
            (self.pack_status == AUTHORISED, "PACKED"),
            (self.pick_status == AUTHORISED, "PICKED"),
            (self.backordered, "BACKORDERED"),
        ):
            if done:
                return status
        return "ORDERED"

    def combined(self, stage: str, done: str, draft: str, todo: str) -> str:
        if self.voided:
            return "VOIDED"
        if not self.order_authorised:
            return "NOT AVAILABLE"
        return {AUTHORISED: done, "DRAFT": draft}.get(stage, todo)


@dataclass(slots=True, eq=False)
class AdjustmentLine:
    product: Product
    location: Location
    bin: str | None
    batch: str | None
    expiry: dt.datetime | None
    quantity: Decimal
    unit_cost: Decimal
    comment: str = ""
    existing_on_hand: Decimal | None = None
    existing_available: Decimal | None = None


@dataclass(slots=True, eq=False)
class Adjustment:
    task_id: str
    number: str
    effective_date: dt.datetime
    status: str
    reference: str
    comment: str
    account_code: str
    update_on_hand: bool
    lines: list[AdjustmentLine]


@dataclass(slots=True, eq=False)
class Webhook:
    id: str
    type: str
    url: str
    is_active: bool = True
    auth_type: str = "noauth"
    user_name: str = ""
    password: str = ""
    bearer_token: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Account:
    id: str
    company: str
    keys: list[str]
    currency: str = "USD"
    locations: dict[str, Location] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    brands: dict[str, str] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    products_by_sku: dict[str, Product] = field(default_factory=dict)
    sales: dict[str, Sale] = field(default_factory=dict)
    adjustments: dict[str, Adjustment] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    sale_counter: int = 0
    invoice_counter: int = 0
    adjustment_counter: int = 0

    def location_named(self, name: str) -> Location | None:
        wanted = name.casefold()
        return next((loc for loc in self.locations.values() if loc.name.casefold() == wanted), None)

    def product_by_sku(self, sku: str) -> Product | None:
        return self.products_by_sku.get(sku.casefold())

    def has_active_webhook(self, event_type: str) -> bool:
        return any(w.is_active and w.type == event_type for w in self.webhooks.values())
