"""A pull's stock phase: the warehouse's figures staged page by page, settled as they come.

A full pull lists all of availability; each page is staged and, but in a reconciliation
(which compares once the listing is whole), its figures are taken at once. A quick pull
asks for the stock of each changed product, one call each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from tillsync.connectors.contract import Page, Warehouse
from tillsync.domain.catalog import StockRow
from tillsync.jobs.worker import JobContext
from tillsync.services.context import Services
from tillsync.services.sync import staging
from tillsync.services.sync.pages import keep_statistics, prefetched
from tillsync.store.tables import Connection


async def pull_stock(
    services: Services, ctx: JobContext, connection: Connection, warehouse: Warehouse
) -> None:
    mode, run_id = ctx.checkpoint["mode"], ctx.checkpoint["run_id"]
    skus = ctx.checkpoint.get("skus") if mode == "quick" else None
    if skus is not None:
        await _pull_stock_of(services, ctx, warehouse, run_id, skus)
        return
    size = ctx.checkpoint["page_size"]
    as_of = dt.datetime.fromisoformat(ctx.checkpoint["stock_as_of"])

    async def fetch(page: int) -> Page[StockRow]:
        return await warehouse.availability(page=page, limit=size)

    pages = prefetched(fetch, ctx.checkpoint["page"])
    async with contextlib.aclosing(pages):
        async for page, listing in pages:
            found = list(listing.rows)
            async with services.uows.begin() as uow:
                await staging.stage(uow.session, run_id, found)
                progress: dict[str, Any] = {
                    "rows": ctx.checkpoint["rows"] + (listing.raw_count or len(found)),
                    "pages": ctx.checkpoint["pages"] + 1,
                    "page": page + 1,
                    "phase": "apply" if listing.last else "stock",
                }
                if listing.total is not None:
                    progress["stock_total"] = listing.total
                if mode != "reconcile":  # a reconciliation compares once the listing is whole
                    settled = await staging.settle_page(uow, connection, run_id, found, as_of=as_of)
                    progress["compared"] = ctx.checkpoint.get("compared", 0) + settled.compared
                    progress["changed"] = ctx.checkpoint.get("changed", 0) + settled.changed
                await ctx.save_in(uow.session, **progress)
                await uow.commit()
            await keep_statistics(services, page)


async def _pull_stock_of(
    services: Services, ctx: JobContext, warehouse: Warehouse, run_id: str, skus: list[str]
) -> None:
    """A quick pull's stock: one availability call per changed product."""
    await ctx.save(stock_pages=len(skus))
    for index in range(ctx.checkpoint["stock_index"], len(skus)):
        rows = await warehouse.availability_of(skus[index])
        async with services.uows.begin() as uow:
            await staging.stage(uow.session, run_id, rows)
            await ctx.save_in(
                uow.session,
                rows=ctx.checkpoint["rows"] + len(rows),
                pages=ctx.checkpoint["pages"] + 1,
                stock_index=index + 1,
            )
            await uow.commit()
    await ctx.save(phase="apply")
