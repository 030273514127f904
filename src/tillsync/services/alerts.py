"""Stock alerts: raised and resolved as a row's net stock crosses its product's levels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain import alerts as rules
from tillsync.domain.ledger import StockFigures
from tillsync.services.event_payloads import alert_payload
from tillsync.store.database import chunks
from tillsync.store.snapshots import snapshot
from tillsync.store.tables import Alert, Product, StockLevel, new_id
from tillsync.store.uow import UnitOfWork, UnitsOfWork

Key = tuple[str, str]
OpenAlerts = dict[Key, dict[rules.AlertType, Alert]]


@dataclass(frozen=True, slots=True)
class StockAlert:
    """An alert as the seller reads it (its fields are `event_payloads.ALERT_COLUMNS`)."""

    id: str
    sku: str
    product_name: str
    location: str
    alert_type: str
    severity: str
    message: str
    resolved: bool
    created_at: dt.datetime
    resolved_at: dt.datetime | None


async def list_alerts(
    uows: UnitsOfWork, tenant_id: str, *, resolved: bool, limit: int
) -> list[StockAlert]:
    """The tenant's open (or resolved) alerts, newest first."""
    async with uows.read() as session:
        rows = await session.scalars(
            select(Alert)
            .where(Alert.tenant_id == tenant_id, Alert.resolved.is_(resolved))
            .order_by(Alert.created_at.desc(), Alert.id)
            .limit(limit)
        )
        return [snapshot(StockAlert, row) for row in rows]


async def count_open(uows: UnitsOfWork, tenant_id: str) -> int:
    async with uows.read() as session:
        count = await session.scalar(
            select(func.count()).where(Alert.tenant_id == tenant_id, Alert.resolved == false())
        )
    return int(count or 0)


async def open_alerts(session: AsyncSession, tenant_id: str, skus: set[str]) -> OpenAlerts:
    """The open alerts of these SKUs, per SKU × location and type."""
    found: OpenAlerts = {}
    for part in chunks(sorted(skus)):
        alerts = await session.scalars(
            select(Alert).where(
                Alert.tenant_id == tenant_id,
                Alert.sku.in_(part),
                Alert.resolved == false(),  # as the open alerts' index says: it is used
            )
        )
        for alert in alerts:
            per_row = found.setdefault((alert.sku, alert.location), {})
            per_row[rules.AlertType(alert.alert_type)] = alert
    return found


def update_alerts(
    uow: UnitOfWork,
    *,
    tenant_id: str,
    stock: StockLevel,
    product: Product,
    open_types: dict[rules.AlertType, Alert],
) -> list[dict[str, Any]]:
    """Resolve what no longer holds; the row of an alert to raise, if one is due."""
    level = StockFigures(stock.warehouse_available, stock.pending, stock.reserved).net_stock
    change = rules.alert_change(
        level=level, reorder_level=product.reorder_level, open_types=frozenset(open_types)
    )
    for alert_type in change.resolve_types:
        alert = open_types[alert_type]
        alert.resolved, alert.resolved_at = True, uow.now
        uow.emit(tenant_id=tenant_id, type="alert.resolved", data=alert_payload(alert))
    if change.raise_type is None:
        return []
    row: dict[str, Any] = {
        "id": new_id(),
        "tenant_id": tenant_id,
        "product_id": product.id,
        "sku": stock.sku,
        "product_name": product.name,
        "location": stock.location,
        "alert_type": change.raise_type.value,
        "severity": rules.SEVERITY[change.raise_type],
        "message": rules.alert_message(
            change.raise_type, name=product.name, level=level, reorder_level=product.reorder_level
        ),
        "resolved": False,
        "created_at": uow.now,
        "resolved_at": None,
    }
    uow.emit(tenant_id=tenant_id, type="alert.raised", data=alert_payload(row))
    return [row]
