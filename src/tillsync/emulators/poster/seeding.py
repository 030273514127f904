"""The demo restaurant's back office: storages, ingredient categories, ingredients with
leftovers and prime costs (kopecks), and suppliers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

DEMO_STORAGES = ({"storage_name": "Kitchen"}, {"storage_name": "Bar", "storage_adress": "Hall"})
DEMO_CATEGORIES = ({"name": "Dairy"}, {"name": "Vegetables"})
DEMO_SUPPLIERS = (
    {"supplier_name": "Green Farm", "supplier_phone": "+380441112233"},
    {"supplier_name": "Milk Co", "supplier_adress": "12 Dairy Lane", "supplier_tin": "3012"},
)
DEMO_INGREDIENTS: tuple[dict[str, Any], ...] = (
    # fields, prime cost in kopecks, leftovers by storage position (0 Kitchen, 1 Bar)
    {
        "fields": {"ingredient_name": "Milk 3.2%", "category_id": "1", "ingredient_unit": "l"},
        "prime_cost": 3850,
        "left": {0: Decimal("24.5"), 1: Decimal(6)},
    },
    {
        "fields": {"ingredient_name": "Tomatoes", "category_id": "2", "limit_value": "5"},
        "prime_cost": 6200,
        "left": {0: Decimal("12.75")},
    },
    {
        "fields": {"ingredient_name": "Eggs", "ingredient_unit": "p"},
        "prime_cost": 450,
        "left": {0: Decimal(120)},
    },
)
