"""The catalog as a POS reads it: products searched and paged, available to sell per location."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from tillsync.services.stock_rows import figures, stock_view
from tillsync.store.tables import Product, StockLevel
from tillsync.store.uow import UnitsOfWork

ZERO = Decimal(0)
LIKE_ESCAPE = "\\"


def _contains(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], text: str
) -> ColumnElement[bool]:
    """Case-insensitive "contains", with the search's own % and _ taken literally."""
    escaped = (
        text.lower()
        .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return func.lower(column).like(f"%{escaped}%", escape=LIKE_ESCAPE)


async def catalog_page(
    uows: UnitsOfWork,
    tenant_id: str,
    *,
    search: str | None,
    active: bool | None,
    location: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """One page of products by SKU, how many match in all, and each one's stock figures."""
    where: list[ColumnElement[bool]] = [Product.tenant_id == tenant_id]
    if search:
        where.append(
            or_(
                _contains(Product.sku, search),
                _contains(Product.name, search),
                _contains(func.coalesce(Product.barcode, ""), search),
            )
        )
    if active is not None:
        where.append(Product.active.is_(active))
    async with uows.read() as session:
        total = await session.scalar(select(func.count()).select_from(Product).where(*where))
        products = list(
            await session.scalars(
                select(Product).where(*where).order_by(Product.sku).limit(limit).offset(offset)
            )
        )
        stock_where = [
            StockLevel.tenant_id == tenant_id,
            StockLevel.product_id.in_([product.id for product in products]),
        ]
        if location:
            stock_where.append(StockLevel.location == location)
        levels = list(
            await session.scalars(
                select(StockLevel).where(*stock_where).order_by(StockLevel.location)
            )
        )
    by_product: dict[str, list[StockLevel]] = {}
    for level in levels:
        by_product.setdefault(level.product_id, []).append(level)
    return {
        "products": [_view(product, by_product.get(product.id, [])) for product in products],
        "total": int(total or 0),
        "limit": limit,
        "offset": offset,
    }


def _view(product: Product, levels: list[StockLevel]) -> dict[str, Any]:
    available = sum((figures(level).available_to_sell for level in levels), ZERO)
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "barcode": product.barcode,
        "price": str(product.price) if product.price is not None else None,
        "reorder_level": str(product.reorder_level),
        "active": product.active,
        "available_to_sell": str(available),
        "locations": [stock_view(level) for level in levels],
    }
