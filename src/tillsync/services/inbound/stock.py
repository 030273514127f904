"""Stock hints answered: a SKU a delivery named is read afresh at the warehouse, then taken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import lane_for
from tillsync.domain.catalog import StockRow
from tillsync.jobs.store import NewJob, enqueue
from tillsync.jobs.worker import JobContext
from tillsync.services.connections.links import load_connection, warehouse_for
from tillsync.services.context import Services
from tillsync.services.ledger import Ledger
from tillsync.services.stock_rows import Report
from tillsync.services.sync.product_rows import Seen, upsert_products
from tillsync.store.tables import Connection, StockLevel

ZERO = Decimal(0)
HINT_PRIORITY = 50
"""Re-reading a SKU a delivery named is a stock check: after sale pushes, before backfills."""


async def apply_stock(
    services: Services,
    connection: Connection,
    rows: Iterable[StockRow],
    *,
    as_of: dt.datetime,
    cause: str,
    reference: str,
) -> None:
    """Take the warehouse's figures for each SKU × location as of `as_of` (again: a no-op)."""
    rows = list(rows)
    async with services.uows.begin() as uow:
        ledger = Ledger(uow, connection.tenant_id)
        products = await upsert_products(uow, connection, [Seen(r.sku, r.name) for r in rows])
        await ledger.report_all(
            [Report(products[r.sku], r.location, r.available, r.on_hand) for r in rows],
            as_of=as_of,
            cause=cause,
            reference=reference,
        )
        await ledger.settle()
        await uow.commit()


async def enqueue_refresh(
    session: AsyncSession,
    connection: Connection,
    skus: Iterable[str],
    *,
    now: dt.datetime,
    priority: int,
) -> None:
    """Ask for the warehouse's current figure of these SKUs: one waiting job per SKU carries
    every ask.

    A stock delivery is only a hint that a SKU changed: it carries no time, the provider may
    send it late or twice, and a replay of an old one looks the same as a new one. So its
    figures are never taken; the SKU is read afresh, after the hint arrived. A refresh job
    that has not started yet answers every hint that finds it waiting (its key is taken);
    once it starts it frees its key, so a later hint queues the next read.
    """
    for sku in sorted(set(skus)):
        await enqueue(
            session,
            NewJob(
                kind=f"{connection.provider}.refresh_stock",
                payload={"skus": [sku]},
                idempotency_key=f"{connection.id}:stock:{sku}",
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                priority=priority,
            ),
            now=now,
        )


async def refresh_stock(services: Services, ctx: JobContext) -> None:
    """Fetch and take the warehouse's figures for a few SKUs; their time is each request's start."""
    await ctx.release_key()  # asks that come from now on are not answered by this read
    skus: list[str] = ctx.field("skus")
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
        known = (
            await session.execute(
                select(StockLevel.sku, StockLevel.location).where(
                    StockLevel.tenant_id == connection.tenant_id, StockLevel.sku.in_(skus)
                )
            )
        ).all()
    warehouse = warehouse_for(services, connection, lane=lane_for(ctx.job.priority))
    for sku in skus:
        asked_at = services.uows.clock.now()
        figures = {(r.sku, r.location): r for r in await warehouse.availability_of(sku)}
        for held, location in known:  # omitted rows mean zero for a product it still has
            if held == sku:
                figures.setdefault(
                    (sku, location),
                    StockRow(sku, location, ZERO, ZERO, product_id=None, name=None),
                )
        await apply_stock(
            services,
            connection,
            figures.values(),
            as_of=asked_at,
            cause="refresh",
            reference=ctx.job.id,
        )
