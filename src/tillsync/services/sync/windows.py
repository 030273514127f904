"""Windows of SKUs that settling walks through, a few thousand at a time, in order.

Each window is a filter on a SKU column (`Where`), so the staged figures, the ledger's rows
and the catalog are read for the same SKUs side by side, and memory stays flat however
large the catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any

from sqlalchemy import and_, exists, or_, select, true

from tillsync.services.context import Services
from tillsync.store.database import chunks
from tillsync.store.tables import Product, StockLevel, SyncStage

WINDOW = 2000
"""SKUs settled together: a few thousand rows in memory at a time."""

Where = Callable[[Any], Any]


async def omitted(
    services: Services, tenant_id: str, run_id: str, as_of: dt.datetime
) -> AsyncIterator[Where]:
    """Windows of the SKUs a settled listing left out, in order (found in two queries).

    Those are the SKUs of rows the hub holds that the listing did not cover (unless a
    later report stands), and of products the warehouse lists that have neither a staged
    figure nor a row: absence means zero for both, as a listing omits rows whose
    quantities are all zero. Only SKUs are held in memory: a few megabytes for the largest
    catalogs.
    """
    covered = exists().where(
        SyncStage.run_id == run_id,
        SyncStage.sku == StockLevel.sku,
        SyncStage.location == StockLevel.location,
    )
    held = select(StockLevel.sku).where(
        StockLevel.tenant_id == tenant_id,
        or_(StockLevel.as_of.is_(None), StockLevel.as_of < as_of),
        ~covered,
    )
    bare = select(Product.sku).where(
        Product.tenant_id == tenant_id,
        Product.active.is_(True),
        ~exists().where(SyncStage.run_id == run_id, SyncStage.sku == Product.sku),
        ~exists().where(StockLevel.tenant_id == tenant_id, StockLevel.sku == Product.sku),
    )
    async with services.uows.read() as session:
        skus = set(await session.scalars(held.distinct())) | set(await session.scalars(bare))
    for part in chunks(sorted(skus), WINDOW):
        yield among(list(part))


async def windows(
    services: Services, tenant_id: str, run_id: str, scope: Collection[str] | None
) -> AsyncIterator[Where]:
    """Filters on a SKU column, each covering the next window of SKUs, in order."""
    if scope is not None:
        for part in chunks(sorted(scope), WINDOW):
            yield among(list(part))
        return
    low: str | None = None
    while True:
        async with services.uows.read() as session:
            after = _between(low, None)
            ends = []
            for column, owner in (
                (Product.sku, Product.tenant_id == tenant_id),
                (SyncStage.sku, SyncStage.run_id == run_id),
            ):
                skus = (
                    await session.scalars(
                        select(column).where(owner, after(column)).order_by(column).limit(WINDOW)
                    )
                ).all()
                ends.append(skus[-1] if len(skus) == WINDOW else None)
        full = [end for end in ends if end is not None]
        high = min(full) if full else None
        yield _between(low, high)
        if high is None:
            return
        low = high


def among(skus: list[str]) -> Where:
    def where(column: Any) -> Any:
        return column.in_(skus)

    return where


def _between(low: str | None, high: str | None) -> Where:
    def where(column: Any) -> Any:
        parts = []
        if low is not None:
            parts.append(column > low)
        if high is not None:
            parts.append(column <= high)
        return and_(true(), *parts)

    return where
