"""Recent orders of a business as the dashboard lists them, and one order with every attempt.

Each order is read as `GET /api/v1/orders/{orderId}` reads it (`order_views.view`): its
items, each push to a POS, one sync state, the POS's order id and state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from tillsync.errors import NotFound
from tillsync.services.history import Attempt, attempts_of
from tillsync.services.order_views import OrderView, find, view
from tillsync.store.tables import Order
from tillsync.store.uow import UnitsOfWork

UNSETTLED = ("pending", "syncing", "retry")
"""Sync states an order leaves on its own, without an operator."""


@dataclass(frozen=True, slots=True)
class OrderList:
    rows: tuple[OrderView, ...]
    total: int

    @property
    def settled(self) -> bool:
        return not any(row.sync_state in UNSETTLED for row in self.rows)


@dataclass(frozen=True, slots=True)
class OrderDetail:
    order: OrderView
    attempts: Mapping[str, Sequence[Attempt]]
    """Each push's attempts (by job id), oldest first."""

    @property
    def settled(self) -> bool:
        return self.order.sync_state not in UNSETTLED


async def recent_orders(
    uows: UnitsOfWork, tenant_id: str, *, limit: int, offset: int = 0
) -> OrderList:
    """The tenant's orders, newest first."""
    async with uows.read() as session:
        total = await session.scalar(
            select(func.count()).select_from(Order).where(Order.tenant_id == tenant_id)
        )
        found = await session.scalars(
            select(Order)
            .where(Order.tenant_id == tenant_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = tuple([await view(session, order, duplicate=False) for order in found.all()])
    return OrderList(rows=rows, total=total or 0)


async def order_detail(uows: UnitsOfWork, tenant_id: str, order_id: str) -> OrderDetail:
    """The tenant's order with its pushes' attempts; another tenant's is not found."""
    async with uows.read() as session:
        row = await find(session, tenant_id, order_id)
        if row is None:
            raise NotFound(f"no order '{order_id}'", field="order_id")
        shown = await view(session, row, duplicate=False)
        attempts = await attempts_of(session, [sync.job_id for sync in shown.syncs])
    return OrderDetail(order=shown, attempts={k: tuple(v) for k, v in attempts.items()})
