"""Stock rows as the read model reads them: stored figures decoded once per distinct value.

The catalog shows a row the same way whether the memory or the database gave it
(`location_stock`): holds that ran out are free, as a check counts them.

A million rows are read at start; decoding each figure and time through the column types
would cost more than the rest of the load, and most values repeat (a pull reports many
rows at one time, most figures are small whole numbers), so the stored values are read
as the driver gives them and each distinct one is decoded once, into a shared object.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Select, String, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeDecorator

from tillsync.domain.stock_memory import SHARED_VALUES, Hold, Row
from tillsync.services.stock_rows import LocationStock
from tillsync.store.database import chunks
from tillsync.store.tables import Product, Reservation, StockLevel
from tillsync.store.types import SCALE

PLACES = Decimal("0.0001")

StockRow = Select[str, str, str, str, int, int, int, Any, bool]


def stock_rows() -> StockRow:
    """Figures as their stored integers and times as stored: decoded once per distinct value."""
    return select(
        StockLevel.id,
        StockLevel.tenant_id,
        StockLevel.sku,
        StockLevel.location,
        type_coerce(StockLevel.warehouse_available, BigInteger),
        type_coerce(StockLevel.pending, BigInteger),
        type_coerce(StockLevel.reserved, BigInteger),
        type_coerce(StockLevel.as_of, Raw()),
        Product.whole_units,
    ).join(Product, Product.id == StockLevel.product_id)


class Raw(TypeDecorator[Any]):
    """A column's value as the driver gives it (SQLite: text; PostgreSQL: a datetime)."""

    impl = String
    cache_ok = True


class Decoded:
    """Stored figures and times as the model holds them, each distinct value decoded once."""

    def __init__(self) -> None:
        self._figures: dict[int, Decimal] = {}
        self._moments: dict[Any, dt.datetime] = {}

    def figure(self, stored: int) -> Decimal:
        found = self._figures.get(stored)
        if found is None:
            found = (Decimal(stored) / SCALE).quantize(PLACES)
            if len(self._figures) < SHARED_VALUES:
                self._figures[stored] = found
        return found

    def moment(self, stored: Any) -> dt.datetime | None:
        if stored is None:
            return None
        found = self._moments.get(stored)
        if found is None:
            found = stored if isinstance(stored, dt.datetime) else dt.datetime.fromisoformat(stored)
            found = (
                found.replace(tzinfo=dt.UTC) if found.tzinfo is None else found.astimezone(dt.UTC)
            )
            if len(self._moments) < SHARED_VALUES:
                self._moments[stored] = found
        return found


async def active_holds(session: AsyncSession, ids: list[str] | None) -> dict[str, list[Hold]]:
    """Active reservations' ends and quantities by stock row (of these rows, or of all)."""
    held: dict[str, list[Hold]] = defaultdict(list)
    statement = select(Reservation.stock_level_id, Reservation.expires_at, Reservation.quantity)
    active = Reservation.status == "active"
    parts: list[list[str] | None] = [None] if ids is None else [list(p) for p in chunks(ids)]
    for part in parts:
        where = active if part is None else active & Reservation.stock_level_id.in_(part)
        for stock_level_id, expires_at, quantity in await session.execute(statement.where(where)):
            held[stock_level_id].append((expires_at, quantity))
    return held


def stored_row(stock: StockLevel, holds: Iterable[Hold]) -> Row:
    """A row read from the database, as the memory holds it."""
    return Row(
        stock.location,
        stock.warehouse_available,
        stock.pending,
        stock.reserved,
        stock.as_of,
        tuple(holds),
    )


def location_stock(sku: str, row: Row, *, now: dt.datetime) -> LocationStock:
    """The row's figures at `now`, as the catalog shows them."""
    current = row.figures(now)
    return LocationStock(
        sku=sku,
        location=row.location,
        available_to_sell=current.available_to_sell,
        warehouse_available=current.warehouse_available,
        pending=current.pending,
        reserved=current.reserved,
        as_of=row.as_of,
    )
