"""The catalog as a POS reads it: products searched and paged, available to sell per location."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from tillsync.domain.ledger import ZERO
from tillsync.services.stock_rows import LocationStock, stock_view
from tillsync.store.snapshots import snapshot
from tillsync.store.tables import Product, StockLevel
from tillsync.store.uow import UnitsOfWork

LIKE_ESCAPE = "\\"


@dataclass(frozen=True, slots=True)
class CatalogProduct:
    """A product with its stock at each location shown."""

    id: str
    sku: str
    name: str
    barcode: str | None
    price: Decimal | None
    reorder_level: Decimal
    active: bool
    available_to_sell: Decimal
    """Summed over the locations shown."""
    locations: tuple[LocationStock, ...]


@dataclass(frozen=True, slots=True)
class CatalogPage:
    products: tuple[CatalogProduct, ...]
    total: int
    """How many products match in all, past this page too."""
    limit: int
    offset: int


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
) -> CatalogPage:
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
    return CatalogPage(
        products=tuple(_product(product, by_product.get(product.id, [])) for product in products),
        total=int(total or 0),
        limit=limit,
        offset=offset,
    )


def _product(product: Product, levels: list[StockLevel]) -> CatalogProduct:
    locations = tuple(stock_view(level) for level in levels)
    available = sum((location.available_to_sell for location in locations), ZERO)
    return snapshot(CatalogProduct, product, available_to_sell=available, locations=locations)
