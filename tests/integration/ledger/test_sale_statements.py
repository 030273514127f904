"""A sale in few statements: set-based reads, and what its rows' lock tells it besides figures."""

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.engine_events import heard
from tests.support.ledger import report_stock, seed_stock
from tillsync.bootstrap import Hub, open_hub
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.services import inventory, sales
from tillsync.services.inventory import Wanted
from tillsync.services.tenants import Caller, create_tenant
from tillsync.store import sqlite
from tillsync.store.sqlite import FIRST_ROWS, _statement
from tillsync.store.tables import Alert, AuditEntry, Reservation, StockLevel


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[tuple[Hub, FakeClock]]:
    clock = FakeClock()
    async with open_hub(settings, clock=clock) as hub:
        yield hub, clock


async def _caller(hub: Hub) -> Caller:
    tenant = await create_tenant(hub.uows, name="Fade Factory")
    return Caller(tenant_id=tenant.tenant_id, default_location="Main Warehouse")


def _sale(sale_id: str, *skus: str, quantity: int = 1) -> sales.SaleInput:
    lines = tuple(sales.LineInput(sku=sku, quantity=D(quantity), price=D(5)) for sku in skus)
    return sales.SaleInput(sale_id=sale_id, items=lines)


async def test_further_lines_of_a_sale_cost_no_further_statement(hub: Hub) -> None:
    caller = await _caller(hub)
    skus = ["GEL", "POMADE", "RAZOR", "TOMB45"]
    for sku in skus:
        await seed_stock(hub, caller.tenant_id, sku, 10)
    with heard(hub, "before_cursor_execute") as one_line:
        await sales.record_sale(hub.uows, caller, _sale("POS-1", "TOMB45"))
    with heard(hub, "before_cursor_execute") as four_lines:
        await sales.record_sale(hub.uows, caller, _sale("POS-2", *skus))
    # Products, lines, jobs, movements, audit and events are one statement each whatever
    # the number of lines, and the stock rows are updated together.
    assert len(four_lines) == len(one_line)
    updates = [args for args in four_lines if args[2].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1


async def test_a_sale_gives_back_its_rows_run_out_reservations_first(
    clocked: tuple[Hub, FakeClock],
) -> None:
    hub, clock = clocked
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 5)
    held = await inventory.reserve(hub.uows, caller, Wanted("TOMB45", D(5)), ttl_seconds=60)
    clock.advance(61)
    await sales.record_sale(hub.uows, caller, _sale("POS-1", "TOMB45", quantity=3))
    async with hub.uows.read() as session:
        stock = await session.scalar(select(StockLevel).where(StockLevel.sku == "TOMB45"))
        status = await session.scalar(
            select(Reservation.status).where(Reservation.id == held.reservation_id)
        )
        causes = list(
            await session.scalars(select(AuditEntry.cause).order_by(AuditEntry.created_at))
        )
    assert stock is not None
    assert (stock.pending, stock.reserved) == (D(3), D(0))
    assert status == "expired"
    assert causes[-2:] == ["reservation_expired", "sale"]


async def test_sales_on_a_row_with_an_open_alert_keep_one_alert_of_a_kind(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 8, reorder_level=5)
    for n in range(3):  # net 7, 5 (low stock raised), 2 (still low: the open alert is seen)
        await sales.record_sale(hub.uows, caller, _sale(f"POS-{n}", "TOMB45", quantity=1 + n))
    await report_stock(hub, caller.tenant_id, "TOMB45", 20)  # the pending 6 are still held
    await sales.record_sale(hub.uows, caller, _sale("POS-9", "TOMB45", quantity=1))
    async with hub.uows.read() as session:
        alerts = (
            await session.execute(
                select(Alert.alert_type, Alert.resolved, func.count())
                .group_by(Alert.alert_type, Alert.resolved)
                .order_by(Alert.alert_type, Alert.resolved)
            )
        ).all()
    assert [tuple(row) for row in alerts] == [("low_stock", True, 1)]


@asynccontextmanager
async def _trips(session: AsyncSession) -> AsyncIterator[list[object]]:
    """Each hand-over to the SQLite connection's thread, while inside."""
    connection = await session.connection()
    raw: Any = (await connection.get_raw_connection()).driver_connection
    trips: list[object] = []
    own = raw._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(fn)
        return await own(fn, *args, **kwargs)

    raw._execute = counted
    try:
        yield trips
    finally:
        del raw._execute


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # aiosqlite's thread hops
async def test_a_sqlite_statement_takes_one_trip_to_the_connection_thread(hub: Hub) -> None:
    async with hub.uows.read() as session, _trips(session) as trips:
        rows = (await session.execute(text("SELECT 1 UNION ALL SELECT 2"))).all()
        count = await session.scalar(select(func.count()).select_from(StockLevel))
    assert [tuple(row) for row in rows] == [(1,), (2,)]
    assert count == 0
    assert len(trips) == 2


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # aiosqlite's thread hops
async def test_a_sqlite_transactions_begin_goes_with_its_first_statement(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[tuple[Any, ...]] = []
    own = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any) -> Any:
        if fn is _statement:
            statements.append(args[1:4])  # BEGIN, method, SQL
        return await own(self, fn, *args)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    async with hub.uows.begin() as uow:
        assert await uow.session.scalar(text("SELECT 'first'")) == "first"
        assert await uow.session.scalar(text("SELECT 'second'")) == "second"
        await uow.commit()

    assert statements == [
        ("BEGIN IMMEDIATE", "execute", "SELECT 'first'"),
        (None, "execute", "SELECT 'second'"),
    ]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # aiosqlite's thread hops
async def test_a_long_sqlite_result_is_read_in_steps_not_held_whole(hub: Hub) -> None:
    count = FIRST_ROWS * 2 + 500
    numbers = text(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :count) "
        "SELECT x FROM n"
    ).bindparams(count=count)
    async with hub.uows.read() as session, _trips(session) as trips:
        streamed = await session.stream(numbers.execution_options(yield_per=100))
        read = [row async for (row,) in streamed]
        streamed_trips = len(trips)
        whole = (await session.execute(numbers)).scalars().all()
    assert read == list(range(1, count + 1))
    assert streamed_trips == 3  # the statement with its first rows, then two steps
    assert list(whole) == read


async def test_a_begin_refused_by_a_busy_writer_is_run_with_the_next_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Else the transaction's next statement would run outside any transaction."""
    monkeypatch.setattr(sqlite, "BUSY_SECONDS", 0.05)
    path = tmp_path / "busy.db"
    engine = sqlite.sqlite_engine(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with AsyncSession(engine) as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
            await session.commit()
            other.execute("BEGIN IMMEDIATE")  # another process's writer
            with pytest.raises(OperationalError, match="locked"):
                await session.execute(text("INSERT INTO t VALUES (1)"))
            other.execute("ROLLBACK")
            await session.execute(text("INSERT INTO t VALUES (2)"))
            raw: Any = (await (await session.connection()).get_raw_connection()).driver_connection
            assert raw.in_transaction
            await session.rollback()
        assert other.execute("SELECT count(*) FROM t").fetchone() == (0,)
    finally:
        other.close()
        await engine.dispose()
