"""Pushing sales to a warehouse: one sale document each, made in the warehouse's steps.

A document is one POS sale (reference = its saleId) or a batch of them (reference =
"tillsync-batch-<id>", lines summed per SKU). Each step is checkpointed as it succeeds.
On any retry the remote state is read first (the document by our reference, and the
steps it has done), so a step whose outcome was uncertain - a timeout, a dropped
connection, a worker killed mid-call - is never repeated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import lane_for
from tillsync.connectors.contract import Warehouse
from tillsync.domain.pushes import in_order, progress_of
from tillsync.domain.sale_documents import SaleDocument
from tillsync.domain.sales import SaleLine as Line
from tillsync.domain.sales import summed
from tillsync.errors import Permanent
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.connections.links import load_connection, provider_of, warehouse_for
from tillsync.services.context import Services
from tillsync.services.inbound.stock import HINT_PRIORITY, enqueue_refresh
from tillsync.services.outbound.batch import absorb, coalesce
from tillsync.store.tables import Connection, PendingMovement, Sale, SaleLine, StockLevel


@dataclass(frozen=True, slots=True)
class Push:
    """One document for the warehouse, and the sales it carries."""

    document: SaleDocument
    sale_ids: Sequence[str]


async def push_sale(services: Services, ctx: JobContext) -> None:
    sale_id = ctx.field("sale_id")
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
        sales = await _sales(session, connection, [sale_id])
    warehouse = warehouse_for(services, connection, lane=lane_for(ctx.job.priority))
    calls = len(warehouse.sale_steps)
    if await coalesce(services, ctx, connection, sales[0], calls_per_document=calls):
        return  # a batch carries this sale now
    sale = sales[0]
    document = SaleDocument(
        reference=sale.reference,
        number=sale.invoice_number or sale.reference,
        location=sale.location,
        note=f"POS sale {sale.reference} via tillsync",
        lines=await _lines(services, [sale.id]),
        date=services.uows.clock.now().date(),
    )
    await push_document(services, ctx, connection, warehouse, Push(document, [sale.id]))


async def push_batch(services: Services, ctx: JobContext) -> None:
    """Several POS sales as one document: lines summed per SKU, the sales named in its note."""
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
    await absorb(services, ctx, connection)
    warehouse = warehouse_for(services, connection, lane=lane_for(ctx.job.priority))
    sale_ids: list[str] = ctx.field("sale_ids")
    async with services.uows.read() as session:
        sales = await _sales(session, connection, sale_ids)
    batch = ctx.field("batch_id")
    references = ", ".join(sale.reference for sale in sales)
    document = SaleDocument(
        reference=f"tillsync-batch-{batch}",
        number=f"tillsync batch {batch}",
        location=str(ctx.field("location")),
        note=f"POS sales via tillsync: {references}"[:1000],
        lines=summed(await _lines(services, sale_ids)),
        date=services.uows.clock.now().date(),
    )
    await push_document(services, ctx, connection, warehouse, Push(document, sale_ids))


async def _sales(session: AsyncSession, connection: Connection, sale_ids: list[str]) -> list[Sale]:
    sales = list(await session.scalars(select(Sale).where(Sale.id.in_(sale_ids))))
    if len(sales) != len(set(sale_ids)) or any(s.tenant_id != connection.tenant_id for s in sales):
        raise InvalidPayload(f"sales {sale_ids} do not all exist for this tenant")
    return sorted(sales, key=lambda s: sale_ids.index(s.id))


async def _lines(services: Services, sale_ids: list[str]) -> list[Line]:
    async with services.uows.read() as session:
        rows = await session.scalars(
            select(SaleLine)
            .where(SaleLine.sale_id.in_(sale_ids))
            .order_by(SaleLine.sale_id, SaleLine.position)
        )
        return [
            Line(sku=r.sku, name=r.name, quantity=r.quantity, price=r.price, tax=r.tax)
            for r in rows
        ]


async def push_document(
    services: Services, ctx: JobContext, connection: Connection, warehouse: Warehouse, push: Push
) -> None:
    """Run the steps the document has not done, each once; the last is recorded by the job's
    settling (were the worker to die first, the retry reads it from the warehouse)."""
    steps, stock_step = warehouse.sale_steps, warehouse.stock_step
    title = provider_of(services, connection).title
    progress = progress_of(
        ctx.checkpoint, provider=connection.provider, steps=steps, stock_step=stock_step
    )
    external_id, done = progress.external_id, set(progress.steps_done)
    remote: frozenset[str] = frozenset()
    if ctx.job.attempts > 1:
        found = await warehouse.find_sale(
            push.document.reference, external_id=external_id, document=push.document
        )
        if found is not None:
            remote = found.steps_done
            if external_id is None:
                external_id = found.external_id
                await _remember(services, ctx, push, external_id)
                done.add(steps[0])
    ctx.reference = external_id
    for step in steps:
        if step in done:
            continue
        started = None
        if step not in remote:
            started = services.uows.clock.now()
            answer = await warehouse.sale_step(step, push.document, external_id=external_id)
            if external_id is None:
                if not answer:
                    raise Permanent(f"{title} answered no id for the new sale document")
                external_id = ctx.reference = answer
                await _remember(services, ctx, push, external_id)
        done.add(step)
        kept = in_order(steps, frozenset(done))
        if step == stock_step:
            await _confirm(services, ctx, connection, push, started=started, done=kept)
        elif step not in (steps[0], steps[-1]):
            await ctx.save(steps_done=kept)


async def _remember(services: Services, ctx: JobContext, push: Push, external_id: str) -> None:
    """Checkpoint the warehouse's id and keep it on the sales, so its webhooks are ours."""
    async with services.uows.begin() as uow:
        await uow.session.execute(
            update(Sale).where(Sale.id.in_(push.sale_ids)).values(provider_reference=external_id)
        )
        await ctx.save_in(uow.session, external_id=external_id)
        await uow.commit()


async def _confirm(
    services: Services,
    ctx: JobContext,
    connection: Connection,
    push: Push,
    *,
    started: dt.datetime | None,
    done: list[str],
) -> None:
    """The stock step is done: the warehouse's stock now includes the sales.

    Their pending quantities are released by the next warehouse report received after now.
    A report that arrived while the step's call was in flight may or may not include them,
    so for those rows (and whenever the call time is unknown) a fresh figure is fetched
    instead of guessing.
    """
    async with services.uows.begin() as uow:
        await uow.session.execute(
            update(PendingMovement)
            .where(
                PendingMovement.sale_id.in_(push.sale_ids),
                PendingMovement.confirmed_at.is_(None),
            )
            .values(confirmed_at=uow.now)
        )
        stocks = (
            await uow.session.scalars(
                select(StockLevel)
                .join(PendingMovement, PendingMovement.stock_level_id == StockLevel.id)
                .where(PendingMovement.sale_id.in_(push.sale_ids))
                .distinct()
            )
        ).all()
        unsure = [s for s in stocks if started is None or (s.as_of and s.as_of >= started)]
        if unsure:
            skus = [s.sku for s in unsure]
            await enqueue_refresh(
                uow.session, connection, skus, now=uow.now, priority=HINT_PRIORITY
            )
        await ctx.save_in(uow.session, steps_done=done)
        await uow.commit()
