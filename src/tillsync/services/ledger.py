"""Stock movements inside a unit of work: conditional holds, warehouse reports, audit, alerts.

Every change to a stock row goes through `Ledger`, which writes its audit entry at once
and, in `settle()`, emits one live event per touched row and raises or resolves alerts.
Holds (pending sales, reservations) are conditional UPDATEs: the row only changes when
enough stock is available at that instant, so concurrent checkouts can never oversell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import and_, false, insert, literal, select, update

from tillsync.domain import alerts as rules
from tillsync.domain.ledger import StockFigures, check_message
from tillsync.errors import InsufficientStock
from tillsync.store.database import insert_all_returning_new, insert_unless_present
from tillsync.store.tables import Alert, AuditEntry, PendingMovement, Product, StockLevel, new_id
from tillsync.store.types import Scaled
from tillsync.store.uow import UnitOfWork

T = TypeVar("T")
ZERO = Decimal(0)
HOLD_FIELDS = ("pending", "reserved")
CHUNK = 500
"""Keys per IN list: well inside every database's limit on bound parameters."""
SHOWN = (
    "id",
    "sku",
    "product_name",
    "location",
    "alert_type",
    "severity",
    "message",
    "resolved",
    "created_at",
    "resolved_at",
)
"""An alert's columns that its view shows."""


@dataclass(frozen=True, slots=True)
class Report:
    """The warehouse's figures for one product at one location."""

    product: Product
    location: str
    available: Decimal
    on_hand: Decimal


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


def alert_view(alert: Alert | Mapping[str, Any]) -> dict[str, Any]:
    """An alert as the API and the stream show it, from the row or its values."""
    row = alert if isinstance(alert, Mapping) else {name: getattr(alert, name) for name in SHOWN}
    return {
        "id": row["id"],
        "product_sku": row["sku"],
        "product_name": row["product_name"],
        "location": row["location"],
        "alert_type": row["alert_type"],
        "severity": row["severity"],
        "message": row["message"],
        "resolved": row["resolved"],
        "created_at": row["created_at"].isoformat(),
        "resolved_at": row["resolved_at"].isoformat() if row["resolved_at"] else None,
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
        self._products: dict[str, Product] = {}
        """Products this ledger was given, so their alerts need not load them again."""

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

    async def report_all(
        self, reports: Sequence[Report], *, as_of: dt.datetime, cause: str, reference: str
    ) -> None:
        """Many warehouse figures at once; rows the hub has never seen are created in bulk."""
        self._products |= {r.product.id: r.product for r in reports}
        found = await self.find_all({(r.product.sku, r.location) for r in reports})
        fresh = [r for r in reports if (r.product.sku, r.location) not in found]
        opened = await self._open(fresh, as_of=as_of, cause=cause, reference=reference)
        for r in reports:
            stock = found.get((r.product.sku, r.location))
            if stock is None and (r.product.sku, r.location) not in opened:
                stock = await self.ensure(r.product, r.location)  # created meanwhile elsewhere
            if stock is not None:
                await self.report(
                    stock,
                    available=r.available,
                    on_hand=r.on_hand,
                    as_of=as_of,
                    cause=cause,
                    reference=reference,
                )

    async def find_all(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], StockLevel]:
        """The stock rows of these SKU × location keys that exist."""
        found: dict[tuple[str, str], StockLevel] = {}
        for skus in chunks(sorted({sku for sku, _ in keys})):
            rows = await self.uow.session.scalars(
                select(StockLevel).where(
                    StockLevel.tenant_id == self.tenant_id, StockLevel.sku.in_(skus)
                )
            )
            found |= {
                (row.sku, row.location): row for row in rows if (row.sku, row.location) in keys
            }
        return found

    async def _open(
        self, reports: Sequence[Report], *, as_of: dt.datetime, cause: str, reference: str
    ) -> set[tuple[str, str]]:
        """Insert new rows holding the reported figures; the keys this call created."""
        if not reports:
            return set()
        values = {
            (r.product.sku, r.location): {
                "id": new_id(),
                "tenant_id": self.tenant_id,
                "product_id": r.product.id,
                "sku": r.product.sku,
                "location": r.location,
                "warehouse_available": r.available,
                "warehouse_on_hand": r.on_hand,
                "as_of": as_of,
                "pending": ZERO,
                "reserved": ZERO,
                "updated_at": self.uow.now,
            }
            for r in reports
        }
        opened: set[tuple[str, str]] = set()
        for part in chunks(list(values.values())):
            # a key another writer created first is not answered: it is reported like any row
            created = await insert_all_returning_new(self.uow.session, StockLevel, list(part))
            for stock in created:
                opened.add((stock.sku, stock.location))
                self._touched[stock.id] = stock
            if stock.warehouse_available:
                self._audit(
                    stock, "warehouse_available", stock.warehouse_available, cause, reference
                )
        return opened

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
        self.uow.append(
            AuditEntry,
            {
                "tenant_id": self.tenant_id,
                "sku": stock.sku,
                "location": stock.location,
                "figure": figure,
                "delta": delta,
                "value_after": getattr(current, figure),
                "cause": cause,
                "reference": reference,
                "created_at": self.uow.now,
            },
        )

    async def settle(self) -> None:
        """Emit one stock event per touched row and bring its alerts up to date."""
        touched = list(self._touched.values())
        self._touched.clear()
        products, open_alerts = await self._alert_context(touched)
        raised: list[dict[str, Any]] = []
        for stock in touched:
            self.uow.emit(tenant_id=self.tenant_id, type="stock.changed", data=stock_view(stock))
            alerts = open_alerts.get((stock.sku, stock.location), {})
            raised += self._update_alerts(stock, products[stock.product_id], alerts)
        for part in chunks(raised):  # in bulk, and before the next look at open alerts
            await self.uow.session.execute(insert(Alert), list(part))
        await self.uow.session.flush()

    async def _alert_context(
        self, touched: list[StockLevel]
    ) -> tuple[dict[str, Product], dict[tuple[str, str], dict[rules.AlertType, Alert]]]:
        """The products and open alerts of the touched rows, a few queries for any number."""
        session = self.uow.session
        wanted = {stock.product_id for stock in touched}
        products = {id_: self._products[id_] for id_ in wanted if id_ in self._products}
        for ids in chunks(sorted(wanted - products.keys())):
            products |= {
                p.id: p for p in await session.scalars(select(Product).where(Product.id.in_(ids)))
            }
        open_alerts: dict[tuple[str, str], dict[rules.AlertType, Alert]] = {}
        for skus in chunks(sorted({stock.sku for stock in touched})):
            alerts = await session.scalars(
                select(Alert).where(
                    Alert.tenant_id == self.tenant_id,
                    Alert.sku.in_(skus),
                    Alert.resolved == false(),  # as the open alerts' index says: it is used
                )
            )
            for alert in alerts:
                per_row = open_alerts.setdefault((alert.sku, alert.location), {})
                per_row[rules.AlertType(alert.alert_type)] = alert
        return products, open_alerts

    def _update_alerts(
        self, stock: StockLevel, product: Product, open_alerts: dict[rules.AlertType, Alert]
    ) -> list[dict[str, Any]]:
        """Resolve what no longer holds; the row of an alert to raise, if one is due."""
        level = figures(stock).net_stock
        change = rules.alert_change(
            level=level,
            reorder_level=product.reorder_level,
            open_types=frozenset(open_alerts),
        )
        for alert_type in change.resolve_types:
            alert = open_alerts[alert_type]
            alert.resolved, alert.resolved_at = True, self.uow.now
            self._emit_alert("alert.resolved", alert_view(alert))
        if change.raise_type is None:
            return []
        row: dict[str, Any] = {
            "id": new_id(),
            "tenant_id": self.tenant_id,
            "product_id": product.id,
            "sku": stock.sku,
            "product_name": product.name,
            "location": stock.location,
            "alert_type": change.raise_type.value,
            "severity": rules.SEVERITY[change.raise_type],
            "message": rules.alert_message(
                change.raise_type,
                name=product.name,
                level=level,
                reorder_level=product.reorder_level,
            ),
            "resolved": False,
            "created_at": self.uow.now,
            "resolved_at": None,
        }
        self._emit_alert("alert.raised", alert_view(row))
        return [row]

    def _emit_alert(self, type: str, view: dict[str, Any]) -> None:
        self.uow.emit(tenant_id=self.tenant_id, type=type, data=view)
