"""A pull's catch-up of the sales CIN7's Sale webhook would have announced while it was off.

The webhook watchdog queues it (the pull's `sales_since`) after restoring a Sale/ webhook.
It pages through CIN7's /saleList of sales updated since then and records each whose
shipment is authorised as the webhook does. Each page's sales the hub has (our own pushed
ones, and ones recorded already) are sorted out in one look, so they cost no call. Each
recorded sale is counted in the transaction that stores it and the next page is
checkpointed after each page, so a pull that steps aside for the rate budget resumes at
that page without recording or counting a sale twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.cin7 import mapping
from tillsync.connectors.cin7.client import Cin7Client, last_page
from tillsync.jobs.worker import JobContext
from tillsync.services.cin7 import external_sales
from tillsync.services.context import Services
from tillsync.store.tables import Connection


async def catch_up(
    services: Services, ctx: JobContext, connection: Connection, client: Cin7Client
) -> None:
    since = dt.datetime.fromisoformat(ctx.checkpoint["sales_since"])
    size, page = ctx.checkpoint["page_size"], ctx.checkpoint.get("sales_page", 1)

    async def counted(session: AsyncSession) -> None:
        await ctx.save_in(session, sales=ctx.checkpoint.get("sales", 0) + 1)

    while True:
        envelope = await client.sales(page=page, limit=size, updated_since=since)
        rows = envelope.get("SaleList") or []
        shipped = {
            str(row["SaleID"]): str(row["ExternalID"]) if row.get("ExternalID") else None
            for row in rows
            if isinstance(row, dict) and row.get("SaleID") and mapping.shipment_authorised(row)
        }
        async with services.uows.read() as session:
            known = await external_sales.known(session, connection.tenant_id, shipped)
        for sale_id in [sale_id for sale_id in shipped if sale_id not in known]:
            await external_sales.record(
                services, connection, sale_id, client=client, progress=counted
            )
        last = last_page(envelope, rows, page=page, limit=size)
        progress: dict[str, Any] = {
            "sales_page": page + 1,
            "pages": ctx.checkpoint["pages"] + 1,
            "phase": "done" if last else "sales",
        }
        if isinstance(envelope.get("Total"), int):
            progress["sales_total"] = envelope["Total"]
        await ctx.save(**progress)
        if last:
            return
        page += 1
