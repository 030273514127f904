"""The demo catalog every new merchant starts with, and items seeded by the control surface."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tillsync.emulators.square.catalog import Catalog
from tillsync.emulators.square.records import Merchant


@dataclass(frozen=True, slots=True)
class VariationSeed:
    name: str
    price: int
    """Minor units in the location's currency."""
    sku: str | None = None
    stock: Decimal | None = None
    """An IN_STOCK count at the merchant's first location."""


@dataclass(frozen=True, slots=True)
class ItemSeed:
    name: str
    variations: tuple[VariationSeed, ...] = field(default_factory=tuple)
    description: str = ""


DEMO_CATALOG = (
    ItemSeed("Paneer Butter Masala", (VariationSeed("Regular", 1500, "PBM-REG", Decimal(40)),)),
    ItemSeed(
        "Masala Chai",
        (
            VariationSeed("Small", 300, "CHAI-S", Decimal(100)),
            VariationSeed("Large", 450, "CHAI-L", Decimal(80)),
        ),
    ),
    ItemSeed("Garlic Naan", (VariationSeed("Regular", 350, "NAAN-GAR", Decimal(60)),)),
    ItemSeed("Mango Lassi", (VariationSeed("Regular", 500, "LASSI-MANGO", Decimal(30)),)),
)


def seed_items(
    catalog: Catalog, merchant: Merchant, items: Iterable[ItemSeed], *, currency: str
) -> list[dict[str, Any]]:
    """Upsert items as one batch; returns the stored items (with variation ids)."""
    objects = []
    for n, item in enumerate(items):
        variations = [
            {
                "type": "ITEM_VARIATION",
                "id": f"#item{n}-var{v}",
                "item_variation_data": {
                    "name": variation.name,
                    "ordinal": v,
                    "pricing_type": "FIXED_PRICING",
                    "price_money": {"amount": variation.price, "currency": currency},
                    "track_inventory": variation.stock is not None,
                    **({"sku": variation.sku} if variation.sku else {}),
                },
            }
            for v, variation in enumerate(item.variations or (VariationSeed("Regular", 0),))
        ]
        objects.append(
            {
                "type": "ITEM",
                "id": f"#item{n}",
                "item_data": {
                    "name": item.name,
                    "description_html": item.description,
                    "product_type": "REGULAR",
                    "variations": variations,
                },
            }
        )
    if not objects:
        return []
    answer = catalog.batch_upsert(
        merchant, {"idempotency_key": _seed_key(merchant), "batches": [{"objects": objects}]}
    )
    stored: list[dict[str, Any]] = answer["objects"]
    return stored


def _seed_key(merchant: Merchant) -> str:
    return f"seed-{len(merchant.catalog)}-{len(merchant.replays)}"
