"""A restaurant's menu: the items an order line may name by id, listed page by page."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tillsync.emulators.dine.errors import invalid


@dataclass(frozen=True, slots=True)
class MenuItem:
    id: str
    name: str
    price: Decimal
    category: str = ""
    sku: str | None = None
    available: bool = True

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "price": money(self.price),
            "category": self.category,
            "sku": self.sku,
            "available": self.available,
        }


@dataclass(frozen=True, slots=True)
class ItemSeed:
    name: str
    price: Decimal
    category: str = ""
    sku: str | None = None
    available: bool = True


DEMO_MENU: tuple[ItemSeed, ...] = (
    ItemSeed("Paneer Butter Masala", Decimal("12.50"), "Mains", "PBM"),
    ItemSeed("Veg Biryani", Decimal("11.00"), "Mains", "BIR"),
    ItemSeed("Garlic Naan", Decimal("3.50"), "Breads", "NAAN"),
    ItemSeed("Masala Chai", Decimal("2.75"), "Drinks", "CHAI"),
    ItemSeed("Mango Lassi", Decimal("4.00"), "Drinks", "LASSI", available=False),
)


def new_item(seed: ItemSeed) -> MenuItem:
    return MenuItem(
        id="mi_" + secrets.token_hex(8),
        name=seed.name,
        price=seed.price,
        category=seed.category,
        sku=seed.sku,
        available=seed.available,
    )


def money(amount: Decimal) -> str:
    return format(amount.quantize(Decimal("0.01")), "f")


def page_of(
    menu: Mapping[str, MenuItem], query: Mapping[str, str], *, max_per_page: int
) -> dict[str, Any]:
    """`?page=` (from 1) and `?per_page=` (default and most: `max_per_page`), in menu order."""
    page = _whole(query.get("page", "1"), "page", low=1, high=1_000_000)
    per_page = _whole(
        query.get("per_page", str(max_per_page)), "per_page", low=1, high=max_per_page
    )
    items: Sequence[MenuItem] = list(menu.values())
    start = (page - 1) * per_page
    shown = items[start : start + per_page]
    return {
        "items": [item.document() for item in shown],
        "page": page,
        "per_page": per_page,
        "total": len(items),
        "has_more": start + per_page < len(items),
    }


def _whole(value: str, field: str, *, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise invalid(field, f"{field} must be a whole number from {low} to {high}")
    return int(value)
