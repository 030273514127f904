"""The demo businesses' catalogs, as their stock sources hold them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class DemoProduct:
    sku: str
    name: str
    category: str
    price: Decimal
    stock: int
    reorder_level: int
    barcode: str


def _p(*fields: str | int) -> DemoProduct:
    sku, name, category, price, stock, reorder, code = fields
    return DemoProduct(
        str(sku), str(name), str(category), Decimal(str(price)), int(stock), int(reorder), str(code)
    )


BARBERSHOP = (
    _p("TOMB45SHAVECBLCK", "Tomb45 Shaving Cream", "Shaving", "29.99", 24, 5, "0850018843015"),
    _p(
        "TOMB45-POWERGLIDE",
        "Tomb45 PowerGlide Shave Gel",
        "Shaving",
        "18.50",
        12,
        4,
        "0850018843022",
    ),
    _p(
        "REUZEL-BLUE-POMADE",
        "Reuzel Blue Strong Hold Pomade",
        "Hair Care",
        "24.00",
        18,
        6,
        "0852578006010",
    ),
    _p("REUZEL-FIBER", "Reuzel Fiber Pomade", "Hair Care", "24.00", 3, 5, "0852578006034"),
    _p("LAYRITE-CEMENT", "Layrite Cement Hair Clay", "Hair Care", "22.00", 9, 4, "0857154002066"),
    _p(
        "BEARDOIL-SANDAL", "Sandalwood Beard Oil 30ml", "Beard Care", "19.95", 2, 4, "0850012345016"
    ),
    _p("BEARDBALM-CEDAR", "Cedar Beard Balm", "Beard Care", "16.95", 0, 3, "0850012345023"),
    _p(
        "AFTERSHAVE-BAYRUM", "Bay Rum Aftershave Splash", "Shaving", "14.00", 15, 5, "0850012345030"
    ),
    _p("STYPTIC-PEN", "Styptic Pencil", "Shaving", "4.50", 40, 10, "0850012345047"),
    _p("NECK-STRIPS", "Neck Strips (5 rolls)", "Tools", "9.00", 25, 8, "0850012345054"),
    _p("WAHL-GUARDS", "Wahl Attachment Guards Set", "Tools", "12.99", 6, 3, "0043917001234"),
    _p("ANDIS-BLADE-OIL", "Andis Clipper Blade Oil", "Tools", "6.50", 11, 4, "0040102123456"),
    _p("CLUBMAN-TALC", "Clubman Pinaud Talc", "Shaving", "8.25", 7, 3, "0070066123456"),
    _p("SHAMPOO-DAILY", "Daily Shampoo 250ml", "Hair Care", "13.50", 20, 5, "0850012345061"),
)

CAFE = (
    _p("BEANS-HOUSE-250", "House Blend Coffee Beans 250g", "Coffee", "14.00", 30, 8, ""),
    _p("BEANS-DECAF-250", "Decaf Coffee Beans 250g", "Coffee", "15.00", 6, 4, ""),
    _p("COLDBREW-CAN", "Cold Brew Can 250ml", "Drinks", "4.50", 36, 12, ""),
    _p("BAKE-CROISSANT", "Butter Croissant", "Pastries", "3.20", 24, 6, ""),
    _p("BAKE-PAINCHOC", "Pain au Chocolat", "Pastries", "3.60", 18, 6, ""),
    _p("BAKE-CINNAMON", "Cinnamon Bun", "Pastries", "3.90", 4, 5, ""),
    _p("BAKE-MUFFIN", "Blueberry Muffin", "Pastries", "3.40", 12, 4, ""),
    _p("MUG-LOGO", "Cafe Logo Mug", "Merchandise", "12.00", 0, 2, ""),
)
"""The demo cafe's shelf: coffee to take home and the day's bakes (one low, one at zero)."""
