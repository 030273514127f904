"""Items as a seller keys them in, with stock per location, and the demo catalog."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ItemSeed:
    """`stock` maps a location id (or "" for the primary location) to a quantity on hand."""

    name: str
    sku: str
    rate: Decimal
    stock: Mapping[str, Decimal] = field(default_factory=dict)
    reorder_level: Decimal | None = None


DEMO_ITEMS = (
    ItemSeed("Espresso Beans 1kg", "BEAN-ESP-1K", Decimal("24.00"), {"": Decimal(40)}),
    ItemSeed("Oat Milk 1l", "MILK-OAT-1L", Decimal("2.80"), {"": Decimal(120)}, Decimal(24)),
    ItemSeed("Paper Cup 12oz", "CUP-12", Decimal("0.12"), {"": Decimal(2000)}),
    ItemSeed("Croissant", "BAKE-CROI", Decimal("2.50"), {"": Decimal(30)}, Decimal(10)),
)
