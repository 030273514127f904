"""Drift: how a warehouse's figures and fields differ from the hub's, difference by difference."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tillsync.domain.catalog import ProductFields

ZERO = Decimal(0)
VALUE_LENGTH = 300
PRODUCT_FIELDS = ("name", "barcode", "price", "reorder_level", "active")


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str
    field: str
    hub: object
    provider: object
    fixed: bool
    sku: str | None = None
    location: str | None = None
    note: str | None = None


def shown(value: object) -> str | None:
    """A value as a report shows it: whole decimals without their zeros, capped in length."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)[:VALUE_LENGTH]


def product_differences(
    ours: Mapping[str, Mapping[str, object]], found: list[ProductFields]
) -> list[Difference]:
    """How the warehouse's products differ from ours (SKU → `PRODUCT_FIELDS` values).

    The page's upsert repairs every one of them, so each is recorded as fixed.
    """
    differences = []
    for fields in found:
        product = ours.get(fields.sku)
        if product is None:
            differences.append(
                Difference("product", "exists", "absent", "listed", True, sku=fields.sku)
            )
            continue
        theirs = {
            "name": fields.name,
            "barcode": fields.barcode,
            "price": fields.price,
            "reorder_level": fields.reorder_level or ZERO,
            "active": fields.active,
        }
        for name in PRODUCT_FIELDS:
            if product[name] != theirs[name]:
                differences.append(
                    Difference("product", name, product[name], theirs[name], True, sku=fields.sku)
                )
    return differences


def stock_differences(
    sku: str,
    location: str,
    *,
    ours: tuple[Decimal, Decimal] | None,
    theirs: tuple[Decimal, Decimal],
    warehouse: str,
) -> list[Difference]:
    """How the warehouse's (available, on hand) differ from ours; None: the hub has no row.

    The listing omits rows whose quantities are all zero: a row absent on both sides is
    no difference, and one absent at the warehouse (`warehouse` names it) reads as zeros.
    """
    if ours is None and not any(theirs):
        return []  # the hub had no row and the warehouse has none: both mean zero
    note = None
    if ours is None:
        note = "the hub had no row here"
    elif not any(theirs):
        note = f"{warehouse} omits rows whose quantities are all zero"
    hub: tuple[Decimal | None, Decimal | None] = ours or (None, None)
    return [
        Difference("stock", name, mine, other, False, sku=sku, location=location, note=note)
        for name, mine, other in zip(("available", "on_hand"), hub, theirs, strict=True)
        if mine != other
    ]
