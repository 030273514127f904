"""Sales that wait for the writer are recorded together, each with its own outcome."""

import asyncio
from decimal import Decimal as D
from typing import Any

from sqlalchemy import func, select

from tests.support.engine_events import heard
from tests.support.jobs import add_connection
from tests.support.ledger import seed_stock
from tillsync import request_ids
from tillsync.bootstrap import Hub
from tillsync.errors import InsufficientStock, InvalidInput, NotFound
from tillsync.services import sales
from tillsync.services.tenants import Caller, create_tenant
from tillsync.store.tables import (
    AuditEntry,
    Event,
    Job,
    PendingMovement,
    Sale,
    SaleLine,
    StockLevel,
)


async def _caller(hub: Hub, name: str = "Fade Factory") -> Caller:
    tenant = await create_tenant(hub.uows, name=name)
    return Caller(tenant_id=tenant.tenant_id, default_location="Main Warehouse")


def _sale(sale_id: str, sku: str, quantity: str = "1") -> sales.SaleInput:
    line = sales.LineInput(sku=sku, quantity=D(quantity), price=D(5))
    return sales.SaleInput(sale_id=sale_id, items=(line,))


async def _at_once(hub: Hub, caller: Caller, sold: list[sales.SaleInput]) -> list[Any]:
    return await asyncio.gather(
        *(sales.record_sale(hub.uows, caller, sale) for sale in sold), return_exceptions=True
    )


async def _count(hub: Hub, model: Any) -> int:
    async with hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _stock_events(hub: Hub) -> int:
    async with hub.uows.read() as session:
        found = await session.scalar(
            select(func.count()).select_from(Event).where(Event.type == "stock.changed")
        )
    return int(found or 0)


async def test_sales_made_at_once_share_one_transaction(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 100)
    with heard(hub, "commit") as commits:
        answers = await _at_once(hub, caller, [_sale(f"POS-{n}", "TOMB45") for n in range(20)])
    assert len(commits) == 1
    assert [answer.sale.sale_id for answer in answers] == [f"POS-{n}" for n in range(20)]
    assert {answer.duplicate for answer in answers} == {False}
    assert len({answer.sale.id for answer in answers}) == 20
    for model in (Sale, SaleLine, PendingMovement):
        assert await _count(hub, model) == 20, model
    async with hub.uows.read() as session:
        pending = await session.scalar(select(StockLevel.pending))
        values_after = sorted(
            await session.scalars(select(AuditEntry.value_after).where(AuditEntry.cause == "sale"))
        )
    assert pending == D(20)
    assert values_after == [D(n) for n in range(1, 21)]  # each hold on top of the one before


async def test_sales_at_once_never_sell_more_than_the_row_has(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 6)
    answers = await _at_once(hub, caller, [_sale(f"POS-{n}", "TOMB45") for n in range(10)])
    refused = [answer for answer in answers if isinstance(answer, Exception)]
    assert [answer.sale.sale_id for answer in answers[:6]] == [f"POS-{n}" for n in range(6)]
    assert len(refused) == 4
    assert all(isinstance(answer, InsufficientStock) for answer in refused)
    assert [answer.available for answer in refused] == [D(0)] * 4
    assert {answer.field for answer in refused} == {"items[0].quantity"}
    assert await _count(hub, Sale) == 6
    assert await _count(hub, PendingMovement) == 6


async def test_each_sale_of_a_batch_gets_its_own_outcome(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 5)
    await seed_stock(hub, caller.tenant_id, "GEL", 1)
    before = await sales.record_sale(hub.uows, caller, _sale("POS-OLD", "TOMB45"))
    answers = await _at_once(
        hub,
        caller,
        [
            _sale("POS-1", "TOMB45", "2"),
            _sale("POS-2", "NOPE"),
            _sale("POS-3", "GEL", "2"),
            _sale("POS-OLD", "TOMB45"),  # a repeat of a stored sale
            _sale("POS-4", "TOMB45", "1.5"),  # sold in whole units
            _sale("POS-5", "TOMB45"),
            _sale("POS-5", "TOMB45"),  # the same sale twice in one batch
        ],
    )
    first, unknown, short, repeat, fraction, fifth, fifth_again = answers
    assert (first.sale.sale_id, first.duplicate) == ("POS-1", False)
    assert isinstance(unknown, NotFound)
    assert unknown.field == "items[0].sku"
    assert isinstance(short, InsufficientStock)
    assert short.available == D(1)
    assert (repeat.duplicate, repeat.sale.id) == (True, before.sale.id)
    assert isinstance(fraction, InvalidInput)
    assert fraction.field == "items[0].quantity"
    assert fifth.duplicate is False
    assert (fifth_again.duplicate, fifth_again.sale.id) == (True, fifth.sale.id)
    async with hub.uows.read() as session:
        stored = sorted(await session.scalars(select(Sale.reference)))
        figures = dict((await session.execute(select(StockLevel.sku, StockLevel.pending))).all())
    assert stored == ["POS-1", "POS-5", "POS-OLD"]
    assert figures == {"TOMB45": D(4), "GEL": D(0)}


async def test_a_batch_spans_tenants_each_on_its_own_rows(hub: Hub) -> None:
    shops = [await _caller(hub, "Fade Factory"), await _caller(hub, "Clip Joint")]
    for shop in shops:
        await seed_stock(hub, shop.tenant_id, "TOMB45", 1)
    events_before = await _stock_events(hub)
    answers = await asyncio.gather(
        *(
            sales.record_sale(hub.uows, shop, _sale(f"POS-{n}", "TOMB45"))
            for n in range(2)
            for shop in shops
        ),
        return_exceptions=True,
    )
    assert [isinstance(answer, InsufficientStock) for answer in answers] == [
        False,
        False,
        True,
        True,
    ]
    async with hub.uows.read() as session:
        held = list(await session.scalars(select(StockLevel.pending)))
    assert held == [D(1), D(1)]
    assert await _stock_events(hub) == events_before + 2  # one per row touched


async def test_each_sale_of_a_batch_keeps_its_own_request_id(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 10)
    await add_connection(hub.uows, caller.tenant_id)  # a warehouse: one push job a sale

    async def sale(n: int) -> None:
        request_ids.current.set(f"req-{n}")
        await sales.record_sale(hub.uows, caller, _sale(f"POS-{n}", "TOMB45"))

    await asyncio.gather(*(sale(n) for n in range(3)))
    async with hub.uows.read() as session:
        ids = sorted(await session.scalars(select(Job.request_id)))
    assert ids == ["req-0", "req-1", "req-2"]


async def test_a_sale_whose_caller_left_before_its_batch_is_not_made(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 10)
    left = asyncio.ensure_future(sales.record_sale(hub.uows, caller, _sale("POS-1", "TOMB45")))
    await asyncio.sleep(0)  # submitted, its batch not begun
    left.cancel()
    stayed = await sales.record_sale(hub.uows, caller, _sale("POS-2", "TOMB45"))
    assert stayed.sale.sale_id == "POS-2"
    async with hub.uows.read() as session:
        assert list(await session.scalars(select(Sale.reference))) == ["POS-2"]
