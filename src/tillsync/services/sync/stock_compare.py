"""One window of staged figures beside the ledger's: what changed, what is only confirmed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.catalog import StockRow
from tillsync.domain.drift import Difference, stock_differences
from tillsync.domain.ledger import ZERO
from tillsync.services.stock_rows import Key
from tillsync.services.sync.windows import Where
from tillsync.store.tables import PendingMovement, Product, StockLevel, SyncStage


@dataclass(frozen=True, slots=True)
class Known:
    id: str
    available: Decimal
    on_hand: Decimal
    as_of: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Compared:
    changed: list[StockRow]
    """Figures that differ, or rows holding pending sales the figures now include."""
    confirmed: list[str]
    """Ids of the rows whose figures are unchanged, known good as of the pull."""
    differences: list[Difference]


async def compare(
    session: AsyncSession,
    *,
    tenant_id: str,
    run_id: str,
    where: Where,
    default_location: str,
    as_of: dt.datetime,
    warehouse: str,
    complete: bool = True,
) -> Compared:
    """The window's staged figures against the ledger; with `complete`, absence is zero."""
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
    changed: list[StockRow] = []
    confirmed: list[str] = []
    differences: list[Difference] = []
    for (sku, location), (available, on_hand) in sorted(staged.items()):
        stock = known.get((sku, location))
        if stock is not None and stock.as_of is not None and stock.as_of > as_of:
            continue  # a later report has come in: it stands
        differ = stock is None or (stock.available, stock.on_hand) != (available, on_hand)
        if differ or (stock is not None and stock.id in releasable):
            changed.append(StockRow(sku, location, available, on_hand, None, None))
        elif stock is not None and (stock.as_of is None or stock.as_of < as_of):
            confirmed.append(stock.id)
        if differ:
            ours = None if stock is None else (stock.available, stock.on_hand)
            differences += stock_differences(
                sku, location, ours=ours, theirs=(available, on_hand), warehouse=warehouse
            )
    return Compared(changed, confirmed, differences)
