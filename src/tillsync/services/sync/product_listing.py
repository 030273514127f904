"""A pull's products phase: the warehouse's catalog page by page into the hub's.

Every page is upserted and checkpointed in one transaction. A quick pull gathers the
SKUs that changed (their stock is asked for one by one afterwards); a full one notes each
SKU listed, and once the listing ends retires the products it no longer lists. A
reconciliation records what each page repairs in its drift report.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from sqlalchemy import delete, exists, select

from tillsync.connectors.contract import Page, Warehouse
from tillsync.domain.catalog import ProductFields
from tillsync.domain.drift import PRODUCT_FIELDS, Difference, product_differences
from tillsync.jobs.worker import JobContext
from tillsync.services.context import Services
from tillsync.services.sync import drift
from tillsync.services.sync.pages import keep_statistics, prefetched
from tillsync.services.sync.product_rows import Seen, upsert_products
from tillsync.store.database import insert_all_unless_present
from tillsync.store.tables import Connection, Product, SyncSeen
from tillsync.store.uow import UnitOfWork

QUICK_STOCK_LIMIT = 50


async def pull_products(
    services: Services, ctx: JobContext, connection: Connection, warehouse: Warehouse
) -> None:
    point = ctx.checkpoint
    mode, size, run_id = point["mode"], point["page_size"], point["run_id"]
    since = dt.datetime.fromisoformat(point["since"]) if point.get("since") else None

    async def fetch(page: int) -> Page[ProductFields]:
        return await warehouse.products(page=page, limit=size, changed_since=since)

    pages = prefetched(fetch, point["page"])
    async with contextlib.aclosing(pages):
        async for page, listing in pages:
            found, last = list(listing.rows), listing.last
            async with services.uows.begin() as uow:
                if mode == "reconcile":
                    await _compare_products(uow, connection, run_id, found)
                await upsert_products(uow, connection, [Seen(f.sku, f.name, f) for f in found])
                progress: dict[str, Any] = {
                    "products": ctx.checkpoint["products"] + (listing.raw_count or len(found)),
                    "pages": ctx.checkpoint["pages"] + 1,
                    "page": 1 if last else page + 1,
                }
                if listing.total is not None:
                    progress["products_total"] = listing.total
                if mode == "quick":
                    progress["skus"] = _changed(ctx.checkpoint.get("skus"), found)
                else:
                    await _seen(uow, run_id, found)
                if last:  # stock is read from here on: reports later than this win over it
                    progress |= {"phase": "stock", "stock_as_of": uow.now.isoformat()}
                    progress["stock_index"] = 0
                    if mode != "quick":
                        progress["deleted"] = await _retire_vanished(uow, connection, ctx)
                await ctx.save_in(uow.session, **progress)
                await uow.commit()
            await keep_statistics(services, page)


def _changed(skus: list[str] | None, found: list[ProductFields]) -> list[str] | None:
    """A quick pull's changed SKUs so far; None once there are too many to ask one by one."""
    if skus is None:
        return None
    merged = list(dict.fromkeys([*skus, *(f.sku for f in found)]))
    return None if len(merged) > QUICK_STOCK_LIMIT else merged


async def _seen(uow: UnitOfWork, run_id: str, found: list[ProductFields]) -> None:
    rows = [{"run_id": run_id, "sku": sku} for sku in dict.fromkeys(f.sku for f in found)]
    if rows:
        await insert_all_unless_present(uow.session, SyncSeen, rows)


async def _compare_products(
    uow: UnitOfWork, connection: Connection, run_id: str, found: list[ProductFields]
) -> None:
    skus = [f.sku for f in found]
    ours = {
        product.sku: {name: getattr(product, name) for name in PRODUCT_FIELDS}
        for product in await uow.session.scalars(
            select(Product).where(Product.tenant_id == connection.tenant_id, Product.sku.in_(skus))
        )
    }
    await drift.record(
        uow.session,
        tenant_id=connection.tenant_id,
        run_id=run_id,
        differences=product_differences(ours, found),
        now=uow.now,
    )


async def _retire_vanished(uow: UnitOfWork, connection: Connection, ctx: JobContext) -> int:
    """Products the warehouse once listed and no longer does become inactive; history stays.

    A product the hub wrote since the listing began (a webhook met a new one) is spared,
    and so is everything when the warehouse listed nothing at all: an empty answer is more
    likely a fault than a catalog emptied.
    """
    run_id = ctx.checkpoint["run_id"]
    session = uow.session
    if await session.scalar(select(SyncSeen.sku).where(SyncSeen.run_id == run_id).limit(1)):
        started = dt.datetime.fromisoformat(ctx.checkpoint["listing_started"])
        listed = exists().where(SyncSeen.run_id == run_id, SyncSeen.sku == Product.sku)
        candidates = await session.scalars(
            select(Product).where(
                Product.tenant_id == connection.tenant_id,
                Product.active.is_(True),
                Product.updated_at < started,
                ~listed,
            )
        )
        gone = [p for p in candidates if connection.id in (p.external_ids or {})]
    else:
        gone = []
    for product in gone:
        product.active, product.updated_at = False, uow.now
    if ctx.checkpoint["mode"] == "reconcile":
        await drift.record(
            session,
            tenant_id=connection.tenant_id,
            run_id=run_id,
            differences=[
                Difference("product", "listed", "active", "absent", True, sku=p.sku) for p in gone
            ],
            now=uow.now,
        )
    await session.execute(delete(SyncSeen).where(SyncSeen.run_id == run_id))
    return len(gone)
