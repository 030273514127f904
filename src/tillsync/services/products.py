"""The catalog as a POS reads it: products searched and paged, available to sell per location.

Products are listed by the database; their figures come from the stock read model when it
answers for them (services/stock_model.py: loaded, within its bound, not just changed by
this process), else from the database, and the page says as of when (`as_of`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from tillsync.domain.ledger import ZERO
from tillsync.domain.stock_memory import Row
from tillsync.services.stock_model import StockModel
from tillsync.services.stock_reads import active_holds, location_stock, stored_row
from tillsync.services.stock_rows import LocationStock
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
    as_of: dt.datetime
    """Every change committed before this time is counted in the figures."""


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
    model: StockModel | None = None,
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
        now = uows.clock.now()
        shown = model.shown(tenant_id, [p.sku for p in products], now=now) if model else None
        remembered = shown.items if shown is not None else {}
        rest = [product for product in products if product.sku not in remembered]
        stored = await _stored_rows(session, tenant_id, rest, location)
    if model is not None and not location:  # as a check does (services/inventory.py)
        for product in rest:
            if product.id not in stored:
                model.learned(tenant_id, product.sku, whole_units=product.whole_units)
    rows: dict[str, Sequence[Row]] = {sku: item.rows for sku, item in remembered.items()}
    rows |= {product.sku: stored.get(product.id, ()) for product in rest}
    return CatalogPage(
        products=tuple(
            _product(product, rows[product.sku], location=location, now=now) for product in products
        ),
        total=int(total or 0),
        limit=limit,
        offset=offset,
        as_of=shown.as_of if shown is not None and remembered else now,
    )


async def _stored_rows(
    session: AsyncSession, tenant_id: str, products: Sequence[Product], location: str | None
) -> dict[str, list[Row]]:
    """The products' rows (at `location` only, when given) by product id, with their holds."""
    if not products:
        return {}
    where = [
        StockLevel.tenant_id == tenant_id,
        StockLevel.product_id.in_([product.id for product in products]),
    ]
    if location:
        where.append(StockLevel.location == location)
    levels = list(await session.scalars(select(StockLevel).where(*where)))
    holds = await active_holds(session, [level.id for level in levels])
    found: dict[str, list[Row]] = defaultdict(list)
    for level in levels:
        found[level.product_id].append(stored_row(level, holds.get(level.id, ())))
    return found


def _product(
    product: Product, rows: Sequence[Row], *, location: str | None, now: dt.datetime
) -> CatalogProduct:
    shown = (row for row in rows if not location or row.location == location)
    ordered = sorted(shown, key=lambda row: row.location)
    locations = tuple(location_stock(product.sku, row, now=now) for row in ordered)
    available = sum((location.available_to_sell for location in locations), ZERO)
    return snapshot(CatalogProduct, product, available_to_sell=available, locations=locations)
