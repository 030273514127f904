"""A sale's stock holds: its reservations used up, then a pending hold per SKU, in one lock.

The holds are kept in memory (a deferred ledger) and written when the ledger settles: a
sale's stock rows cost one update statement together, and sales recorded together in one
transaction (`sale_batch`) share it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from tillsync.errors import Conflict, InvalidInput, NotFound
from tillsync.services.inventory import Wanted, end_reservation, expire_overdue
from tillsync.services.ledger import Ledger
from tillsync.services.stock_rows import figures, refusal
from tillsync.services.tenants import Caller
from tillsync.store.tables import PendingMovement, Product, Reservation, Sale, StockLevel, new_id
from tillsync.store.uow import UnitOfWork

if TYPE_CHECKING:
    from tillsync.services.sales import SaleInput


async def hold_stock(
    uow: UnitOfWork,
    caller: Caller,
    sale: SaleInput,
    row: Sale,
    products: Iterable[Product],
    *,
    positions: Sequence[int] | None = None,
) -> None:
    """Lock every row the sale touches (one statement, one order), then take its holds.

    The statement that locks the rows also says which have reservations run out (only
    those are swept before the hold) and which have open alerts (only those are read):
    a sale of any number of lines then costs one update per row and one insert per table.
    """
    ledger = Ledger(uow, caller.tenant_id, deferred=True)
    ledger.know(products)
    locked = await ledger.lock_for_holds({(line.sku, row.location) for line in sale.items})
    stocks = {sku: stock for (sku, _), stock in locked.items()}
    covered = await _consume_reservations(ledger, sale, stocks, sale_id=row.id)
    await hold_lines(ledger, sale, stocks, covered, sale_id=row.id, positions=positions)
    await ledger.settle()


async def _consume_reservations(
    ledger: Ledger, sale: SaleInput, stocks: dict[str, StockLevel], *, sale_id: str
) -> dict[str, Decimal]:
    """End the reservations the sale names; per SKU, the quantity they held."""
    covered: dict[str, Decimal] = defaultdict(Decimal)
    for i, reservation_id in enumerate(sale.reservation_ids):
        name = f"reservationIds[{i}]"
        reservation = await ledger.uow.session.scalar(
            select(Reservation).where(
                Reservation.id == reservation_id, Reservation.tenant_id == ledger.tenant_id
            )
        )
        if reservation is None:
            raise NotFound(f"no reservation '{reservation_id}'", field=name)
        stock = stocks.get(reservation.sku)
        if stock is None or stock.id != reservation.stock_level_id:
            raise InvalidInput(
                f"reservation '{reservation_id}' holds {reservation.sku} at "
                f"{reservation.location}, which this sale does not sell there",
                field=name,
            )
        if reservation.status == "consumed":
            raise Conflict(f"reservation '{reservation_id}' was used by a sale", field=name)
        # An expired or released hold is simply gone: the sale then needs free stock.
        held = await end_reservation(
            ledger, stock, reservation_id, status="consumed", sale_id=sale_id
        )
        covered[reservation.sku] += held or 0
    return covered


def wanted_lines(sale: SaleInput, positions: Sequence[int] | None = None) -> list[Wanted]:
    """The sale's lines as products asked for, each named by its place as the caller sent it."""
    places = positions or range(len(sale.items))
    return [
        Wanted(line.sku, line.quantity, f"items[{i}].sku", f"items[{i}].quantity")
        for i, line in zip(places, sale.items, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class LineTotal:
    """A SKU's quantity over a sale's lines, and the first line naming it (for refusals)."""

    sku: str
    quantity: Decimal
    field: str


def _line_totals(sale: SaleInput, positions: Sequence[int] | None) -> list[LineTotal]:
    """Per SKU in SKU order, as the sale's holds are taken."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    first_index: dict[str, int] = {}
    for i, line in zip(positions or range(len(sale.items)), sale.items, strict=True):
        totals[line.sku] += line.quantity
        first_index.setdefault(line.sku, i)
    return [
        LineTotal(sku, totals[sku], f"items[{first_index[sku]}].quantity") for sku in sorted(totals)
    ]


async def hold_lines(
    ledger: Ledger,
    sale: SaleInput,
    stocks: dict[str, StockLevel],
    covered: dict[str, Decimal],
    *,
    sale_id: str,
    positions: Sequence[int] | None = None,
) -> None:
    """A pending hold and movement per SKU on the locked rows, all or none.

    The rows' run-out reservations are swept first; then every SKU is checked as its
    ledger would check it before any hold is taken, so a refused sale has held nothing
    (a deferred ledger cannot take a hold back; a sale among others must not leave one).
    """
    totals = _line_totals(sale, positions)
    for total in totals:
        stock = stocks.get(total.sku)
        if stock is not None and ledger.take_overdue(stock):
            await expire_overdue(ledger, stock)
    moved = {t.sku: min(t.quantity, covered.get(t.sku, Decimal(0))) for t in totals}
    for total in totals:
        stock = stocks.get(total.sku)  # none: the warehouse never reported it here
        current = figures(stock) if stock is not None else None
        short = current is None or current.available_to_sell < total.quantity
        if short and (current is None or total.quantity > moved[total.sku]):
            raise refusal(total.sku, current, total.quantity, field=total.field)
    for total in totals:
        stock = stocks[total.sku]
        await ledger.hold(
            stock,
            total.quantity,
            figure="pending",
            cause="sale",
            reference=sale.sale_id,
            field=total.field,
            covered=moved[total.sku],
        )
        ledger.uow.append(
            PendingMovement,
            {
                "id": new_id(),
                "tenant_id": ledger.tenant_id,
                "stock_level_id": stock.id,
                "sale_id": sale_id,
                "quantity": total.quantity,
                "covered": moved[total.sku],
                "created_at": ledger.uow.now,
                "confirmed_at": None,
                "released_at": None,
            },
        )
