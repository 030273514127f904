"""What a warehouse tells the hub about products and stock, in the hub's own words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ProductFields:
    sku: str
    name: str
    barcode: str | None
    price: Decimal | None
    reorder_level: Decimal | None
    active: bool
    external_id: str | None
    whole_units: bool = True
    """False: sold in fractions (kilograms, litres)."""


@dataclass(frozen=True, slots=True)
class StockRow:
    """Stock of one SKU at one location, summed over its bins and batches."""

    sku: str
    location: str
    available: Decimal
    on_hand: Decimal
    product_id: str | None
    name: str | None
