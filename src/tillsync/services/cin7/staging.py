"""Stock figures a pull has staged, and their settling into the ledger once the listing ends.

Availability rows are summed per SKU × location in `sync_stage` as pages arrive (a SKU's
rows may straddle pages). Settling walks the staged figures and the ledger side by side,
a window of SKUs at a time, so memory stays flat however large the catalog: rows whose
figures differ (or that hold pending sales the figures now include) go through the
ledger, with audit, events and alerts; the rest are only confirmed as of the pull.

CIN7 omits availability rows whose quantities are all zero, so absence means zero, but
only for what is known to exist: a row the hub holds, or a product CIN7 still lists (which
gets a zero row at the tenant's default location). A reconciliation also records each
difference it repairs in its drift report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.cin7 import mapping
from tillsync.services.cin7 import drift
from tillsync.services.cin7.product_rows import Seen, upsert_products
from tillsync.services.context import Services
from tillsync.services.ledger import Ledger
from tillsync.services.stock_rows import Report
from tillsync.store.database import add_all, chunks
from tillsync.store.tables import (
    Connection,
    PendingMovement,
    Product,
    StockLevel,
    SyncStage,
    Tenant,
)
from tillsync.store.uow import UnitOfWork

ZERO = Decimal(0)
WINDOW = 2000
"""SKUs settled together: a few thousand rows in memory at a time."""

Key = tuple[str, str]
Where = Callable[[Any], Any]
HOLD_NOTES = {
    "pending": "set to the hub's sales not yet seen in a CIN7 report",
    "reserved": "set to the hub's active reservations",
}


@dataclass(frozen=True, slots=True)
class Known:
    id: str
    available: Decimal
    on_hand: Decimal
    as_of: dt.datetime | None


@dataclass
class Settled:
    compared: int = 0
    changed: int = 0


async def stage(session: AsyncSession, run_id: str, rows: list[mapping.StockRow]) -> None:
    """Add a page's figures to the staging table: a SKU's rows may straddle pages.

    The rows are one per SKU × location, as `mapping.stock_rows` sums them.
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
    if pages_settled and scope is None:
        windows = _omitted(services, connection.tenant_id, run_id, as_of)
    else:
        windows = _windows(services, connection.tenant_id, run_id, scope)
    async for where in windows:
        async with services.uows.begin() as uow:
            changed, confirmed, differences = await _compare(
                uow.session,
                tenant_id=connection.tenant_id,
                run_id=run_id,
                where=where,
                default_location=tenant.default_location,
                as_of=as_of,
            )
            await _apply(
                uow,
                connection,
                changed,
                as_of=as_of,
                cause=cause,
                run_id=run_id,
                differences=differences if reconcile else [],
            )
            await _confirm(uow.session, confirmed, as_of)
            await uow.commit()
        if reconcile:
            await _repair_holds(services, connection, run_id, where)
        tally.compared += len(changed) + len(confirmed)
        tally.changed += len(changed)
    async with services.uows.begin() as uow:
        await uow.session.execute(delete(SyncStage).where(SyncStage.run_id == run_id))
        await uow.commit()
    return tally


async def settle_page(
    uow: UnitOfWork,
    connection: Connection,
    run_id: str,
    rows: list[mapping.StockRow],
    *,
    as_of: dt.datetime,
) -> Settled:
    """While a full listing goes on, in the page's own transaction: take its figures.

    This keeps the hub busy while it waits for CIN7's budget, instead of after the last
    page. Omitted rows cannot be known before the listing ends, so only figures present
    are taken here; a SKU whose rows straddle pages is taken again with its sum, and the
    final `settle` zeroes what the listing left out.
    """
    if not rows:
        return Settled()
    changed, confirmed, _ = await _compare(
        uow.session,
        tenant_id=connection.tenant_id,
        run_id=run_id,
        where=_among(sorted({row.sku for row in rows})),
        default_location="",
        as_of=as_of,
        complete=False,
    )
    await _apply(uow, connection, changed, as_of=as_of, cause="sync", run_id=run_id)
    await _confirm(uow.session, confirmed, as_of)
    return Settled(compared=len(changed) + len(confirmed), changed=len(changed))


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
        repairs = await ledger.repair_holds(locked.values(), reference=run_id)
        await drift.record(
            uow.session,
            tenant_id=connection.tenant_id,
            run_id=run_id,
            differences=[
                drift.Difference(
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


async def _omitted(
    services: Services, tenant_id: str, run_id: str, as_of: dt.datetime
) -> AsyncIterator[Where]:
    """Windows of the SKUs a settled listing left out, in order (found in two queries).

    Those are the SKUs of rows the hub holds that the listing did not cover (unless a
    later report stands), and of products CIN7 lists that have neither a staged figure
    nor a row: absence means zero for both, as CIN7 omits rows whose quantities are all
    zero. Only SKUs are held in memory: a few megabytes for the largest catalogs.
    """
    covered = exists().where(
        SyncStage.run_id == run_id,
        SyncStage.sku == StockLevel.sku,
        SyncStage.location == StockLevel.location,
    )
    held = select(StockLevel.sku).where(
        StockLevel.tenant_id == tenant_id,
        or_(StockLevel.as_of.is_(None), StockLevel.as_of < as_of),
        ~covered,
    )
    bare = select(Product.sku).where(
        Product.tenant_id == tenant_id,
        Product.active.is_(True),
        ~exists().where(SyncStage.run_id == run_id, SyncStage.sku == Product.sku),
        ~exists().where(StockLevel.tenant_id == tenant_id, StockLevel.sku == Product.sku),
    )
    async with services.uows.read() as session:
        skus = set(await session.scalars(held.distinct())) | set(await session.scalars(bare))
    for part in chunks(sorted(skus), WINDOW):
        yield _among(list(part))


async def _windows(
    services: Services, tenant_id: str, run_id: str, scope: Collection[str] | None
) -> AsyncIterator[Where]:
    """Filters on a SKU column, each covering the next window of SKUs, in order."""
    if scope is not None:
        for part in chunks(sorted(scope), WINDOW):
            yield _among(list(part))
        return
    low: str | None = None
    while True:
        async with services.uows.read() as session:
            after = _between(low, None)
            ends = []
            for column, owner in (
                (Product.sku, Product.tenant_id == tenant_id),
                (SyncStage.sku, SyncStage.run_id == run_id),
            ):
                skus = (
                    await session.scalars(
                        select(column).where(owner, after(column)).order_by(column).limit(WINDOW)
                    )
                ).all()
                ends.append(skus[-1] if len(skus) == WINDOW else None)
        full = [end for end in ends if end is not None]
        high = min(full) if full else None
        yield _between(low, high)
        if high is None:
            return
        low = high


def _among(skus: list[str]) -> Where:
    def where(column: Any) -> Any:
        return column.in_(skus)

    return where


def _between(low: str | None, high: str | None) -> Where:
    def where(column: Any) -> Any:
        parts = []
        if low is not None:
            parts.append(column > low)
        if high is not None:
            parts.append(column <= high)
        return and_(true(), *parts)

    return where


async def _compare(
    session: AsyncSession,
    *,
    tenant_id: str,
    run_id: str,
    where: Where,
    default_location: str,
    as_of: dt.datetime,
    complete: bool = True,
) -> tuple[list[mapping.StockRow], list[str], list[drift.Difference]]:
    staged: dict[Key, tuple[Decimal, Decimal]] = {
        (sku, location): (available, on_hand)
        for sku, location, available, on_hand in await session.execute(
            select(SyncStage.sku, SyncStage.location, SyncStage.available, SyncStage.on_hand).where(
                SyncStage.run_id == run_id, where(SyncStage.sku)
            )
        )
    }
    known = {
        (sku, location): Known(id_, available, on_hand, stamp)
        for id_, sku, location, available, on_hand, stamp in await session.execute(
            select(
                StockLevel.id,
                StockLevel.sku,
                StockLevel.location,
                StockLevel.warehouse_available,
                StockLevel.warehouse_on_hand,
                StockLevel.as_of,
            ).where(StockLevel.tenant_id == tenant_id, where(StockLevel.sku))
        )
    }
    releasable = set(
        await session.scalars(
            select(PendingMovement.stock_level_id)
            .join(StockLevel, StockLevel.id == PendingMovement.stock_level_id)
            .where(
                PendingMovement.tenant_id == tenant_id,
                PendingMovement.released_at.is_(None),
                PendingMovement.confirmed_at <= as_of,
                where(StockLevel.sku),
            )
            .distinct()
        )
    )
    listed = set(
        await session.scalars(
            select(Product.sku).where(
                Product.tenant_id == tenant_id, Product.active.is_(True), where(Product.sku)
            )
        )
    )
    if complete:  # absence is zero only once the whole listing is in
        located = {sku for sku, _ in staged} | {sku for sku, _ in known}
        for key in known:
            staged.setdefault(key, (ZERO, ZERO))
        for sku in listed - located:
            staged[(sku, default_location)] = (ZERO, ZERO)
    changed: list[mapping.StockRow] = []
    confirmed: list[str] = []
    differences: list[drift.Difference] = []
    for (sku, location), (available, on_hand) in sorted(staged.items()):
        stock = known.get((sku, location))
        if stock is not None and stock.as_of is not None and stock.as_of > as_of:
            continue  # a later report has come in: it stands
        differ = stock is None or (stock.available, stock.on_hand) != (available, on_hand)
        if differ or (stock is not None and stock.id in releasable):
            changed.append(mapping.StockRow(sku, location, available, on_hand, None, None))
        elif stock is not None and (stock.as_of is None or stock.as_of < as_of):
            confirmed.append(stock.id)
        if differ:
            differences += _stock_differences(sku, location, stock, available, on_hand)
    return changed, confirmed, differences


def _stock_differences(
    sku: str, location: str, stock: Known | None, available: Decimal, on_hand: Decimal
) -> list[drift.Difference]:
    if stock is None:
        if not (available or on_hand):
            return []  # the hub had no row and CIN7 has none: both mean zero
        ours: tuple[Decimal | None, Decimal | None] = (None, None)
    else:
        ours = (stock.available, stock.on_hand)
    note = None if stock is not None else "the hub had no row here"
    if stock is not None and not (available or on_hand):
        note = "CIN7 omits rows whose quantities are all zero"
    return [
        drift.Difference("stock", name, hub, cin7, False, sku=sku, location=location, note=note)
        for name, hub, cin7 in (("available", ours[0], available), ("on_hand", ours[1], on_hand))
        if hub != cin7
    ]


async def _apply(
    uow: UnitOfWork,
    connection: Connection,
    rows: list[mapping.StockRow],
    *,
    as_of: dt.datetime,
    cause: str,
    run_id: str,
    differences: Sequence[drift.Difference] = (),
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


def _took(now: dict[Key, StockLevel], difference: drift.Difference) -> bool:
    """Whether the ledger holds CIN7's figure (a later report may have superseded it)."""
    stock = now.get((difference.sku or "", difference.location or ""))
    return stock is not None and getattr(stock, f"warehouse_{difference.field}") == (
        difference.provider
    )
