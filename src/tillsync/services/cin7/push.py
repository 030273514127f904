"""Pushing a POS sale to CIN7: sale (ExternalID = POS saleId) → authorised order → invoice.

Each step is checkpointed as it succeeds. On any retry the remote state is read first
(the sale by ExternalID, then its order and invoice status), so a step whose outcome was
uncertain - a timeout, a dropped connection, a worker killed mid-call - is never repeated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from tillsync.connectors.cin7 import mapping
from tillsync.connectors.cin7.client import Cin7Client
from tillsync.jobs.store import NewJob, enqueue
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.cin7.connection import client_for, load_connection
from tillsync.services.context import Services
from tillsync.store.tables import Connection, PendingMovement, Sale, SaleLine, StockLevel


async def push_sale(services: Services, ctx: JobContext) -> None:
    sale_id = ctx.field("sale_id")
    async with services.uows.begin() as uow:
        connection = await load_connection(uow, ctx.job.connection_id)
        sale = await uow.session.get(Sale, sale_id)
        if sale is None or sale.tenant_id != connection.tenant_id:
            raise InvalidPayload(f"sale {sale_id} does not exist for this tenant")
        rows = (
            await uow.session.scalars(
                select(SaleLine).where(SaleLine.sale_id == sale.id).order_by(SaleLine.position)
            )
        ).all()
    lines = [
        mapping.SaleLine(sku=r.sku, name=r.name, quantity=r.quantity, price=r.price, tax=r.tax)
        for r in rows
    ]
    client = client_for(services, connection)
    done = await _remote_progress(services, client, ctx, sale) if ctx.job.attempts > 1 else {}
    if "cin7_sale_id" not in ctx.checkpoint:
        created = await client.create_sale(
            mapping.sale_body(
                external_id=sale.reference,
                customer=connection.settings["customer"],
                location=sale.location,
                reference=sale.invoice_number or sale.reference,
                note=f"POS sale {sale.reference} via tillsync",
            )
        )
        await _remember(services, ctx, sale, str(created["ID"]))
    cin7_id = ctx.checkpoint["cin7_sale_id"]
    if not (ctx.checkpoint.get("order_authorised") or done.get("order")):
        started = services.uows.clock.now()
        await client.save_order(
            mapping.order_body(
                sale_id=cin7_id,
                lines=lines,
                tax_rule=connection.settings["tax_rule"],
            )
        )
        await _confirm(services, ctx, connection, sale, started=started)
    elif not ctx.checkpoint.get("order_authorised"):
        await _confirm(services, ctx, connection, sale, started=None)
    if not (ctx.checkpoint.get("invoiced") or done.get("invoice")):
        today = services.uows.clock.now().date()
        await client.create_invoice(
            mapping.invoice_body(
                sale_id=cin7_id,
                lines=lines,
                invoice_date=today,
                due_date=today,
                account=connection.settings["revenue_account"],
                tax_rule=connection.settings["tax_rule"],
            )
        )
    await ctx.save(invoiced=True)


async def _remember(services: Services, ctx: JobContext, sale: Sale, cin7_id: str) -> None:
    """Checkpoint CIN7's id and keep it on the sale, so its webhooks are known as ours."""
    async with services.uows.begin() as uow:
        await uow.session.execute(
            update(Sale).where(Sale.id == sale.id).values(provider_reference=cin7_id)
        )
        await ctx.save_in(uow.session, cin7_sale_id=cin7_id)
        await uow.commit()


async def _remote_progress(
    services: Services, client: Cin7Client, ctx: JobContext, sale: Sale
) -> dict[str, bool]:
    """After an interrupted attempt: find what CIN7 already has, checkpoint it, report it."""
    if "cin7_sale_id" not in ctx.checkpoint:
        found = await client.find_sales_by_external_id(sale.reference)
        if not found:
            return {}
        await _remember(services, ctx, sale, str(found[0]["SaleID"]))
    remote = await client.get_sale(ctx.checkpoint["cin7_sale_id"])
    return {"order": mapping.order_authorised(remote), "invoice": mapping.invoiced(remote)}


async def _confirm(
    services: Services,
    ctx: JobContext,
    connection: Connection,
    sale: Sale,
    *,
    started: dt.datetime | None,
) -> None:
    """The order is authorised: CIN7's stock now includes the sale.

    Its pending quantities are released by the next warehouse report received after now.
    A report that arrived while the order call was in flight may or may not include the
    sale, so for those rows (and whenever the call time is unknown) a fresh figure is
    fetched instead of guessing.
    """
    async with services.uows.begin() as uow:
        await uow.session.execute(
            update(PendingMovement)
            .where(PendingMovement.sale_id == sale.id, PendingMovement.confirmed_at.is_(None))
            .values(confirmed_at=uow.now)
        )
        stocks = (
            await uow.session.scalars(
                select(StockLevel)
                .join(PendingMovement, PendingMovement.stock_level_id == StockLevel.id)
                .where(PendingMovement.sale_id == sale.id)
            )
        ).all()
        unsure = [s for s in stocks if started is None or (s.as_of and s.as_of >= started)]
        if unsure:
            await enqueue_refresh(uow.session, connection, unsure, now=uow.now)
        await ctx.save_in(uow.session, order_authorised=True)
        await uow.commit()


async def enqueue_refresh(
    session: Any, connection: Connection, stocks: list[StockLevel], *, now: dt.datetime
) -> None:
    skus = sorted({s.sku for s in stocks})
    await enqueue(
        session,
        NewJob(
            kind="cin7.refresh_stock",
            payload={"skus": skus},
            idempotency_key=f"{connection.id}:refresh:{','.join(skus)}:{now.isoformat()}",
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            priority=50,
        ),
        now=now,
    )
