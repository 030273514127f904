"""Putting products and warehouse figures straight into a hub's ledger."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tillsync.bootstrap import Hub
from tillsync.services.ledger import Ledger
from tillsync.services.stock_rows import Report
from tillsync.store.tables import Product


async def seed_stock(
    hub: Hub,
    tenant_id: str,
    sku: str,
    available: int | Decimal,
    *,
    location: str = "Main Warehouse",
    name: str | None = None,
    reorder_level: int = 0,
    whole_units: bool = True,
) -> None:
    async with hub.uows.begin() as uow:
        product = Product(
            tenant_id=tenant_id,
            sku=sku,
            name=name or sku.title(),
            reorder_level=Decimal(reorder_level),
            whole_units=whole_units,
            updated_at=uow.now,
        )
        uow.session.add(product)
        await uow.session.flush()
        await uow.commit()
    await report_stock(hub, tenant_id, sku, available, location=location)


async def report_stock(
    hub: Hub,
    tenant_id: str,
    sku: str,
    available: int | Decimal,
    *,
    location: str = "Main Warehouse",
) -> None:
    """The warehouse reports a new figure for one SKU, as a webhook or a sync would."""
    async with hub.uows.begin() as uow:
        product = await uow.session.scalar(
            select(Product).where(Product.tenant_id == tenant_id, Product.sku == sku)
        )
        assert product is not None
        ledger = Ledger(uow, tenant_id)
        figure = Decimal(available)
        await ledger.report_all(
            [Report(product, location, figure, figure)],
            as_of=uow.now,
            cause="test",
            reference="test",
        )
        await ledger.settle()
        await uow.commit()
