"""Pulling CIN7's catalog and stock into the hub: every page, resumable, in bounded memory.

The pull walks products then availability at CIN7's largest page size, with no page cap.
After every page it checkpoints where it is, in the same transaction as what the page
brought, so a pull that steps aside for the rate budget, or is interrupted, resumes at
the next page. Availability rows are summed per SKU × location in a staging table (rows
of one SKU may straddle pages) and applied to the ledger once the listing is complete:
a product CIN7 still lists but whose rows are all omitted has zero stock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update

from tillsync.connectors.budget import lane_for
from tillsync.connectors.cin7 import mapping
from tillsync.connectors.cin7.client import MAX_LIMIT, Cin7Client
from tillsync.errors import BudgetExhausted
from tillsync.jobs.worker import JobContext
from tillsync.services.cin7.connection import client_for, load_connection
from tillsync.services.cin7.inbound import apply_stock, upsert_product
from tillsync.services.context import Services
from tillsync.services.ledger import exact
from tillsync.services.runs import RunTally, finish_run, start_run
from tillsync.store.database import insert_unless_present
from tillsync.store.tables import Connection, Product, StockLevel, SyncStage, Tenant

ZERO = Decimal(0)
APPLY_BATCH = 500
LABEL = "CIN7"


async def sync_catalog(services: Services, ctx: JobContext) -> None:
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
    if "run_id" not in ctx.checkpoint:
        run_id = await start_run(
            services.uows,
            connection=connection,
            label=LABEL,
            run_type=str(ctx.job.payload.get("type", "automatic")),
            direction="pull",
            entity="catalog",
            job_id=ctx.job.id,
        )
        await ctx.save(run_id=run_id, phase="products", page=1, products=0, rows=0, pages=0)
    run_id = ctx.checkpoint["run_id"]
    client = client_for(services, connection, lane=lane_for(ctx.job.priority))
    try:
        if ctx.checkpoint["phase"] == "products":
            await _pull_products(services, ctx, connection, client)
        if ctx.checkpoint["phase"] == "stock":
            await _pull_stock(services, ctx, client, run_id)
        await _apply(services, connection, run_id, as_of=_as_of(ctx))
    except BudgetExhausted:
        raise  # not a failure: the pull resumes at its checkpoint when a call is free
    except Exception as exc:
        await finish_run(services.uows, run_id, _tally(ctx), label=LABEL, error=str(exc)[:500])
        raise
    await finish_run(services.uows, run_id, _tally(ctx), label=LABEL)


def _tally(ctx: JobContext) -> RunTally:
    point = ctx.checkpoint
    return RunTally(
        items_synced=point.get("products", 0) + point.get("rows", 0),
        pages=point.get("pages", 0),
        details={"products": point.get("products", 0), "stock_rows": point.get("rows", 0)},
    )


def _as_of(ctx: JobContext) -> dt.datetime:
    return dt.datetime.fromisoformat(ctx.checkpoint["stock_as_of"])


async def _pull_products(
    services: Services, ctx: JobContext, connection: Connection, client: Cin7Client
) -> None:
    while True:
        page = ctx.checkpoint["page"]
        envelope = await client.products(page=page, limit=MAX_LIMIT, include_deprecated=True)
        rows = envelope.get("Products") or []
        async with services.uows.begin() as uow:
            for product in rows:
                fields = mapping.product_fields(product)
                await upsert_product(
                    uow, connection, sku=fields.sku, name=fields.name, fields=fields
                )
            last = _last_page(envelope, rows, page)
            progress: dict[str, Any] = {
                "products": ctx.checkpoint["products"] + len(rows),
                "pages": ctx.checkpoint["pages"] + 1,
                "page": 1 if last else page + 1,
            }
            if last:  # stock is read from here on: reports later than this win over it
                progress |= {"phase": "stock", "stock_as_of": uow.now.isoformat()}
            await ctx.save_in(uow.session, **progress)
            await uow.commit()
        if last:
            return


async def _pull_stock(services: Services, ctx: JobContext, client: Cin7Client, run_id: str) -> None:
    while True:
        page = ctx.checkpoint["page"]
        envelope = await client.availability(page=page, limit=MAX_LIMIT)
        rows = envelope.get("ProductAvailabilityList") or []
        async with services.uows.begin() as uow:
            for row in mapping.stock_rows(rows):
                await _stage(uow.session, run_id, row)
            last = _last_page(envelope, rows, page)
            await ctx.save_in(
                uow.session,
                rows=ctx.checkpoint["rows"] + len(rows),
                pages=ctx.checkpoint["pages"] + 1,
                page=page + 1,
                phase="apply" if last else "stock",
            )
            await uow.commit()
        if last:
            return


def _last_page(envelope: dict[str, Any], rows: list[Any], page: int) -> bool:
    total = envelope.get("Total")
    return len(rows) < MAX_LIMIT or (isinstance(total, int) and page * MAX_LIMIT >= total)


async def _stage(session: Any, run_id: str, row: mapping.StockRow) -> None:
    key = {"run_id": run_id, "sku": row.sku, "location": row.location}
    added = await session.execute(
        insert_unless_present(
            session, SyncStage, {**key, "available": row.available, "on_hand": row.on_hand}
        )
    )
    if not getattr(added, "rowcount", 0):
        await session.execute(
            update(SyncStage)
            .where(*(getattr(SyncStage, name) == value for name, value in key.items()))
            .values(
                available=SyncStage.available + exact(row.available),
                on_hand=SyncStage.on_hand + exact(row.on_hand),
            )
        )


async def _apply(
    services: Services, connection: Connection, run_id: str, *, as_of: dt.datetime
) -> None:
    """Staged figures into the ledger; known rows and listed products absent from it are zero."""
    async with services.uows.read() as session:
        staged = {
            (r.sku, r.location): (r.available, r.on_hand)
            for r in await session.scalars(select(SyncStage).where(SyncStage.run_id == run_id))
        }
        known = [
            (sku, location)
            for sku, location in await session.execute(
                select(StockLevel.sku, StockLevel.location).where(
                    StockLevel.tenant_id == connection.tenant_id
                )
            )
        ]
        listed = set(
            await session.scalars(
                select(Product.sku).where(
                    Product.tenant_id == connection.tenant_id, Product.active.is_(True)
                )
            )
        )
        tenant = await session.get(Tenant, connection.tenant_id)
        assert tenant is not None
    located = {sku for sku, _ in staged} | {sku for sku, _ in known}
    for key in known:
        staged.setdefault(key, (ZERO, ZERO))
    for sku in listed - located:
        staged[(sku, tenant.default_location)] = (ZERO, ZERO)
    rows = [
        mapping.StockRow(
            sku=sku,
            location=location,
            available=available,
            on_hand=on_hand,
            product_id=None,
            name=None,
        )
        for (sku, location), (available, on_hand) in sorted(staged.items())
    ]
    for start in range(0, len(rows), APPLY_BATCH):
        batch = rows[start : start + APPLY_BATCH]
        await apply_stock(services, connection, batch, as_of=as_of, cause="sync")
    async with services.uows.begin() as uow:
        await uow.session.execute(delete(SyncStage).where(SyncStage.run_id == run_id))
        await uow.commit()
