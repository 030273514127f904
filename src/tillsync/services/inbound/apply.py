"""A stored delivery applied: products taken, stock hints queued as refreshes, sales recorded.

What a delivery means comes from its provider (`Provider.deliveries`); each applied
delivery is a small sync of its own, with its run record.
"""

from __future__ import annotations

from collections.abc import Sequence

from tillsync.connectors.budget import lane_for
from tillsync.connectors.deliveries import Event, EventKind, ProductRefs
from tillsync.domain.catalog import ProductFields
from tillsync.errors import Permanent
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.connections.links import load_connection, provider_of, warehouse_for
from tillsync.services.connections.roles import plays
from tillsync.services.context import Services
from tillsync.services.inbound.stock import HINT_PRIORITY, enqueue_refresh
from tillsync.services.orders import record_pos_state
from tillsync.services.record_sync import apply_record_change
from tillsync.services.sync import external_sales
from tillsync.services.sync.product_rows import Seen, upsert_products
from tillsync.store.tables import Connection, InboxEntry, Run


async def apply_webhook(services: Services, ctx: JobContext) -> None:
    async with services.uows.read() as session:
        entry = await session.get(InboxEntry, ctx.field("inbox_id"))
        if entry is None:
            raise InvalidPayload(f"inbox entry {ctx.field('inbox_id')} does not exist")
        connection = await load_connection(session, entry.connection_id)
    deliveries = provider_of(services, connection).deliveries
    if deliveries is None:
        raise InvalidPayload(f"{connection.provider} sends no webhook deliveries")
    items, entity, skus = 1, "sale", []
    try:
        event = deliveries.read(entry.event_type, entry.payload)
        if event.kind is EventKind.STOCK:
            skus = await _hinted(services, connection, event, lane=lane_for(ctx.job.priority))
            items, entity = len(skus), "stock"
            if event.record is not None:  # the object the figure is kept in, read afresh
                lane = lane_for(ctx.job.priority)
                await apply_record_change(services, connection, event.record, lane=lane)
        elif event.kind is EventKind.PRODUCTS:
            items, entity = await _apply_products(services, connection, event.products), "products"
        elif event.kind is EventKind.SALE:
            if not event.sale_id:
                raise InvalidPayload(f"{entry.event_type} delivery without a sale id")
            lane = lane_for(ctx.job.priority)
            await _record_shipped_sale(services, connection, event.sale_id, lane=lane)
        elif event.kind is EventKind.POS_ORDER:
            if event.pos_order is None:
                raise InvalidPayload(f"{entry.event_type} delivery without an order state")
            items, entity = 1, "order"
            await record_pos_state(
                services.uows,
                tenant_id=connection.tenant_id,
                pos_order_id=event.pos_order.pos_order_id,
                state=event.pos_order.state,
                at=event.pos_order.at,
            )
        elif event.kind is EventKind.RECORD:
            if event.record is None:
                raise InvalidPayload(f"{entry.event_type} delivery without its object")
            entity = event.record.entity
            counts = await apply_record_change(
                services, connection, event.record, lane=lane_for(ctx.job.priority)
            )
            items = counts.changed
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


async def _hinted(
    services: Services, connection: Connection, event: Event, *, lane: str
) -> list[str]:
    """The SKUs a stock hint names, for a connection that is a stock source; none for one
    that is not (a POS's counts are stored, acknowledged and change nothing)."""
    if not plays(connection, "warehouse"):
        return []
    skus = list(event.skus)
    if event.product_refs:
        warehouse = warehouse_for(services, connection, lane=lane)
        if not isinstance(warehouse, ProductRefs):
            raise Permanent(f"{connection.provider} names products the hub cannot look up")
        skus += await warehouse.product_skus(event.product_refs)
    return skus


async def _mark_failed(services: Services, entry_id: str, error: str) -> None:
    async with services.uows.begin() as uow:
        stored = await uow.session.get(InboxEntry, entry_id)
        assert stored is not None
        stored.status, stored.error, stored.processed_at = "failed", error[:500], uow.now
        await uow.commit()


async def _apply_products(
    services: Services, connection: Connection, products: Sequence[ProductFields]
) -> int:
    async with services.uows.begin() as uow:
        await upsert_products(uow, connection, [Seen(f.sku, f.name, f) for f in products])
        await uow.commit()
    return len(products)


async def _record_shipped_sale(
    services: Services, connection: Connection, sale_id: str, *, lane: str
) -> None:
    """A sale another channel made; our own pushed sales come back and are skipped."""
    warehouse = warehouse_for(services, connection, lane=lane)
    await external_sales.record(services, connection, sale_id, warehouse=warehouse)
