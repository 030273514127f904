"""`POST /api/v1/pos/sync/{orderId}` (seed 004): sync an order by hand, or retry it now.

An order the POS already has is never sent again: the answer says so, with the push that
made it. A failed push is put back, due now, its checkpoint kept (so it looks the order up
before creating it again); a waiting one is made due now; an order that has no push to the
connected POS (auto sync off, or placed before connecting) gets one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from tillsync.errors import Conflict, NotFound
from tillsync.services.order_views import OrderSync, find, view
from tillsync.services.orders import enqueue_push, pos_connections, subject
from tillsync.services.tenants import Caller
from tillsync.store.tables import Job
from tillsync.store.uow import UnitsOfWork


@dataclass(frozen=True, slots=True)
class ManualSync:
    order_id: str
    sync: OrderSync
    already_synced: bool
    created_at: dt.datetime | None
    """When the push was queued."""


async def sync_order(uows: UnitsOfWork, caller: Caller, order_id: str) -> ManualSync:
    async with uows.begin() as uow:
        order = await find(uow.session, caller.tenant_id, order_id)
        if order is None:
            raise NotFound(f"no order '{order_id}'", field="order_id")
        if order.pos_order_id is not None:  # in the POS: nothing to send, connected or not
            shown = await view(uow.session, order, duplicate=False)
            made = [s for s in shown.syncs if s.pos_order_id == order.pos_order_id]
            if made:
                return _answer(order.order_id, made[-1], already=True)
        connections = await pos_connections(uow.session, caller.tenant_id)
        if not connections:
            raise Conflict("the business has no connected POS to sync to", field="business_id")
        connection = connections[-1]
        job = await uow.session.scalar(
            select(Job).where(Job.subject == subject(order), Job.connection_id == connection.id)
        )
        already = order.pos_order_id is not None or (job is not None and job.state == "success")
        if job is None and not already:
            await enqueue_push(uow, connection, order)
        elif job is not None and not already and job.state in ("failed", "retry", "pending"):
            values: dict[str, object] = {"state": "pending", "next_attempt_at": uow.now}
            if job.state == "failed":
                values |= {"attempts": 0, "completed_at": None, "duration_ms": None}
            await uow.session.execute(
                update(Job)
                .where(Job.id == job.id, Job.state == job.state)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        if job is not None:
            uow.session.expire(job)  # its state was changed by an UPDATE above
        shown = await view(uow.session, order, duplicate=False)
        await uow.commit()
    mine = [s for s in shown.syncs if s.provider == connection.provider]
    return _answer(order.order_id, (mine or list(shown.syncs))[-1], already=already)


def _answer(order_id: str, sync: OrderSync, *, already: bool) -> ManualSync:
    return ManualSync(
        order_id=order_id, sync=sync, already_synced=already, created_at=sync.created_at
    )
