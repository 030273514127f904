"""Stock movements inside a unit of work: conditional holds, warehouse reports, audit, alerts.

Every change to a stock row goes through `Ledger`, which writes its audit entry at once
and, in `settle()`, emits one live event per touched row and raises or resolves alerts.
Holds (pending sales, reservations) are conditional UPDATEs: the row only changes when
enough stock is available at that instant, so concurrent checkouts can never oversell.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, literal, select, update

from tillsync.domain import alerts as rules
from tillsync.domain.ledger import StockFigures, check_message
from tillsync.errors import InsufficientStock
from tillsync.store.database import insert_unless_present
from tillsync.store.tables import Alert, AuditEntry, PendingMovement, Product, StockLevel, new_id
from tillsync.store.types import Scaled
from tillsync.store.uow import UnitOfWork

ZERO = Decimal(0)
HOLD_FIELDS = ("pending", "reserved")


def exact(quantity: Decimal) -> Any:
    """A quantity bound as a scaled integer: SQL arithmetic on Scaled columns stays exact."""
    return literal(quantity, Scaled())


def figures(stock: StockLevel) -> StockFigures:
    return StockFigures(stock.warehouse_available, stock.pending, stock.reserved)


def stock_view(stock: StockLevel) -> dict[str, Any]:
    current = figures(stock)
    return {
        "sku": stock.sku,
        "location": stock.location,
        "available_to_sell": str(current.available_to_sell),
        "warehouse_available": str(stock.warehouse_available),
        "pending": str(stock.pending),
        "reserved": str(stock.reserved),
        "as_of": stock.as_of.isoformat() if stock.as_of else None,
    }


def alert_view(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "product_sku": alert.sku,
        "product_name": alert.product_name,
        "location": alert.location,
        "alert_type": alert.alert_type,
        "severity": alert.severity,
        "message": alert.message,
        "resolved": alert.resolved,
        "created_at": alert.created_at.isoformat(),
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
    }


def refusal(stock: StockLevel, quantity: Decimal, *, field: str) -> InsufficientStock:
    """The answer to a hold the stock row could not take, with the POS's message."""
    level = figures(stock).available_to_sell
    return InsufficientStock(
        check_message(level, quantity),
        sku=stock.sku,
        available=level,
        requested=quantity,
        field=field,
    )


class Ledger:
    def __init__(self, uow: UnitOfWork, tenant_id: str) -> None:
        self.uow = uow
        self.tenant_id = tenant_id
        self._touched: dict[str, StockLevel] = {}

    async def find(self, sku: str, location: str) -> StockLevel | None:
        return await self.uow.session.scalar(
            select(StockLevel).where(
                StockLevel.tenant_id == self.tenant_id,
                StockLevel.sku == sku,
                StockLevel.location == location,
            )
        )

    async def ensure(self, product: Product, location: str) -> StockLevel:
        stock = await self.find(product.sku, location)
        if stock is None:  # concurrent first sales or reports of a SKU: one row wins
            values = {
                "id": new_id(),
                "tenant_id": self.tenant_id,
                "product_id": product.id,
                "sku": product.sku,
                "location": location,
                "warehouse_available": ZERO,
                "warehouse_on_hand": ZERO,
                "pending": ZERO,
                "reserved": ZERO,
                "updated_at": self.uow.now,
            }
            session = self.uow.session
            await session.execute(insert_unless_present(session, StockLevel, values))
            stock = await self.find(product.sku, location)
            assert stock is not None
            self._touched[stock.id] = stock  # a new row is news: its stream event, its alerts
        return stock

    async def try_hold(
        self, stock: StockLevel, quantity: Decimal, *, figure: str, cause: str, reference: str
    ) -> bool:
        """Add to pending or reserved only if that much is available now."""
        column = getattr(StockLevel, figure)
        available = StockLevel.warehouse_available - StockLevel.pending - StockLevel.reserved
        changed = await self._update(
            stock,
            and_(StockLevel.id == stock.id, available >= exact(quantity)),
            {figure: column + exact(quantity)},
        )
        if changed:
            self._audit(stock, figure, quantity, cause, reference)
        return changed

    async def release(
        self, stock: StockLevel, quantity: Decimal, *, figure: str, cause: str, reference: str
    ) -> None:
        column = getattr(StockLevel, figure)
        await self._update(stock, StockLevel.id == stock.id, {figure: column - exact(quantity)})
        self._audit(stock, figure, -quantity, cause, reference)

    async def report(
        self,
        stock: StockLevel,
        *,
        available: Decimal,
        on_hand: Decimal,
        as_of: dt.datetime,
        cause: str,
        reference: str,
    ) -> bool:
        """Take the warehouse's figure and release the pending sales it already includes."""
        if stock.as_of is not None and as_of < stock.as_of:
            return False
        touched_before = stock.id in self._touched
        released = await self._release_included(stock, as_of, reference)
        delta = available - stock.warehouse_available
        values: dict[str, Any] = {
            "warehouse_available": available,
            "warehouse_on_hand": on_hand,
            "as_of": as_of,
        }
        if released:
            values["pending"] = StockLevel.pending - exact(released)
        await self._update(stock, StockLevel.id == stock.id, values)
        if delta:
            self._audit(stock, "warehouse_available", delta, cause, reference)
        if released:
            self._audit(stock, "pending", -released, "included_in_report", reference)
        if not (delta or released or touched_before):
            self._touched.pop(stock.id, None)
        return bool(delta or released)

    async def _release_included(
        self, stock: StockLevel, as_of: dt.datetime, reference: str
    ) -> Decimal:
        movements = (
            await self.uow.session.scalars(
                select(PendingMovement).where(
                    PendingMovement.stock_level_id == stock.id,
                    PendingMovement.released_at.is_(None),
                    PendingMovement.confirmed_at <= as_of,
                )
            )
        ).all()
        for movement in movements:
            movement.released_at = self.uow.now
        return sum((m.quantity for m in movements), Decimal(0))

    async def _update(self, stock: StockLevel, where: Any, values: dict[str, Any]) -> bool:
        statement = (
            update(StockLevel)
            .where(where)
            .values(**values, updated_at=self.uow.now)
            .returning(StockLevel)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        row = (await self.uow.session.execute(statement)).scalar_one_or_none()
        if row is None:
            return False
        self._touched[row.id] = row
        return True

    def _audit(
        self, stock: StockLevel, figure: str, delta: Decimal, cause: str, reference: str
    ) -> None:
        current = self._touched.get(stock.id, stock)
        self.uow.session.add(
            AuditEntry(
                tenant_id=self.tenant_id,
                sku=stock.sku,
                location=stock.location,
                figure=figure,
                delta=delta,
                value_after=getattr(current, figure),
                cause=cause,
                reference=reference,
                created_at=self.uow.now,
            )
        )

    async def settle(self) -> None:
        """Emit one stock event per touched row and bring its alerts up to date."""
        for stock in self._touched.values():
            self.uow.emit(tenant_id=self.tenant_id, type="stock.changed", data=stock_view(stock))
            await self._update_alerts(stock)
        self._touched.clear()

    async def _update_alerts(self, stock: StockLevel) -> None:
        session = self.uow.session
        product = await session.get(Product, stock.product_id)
        assert product is not None
        open_alerts = {
            rules.AlertType(alert.alert_type): alert
            for alert in await session.scalars(
                select(Alert).where(
                    Alert.tenant_id == self.tenant_id,
                    Alert.sku == stock.sku,
                    Alert.location == stock.location,
                    Alert.resolved.is_(False),
                )
            )
        }
        level = figures(stock).net_stock
        change = rules.alert_change(
            level=level,
            reorder_level=product.reorder_level,
            open_types=frozenset(open_alerts),
        )
        for alert_type in change.resolve_types:
            alert = open_alerts[alert_type]
            alert.resolved, alert.resolved_at = True, self.uow.now
            self._emit_alert("alert.resolved", alert)
        if change.raise_type is not None:
            alert = Alert(
                id=new_id(),
                tenant_id=self.tenant_id,
                product_id=product.id,
                sku=stock.sku,
                product_name=product.name,
                location=stock.location,
                alert_type=change.raise_type.value,
                severity=rules.SEVERITY[change.raise_type],
                message=rules.alert_message(
                    change.raise_type,
                    name=product.name,
                    level=level,
                    reorder_level=product.reorder_level,
                ),
                resolved=False,
                created_at=self.uow.now,
            )
            session.add(alert)
            self._emit_alert("alert.raised", alert)
        await session.flush()

    def _emit_alert(self, type: str, alert: Alert) -> None:
        self.uow.emit(tenant_id=self.tenant_id, type=type, data=alert_view(alert))
