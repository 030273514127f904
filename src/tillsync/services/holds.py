"""The records behind a stock row's holds: pending sales not yet reported, active reservations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.ledger import ZERO
from tillsync.store.database import chunks
from tillsync.store.tables import PendingMovement, Reservation, StockLevel

if TYPE_CHECKING:
    from tillsync.services.ledger import Ledger


@dataclass(frozen=True, slots=True)
class Repair:
    """A hold figure that did not match the records behind it, and what it was set to."""

    sku: str
    location: str
    figure: str
    was: Decimal
    now: Decimal


async def repair_holds(
    ledger: Ledger, stocks: Iterable[StockLevel], *, reference: str
) -> list[Repair]:
    """Set each locked row's pending and reserved to what its records add up to.

    What the records add up to is `hold_totals`; anything else is drift (a lost update,
    a hand edit, a bug): it is repaired and its audit entry says so.
    """
    by_id = {stock.id: stock for stock in stocks}
    totals = await hold_totals(ledger.uow.session, by_id)
    repairs: list[Repair] = []
    for stock in sorted(by_id.values(), key=lambda s: (s.sku, s.location)):
        truth = {name: sums.get(stock.id, ZERO) for name, sums in totals.items()}
        wrong = {name: value for name, value in truth.items() if getattr(stock, name) != value}
        if not wrong:
            continue
        repairs += [
            Repair(stock.sku, stock.location, n, getattr(stock, n), v) for n, v in wrong.items()
        ]
        await ledger.correct(stock, wrong, cause="reconciliation", reference=reference)
    return repairs


async def hold_totals(
    session: AsyncSession, stock_ids: Iterable[str]
) -> dict[str, dict[str, Decimal]]:
    """Per hold figure, per stock row id, what the row's records add up to.

    Pending is the sum of the row's sales not yet released by a warehouse report;
    reserved the sum of its active reservations.
    """
    ids = sorted(stock_ids)
    return {
        "pending": await _sums(
            session,
            PendingMovement.stock_level_id,
            PendingMovement.quantity,
            PendingMovement.released_at.is_(None),
            ids,
        ),
        "reserved": await _sums(
            session,
            Reservation.stock_level_id,
            Reservation.quantity,
            Reservation.status == "active",
            ids,
        ),
    }


async def release_included(
    session: AsyncSession, stock_id: str, *, as_of: dt.datetime, now: dt.datetime
) -> Decimal:
    """Mark released the row's pending sales confirmed by `as_of`: each one only once."""
    quantities = await session.scalars(
        update(PendingMovement)
        .where(
            PendingMovement.stock_level_id == stock_id,
            PendingMovement.released_at.is_(None),
            PendingMovement.confirmed_at <= as_of,
        )
        .values(released_at=now)
        .returning(PendingMovement.quantity)
        .execution_options(synchronize_session=False)
    )
    return sum(quantities, ZERO)


async def _sums(
    session: AsyncSession, owner: Any, quantity: Any, condition: Any, stock_ids: list[str]
) -> dict[str, Decimal]:
    """Per stock row id, the sum of `quantity` over its records meeting `condition`."""
    sums: dict[str, Decimal] = {}
    for ids in chunks(stock_ids):
        result = await session.execute(
            select(owner, func.sum(quantity)).where(owner.in_(ids), condition).group_by(owner)
        )
        sums |= {owner_id: total for owner_id, total in result if total is not None}
    return sums
