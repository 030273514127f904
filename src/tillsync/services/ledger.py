"""Stock movements inside a unit of work: locked rows, holds, warehouse reports, audit, alerts.

Every change to a stock row goes through `Ledger`. A writer first locks the rows it will
change (`lock_all`: one statement, in SKU × location order, so writers never deadlock) and
reads their figures fresh; every decision - may this hold be taken, is this report newer,
which pending sales does it include - is then made on figures no one else can change before
commit, and the refusal of a hold is worded from the very figures that refused it. On
SQLite the write transaction's own lock serialises writers; on PostgreSQL the row locks do.
The database checks the same invariants (see the migration "ledger invariants"): holds
never negative, a movement released once, a new hold within what its row had available.
`settle()` emits one live event per touched row and brings its alerts up to date. A ledger
made `deferred` (a sale's) keeps its holds and releases in memory until `settle()`, which
writes them all in one statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update

from tillsync.domain.ledger import ZERO
from tillsync.services import stock_rows
from tillsync.services.alerts import open_alerts, update_alerts
from tillsync.services.event_payloads import stock_payload
from tillsync.services.holds import release_included
from tillsync.services.stock_rows import Key, Report, exact, figures, refusal, rows, stock_view
from tillsync.store.database import chunks, insert_all_returning_new
from tillsync.store.tables import Alert, AuditEntry, Product, StockLevel, new_id
from tillsync.store.uow import UnitOfWork


class Ledger:
    def __init__(self, uow: UnitOfWork, tenant_id: str, *, deferred: bool = False) -> None:
        """`deferred`: holds and releases change the locked rows in memory, and `settle()`
        writes them in one statement; nothing may read those rows again before it."""
        self.uow = uow
        self.tenant_id = tenant_id
        self._deferred = stock_rows.DeferredHolds() if deferred else None
        self._touched: dict[str, StockLevel] = {}
        self._products: dict[str, Product] = {}
        """Products this ledger was given, so their alerts need not load them again."""
        self._overdue: set[str] = set()  # rows with reservations run out (`lock_for_holds`)
        self._unalerted: set[Key] = set()  # rows seen with no open alert under their lock

    def know(self, products: Iterable[Product]) -> None:
        self._products |= {product.id: product for product in products}

    async def find_all(self, keys: Iterable[Key]) -> dict[Key, StockLevel]:
        """The stock rows of these keys that exist, as last committed (not locked)."""
        return await rows(self.uow.session, self.tenant_id, set(keys), lock=False)

    async def lock_all(self, keys: Iterable[Key]) -> dict[Key, StockLevel]:
        """The stock rows of these keys that exist, locked until commit and read fresh.

        Rows are locked in SKU × location order by every writer, so two writers wanting
        the same rows queue instead of deadlocking.
        """
        return await rows(self.uow.session, self.tenant_id, set(keys), lock=True)

    async def lock_for_holds(self, keys: Iterable[Key]) -> dict[Key, StockLevel]:
        """As `lock_all`, learning which rows have reservations run out (`take_overdue`) and
        which have no open alert (`settle` reads none for those)."""
        held = await stock_rows.rows_for_holds(
            self.uow.session, self.tenant_id, set(keys), now=self.uow.now
        )
        self._overdue |= {row.stock.id for row in held.values() if row.overdue}
        self._unalerted |= {key for key, row in held.items() if not row.alerted}
        return {key: row.stock for key, row in held.items()}

    def take_overdue(self, stock: StockLevel) -> bool:
        """Whether a row locked by `lock_for_holds` had reservations run out, once: whoever
        learns it sweeps them."""
        if stock.id not in self._overdue:
            return False
        self._overdue.discard(stock.id)
        return True

    async def lock(self, sku: str, location: str) -> StockLevel | None:
        """One stock row, locked as `lock_all` locks; None if the warehouse never reported it."""
        return (await self.lock_all({(sku, location)})).get((sku, location))

    async def hold(
        self,
        stock: StockLevel,
        quantity: Decimal,
        *,
        figure: str,
        cause: str,
        reference: str,
        field: str,
        covered: Decimal = ZERO,
    ) -> None:
        """Add to pending or reserved on a locked row, or refuse in the row's own figures.

        `covered` is what the hold takes over from reservations just ended for it: held
        stock changing hands, which needs nothing free (a report counting a sale twice can
        leave the row short for a while); only the rest must fit.
        """
        current = figures(stock)
        if quantity > covered and current.available_to_sell < quantity:
            raise refusal(stock.sku, current, quantity, field=field)  # checked again: 0012
        await self._add(stock, figure, quantity)
        self._audit(stock, figure, quantity, cause, reference)

    async def release(
        self, stock: StockLevel, quantity: Decimal, *, figure: str, cause: str, reference: str
    ) -> None:
        await self._add(stock, figure, -quantity)
        self._audit(stock, figure, -quantity, cause, reference)

    async def _add(self, stock: StockLevel, figure: str, quantity: Decimal) -> None:
        if self._deferred is None:
            await self._update(stock, {figure: getattr(StockLevel, figure) + exact(quantity)})
        else:
            self._deferred.add(stock, figure, quantity)
            self._touched[stock.id] = stock

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
        """Take the warehouse's figure on a locked row; release the pending sales it includes.

        A figure older than the row's is ignored: the row's `as_of` was read under the lock,
        so no report committed meanwhile can be overwritten by an older one.
        """
        if stock.as_of is not None and as_of < stock.as_of:
            return False
        touched_before = stock.id in self._touched
        released = await release_included(self.uow.session, stock.id, as_of=as_of, now=self.uow.now)
        delta = available - stock.warehouse_available
        values: dict[str, Any] = {
            "warehouse_available": available,
            "warehouse_on_hand": on_hand,
            "as_of": as_of,
        }
        if released:
            values["pending"] = StockLevel.pending - exact(released)
        await self._update(stock, values)
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
        """Many warehouse figures at once; rows the hub has never seen are created in bulk.

        New rows are inserted first (in key order), then the others are locked (in key
        order): a writer never waits for a lock while holding one another writer inserts.
        """
        self._products |= {r.product.id: r.product for r in reports}
        keys = {(r.product.sku, r.location) for r in reports}
        seen = await self.find_all(keys)
        fresh = sorted(
            (r for r in reports if (r.product.sku, r.location) not in seen),
            key=lambda r: (r.product.sku, r.location),
        )
        opened = await self._open(fresh, as_of=as_of, cause=cause, reference=reference)
        locked = await self.lock_all(keys - opened)
        for r in reports:
            stock = locked.get((r.product.sku, r.location))
            if stock is not None:
                await self.report(
                    stock,
                    available=r.available,
                    on_hand=r.on_hand,
                    as_of=as_of,
                    cause=cause,
                    reference=reference,
                )

    async def correct(
        self, stock: StockLevel, values: dict[str, Decimal], *, cause: str, reference: str
    ) -> None:
        """Set a locked row's hold figures to these values, each change audited."""
        was = {name: getattr(stock, name) for name in values}
        await self._update(stock, values)
        for name, value in values.items():
            self._audit(stock, name, value - was[name], cause, reference)

    async def _open(
        self, reports: Sequence[Report], *, as_of: dt.datetime, cause: str, reference: str
    ) -> set[Key]:
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
        opened: set[Key] = set()
        for part in chunks([values[key] for key in sorted(values)]):
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

    async def _update(self, stock: StockLevel, values: dict[str, Any]) -> None:
        statement = (
            update(StockLevel)
            .where(StockLevel.id == stock.id)
            .values(**values, updated_at=self.uow.now)
            .returning(StockLevel)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        row = (await self.uow.session.execute(statement)).scalar_one()
        self._touched[row.id] = row

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
        if self._deferred is not None:
            await self._deferred.write(self.uow.session, now=self.uow.now)
        touched = list(self._touched.values())
        self._touched.clear()
        products = await self._products_of(touched)
        alerted = {s.sku for s in touched if (s.sku, s.location) not in self._unalerted}
        self._unalerted.clear()  # settling may raise some
        alerts = await open_alerts(self.uow.session, self.tenant_id, alerted)
        raised: list[dict[str, Any]] = []
        for stock in touched:
            payload = stock_payload(stock_view(stock))
            self.uow.emit(tenant_id=self.tenant_id, type="stock.changed", data=payload)
            raised += update_alerts(
                self.uow,
                tenant_id=self.tenant_id,
                stock=stock,
                product=products[stock.product_id],
                open_types=alerts.get((stock.sku, stock.location), {}),
            )
        for part in chunks(raised):  # in bulk, and before the next look at open alerts
            await self.uow.session.execute(insert(Alert), list(part))
        await self.uow.session.flush()

    async def _products_of(self, touched: list[StockLevel]) -> dict[str, Product]:
        """The products of the touched rows: those given to this ledger, the rest loaded."""
        wanted = {stock.product_id for stock in touched}
        products = {id_: self._products[id_] for id_ in wanted if id_ in self._products}
        for ids in chunks(sorted(wanted - products.keys())):
            loaded = await self.uow.session.scalars(select(Product).where(Product.id.in_(ids)))
            products |= {product.id: product for product in loaded}
        return products
