"""The `<provider>.push_order` job: an ordering app's order made at a POS, never twice.

The app's order_id is the order's reference at the POS (and its idempotency key where the
POS takes one). A run that follows any earlier attempt which may have called the POS (a
timeout, a dropped answer, a 5xx, a worker killed mid-call, a failed job retried by hand)
first looks the order up by reference, so a POS whose key window passed or whose key
clashed still gets one order. The POS's id is kept on the order in the transaction that
settles the job: both are written, or neither is and the next run finds the order again.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import lane_for
from tillsync.connectors.settings import PosSettings
from tillsync.domain.orders import pos_order
from tillsync.errors import Permanent
from tillsync.jobs.store import tried_before
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.connections.links import (
    DISCONNECTED,
    load_connection,
    pos_for,
    provider_of,
)
from tillsync.services.context import Services
from tillsync.services.order_views import draft_of
from tillsync.store.tables import Order

SENDING = "sending"
POS_ORDER_ID = "pos_order_id"


async def push_order(services: Services, ctx: JobContext) -> None:
    if POS_ORDER_ID in ctx.checkpoint:  # made and remembered; only the settling was lost
        ctx.reference = str(ctx.checkpoint[POS_ORDER_ID])
        return
    order_pk = ctx.field("order")
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
        order = await session.get(Order, order_pk)
        if order is None or order.tenant_id != connection.tenant_id:
            raise InvalidPayload(f"order {order_pk} does not exist for this tenant")
        draft = await draft_of(session, order)
        tried = await tried_before(session, ctx.job.id)
    title = provider_of(services, connection).title
    if connection.status == DISCONNECTED:
        raise Permanent(f"the {title} connection was disconnected before the order was made")
    settings = PosSettings.model_validate(connection.settings or {})
    pos = pos_for(services, connection, lane=lane_for(ctx.job.priority))
    if tried or ctx.checkpoint.get(SENDING):  # a mark of older versions
        found = await pos.find_order(draft.order_id)
        if found is not None:
            _remember(ctx, order.id, found)
            return
    made = await pos.push_order(
        pos_order(
            draft,
            item_mapping=settings.item_mapping,
            sync_customer_info=settings.sync_customer_info,
        )
    )
    if not made:
        raise Permanent(f"{title} answered no id for the new order")
    _remember(ctx, order.id, made)


def _remember(ctx: JobContext, order_pk: str, pos_order_id: str) -> None:
    async def write(session: AsyncSession) -> None:
        await session.execute(
            update(Order)
            .where(Order.id == order_pk, Order.pos_order_id.is_(None))
            .values(pos_order_id=pos_order_id)
            .execution_options(synchronize_session=False)
        )

    ctx.reference = pos_order_id
    ctx.on_success(write)
