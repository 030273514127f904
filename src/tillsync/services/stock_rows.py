"""Stock rows as writers see them: keys, reads (locked or not), figures, views, refusals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.ledger import StockFigures, check_message
from tillsync.errors import InsufficientStock
from tillsync.store.database import chunks
from tillsync.store.snapshots import snapshot
from tillsync.store.tables import Product, StockLevel
from tillsync.store.types import Scaled

ZERO = Decimal(0)
Key = tuple[str, str]
"""A stock row's SKU and location."""


@dataclass(frozen=True, slots=True)
class Report:
    """The warehouse's figures for one product at one location."""

    product: Product
    location: str
    available: Decimal
    on_hand: Decimal


@dataclass(frozen=True, slots=True)
class LocationStock:
    """A product's stock at one location, as the catalog and `stock.changed` show it."""

    sku: str
    location: str
    available_to_sell: Decimal
    warehouse_available: Decimal
    pending: Decimal
    reserved: Decimal
    as_of: dt.datetime | None
    """When the warehouse reported its figure."""


def exact(quantity: Decimal) -> Any:
    """A quantity bound as a scaled integer: SQL arithmetic on Scaled columns stays exact."""
    return literal(quantity, Scaled())


def figures(stock: StockLevel) -> StockFigures:
    return StockFigures(stock.warehouse_available, stock.pending, stock.reserved)


def stock_view(stock: StockLevel) -> LocationStock:
    return snapshot(LocationStock, stock, available_to_sell=figures(stock).available_to_sell)


def refusal(
    sku: str, current: StockFigures | None, quantity: Decimal, *, field: str
) -> InsufficientStock:
    """The answer to a hold that the row's locked figures (or its absence) could not take."""
    level = current.available_to_sell if current is not None else ZERO
    return InsufficientStock(
        check_message(level, quantity), sku=sku, available=level, requested=quantity, field=field
    )


async def rows(
    session: AsyncSession, tenant_id: str, keys: set[Key], *, lock: bool
) -> dict[Key, StockLevel]:
    """The stock rows of these keys that exist, read afresh; with `lock`, locked to commit.

    Rows are read (and locked) in SKU × location order by every writer, so two writers
    wanting the same rows queue instead of deadlocking. FOR NO KEY UPDATE leaves rows of
    other tables free to refer to the locked ones. SQLite renders no lock clause: its
    write transactions are serialised already.
    """
    found: dict[Key, StockLevel] = {}
    locations = sorted({location for _, location in keys})
    for skus in chunks(sorted({sku for sku, _ in keys})):
        statement = (
            select(StockLevel)
            .where(
                StockLevel.tenant_id == tenant_id,
                StockLevel.sku.in_(skus),
                StockLevel.location.in_(locations),
            )
            .order_by(StockLevel.sku, StockLevel.location)
            .execution_options(populate_existing=True)
        )
        if lock:
            statement = statement.with_for_update(key_share=True)
        for row in await session.scalars(statement):
            if (row.sku, row.location) in keys:
                found[(row.sku, row.location)] = row
    return found
