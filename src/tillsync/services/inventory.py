"""Stock checks, reservations and their release: the POS's questions before a sale.

Outcomes carry their figures as `Decimal`; the API writes them as JSON numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.inventory import Hold, HoldEnded, StockCheck
from tillsync.domain.ledger import StockFigures, format_quantity, is_whole
from tillsync.errors import Conflict, InvalidInput, NotFound
from tillsync.services.checklog import Checked, CheckLog
from tillsync.services.ledger import Ledger
from tillsync.services.stock_model import StockModel
from tillsync.services.stock_rows import figures, refusal
from tillsync.services.tenants import Caller
from tillsync.store.database import chunks
from tillsync.store.tables import Product, Reservation, StockLevel, new_id
from tillsync.store.types import Scaled
from tillsync.store.uow import UnitsOfWork

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Wanted:
    """A quantity of a SKU asked for; `field` names it in error answers."""

    sku: str
    quantity: Decimal
    field: str = "sku"
    quantity_field: str = "quantity"


async def load_product(session: AsyncSession, tenant_id: str, wanted: Wanted) -> Product:
    return (await load_products(session, tenant_id, [wanted]))[wanted.sku]


def _refuse_fraction(wanted: Wanted, *, whole_units: bool) -> None:
    if whole_units and not is_whole(wanted.quantity):
        raise InvalidInput(
            f"{wanted.sku} is sold in whole units; got {format_quantity(wanted.quantity)}",
            field=wanted.quantity_field,
        )


async def load_products(
    session: AsyncSession, tenant_id: str, wanted: Sequence[Wanted]
) -> dict[str, Product]:
    """Every product asked for, by SKU, in one statement; refused as `load_product` would,
    naming the first line in order that fails."""
    found = await products_by_sku(session, tenant_id, {w.sku for w in wanted})
    refuse_unsold(found, wanted)
    return found


async def products_by_sku(
    session: AsyncSession, tenant_id: str, skus: set[str]
) -> dict[str, Product]:
    """The tenant's products of these SKUs that exist."""
    found: dict[str, Product] = {}
    for part in chunks(sorted(skus)):
        rows = await session.scalars(
            select(Product).where(Product.tenant_id == tenant_id, Product.sku.in_(part))
        )
        found |= {product.sku: product for product in rows}
    return found


def refuse_unsold(found: dict[str, Product], wanted: Sequence[Wanted]) -> None:
    """Refuse the first line in order whose SKU is unknown or whose quantity is not sold."""
    for each in wanted:
        product = found.get(each.sku)
        if product is None:
            raise NotFound(f"unknown SKU '{each.sku}'", field=each.field)
        _refuse_fraction(each, whole_units=product.whole_units)


async def expire_overdue(ledger: Ledger, stock: StockLevel) -> None:
    """Give back the stock of a locked row's reservations that ran out (before using it)."""
    overdue = await ledger.uow.session.scalars(
        select(Reservation.id).where(
            Reservation.stock_level_id == stock.id,
            Reservation.status == "active",
            Reservation.expires_at <= ledger.uow.now,
        )
    )
    for reservation_id in list(overdue):
        await end_reservation(ledger, stock, reservation_id, status="expired")


async def end_reservation(
    ledger: Ledger,
    stock: StockLevel,
    reservation_id: str,
    *,
    status: str,
    sale_id: str | None = None,
) -> Decimal | None:
    """Move an active reservation to `status` and release its hold; None if it was not active."""
    quantity = await ledger.uow.session.scalar(
        update(Reservation)
        .where(Reservation.id == reservation_id, Reservation.status == "active")
        .values(status=status, ended_at=ledger.uow.now, sale_id=sale_id)
        .returning(Reservation.quantity)
        .execution_options(synchronize_session=False)
    )
    if quantity is not None:
        await ledger.release(
            stock,
            quantity,
            figure="reserved",
            cause=f"reservation_{status}",
            reference=reservation_id,
        )
    return quantity


async def check_inventory(
    uows: UnitsOfWork,
    checks: CheckLog,
    caller: Caller,
    wanted: Wanted,
    *,
    location: str | None = None,
    model: StockModel | None = None,
) -> StockCheck:
    """Answer from the read model when it can (see services/stock_model.py), else the ledger."""
    where = location or caller.default_location
    now = uows.clock.now()
    known = await model.answer(caller.tenant_id, wanted.sku, where, now=now) if model else None
    if known is not None:
        _refuse_fraction(wanted, whole_units=known.whole_units)
        current, as_of = known.figures, known.as_of
    else:
        current, as_of = await _from_ledger(uows, caller.tenant_id, wanted, where, model), now
    level = current.available_to_sell
    checks.record(
        Checked(
            tenant_id=caller.tenant_id,
            sku=wanted.sku,
            location=where,
            quantity=wanted.quantity,
            available=level >= wanted.quantity,
            current_stock=level,
            checked_at=now,
        )
    )
    return StockCheck(
        sku=wanted.sku, quantity=wanted.quantity, location=where, figures=current, as_of=as_of
    )


async def _from_ledger(
    uows: UnitsOfWork, tenant_id: str, wanted: Wanted, where: str, model: StockModel | None
) -> StockFigures:
    """The row's figures as committed, read without taking the write lock."""
    async with uows.read() as session:
        product = await load_product(session, tenant_id, wanted)
        stock = await session.scalar(
            select(StockLevel).where(
                StockLevel.tenant_id == tenant_id,
                StockLevel.sku == wanted.sku,
                StockLevel.location == where,
            )
        )
        lapsed = ZERO
        if stock is not None:  # holds that ran out count as free before the sweep frees them
            lapsed = (
                await session.scalar(
                    select(
                        func.coalesce(func.sum(Reservation.quantity), literal(ZERO, Scaled()))
                    ).where(
                        Reservation.stock_level_id == stock.id,
                        Reservation.status == "active",
                        Reservation.expires_at <= uows.clock.now(),
                    )
                )
                or ZERO
            )
    if model is not None:  # products never go and keep their unit rule: safe to remember
        model.learned(tenant_id, wanted.sku, whole_units=product.whole_units)
    if stock is None:
        return StockFigures(ZERO, ZERO, ZERO)
    return StockFigures(stock.warehouse_available, stock.pending, stock.reserved - lapsed)


async def reserve(
    uows: UnitsOfWork,
    caller: Caller,
    wanted: Wanted,
    *,
    ttl_seconds: int,
    location: str | None = None,
) -> Hold:
    where = location or caller.default_location
    async with uows.begin() as uow:
        await load_product(uow.session, caller.tenant_id, wanted)
        ledger = Ledger(uow, caller.tenant_id)
        stock = await ledger.lock(wanted.sku, where)
        if stock is None:  # the warehouse never reported it here: nothing to hold
            raise refusal(wanted.sku, None, wanted.quantity, field=wanted.quantity_field)
        await expire_overdue(ledger, stock)
        reservation_id = new_id()
        await ledger.hold(
            stock,
            wanted.quantity,
            figure="reserved",
            cause="reservation",
            reference=reservation_id,
            field=wanted.quantity_field,
        )
        expires_at = uow.now + dt.timedelta(seconds=ttl_seconds)
        uow.session.add(
            Reservation(
                id=reservation_id,
                tenant_id=caller.tenant_id,
                stock_level_id=stock.id,
                sku=wanted.sku,
                location=where,
                quantity=wanted.quantity,
                status="active",
                expires_at=expires_at,
                created_at=uow.now,
            )
        )
        await ledger.settle()
        await uow.commit()
    return Hold(
        reservation_id=reservation_id,
        sku=wanted.sku,
        quantity=wanted.quantity,
        location=where,
        expires_at=expires_at,
        available_after=figures(stock).available_to_sell,
    )


async def release(uows: UnitsOfWork, caller: Caller, reservation_id: str) -> HoldEnded:
    """Give a reservation's stock back; releasing one already ended succeeds and says so."""
    async with uows.begin() as uow:
        reservation = await uow.session.scalar(
            select(Reservation).where(
                Reservation.id == reservation_id, Reservation.tenant_id == caller.tenant_id
            )
        )
        if reservation is None:
            raise NotFound(f"no reservation '{reservation_id}'", field="reservationId")
        _refuse_consumed(reservation_id, reservation.status)
        ledger = Ledger(uow, caller.tenant_id)
        # the stock row is locked before the reservation: a sale consuming it queues on the row
        stock = await ledger.lock(reservation.sku, reservation.location)
        assert stock is not None  # a reservation holds a row that exists
        released = await end_reservation(ledger, stock, reservation_id, status="released")
        ended = await uow.session.scalar(  # read afresh: a sale or release may just have won
            select(Reservation.status).where(Reservation.id == reservation_id)
        )
        _refuse_consumed(reservation_id, ended)
        await ledger.settle()
        await uow.commit()
    if released is not None:
        return HoldEnded(reservation_id=reservation_id, status="released", released=True)
    # Released before, or run out: its stock is back already, so a repeat is a success.
    assert ended is not None  # read in the transaction that found the reservation
    return HoldEnded(reservation_id=reservation_id, status=ended, released=False)


def _refuse_consumed(reservation_id: str, status: str | None) -> None:
    if status == "consumed":
        raise Conflict(f"reservation '{reservation_id}' was used by a sale", field="reservationId")


async def expire_all_overdue(uows: UnitsOfWork) -> int:
    """Sweep every tenant's run-out reservations so their stock shows again."""
    async with uows.begin() as uow:
        overdue = (
            await uow.session.execute(
                select(Reservation.tenant_id, Reservation.sku, Reservation.location)
                .where(Reservation.status == "active", Reservation.expires_at <= uow.now)
                .distinct()
                .order_by(Reservation.tenant_id, Reservation.sku, Reservation.location)
                .limit(500)
            )
        ).all()
        for tenant_id, sku, location in overdue:  # in the order rows are locked
            ledger = Ledger(uow, tenant_id)
            stock = await ledger.lock(sku, location)
            assert stock is not None
            await expire_overdue(ledger, stock)
            await ledger.settle()
        await uow.commit()
    return len(overdue)
