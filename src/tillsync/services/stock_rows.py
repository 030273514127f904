"""Stock rows as writers see them: keys, reads (locked or not), figures, views, refusals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, exists, false, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tillsync.domain.ledger import StockFigures, check_message
from tillsync.errors import InsufficientStock
from tillsync.store.database import chunks
from tillsync.store.snapshots import snapshot
from tillsync.store.tables import Alert, Product, Reservation, StockLevel
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


SCALED = Scaled()
"""One instance for every bound quantity: the dialect adapts a type once per instance."""


def exact(quantity: Decimal) -> Any:
    """A quantity bound as a scaled integer: SQL arithmetic on Scaled columns stays exact."""
    return literal(quantity, SCALED)


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


@dataclass(frozen=True, slots=True)
class HeldRow:
    """A locked row, with what a hold on it must know besides its figures."""

    stock: StockLevel
    overdue: bool
    """It has active reservations that ran out: they are swept before the hold."""
    alerted: bool
    """It has open alerts: only then are they read."""


async def rows_for_holds(
    session: AsyncSession, tenant_id: str, keys: set[Key], *, now: dt.datetime
) -> dict[Key, HeldRow]:
    """As `rows(..., lock=True)`, with what the holds on the rows must know.

    On SQLite the transaction took the write lock before it read anything, so what the
    locking statement sees of other tables is current: one statement reads it all. On
    PostgreSQL a statement that waited for a row lock sees the row afresh but the other
    tables as they were when it began, so they are read after the lock, by a second one.
    """
    overdue = (
        exists()
        .where(
            Reservation.stock_level_id == StockLevel.id,
            Reservation.status == "active",
            Reservation.expires_at <= now,
        )
        .label("overdue")
    )
    alerted = (
        exists()
        .where(
            Alert.tenant_id == StockLevel.tenant_id,
            Alert.sku == StockLevel.sku,
            Alert.location == StockLevel.location,
            Alert.resolved == false(),  # as the open alerts' index says: it is used
        )
        .label("alerted")
    )
    if session.get_bind().dialect.name != "sqlite":
        locked = await rows(session, tenant_id, keys, lock=True)
        flags: dict[str, tuple[bool, bool]] = {}
        for ids in chunks(sorted(stock.id for stock in locked.values())):
            read = await session.execute(
                select(StockLevel.id, overdue, alerted).where(StockLevel.id.in_(ids))
            )
            flags |= {id_: (bool(late), bool(open_)) for id_, late, open_ in read}
        return {key: HeldRow(stock, *flags[stock.id]) for key, stock in locked.items()}
    found: dict[Key, HeldRow] = {}
    locations = sorted({location for _, location in keys})
    for skus in chunks(sorted({sku for sku, _ in keys})):
        statement = (
            select(StockLevel, overdue, alerted)
            .where(
                StockLevel.tenant_id == tenant_id,
                StockLevel.sku.in_(skus),
                StockLevel.location.in_(locations),
            )
            .order_by(StockLevel.sku, StockLevel.location)
            .execution_options(populate_existing=True)
        )
        for row, is_overdue, is_alerted in await session.execute(statement):
            if (row.sku, row.location) in keys:
                found[(row.sku, row.location)] = HeldRow(row, bool(is_overdue), bool(is_alerted))
    return found


class DeferredHolds:
    """Changes to locked rows' pending and reserved, made in memory and written at once.

    Each row's figures change in memory as its holds are taken, so every later check on
    the row sees them; `write` then adds each row's total in one statement. The rows are
    locked, so what each adds to is what was read.
    """

    def __init__(self) -> None:
        self._rows: dict[str, tuple[StockLevel, dict[str, Decimal]]] = {}

    def add(self, stock: StockLevel, figure: str, quantity: Decimal) -> None:
        deltas = self._rows.setdefault(stock.id, (stock, {}))[1]
        deltas[figure] = deltas.get(figure, ZERO) + quantity
        set_committed_value(stock, figure, getattr(stock, figure) + quantity)

    async def write(self, session: AsyncSession, *, now: dt.datetime) -> None:
        if not self._rows:
            return
        changed, self._rows = list(self._rows.values()), {}
        table: Any = StockLevel.__table__
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(
                pending=table.c.pending + bindparam("add_pending", type_=SCALED),
                reserved=table.c.reserved + bindparam("add_reserved", type_=SCALED),
                updated_at=now,
            )
        )
        await session.execute(
            statement,
            [
                {
                    "row_id": stock.id,
                    "add_pending": deltas.get("pending", ZERO),
                    "add_reserved": deltas.get("reserved", ZERO),
                }
                for stock, deltas in changed
            ],
        )
        for stock, _ in changed:
            set_committed_value(stock, "updated_at", now)
