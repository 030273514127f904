"""Placing an ordering app's order: the order, its POS pushes and its stock holds, at once.

One transaction stores the order, a push job per connected POS connection whose
`auto_sync_orders` is on, and, for the items that name a SKU, a sale through the sale
path (`sales.record_in`), so the ledger holds and sells their stock and the warehouse push,
alerts and live stream follow as for a POS sale. Dish-only items never touch the ledger.
The app's `order_id` is the idempotency key: the same body again answers the stored
order, another body is a 409.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.orders import Customer, OrderDraft, OrderItem
from tillsync.errors import Conflict
from tillsync.jobs.store import NewJob, enqueue
from tillsync.services import sale_rows, sales
from tillsync.services.connections.roles import plays
from tillsync.services.history import ORDER_SUBJECT
from tillsync.services.order_views import OrderView, find, view
from tillsync.services.outbound.kinds import PUSH_ORDER, kind
from tillsync.services.tenants import Caller
from tillsync.store.tables import Connection, Order, Sale
from tillsync.store.tables import OrderItem as ItemRow
from tillsync.store.uow import UnitOfWork, UnitsOfWork

POS_ROLE = "pos"


async def place_order(uows: UnitsOfWork, caller: Caller, draft: OrderDraft) -> OrderView:
    """Store the order once; a repeat with the same body answers the stored one."""
    try:
        async with uows.begin() as uow:
            existing = await _existing(uow.session, caller, draft)
            if existing is not None:
                return await view(uow.session, existing, duplicate=True)
            row = await _store(uow, caller, draft)
            for connection in await pos_connections(uow.session, caller.tenant_id):
                if connection.settings.get("auto_sync_orders", True) is not False:
                    await enqueue_push(uow, connection, row)
            if draft.stocked():
                # Stock last: its rows stay locked only from here to the commit.
                row.sale_id = (await _sell(uow, caller, draft)).id
            answer = await view(uow.session, row, duplicate=False)
            await uow.commit()
            return answer
    except IntegrityError:
        async with uows.begin() as uow:  # the same order_id committed concurrently
            existing = await _existing(uow.session, caller, draft)
            if existing is None:
                raise
            return await view(uow.session, existing, duplicate=True)


async def pos_connections(session: AsyncSession, tenant_id: str) -> list[Connection]:
    """The tenant's connected POS connections, in a stable order."""
    rows = await session.scalars(
        select(Connection)
        .where(Connection.tenant_id == tenant_id, Connection.status != "disconnected")
        .order_by(Connection.created_at, Connection.id)
    )
    return [row for row in rows if plays(row, POS_ROLE)]


async def enqueue_push(uow: UnitOfWork, connection: Connection, order: Order) -> bool:
    """The order's push to this POS connection, unless it has one already."""
    return await enqueue(
        uow.session,
        NewJob(
            kind=kind(connection.provider, PUSH_ORDER),
            payload={"order": order.id},
            idempotency_key=f"{connection.id}:{order.id}",
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            subject=subject(order),
            priority=sale_rows.PUSH_PRIORITY,
        ),
        now=uow.now,
    )


def subject(order: Order) -> str:
    return ORDER_SUBJECT + order.id


async def record_pos_state(
    uows: UnitsOfWork, *, tenant_id: str, pos_order_id: str, state: str, at: dt.datetime
) -> bool:
    """The POS's own state of an order it made (from its webhooks); an older report never
    replaces a newer one. True when an order of the tenant took it."""
    async with uows.begin() as uow:
        newer = (Order.pos_state_at.is_(None)) | (Order.pos_state_at <= at)
        result = await uow.session.execute(
            update(Order)
            .where(Order.tenant_id == tenant_id, Order.pos_order_id == pos_order_id, newer)
            .values(pos_state=state[:50], pos_state_at=at)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return bool(getattr(result, "rowcount", 0))


async def _existing(session: AsyncSession, caller: Caller, draft: OrderDraft) -> Order | None:
    row = await find(session, caller.tenant_id, draft.order_id)
    if row is not None and row.request_hash != draft.fingerprint():
        raise Conflict(
            f"order_id '{draft.order_id}' was already placed with different contents",
            field="order_id",
        )
    return row


async def _store(uow: UnitOfWork, caller: Caller, draft: OrderDraft) -> Order:
    customer = draft.customer or Customer()
    row = Order(
        tenant_id=caller.tenant_id,
        order_id=draft.order_id,
        currency=draft.currency,
        total=draft.total,
        special_instructions=draft.special_instructions,
        customer_name=customer.name,
        customer_phone=customer.phone,
        request_hash=draft.fingerprint(),
        created_at=uow.now,
    )
    uow.session.add(row)
    await uow.session.flush()
    for position, item in enumerate(draft.items):
        uow.session.add(_item_row(caller.tenant_id, row.id, position, item))
    await uow.session.flush()
    return row


def _item_row(tenant_id: str, order_pk: str, position: int, item: OrderItem) -> ItemRow:
    return ItemRow(
        tenant_id=tenant_id,
        order_pk=order_pk,
        position=position,
        dish_id=item.dish_id,
        sku=item.sku,
        name=item.name,
        quantity=item.quantity,
        unit_price=item.unit_price,
        note=item.note,
    )


async def _sell(uow: UnitOfWork, caller: Caller, draft: OrderDraft) -> Sale:
    stocked = draft.stocked()
    sale = sales.SaleInput(
        sale_id=draft.order_id,
        items=tuple(
            sales.LineInput(
                sku=item.sku or "", quantity=item.quantity, price=item.unit_price, name=item.name
            )
            for _, item in stocked
        ),
        customer_name=draft.customer.name if draft.customer else None,
        currency=draft.currency,
    )
    positions = [position for position, _ in stocked]
    return await sales.record_in(uow, caller, sale, source="order", positions=positions)
