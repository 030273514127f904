"""The database itself refuses writes that would break the ledger, whoever sends them."""

from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tests.support.ledger import seed_stock
from tillsync.bootstrap import Hub
from tillsync.errors import InsufficientStock
from tillsync.services import inventory, sales
from tillsync.services.inventory import Wanted
from tillsync.services.tenants import Caller, create_tenant
from tillsync.store.tables import PendingMovement, Reservation, StockLevel, new_id


async def _caller(hub: Hub) -> Caller:
    tenant = await create_tenant(hub.uows, name="Fade Factory")
    await seed_stock(hub, tenant.tenant_id, "TOMB45", 5)
    return Caller(tenant_id=tenant.tenant_id, default_location="Main Warehouse")


async def _sell(hub: Hub, caller: Caller, quantity: int) -> None:
    line = sales.LineInput(sku="TOMB45", quantity=D(quantity), price=D("29.99"))
    await sales.record_sale(hub.uows, caller, sales.SaleInput(sale_id="POS-1", items=(line,)))


async def _write(hub: Hub, statement: Any) -> None:
    async with hub.uows.begin() as uow:
        await uow.session.execute(statement)
        await uow.commit()


@pytest.mark.parametrize(
    "values", [{"pending": D(-1)}, {"reserved": D(-2)}], ids=["pending", "reserved"]
)
async def test_a_negative_hold_is_refused(hub: Hub, values: dict[str, D]) -> None:
    await _caller(hub)
    with pytest.raises(IntegrityError):
        await _write(hub, update(StockLevel).values(**values))


async def test_a_pending_movement_is_released_only_once(hub: Hub) -> None:
    caller = await _caller(hub)
    await _sell(hub, caller, 2)
    await _write(hub, update(PendingMovement).values(released_at=hub.uows.clock.now()))
    with pytest.raises(IntegrityError):
        await _write(hub, update(PendingMovement).values(released_at=hub.uows.clock.now()))


async def _hold_by_hand(hub: Hub, figure: str, record: Any) -> None:
    """Raise a hold without the ledger's check, and record it as a hold is recorded."""
    async with hub.uows.begin() as uow:
        column = getattr(StockLevel, figure)
        await uow.session.execute(update(StockLevel).values({figure: column + 4}))
        uow.session.add(record)
        await uow.commit()


@pytest.mark.parametrize("figure", ["pending", "reserved"])
async def test_a_hold_beyond_what_the_row_has_is_refused(hub: Hub, figure: str) -> None:
    caller = await _caller(hub)
    await _sell(hub, caller, 2)
    async with hub.uows.read() as session:
        stock = await session.scalar(select(StockLevel))
        sale_id = await session.scalar(select(PendingMovement.sale_id))
    assert stock is not None
    now = hub.uows.clock.now()
    record = (
        PendingMovement(
            tenant_id=caller.tenant_id,
            stock_level_id=stock.id,
            sale_id=sale_id,
            quantity=D(4),
            created_at=now,
        )
        if figure == "pending"
        else Reservation(
            id=new_id(),
            tenant_id=caller.tenant_id,
            stock_level_id=stock.id,
            sku="TOMB45",
            location="Main Warehouse",
            quantity=D(4),
            status="active",
            expires_at=now,
            created_at=now,
        )
    )
    with pytest.raises(IntegrityError):
        await _hold_by_hand(hub, figure, record)


async def test_a_refusal_is_worded_from_the_figures_that_refused_it(hub: Hub) -> None:
    caller = await _caller(hub)
    await _sell(hub, caller, 4)
    with pytest.raises(InsufficientStock) as refused:
        await inventory.reserve(hub.uows, caller, Wanted("TOMB45", D(2)), ttl_seconds=60)
    assert str(refused.value) == "Insufficient stock (only 1 available, need 2)"
    assert refused.value.available == D(1)
