"""Recording sales and holds against the ledger, without HTTP."""

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, update

from tests.support.ledger import seed_stock
from tillsync.bootstrap import Hub
from tillsync.errors import Conflict, InsufficientStock, InvalidInput, NotFound
from tillsync.services import inventory, sales
from tillsync.services.inventory import Wanted
from tillsync.services.tenants import Caller, create_tenant
from tillsync.store.tables import AuditEntry, Sale, StockLevel


async def _caller(hub: Hub) -> Caller:
    tenant = await create_tenant(hub.uows, name="Fade Factory")
    return Caller(tenant_id=tenant.tenant_id, default_location="Main Warehouse")


def _sale(sale_id: str, sku: str, quantity: int, *reservations: str) -> sales.SaleInput:
    line = sales.LineInput(sku=sku, quantity=D(quantity), price=D("29.99"))
    return sales.SaleInput(sale_id=sale_id, items=(line,), reservation_ids=reservations)


async def _stock(hub: Hub, caller: Caller, sku: str) -> StockLevel:
    async with hub.uows.read() as session:
        row = await session.scalar(
            select(StockLevel).where(
                StockLevel.tenant_id == caller.tenant_id, StockLevel.sku == sku
            )
        )
    assert row is not None
    return row


async def test_a_sale_holds_its_quantity_as_pending(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 5)
    answer = await sales.record_sale(hub.uows, caller, _sale("POS-1", "TOMB45", 2))
    assert answer.duplicate is False
    assert answer.sync_status == "not_configured"
    stock = await _stock(hub, caller, "TOMB45")
    assert (stock.warehouse_available, stock.pending, stock.reserved) == (D(5), D(2), D(0))


async def test_recording_the_same_sale_twice_returns_the_first(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 5)
    first = await sales.record_sale(hub.uows, caller, _sale("POS-1", "TOMB45", 2))
    again = await sales.record_sale(hub.uows, caller, _sale("POS-1", "TOMB45", 2))
    assert again.sale.id == first.sale.id
    assert again.duplicate is True
    assert (await _stock(hub, caller, "TOMB45")).pending == D(2)
    async with hub.uows.read() as session:
        assert await session.scalar(select(func.count()).select_from(Sale)) == 1


async def test_same_sale_id_with_other_contents_is_a_conflict(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 5)
    await sales.record_sale(hub.uows, caller, _sale("POS-1", "TOMB45", 2))
    with pytest.raises(Conflict) as refused:
        await sales.record_sale(hub.uows, caller, _sale("POS-1", "TOMB45", 3))
    assert refused.value.field == "saleId"


async def test_insufficient_stock_refuses_the_whole_sale_and_stores_nothing(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 5)
    await seed_stock(hub, caller.tenant_id, "GEL", 1)
    both = sales.SaleInput(
        sale_id="POS-2",
        items=(
            sales.LineInput(sku="TOMB45", quantity=D(1), price=D(1)),
            sales.LineInput(sku="GEL", quantity=D(2), price=D(1)),
        ),
    )
    with pytest.raises(InsufficientStock) as refused:
        await sales.record_sale(hub.uows, caller, both)
    assert refused.value.message == "Insufficient stock (only 1 available, need 2)"
    assert refused.value.field == "items[1].quantity"
    assert (await _stock(hub, caller, "TOMB45")).pending == D(0)
    async with hub.uows.read() as session:
        assert await session.scalar(select(func.count()).select_from(Sale)) == 0
        assert (
            await session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.cause == "sale")
            )
            == 0
        )


async def test_a_reservation_is_consumed_by_the_sale_naming_it(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 3)
    held = await inventory.reserve(hub.uows, caller, Wanted("TOMB45", D(3)), ttl_seconds=60)
    with pytest.raises(InsufficientStock):
        await sales.record_sale(hub.uows, caller, _sale("POS-3", "TOMB45", 1))
    await sales.record_sale(hub.uows, caller, _sale("POS-4", "TOMB45", 3, held.reservation_id))
    stock = await _stock(hub, caller, "TOMB45")
    assert (stock.pending, stock.reserved) == (D(3), D(0))
    with pytest.raises(Conflict):
        await inventory.release(hub.uows, caller, held.reservation_id)


async def test_a_reserved_sale_goes_through_while_a_report_counts_a_sale_twice(hub: Hub) -> None:
    """A warehouse report that already includes a sale the hub has not yet seen confirmed
    counts it twice until a newer report: free stock looks short. A held reservation was a
    promise made on stock that was there, so the sale naming it still goes through; a sale
    asking for more than it reserved still needs free stock for the rest."""
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 3)
    held = await inventory.reserve(hub.uows, caller, Wanted("TOMB45", D(2)), ttl_seconds=60)
    await sales.record_sale(hub.uows, caller, _sale("POS-5", "TOMB45", 1))
    async with hub.uows.begin() as uow:  # the report: 3 less the pending sale, counted again
        await uow.session.execute(update(StockLevel).values(warehouse_available=D(2)))
        await uow.commit()
    with pytest.raises(InsufficientStock):
        await sales.record_sale(hub.uows, caller, _sale("POS-6", "TOMB45", 3, held.reservation_id))
    await sales.record_sale(hub.uows, caller, _sale("POS-7", "TOMB45", 2, held.reservation_id))
    stock = await _stock(hub, caller, "TOMB45")
    assert (stock.warehouse_available, stock.pending, stock.reserved) == (D(2), D(3), D(0))


async def test_release_gives_the_stock_back(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 2)
    held = await inventory.reserve(hub.uows, caller, Wanted("TOMB45", D(2)), ttl_seconds=60)
    answer = await inventory.release(hub.uows, caller, held.reservation_id)
    assert answer.released is True
    check = await inventory.check_inventory(hub.uows, hub.checks, caller, Wanted("TOMB45", D(2)))
    assert check.available is True


async def test_unknown_sku_and_fractional_units_are_refused(hub: Hub) -> None:
    caller = await _caller(hub)
    await seed_stock(hub, caller.tenant_id, "TOMB45", 2)
    with pytest.raises(NotFound):
        await inventory.check_inventory(hub.uows, hub.checks, caller, Wanted("NOPE", D(1)))
    with pytest.raises(InvalidInput) as refused:
        await inventory.reserve(hub.uows, caller, Wanted("TOMB45", D("1.5")), ttl_seconds=60)
    assert refused.value.field == "quantity"
