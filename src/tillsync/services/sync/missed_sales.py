"""A pull's catch-up of the sales the warehouse's webhook would have announced while off.

The webhook watchdog queues it (the pull's `sales_since`) after restoring a sales webhook.
It pages through the warehouse's sales shipped since then and records each as the webhook
does. Each page's sales the hub has (our own pushed ones, and ones recorded already) are
sorted out in one look, so they cost no call. Each recorded sale is counted in the
transaction that stores it and the next page is checkpointed after each page, so a pull
that steps aside for the rate budget resumes at that page without recording or counting a
sale twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.contract import Warehouse
from tillsync.jobs.worker import JobContext
from tillsync.services.context import Services
from tillsync.services.sync import external_sales
from tillsync.store.tables import Connection


async def catch_up(
    services: Services, ctx: JobContext, connection: Connection, warehouse: Warehouse
) -> None:
    since = dt.datetime.fromisoformat(ctx.checkpoint["sales_since"])
    size, page = ctx.checkpoint["page_size"], ctx.checkpoint.get("sales_page", 1)

    async def counted(session: AsyncSession) -> None:
        await ctx.save_in(session, sales=ctx.checkpoint.get("sales", 0) + 1)

    while True:
        listing = await warehouse.shipped_sales(page=page, limit=size, changed_since=since)
        shipped = {sale.external_id: sale.reference for sale in listing.rows}
        async with services.uows.read() as session:
            known = await external_sales.known(session, connection.tenant_id, shipped)
        for sale_id in [sale_id for sale_id in shipped if sale_id not in known]:
            await external_sales.record(
                services, connection, sale_id, warehouse=warehouse, progress=counted
            )
        progress: dict[str, Any] = {
            "sales_page": page + 1,
            "pages": ctx.checkpoint["pages"] + 1,
            "phase": "done" if listing.last else "sales",
        }
        if listing.total is not None:
            progress["sales_total"] = listing.total
        await ctx.save(**progress)
        if listing.last:
            return
        page += 1
