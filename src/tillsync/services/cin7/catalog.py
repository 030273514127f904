"""Pulling CIN7's catalog and stock into the hub: every page, resumable, in bounded memory.

The pull walks products then availability at CIN7's largest page size, with no page cap.
After every page it checkpoints where it is, in the same transaction as what the page
brought, so a pull that steps aside for the rate budget, or is interrupted, resumes at
the next page. Availability rows are summed per SKU × location in a staging table (rows
of one SKU may straddle pages) and applied to the ledger once the listing is complete:
a product CIN7 still lists but whose rows are all omitted has zero stock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncGenerator, Callable, Coroutine
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import lane_for
from tillsync.connectors.cin7 import mapping
from tillsync.connectors.cin7.client import MAX_LIMIT, Cin7Client
from tillsync.errors import BudgetExhausted
from tillsync.jobs.worker import JobContext
from tillsync.services.cin7.connection import client_for, load_connection
from tillsync.services.cin7.inbound import Seen, apply_stock, upsert_products
from tillsync.services.context import Services
from tillsync.services.ledger import chunks, exact
from tillsync.services.runs import RunTally, finish_run, start_run
from tillsync.store.database import insert_all_unless_present
from tillsync.store.tables import (
    Connection,
    PendingMovement,
    Product,
    StockLevel,
    SyncStage,
    Tenant,
)

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


Fetch = Callable[[int], Coroutine[Any, Any, dict[str, Any]]]


async def _pages(fetch: Fetch, first: int, key: str) -> AsyncGenerator[tuple[int, list[Any], bool]]:
    """Each page with its number and whether it is the last; the next is fetched meanwhile.

    While the caller stores one page, the call for the next is already on its way (it has
    taken its grant first), so a pull is paced by CIN7's budget, not by our writes.
    """
    page, envelope = first, await fetch(first)
    while True:
        rows = envelope.get(key) or []
        last = _last_page(envelope, rows, page)
        upcoming = None if last else asyncio.create_task(fetch(page + 1))
        await asyncio.sleep(0)  # let the next call take its grant before this page's writes
        try:
            yield page, rows, last
        except BaseException:
            if upcoming is not None:
                upcoming.cancel()
                await asyncio.gather(upcoming, return_exceptions=True)
            raise
        if upcoming is None:
            return
        page, envelope = page + 1, await upcoming


async def _pull_products(
    services: Services, ctx: JobContext, connection: Connection, client: Cin7Client
) -> None:
    async def fetch(page: int) -> dict[str, Any]:
        return await client.products(page=page, limit=MAX_LIMIT, include_deprecated=True)

    pages = _pages(fetch, ctx.checkpoint["page"], "Products")
    async with contextlib.aclosing(pages):
        async for page, rows, last in pages:
            found = [mapping.product_fields(product) for product in rows]
            async with services.uows.begin() as uow:
                await upsert_products(uow, connection, [Seen(f.sku, f.name, f) for f in found])
                progress: dict[str, Any] = {
                    "products": ctx.checkpoint["products"] + len(rows),
                    "pages": ctx.checkpoint["pages"] + 1,
                    "page": 1 if last else page + 1,
                }
                if last:  # stock is read from here on: reports later than this win over it
                    progress |= {"phase": "stock", "stock_as_of": uow.now.isoformat()}
                await ctx.save_in(uow.session, **progress)
                await uow.commit()


async def _pull_stock(services: Services, ctx: JobContext, client: Cin7Client, run_id: str) -> None:
    async def fetch(page: int) -> dict[str, Any]:
        return await client.availability(page=page, limit=MAX_LIMIT)

    pages = _pages(fetch, ctx.checkpoint["page"], "ProductAvailabilityList")
    async with contextlib.aclosing(pages):
        async for page, rows, last in pages:
            async with services.uows.begin() as uow:
                await _stage(uow.session, run_id, mapping.stock_rows(rows))
                await ctx.save_in(
                    uow.session,
                    rows=ctx.checkpoint["rows"] + len(rows),
                    pages=ctx.checkpoint["pages"] + 1,
                    page=page + 1,
                    phase="apply" if last else "stock",
                )
                await uow.commit()


def _last_page(envelope: dict[str, Any], rows: list[Any], page: int) -> bool:
    total = envelope.get("Total")
    return len(rows) < MAX_LIMIT or (isinstance(total, int) and page * MAX_LIMIT >= total)


async def _stage(session: AsyncSession, run_id: str, rows: list[mapping.StockRow]) -> None:
    """Add a page's figures to the staging table (a SKU's rows may straddle pages)."""
    staged: set[tuple[str, str]] = set()
    for skus in chunks(sorted({row.sku for row in rows})):
        found = await session.execute(
            select(SyncStage.sku, SyncStage.location).where(
                SyncStage.run_id == run_id, SyncStage.sku.in_(skus)
            )
        )
        staged |= {(sku, location) for sku, location in found}
    fresh = [
        {"run_id": run_id, "sku": r.sku, "location": r.location}
        | {"available": r.available, "on_hand": r.on_hand}
        for r in rows
        if (r.sku, r.location) not in staged
    ]
    for part in chunks(fresh):
        await insert_all_unless_present(session, SyncStage, list(part))
    for row in rows:
        if (row.sku, row.location) in staged:
            await session.execute(
                update(SyncStage)
                .where(
                    SyncStage.run_id == run_id,
                    SyncStage.sku == row.sku,
                    SyncStage.location == row.location,
                )
                .values(
                    available=SyncStage.available + exact(row.available),
                    on_hand=SyncStage.on_hand + exact(row.on_hand),
                )
            )


async def _apply(
    services: Services, connection: Connection, run_id: str, *, as_of: dt.datetime
) -> None:
    """Staged figures into the ledger; known rows and listed products absent from it are zero.

    Only rows whose figures differ (or that hold pending sales the figures now include) go
    through the ledger, with their audit, events and alerts; the rest are only marked as
    confirmed at `as_of`.
    """
    async with services.uows.read() as session:
        staged = {
            (r.sku, r.location): (r.available, r.on_hand)
            for r in await session.scalars(select(SyncStage).where(SyncStage.run_id == run_id))
        }
        known = {
            (stock.sku, stock.location): stock
            for stock in await session.scalars(
                select(StockLevel).where(StockLevel.tenant_id == connection.tenant_id)
            )
        }
        releasable = set(
            await session.scalars(
                select(PendingMovement.stock_level_id)
                .where(
                    PendingMovement.tenant_id == connection.tenant_id,
                    PendingMovement.released_at.is_(None),
                    PendingMovement.confirmed_at <= as_of,
                )
                .distinct()
            )
        )
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
    changed, confirmed = [], []
    for (sku, location), (available, on_hand) in sorted(staged.items()):
        stock = known.get((sku, location))
        if stock is not None and stock.as_of is not None and stock.as_of > as_of:
            continue  # a later report has come in: it stands
        if (
            stock is None
            or stock.id in releasable
            or ((stock.warehouse_available, stock.warehouse_on_hand) != (available, on_hand))
        ):
            changed.append(mapping.StockRow(sku, location, available, on_hand, None, None))
        else:
            confirmed.append(stock.id)
    for rows in chunks(changed, APPLY_BATCH):
        await apply_stock(services, connection, rows, as_of=as_of, cause="sync")
    async with services.uows.begin() as uow:
        for ids in chunks(confirmed):
            await uow.session.execute(
                update(StockLevel)
                .where(
                    StockLevel.id.in_(ids),
                    or_(StockLevel.as_of.is_(None), StockLevel.as_of < as_of),
                )
                .values(as_of=as_of)
            )
        await uow.session.execute(delete(SyncStage).where(SyncStage.run_id == run_id))
        await uow.commit()
