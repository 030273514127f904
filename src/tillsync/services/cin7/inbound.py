"""CIN7 changes flowing in: webhook deliveries (verified, stored, applied) and stock refreshes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import lane_for
from tillsync.connectors.cin7 import mapping, webhooks
from tillsync.errors import ClientError, NotAuthenticated, Permanent
from tillsync.jobs.store import NewJob, enqueue
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.cin7.connection import (
    PROVIDER,
    client_for,
    credentials,
    load_connection,
)
from tillsync.services.connections.links import warehouse_for
from tillsync.services.context import Services
from tillsync.services.ledger import Ledger
from tillsync.services.stock_rows import Report
from tillsync.services.sync import external_sales
from tillsync.services.sync.product_rows import Seen, upsert_products
from tillsync.store.database import insert_unless_present
from tillsync.store.tables import (
    Connection,
    InboxEntry,
    Run,
    StockLevel,
    new_id,
)
from tillsync.store.uow import UnitOfWork

log = logging.getLogger(__name__)
ZERO = Decimal(0)
HINT_PRIORITY = 50
"""Re-reading a SKU a delivery named is a stock check: after sale pushes, before backfills."""


async def receive_webhook(
    services: Services,
    *,
    connection_id: str | None,
    headers: Mapping[str, str],
    read_body: Callable[[], Awaitable[bytes]],
) -> dict[str, Any]:
    """Verify, then read, store and queue a delivery; answer at once. Duplicates are stored once.

    The secret is checked before the body is read, so a caller without it learns nothing of
    its body; a body CIN7 would not send is refused and logged, and nothing of it is stored.
    """
    async with services.uows.read() as session:
        connection = await session.get(Connection, connection_id) if connection_id else None
    if connection is not None and connection.provider != PROVIDER:
        connection = None  # another provider's connection has no CIN7 webhook secret
    token = credentials(services, connection).webhook_secret if connection else None
    if connection is None or token is None or not webhooks.verify(headers, expected_token=token):
        log.warning(
            "CIN7 webhook refused: unknown connection or wrong secret",
            extra={"connection_id": connection_id},
        )
        raise NotAuthenticated("webhook secret missing or wrong", field="Authorization")
    try:
        webhooks.check_content_type(headers.get("content-type"))
        events = webhooks.parse(await read_body())
    except ClientError as exc:
        log.warning(
            "CIN7 webhook refused: %s",
            exc.message,
            extra={"connection_id": connection.id, "field": exc.field},
        )
        raise
    stored = 0
    async with services.uows.begin() as uow:
        for event in events:
            entry_id = new_id()
            if await _store(uow, connection, entry_id, event):
                stored += 1
                await enqueue_apply(uow, connection, entry_id)
        await uow.commit()
    return {"received": len(events), "stored": stored, "duplicates": len(events) - stored}


async def enqueue_apply(uow: UnitOfWork, connection: Connection, entry_id: str) -> None:
    """Queue the job that applies a stored delivery."""
    await enqueue(
        uow.session,
        NewJob(
            kind="cin7.apply_webhook",
            payload={"inbox_id": entry_id},
            idempotency_key=entry_id,
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            priority=20,
        ),
        now=uow.now,
    )


async def _store(
    uow: UnitOfWork, connection: Connection, entry_id: str, event: webhooks.WebhookEvent
) -> bool:
    values = {
        "id": entry_id,
        "tenant_id": connection.tenant_id,
        "connection_id": connection.id,
        "provider": "cin7",
        "event_type": event.type,
        "dedupe_key": event.dedupe_key,
        "payload": event.data,
        "verdict": "verified",
        "status": "received",
        "received_at": uow.now,
    }
    result = await uow.session.execute(insert_unless_present(uow.session, InboxEntry, values))
    return bool(getattr(result, "rowcount", 0))


async def apply_webhook(services: Services, ctx: JobContext) -> None:
    async with services.uows.read() as session:
        entry = await session.get(InboxEntry, ctx.field("inbox_id"))
        if entry is None:
            raise InvalidPayload(f"inbox entry {ctx.field('inbox_id')} does not exist")
        connection = await load_connection(session, entry.connection_id)
    items, entity, skus = 1, "sale", []
    try:
        if entry.event_type == webhooks.STOCK_EVENT:
            skus = sorted({row.sku for row in mapping.stock_rows(entry.payload)})
            items, entity = len(skus), "stock"
        elif entry.event_type == "Product/Updated":
            items, entity = await _apply_products(services, connection, entry), "products"
        elif entry.event_type.startswith("Sale/"):
            lane = lane_for(ctx.job.priority)
            await _record_external_sale(services, connection, entry, lane=lane)
    except Permanent as exc:  # a delivery that can never apply: failed once, visibly
        await _mark_failed(services, entry.id, exc.message)
        raise
    async with services.uows.begin() as uow:
        stored = await uow.session.get(InboxEntry, entry.id)
        assert stored is not None
        stored.status, stored.processed_at = "processed", uow.now
        await enqueue_refresh(uow.session, connection, skus, now=uow.now, priority=HINT_PRIORITY)
        uow.session.add(  # a webhook is a small sync of its own: it has its run record
            Run(
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                job_id=ctx.job.id,
                type="webhook",
                direction="pull",
                entity=entity,
                status="success",
                items_synced=items,
                details={"event_type": entry.event_type, "inbox_id": entry.id},
                started_at=entry.received_at,
                completed_at=uow.now,
                duration_ms=int((uow.now - entry.received_at).total_seconds() * 1000),
            )
        )
        await uow.commit()


async def _mark_failed(services: Services, entry_id: str, error: str) -> None:
    async with services.uows.begin() as uow:
        stored = await uow.session.get(InboxEntry, entry_id)
        assert stored is not None
        stored.status, stored.error, stored.processed_at = "failed", error[:500], uow.now
        await uow.commit()


async def apply_stock(
    services: Services,
    connection: Connection,
    rows: Iterable[mapping.StockRow],
    *,
    as_of: dt.datetime,
    cause: str,
    reference: str,
) -> None:
    """Take CIN7's figures for each SKU × location as of `as_of` (re-applying is a no-op)."""
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


async def _apply_products(services: Services, connection: Connection, entry: InboxEntry) -> int:
    details = entry.payload.get("ProductDetailsList") or []
    async with services.uows.begin() as uow:
        found = [mapping.product_fields(detail) for detail in details]
        await upsert_products(uow, connection, [Seen(f.sku, f.name, f) for f in found])
        await uow.commit()
    return len(details)


async def _record_external_sale(
    services: Services, connection: Connection, entry: InboxEntry, *, lane: str
) -> None:
    """A sale made in CIN7 by another channel; our own pushed sales come back and are skipped."""
    data = entry.payload if isinstance(entry.payload, dict) else {}
    sale_id = data.get("SaleTaskID") or data.get("SaleID")
    if not sale_id:
        raise InvalidPayload(f"{entry.event_type} delivery without a sale id")
    warehouse = warehouse_for(services, connection, lane=lane)
    await external_sales.record(services, connection, str(sale_id), warehouse=warehouse)


async def enqueue_refresh(
    session: AsyncSession,
    connection: Connection,
    skus: Iterable[str],
    *,
    now: dt.datetime,
    priority: int,
) -> None:
    """Ask for CIN7's current figure of these SKUs: one waiting job per SKU carries every ask.

    A stock delivery is only a hint that a SKU changed: it carries no time, CIN7 may send
    it late or twice, and a replay of an old one looks the same as a new one. So its
    figures are never taken; the SKU is read afresh, after the hint arrived. A refresh job
    that has not started yet answers every hint that finds it waiting (its key is taken);
    once it starts it frees its key, so a later hint queues the next read.
    """
    for sku in sorted(set(skus)):
        await enqueue(
            session,
            NewJob(
                kind="cin7.refresh_stock",
                payload={"skus": [sku]},
                idempotency_key=f"{connection.id}:stock:{sku}",
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                priority=priority,
            ),
            now=now,
        )


async def refresh_stock(services: Services, ctx: JobContext) -> None:
    """Fetch and take CIN7's figures for a few SKUs; their time is each request's start."""
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
    client = client_for(services, connection, lane=lane_for(ctx.job.priority))
    for sku in skus:
        asked_at = services.uows.clock.now()
        rows = [row async for row in client.iter_availability(sku=sku)]
        figures = {(r.sku, r.location): r for r in mapping.stock_rows(rows) if r.sku == sku}
        for held, location in known:  # omitted rows mean zero for a product CIN7 still has
            if held == sku:
                figures.setdefault(
                    (sku, location),
                    mapping.StockRow(sku, location, ZERO, ZERO, product_id=None, name=None),
                )
        await apply_stock(
            services,
            connection,
            figures.values(),
            as_of=asked_at,
            cause="refresh",
            reference=ctx.job.id,
        )
