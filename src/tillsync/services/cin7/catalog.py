"""Pulling CIN7's catalog and stock figures into the hub, page by page, with no page cap."""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select

from tillsync.connectors.cin7 import mapping
from tillsync.jobs.worker import JobContext
from tillsync.services.cin7.connection import client_for, load_connection
from tillsync.services.cin7.inbound import apply_stock, upsert_product
from tillsync.services.context import Services
from tillsync.store.tables import Connection, StockLevel, Tenant

log = logging.getLogger(__name__)
ZERO = Decimal(0)
BATCH = 200
Key = tuple[str, str]


async def sync_catalog(services: Services, ctx: JobContext) -> None:
    """Products first, then availability; a product CIN7 lists without rows has zero stock."""
    async with services.uows.begin() as uow:
        connection = await load_connection(uow, ctx.job.connection_id)
        tenant = await uow.session.get(Tenant, connection.tenant_id)
        assert tenant is not None
    client = client_for(services, connection)
    listed: set[str] = set()
    batch: list[mapping.ProductFields] = []
    async for product in client.iter_products():
        batch.append(mapping.product_fields(product))
        if len(batch) >= BATCH:
            listed |= await _save_products(services, connection, batch)
            batch = []
    listed |= await _save_products(services, connection, batch)

    asked_at = services.uows.clock.now()
    sums: dict[Key, tuple[Decimal, Decimal]] = {}
    async for raw in client.iter_availability():
        for row in mapping.stock_rows([raw]):  # one SKU × location may straddle pages
            available, on_hand = sums.get((row.sku, row.location), (ZERO, ZERO))
            sums[(row.sku, row.location)] = (available + row.available, on_hand + row.on_hand)
    async with services.uows.read() as session:
        known = (
            await session.execute(
                select(StockLevel.sku, StockLevel.location).where(
                    StockLevel.tenant_id == connection.tenant_id
                )
            )
        ).all()
    located = {sku for sku, _ in sums} | {sku for sku, _ in known}
    for sku, location in known:
        sums.setdefault((sku, location), (ZERO, ZERO))
    for sku in listed - located:
        sums[(sku, tenant.default_location)] = (ZERO, ZERO)
    rows = [
        mapping.StockRow(
            sku=sku,
            location=location,
            available=available,
            on_hand=on_hand,
            product_id=None,
            name=None,
        )
        for (sku, location), (available, on_hand) in sorted(sums.items())
    ]
    for start in range(0, len(rows), BATCH):
        await apply_stock(
            services, connection, rows[start : start + BATCH], as_of=asked_at, cause="sync"
        )
    log.info(
        "CIN7 catalog synced",
        extra={"connection_id": connection.id, "products": len(listed), "stock_rows": len(rows)},
    )


async def _save_products(
    services: Services, connection: Connection, batch: list[mapping.ProductFields]
) -> set[str]:
    async with services.uows.begin() as uow:
        for fields in batch:
            await upsert_product(uow, connection, sku=fields.sku, name=fields.name, fields=fields)
        await uow.commit()
    return {f.sku for f in batch if f.active}
