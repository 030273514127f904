"""Stock figures a pull has staged, and their settling into the ledger once the listing ends.

Availability rows are summed per SKU × location in `sync_stage` as pages arrive (a SKU's
rows may straddle pages). Settling walks the staged figures and the ledger side by side,
a window of SKUs at a time (`windows`), so memory stays flat however large the catalog:
rows whose figures differ (or that hold pending sales the figures now include) go through
the ledger, with audit, events and alerts; the rest are only confirmed as of the pull.

A warehouse's listing omits rows whose quantities are all zero, so absence means zero,
but only for what is known to exist: a row the hub holds, or a product the warehouse still
lists (which gets a zero row at the tenant's default location). A reconciliation also
records each difference it repairs in its drift report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.catalog import StockRow
from tillsync.domain.drift import Difference
from tillsync.services.context import Services
from tillsync.services.holds import repair_holds
from tillsync.services.ledger import Ledger
from tillsync.services.stock_rows import Key, Report
from tillsync.services.sync import drift
from tillsync.services.sync.product_rows import Seen, upsert_products
from tillsync.services.sync.stock_compare import compare
from tillsync.services.sync.windows import Where, among, omitted, windows
from tillsync.store.database import add_all, chunks
from tillsync.store.tables import Connection, StockLevel, SyncStage, Tenant
from tillsync.store.uow import UnitOfWork

HOLD_NOTES = {
    "pending": "set to the hub's sales not yet seen in a warehouse report",
    "reserved": "set to the hub's active reservations",
}


@dataclass
class Settled:
    compared: int = 0
    changed: int = 0


async def stage(session: AsyncSession, run_id: str, rows: Sequence[StockRow]) -> None:
    """Add a page's figures to the staging table: a SKU's rows may straddle pages.

    The rows are one per SKU × location, as the warehouse sums them.
    """
    values = [
        {"run_id": run_id, "sku": r.sku, "location": r.location}
        | {"available": r.available, "on_hand": r.on_hand}
        for r in rows
    ]
    for part in chunks(values):
        await add_all(session, SyncStage, list(part), ("available", "on_hand"))


async def settle(
    services: Services,
    connection: Connection,
    run_id: str,
    *,
    as_of: dt.datetime,
    scope: Collection[str] | None = None,
    reconcile: bool = False,
    pages_settled: bool = False,
) -> Settled:
    """Staged figures into the ledger; `scope` limits it to those SKUs (a quick pull's).

    With `pages_settled`, every staged figure has been taken page by page (`settle_page`):
    only what the listing left out remains, and the database finds it rather than a walk
    through the whole catalog.
    """
    async with services.uows.read() as session:
        tenant = await session.get(Tenant, connection.tenant_id)
        assert tenant is not None
    tally = Settled()
    cause = "reconciliation" if reconcile else "sync"
    title = services.providers.get(connection.provider).title
    if pages_settled and scope is None:
        parts = omitted(services, connection.tenant_id, run_id, as_of)
    else:
        parts = windows(services, connection.tenant_id, run_id, scope)
    async for where in parts:
        async with services.uows.begin() as uow:
            found = await compare(
                uow.session,
                tenant_id=connection.tenant_id,
                run_id=run_id,
                where=where,
                default_location=tenant.default_location,
                as_of=as_of,
                warehouse=title,
            )
            await _apply(
                uow,
                connection,
                found.changed,
                as_of=as_of,
                cause=cause,
                run_id=run_id,
                differences=found.differences if reconcile else [],
            )
            await _confirm(uow.session, found.confirmed, as_of)
            await uow.commit()
        if reconcile:
            await _repair_holds(services, connection, run_id, where)
        tally.compared += len(found.changed) + len(found.confirmed)
        tally.changed += len(found.changed)
    async with services.uows.begin() as uow:
        await uow.session.execute(delete(SyncStage).where(SyncStage.run_id == run_id))
        await uow.commit()
    return tally


async def settle_page(
    uow: UnitOfWork,
    connection: Connection,
    run_id: str,
    rows: Sequence[StockRow],
    *,
    as_of: dt.datetime,
) -> Settled:
    """While a full listing goes on, in the page's own transaction: take its figures.

    This keeps the hub busy while it waits for the warehouse's budget, instead of after
    the last page. Omitted rows cannot be known before the listing ends, so only figures
    present are taken here; a SKU whose rows straddle pages is taken again with its sum,
    and the final `settle` zeroes what the listing left out.
    """
    if not rows:
        return Settled()
    found = await compare(
        uow.session,
        tenant_id=connection.tenant_id,
        run_id=run_id,
        where=among(sorted({row.sku for row in rows})),
        default_location="",
        as_of=as_of,
        warehouse="",  # no drift is reported page by page
        complete=False,
    )
    await _apply(uow, connection, found.changed, as_of=as_of, cause="sync", run_id=run_id)
    await _confirm(uow.session, found.confirmed, as_of)
    return Settled(compared=len(found.changed) + len(found.confirmed), changed=len(found.changed))


async def _confirm(session: AsyncSession, ids: list[str], as_of: dt.datetime) -> None:
    """Rows whose figures the pull found unchanged are known good as of the pull.

    A row another writer holds is skipped rather than waited for (its lock order is not
    this statement's): it keeps its older time, which only makes a later report welcome.
    """
    for part in chunks(ids):
        free = (
            select(StockLevel.id)
            .where(
                StockLevel.id.in_(part),
                or_(StockLevel.as_of.is_(None), StockLevel.as_of < as_of),
            )
            .with_for_update(skip_locked=True, key_share=True)
        )
        await session.execute(
            update(StockLevel).where(StockLevel.id.in_(free.scalar_subquery())).values(as_of=as_of)
        )


async def _repair_holds(
    services: Services, connection: Connection, run_id: str, where: Where
) -> None:
    """A reconciliation also sets each row's pending and reserved to what their records say."""
    async with services.uows.begin() as uow:
        keys = await uow.session.execute(
            select(StockLevel.sku, StockLevel.location).where(
                StockLevel.tenant_id == connection.tenant_id, where(StockLevel.sku)
            )
        )
        ledger = Ledger(uow, connection.tenant_id)
        locked = await ledger.lock_all({(sku, location) for sku, location in keys})
        repairs = await repair_holds(ledger, locked.values(), reference=run_id)
        await drift.record(
            uow.session,
            tenant_id=connection.tenant_id,
            run_id=run_id,
            differences=[
                Difference(
                    "stock",
                    r.figure,
                    r.was,
                    r.now,
                    True,
                    sku=r.sku,
                    location=r.location,
                    note=HOLD_NOTES[r.figure],
                )
                for r in repairs
            ],
            now=uow.now,
        )
        await ledger.settle()
        await uow.commit()


async def _apply(
    uow: UnitOfWork,
    connection: Connection,
    rows: list[StockRow],
    *,
    as_of: dt.datetime,
    cause: str,
    run_id: str,
    differences: Sequence[Difference] = (),
) -> None:
    if not rows:
        return
    ledger = Ledger(uow, connection.tenant_id)
    products = await upsert_products(uow, connection, [Seen(r.sku, None) for r in rows])
    await ledger.report_all(
        [Report(products[r.sku], r.location, r.available, r.on_hand) for r in rows],
        as_of=as_of,
        cause=cause,
        reference=run_id,
    )
    if differences:
        now = await ledger.find_all({(d.sku or "", d.location or "") for d in differences})
        await drift.record(
            uow.session,
            tenant_id=connection.tenant_id,
            run_id=run_id,
            differences=[replace(d, fixed=_took(now, d)) for d in differences],
            now=uow.now,
        )
    await ledger.settle()


def _took(now: dict[Key, StockLevel], difference: Difference) -> bool:
    """Whether the ledger holds the warehouse's figure (a later report may have superseded it)."""
    stock = now.get((difference.sku or "", difference.location or ""))
    return stock is not None and getattr(stock, f"warehouse_{difference.field}") == (
        difference.provider
    )
