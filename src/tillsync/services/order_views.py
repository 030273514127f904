"""An order as `GET /api/v1/orders/{orderId}` shows it: its items, each POS push, one state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.orders import Customer, OrderDraft, OrderItem, shown_state
from tillsync.errors import NotFound
from tillsync.services.history import ORDER_SUBJECT, subject_jobs
from tillsync.store.tables import Order
from tillsync.store.tables import OrderItem as ItemRow
from tillsync.store.uow import UnitsOfWork


@dataclass(frozen=True, slots=True)
class OrderSync:
    """One push of the order to one POS connection (a job)."""

    job_id: str
    provider: str
    status: str
    retry_count: int
    pos_order_id: str | None
    next_retry_at: dt.datetime | None
    error_message: str | None
    completed_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class OrderView:
    id: str
    business_id: str
    draft: OrderDraft
    total: Decimal
    created_at: dt.datetime
    sync_state: str
    """Seed 004's states (pending, syncing, retry, success, failed), or `not_synced`."""
    pos_order_id: str | None
    pos_state: str | None
    pos_state_at: dt.datetime | None
    syncs: tuple[OrderSync, ...]
    duplicate: bool


async def find(session: AsyncSession, tenant_id: str, order_id: str) -> Order | None:
    return await session.scalar(
        select(Order).where(Order.tenant_id == tenant_id, Order.order_id == order_id)
    )


async def order_view(uows: UnitsOfWork, tenant_id: str, order_id: str) -> OrderView:
    """The tenant's order with this order_id; another tenant's is not found."""
    async with uows.read() as session:
        row = await find(session, tenant_id, order_id)
        if row is None:
            raise NotFound(f"no order '{order_id}'", field="order_id")
        return await view(session, row, duplicate=False)


async def draft_of(session: AsyncSession, order: Order) -> OrderDraft:
    """The order as the app sent it, from its rows."""
    items = await session.scalars(
        select(ItemRow).where(ItemRow.order_pk == order.id).order_by(ItemRow.position)
    )
    customer = None
    if order.customer_name is not None or order.customer_phone is not None:
        customer = Customer(name=order.customer_name, phone=order.customer_phone)
    return OrderDraft(
        order_id=order.order_id,
        currency=order.currency,
        items=tuple(
            OrderItem(
                dish_id=i.dish_id,
                name=i.name,
                quantity=i.quantity,
                unit_price=i.unit_price,
                sku=i.sku,
                note=i.note,
            )
            for i in items
        ),
        special_instructions=order.special_instructions,
        customer=customer,
    )


async def view(session: AsyncSession, order: Order, *, duplicate: bool) -> OrderView:
    jobs = await subject_jobs(session, order.tenant_id, ORDER_SUBJECT + order.id)
    syncs = tuple(
        OrderSync(
            job_id=job.id,
            provider=connection.provider if connection else job.kind.split(".", 1)[0],
            status=state,
            retry_count=max(job.attempts - 1, 0),
            pos_order_id=job.provider_reference or job.checkpoint.get("pos_order_id"),
            next_retry_at=job.next_attempt_at if state == "retry" else None,
            error_message=job.last_error,
            completed_at=job.completed_at,
            created_at=job.created_at,
        )
        for job, state, connection in jobs
    )
    return OrderView(
        id=order.id,
        business_id=order.tenant_id,
        draft=await draft_of(session, order),
        total=order.total,
        created_at=order.created_at,
        sync_state=shown_state(sync.status for sync in syncs),
        pos_order_id=order.pos_order_id,
        pos_state=order.pos_state,
        pos_state_at=order.pos_state_at,
        syncs=syncs,
        duplicate=duplicate,
    )
