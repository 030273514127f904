"""Pushing sales to CIN7: sale (ExternalID) → authorised order → invoice, one document each.

A document is one POS sale (ExternalID = its saleId) or a batch of them (ExternalID =
"tillsync-batch-<id>", lines summed per SKU). Each step is checkpointed as it succeeds.
On any retry the remote state is read first (the sale by ExternalID, then its order and
invoice status), so a step whose outcome was uncertain - a timeout, a dropped connection,
a worker killed mid-call - is never repeated.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import lane_for
from tillsync.connectors.cin7 import mapping
from tillsync.connectors.cin7.client import Cin7Client
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.cin7.batch import absorb, coalesce
from tillsync.services.cin7.client import client_for
from tillsync.services.connections.links import load_connection
from tillsync.services.context import Services
from tillsync.services.inbound.stock import HINT_PRIORITY, enqueue_refresh
from tillsync.store.tables import Connection, PendingMovement, Sale, SaleLine, StockLevel


@dataclass(frozen=True)
class Document:
    """What becomes one CIN7 sale."""

    external_id: str
    reference: str
    location: str
    note: str
    lines: list[mapping.SaleLine]
    sale_ids: list[str]


async def push_sale(services: Services, ctx: JobContext) -> None:
    sale_id = ctx.field("sale_id")
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
        sales = await _sales(session, connection, [sale_id])
    if await coalesce(services, ctx, connection, sales[0]):
        return  # a batch carries this sale now
    sale = sales[0]
    document = Document(
        external_id=sale.reference,
        reference=sale.invoice_number or sale.reference,
        location=sale.location,
        note=f"POS sale {sale.reference} via tillsync",
        lines=await _lines(services, [sale.id]),
        sale_ids=[sale.id],
    )
    await push_document(services, ctx, connection, document)


async def push_batch(services: Services, ctx: JobContext) -> None:
    """Several POS sales as one CIN7 sale: lines summed per SKU, the sale ids in its note."""
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
    await absorb(services, ctx, connection)
    sale_ids: list[str] = ctx.field("sale_ids")
    async with services.uows.read() as session:
        sales = await _sales(session, connection, sale_ids)
    summed: dict[str, list[Any]] = defaultdict(lambda: ["", Decimal(0), Decimal(0), Decimal(0)])
    for line in await _lines(services, sale_ids):
        entry = summed[line.sku]
        entry[0] = entry[0] or line.name
        entry[1] += line.quantity
        entry[2] += line.quantity * line.price
        entry[3] += line.tax
    lines = [
        mapping.SaleLine(sku=sku, name=name, quantity=quantity, price=(amount / quantity), tax=tax)
        for sku, (name, quantity, amount, tax) in sorted(summed.items())
    ]
    batch = ctx.field("batch_id")
    references = ", ".join(sale.reference for sale in sales)
    document = Document(
        external_id=f"tillsync-batch-{batch}",
        reference=f"tillsync batch {batch}",
        location=str(ctx.field("location")),
        note=f"POS sales via tillsync: {references}"[:1000],
        lines=lines,
        sale_ids=sale_ids,
    )
    await push_document(services, ctx, connection, document)


async def _sales(session: AsyncSession, connection: Connection, sale_ids: list[str]) -> list[Sale]:
    sales = list(await session.scalars(select(Sale).where(Sale.id.in_(sale_ids))))
    if len(sales) != len(set(sale_ids)) or any(s.tenant_id != connection.tenant_id for s in sales):
        raise InvalidPayload(f"sales {sale_ids} do not all exist for this tenant")
    return sorted(sales, key=lambda s: sale_ids.index(s.id))


async def _lines(services: Services, sale_ids: list[str]) -> list[mapping.SaleLine]:
    async with services.uows.read() as session:
        rows = await session.scalars(
            select(SaleLine)
            .where(SaleLine.sale_id.in_(sale_ids))
            .order_by(SaleLine.sale_id, SaleLine.position)
        )
        return [
            mapping.SaleLine(sku=r.sku, name=r.name, quantity=r.quantity, price=r.price, tax=r.tax)
            for r in rows
        ]


async def push_document(
    services: Services, ctx: JobContext, connection: Connection, document: Document
) -> None:
    client = client_for(services, connection, lane=lane_for(ctx.job.priority))
    done = await _remote_progress(services, client, ctx, document) if ctx.job.attempts > 1 else {}
    if "cin7_sale_id" not in ctx.checkpoint:
        created = await client.create_sale(
            mapping.sale_body(
                external_id=document.external_id,
                customer=connection.settings["customer"],
                location=document.location,
                reference=document.reference,
                note=document.note,
            )
        )
        await _remember(services, ctx, document, str(created["ID"]))
    cin7_id = ctx.checkpoint["cin7_sale_id"]
    ctx.reference = cin7_id
    if not (ctx.checkpoint.get("order_authorised") or done.get("order")):
        started = services.uows.clock.now()
        await client.save_order(
            mapping.order_body(
                sale_id=cin7_id, lines=document.lines, tax_rule=connection.settings["tax_rule"]
            )
        )
        await _confirm(services, ctx, connection, document, started=started)
    elif not ctx.checkpoint.get("order_authorised"):
        await _confirm(services, ctx, connection, document, started=None)
    if not (ctx.checkpoint.get("invoiced") or done.get("invoice")):
        today = services.uows.clock.now().date()
        await client.create_invoice(
            mapping.invoice_body(
                sale_id=cin7_id,
                lines=document.lines,
                invoice_date=today,
                due_date=today,
                account=connection.settings["revenue_account"],
                tax_rule=connection.settings["tax_rule"],
            )
        )
    # Done: the worker settles the job now. Were it to die first, the retry reads the
    # invoice from CIN7 (attempts > 1) instead of making another.


async def _remember(services: Services, ctx: JobContext, document: Document, cin7_id: str) -> None:
    """Checkpoint CIN7's id and keep it on the sales, so its webhooks are known as ours."""
    async with services.uows.begin() as uow:
        await uow.session.execute(
            update(Sale).where(Sale.id.in_(document.sale_ids)).values(provider_reference=cin7_id)
        )
        await ctx.save_in(uow.session, cin7_sale_id=cin7_id)
        await uow.commit()


async def _remote_progress(
    services: Services, client: Cin7Client, ctx: JobContext, document: Document
) -> dict[str, bool]:
    """After an interrupted attempt: find what CIN7 already has, checkpoint it, report it."""
    if "cin7_sale_id" not in ctx.checkpoint:
        found = await client.find_sales_by_external_id(document.external_id)
        if not found:
            return {}
        await _remember(services, ctx, document, str(found[0]["SaleID"]))
    remote = await client.get_sale(ctx.checkpoint["cin7_sale_id"])
    return {"order": mapping.order_authorised(remote), "invoice": mapping.invoiced(remote)}


async def _confirm(
    services: Services,
    ctx: JobContext,
    connection: Connection,
    document: Document,
    *,
    started: dt.datetime | None,
) -> None:
    """The order is authorised: CIN7's stock now includes the sales.

    Their pending quantities are released by the next warehouse report received after now.
    A report that arrived while the order call was in flight may or may not include them,
    so for those rows (and whenever the call time is unknown) a fresh figure is fetched
    instead of guessing.
    """
    async with services.uows.begin() as uow:
        await uow.session.execute(
            update(PendingMovement)
            .where(
                PendingMovement.sale_id.in_(document.sale_ids),
                PendingMovement.confirmed_at.is_(None),
            )
            .values(confirmed_at=uow.now)
        )
        stocks = (
            await uow.session.scalars(
                select(StockLevel)
                .join(PendingMovement, PendingMovement.stock_level_id == StockLevel.id)
                .where(PendingMovement.sale_id.in_(document.sale_ids))
                .distinct()
            )
        ).all()
        unsure = [s for s in stocks if started is None or (s.as_of and s.as_of >= started)]
        if unsure:
            skus = [s.sku for s in unsure]
            await enqueue_refresh(
                uow.session, connection, skus, now=uow.now, priority=HINT_PRIORITY
            )
        await ctx.save_in(uow.session, order_authorised=True)
        await uow.commit()
