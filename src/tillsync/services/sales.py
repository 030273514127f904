"""Recording a POS sale: the sale, its stock holds and its outgoing jobs in one transaction.

Both sale endpoints (seed 000's RECORD_SALE and seed 003's POST /api/sales) come through
`record`; each reads its own outcome of the stored sale, inside the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync import request_ids
from tillsync.domain.sales import RecordedSale, SaleOutcome, sync_status
from tillsync.errors import Conflict
from tillsync.jobs.store import enqueue_all
from tillsync.services.history import shown_states
from tillsync.services.inventory import load_products
from tillsync.services.sale_batch import Stored, Submitted, record_together
from tillsync.services.sale_holds import hold_stock, wanted_lines
from tillsync.services.sale_rows import (
    SALE_LINES,
    SALES,
    line_rows,
    live_connections,
    sale_jobs,
    sale_row,
    subject,
)
from tillsync.services.tenants import Caller
from tillsync.store.database import insert_unless_present
from tillsync.store.tables import Product, Sale
from tillsync.store.uow import UnitOfWork, UnitsOfWork

LATER_FIELDS = ("customer_id", "currency", "payment_method")


@dataclass(frozen=True, slots=True)
class LineInput:
    sku: str
    quantity: Decimal
    price: Decimal
    name: str | None = None
    tax: Decimal = Decimal(0)
    product_ref: str | None = None


@dataclass(frozen=True, slots=True)
class SaleInput:
    sale_id: str
    items: tuple[LineInput, ...]
    invoice_number: str | None = None
    customer_name: str | None = None
    location: str | None = None
    reservation_ids: tuple[str, ...] = field(default_factory=tuple)
    customer_id: str | None = None
    currency: str | None = None
    payment_method: str | None = None

    def fingerprint(self) -> str:
        """Same sale id with a different body is a client bug, not a retry."""
        data = _fields(self) | {"items": [_fields(line) for line in self.items]}
        # Fields added later count only when set: a sale stored before them still matches.
        for name in LATER_FIELDS:
            if data[name] is None:
                del data[name]
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _fields(data: SaleInput | LineInput) -> dict[str, Any]:
    """As `dataclasses.asdict` gives them, one level deep (and without its copies)."""
    return {field.name: getattr(data, field.name) for field in fields(data)}


Outcome = TypeVar("Outcome")


async def record_sale(uows: UnitsOfWork, caller: Caller, sale: SaleInput) -> SaleOutcome:
    """RECORD_SALE (seed 000): the sale with the state of its pushes."""
    return await record(uows, caller, sale, answer=_outcome, fresh=_fresh_outcome)


async def record(
    uows: UnitsOfWork,
    caller: Caller,
    sale: SaleInput,
    *,
    answer: Callable[[AsyncSession, Sale, bool], Awaitable[Outcome]],
    fresh: Callable[[Sale, tuple[str, ...]], Outcome] | None = None,
) -> Outcome:
    """Record the sale once; a repeat with the same body gets the outcome of the stored one.

    `answer` reads the outcome from the stored sale and whether it was a duplicate;
    `fresh`, when given, makes a new sale's from its row and its jobs' states, unread.
    A sale is recorded together with the others waiting for the writer (`sale_batch`);
    a sale naming reservations, and what a batch leaves (a repeat), is recorded alone.
    """
    if not sale.reservation_ids:  # reservations are read and ended one by one: alone
        submitted = Submitted(caller, sale, request_ids.current.get(), None if fresh else answer)
        together = await uows.together(record_together).submit(submitted)
        if isinstance(together, Stored):
            return fresh(together.row, together.states) if fresh else together.answered
    try:
        async with uows.begin() as uow:
            recorded_now = await _record(uow, caller, sale, source="pos", unless_recorded=True)
            if recorded_now is None:  # recorded before: one look-up, only then
                existing = await _existing(uow, caller, sale)
                assert existing is not None  # its insert found the key taken
                return await answer(uow.session, existing, True)
            row, products = recorded_now
            result = await answer(uow.session, row, False)
            # Stock last: its rows stay locked only from here to the commit.
            await hold_stock(uow, caller, sale, row, products.values())
            await uow.commit()
            return result
    except IntegrityError:
        # The same saleId committed concurrently: answer with the sale that won.
        async with uows.begin() as uow:
            existing = await _existing(uow, caller, sale)
            if existing is None:
                raise
            return await answer(uow.session, existing, True)


async def record_in(
    uow: UnitOfWork,
    caller: Caller,
    sale: SaleInput,
    *,
    source: str,
    positions: Sequence[int],
) -> Sale:
    """The sale, its jobs and its stock holds, in the caller's unit of work (it commits).

    For a sale inside another record (an order's SKU items): `positions` are the lines'
    places in that record, so a refusal names `items[<position>]` as the caller sent it.
    The caller takes its own locks before this, since stock rows are locked here.
    """
    recorded_now = await _record(uow, caller, sale, source=source, positions=positions)
    assert recorded_now is not None  # a key taken raises here instead
    row, products = recorded_now
    await hold_stock(uow, caller, sale, row, products.values(), positions=positions)
    return row


async def find(session: AsyncSession, caller: Caller, sale_id: str) -> Sale | None:
    """The caller's POS sale with this saleId."""
    return await session.scalar(
        select(Sale).where(
            Sale.tenant_id == caller.tenant_id, Sale.source == "pos", Sale.reference == sale_id
        )
    )


async def _existing(uow: UnitOfWork, caller: Caller, sale: SaleInput) -> Sale | None:
    row = await find(uow.session, caller, sale.sale_id)
    if row is None:
        return None
    if row.request_hash != sale.fingerprint():
        raise Conflict(
            f"saleId '{sale.sale_id}' was already recorded with different contents",
            field="saleId",
        )
    return row


async def _outcome(session: AsyncSession, sale: Sale, duplicate: bool) -> SaleOutcome:
    states = await shown_states(session, sale.tenant_id, subject(sale))
    return SaleOutcome(sale=recorded(sale), sync_status=sync_status(states), duplicate=duplicate)


def _fresh_outcome(sale: Sale, states: tuple[str, ...]) -> SaleOutcome:
    return SaleOutcome(sale=recorded(sale), sync_status=sync_status(states), duplicate=False)


async def _record(
    uow: UnitOfWork,
    caller: Caller,
    sale: SaleInput,
    *,
    source: str,
    positions: Sequence[int] | None = None,
    unless_recorded: bool = False,
) -> tuple[Sale, dict[str, Product]] | None:
    """The sale, its lines and its jobs, each table in one statement.

    With `unless_recorded`, None when the sale's reference is taken: the insert finds it,
    so a new sale costs no look-up of an old one.
    """
    values = sale_row(caller, sale, now=uow.now, source=source)
    statement = insert_unless_present if unless_recorded else _plain_insert
    inserted = await uow.session.execute(statement(uow.session, SALES, values))
    if unless_recorded and not getattr(inserted, "rowcount", 0):
        return None
    row = Sale(**values)  # as stored, for the answer: not the session's to write
    products = await load_products(uow.session, caller.tenant_id, wanted_lines(sale, positions))
    await uow.session.execute(insert(SALE_LINES), line_rows(row, sale, products))
    connections = await live_connections(uow.session, caller.tenant_id)
    await enqueue_all(uow.session, sale_jobs(connections, row), now=uow.now)
    return row, products


def _plain_insert(_session: AsyncSession, table: Any, values: dict[str, Any]) -> Any:
    return insert(table).values(**values)


def recorded(sale: Sale) -> RecordedSale:
    return RecordedSale(id=sale.id, sale_id=sale.reference, total=sale.total)
