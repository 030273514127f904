"""POS sales recorded together: every sale waiting for the writer in one transaction.

Per tenant in the batch (in tenant order, so two processes' batches lock rows in one
order): one read of the references already taken, one of the products, one lock of
every stock row (reservations run out swept first), then each sale in arrival order is
refused or held on the locked rows' figures as its predecessors left them; then one
insert each of the sales, their lines and their jobs, one update of every row held,
and, at commit, one insert each of movements, audit entries and events. A refused sale
makes nothing and holds nothing; the others go on. A sale whose reference is taken (a
repeat, or a second of the same reference in the batch) is left to be recorded alone;
sales naming reservations are not submitted (`sales.record`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.errors import TillsyncError
from tillsync.jobs.store import enqueue_all
from tillsync.services.inventory import products_by_sku, refuse_unsold
from tillsync.services.ledger import Ledger
from tillsync.services.sale_holds import hold_lines, wanted_lines
from tillsync.services.sale_rows import (
    SALE_LINES,
    SALES,
    line_rows,
    live_connections,
    sale_jobs,
    sale_row,
)
from tillsync.services.tenants import Caller
from tillsync.store.database import chunks
from tillsync.store.group_commit import SKIPPED, Skipped
from tillsync.store.tables import Connection, Product, Sale
from tillsync.store.uow import UnitOfWork

if TYPE_CHECKING:
    from tillsync.services.sales import SaleInput

TAKEN = select(SALES.c.reference).where(
    SALES.c.tenant_id == bindparam("tenant_id"),
    SALES.c.source == "pos",
    SALES.c.reference.in_(bindparam("references", expanding=True)),
)
"""Built once: a sale batch's first statement, on the table, needs no ORM."""
Answer = Callable[[AsyncSession, Sale, bool], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Submitted:
    caller: Caller
    sale: SaleInput
    request_id: str | None
    answer: Answer | None = None
    """Read in the sale's transaction, when its outcome needs the database."""


@dataclass(frozen=True, slots=True)
class Stored:
    row: Sale
    states: tuple[str, ...]
    """Of the jobs enqueued for it, as history shows them."""
    answered: Any = None


Outcome = Stored | Exception | Skipped


@dataclass(frozen=True, slots=True)
class Row:
    index: int
    item: Submitted
    values: dict[str, Any]


async def record_together(uow: UnitOfWork, items: Sequence[Submitted]) -> list[Outcome]:
    """Each submitted sale's outcome, in order (see the module's docstring)."""
    outcomes: list[Outcome] = [SKIPPED] * len(items)
    by_tenant: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_tenant[item.caller.tenant_id].append(index)
    for tenant_id in sorted(by_tenant):
        await _tenant_sales(uow, tenant_id, items, by_tenant[tenant_id], outcomes)
    return outcomes


async def _tenant_sales(
    uow: UnitOfWork,
    tenant_id: str,
    items: Sequence[Submitted],
    indexes: list[int],
    outcomes: list[Outcome],
) -> None:
    session = uow.session
    fresh = await _unrecorded(session, tenant_id, [(i, items[i]) for i in indexes])
    if not fresh:
        return
    wanted = {line.sku for _, item in fresh for line in item.sale.items}
    products = await products_by_sku(session, tenant_id, wanted)
    ledger = Ledger(uow, tenant_id, deferred=True)
    ledger.know(products.values())
    locked = await ledger.lock_for_holds(
        {(line.sku, _location(item)) for _, item in fresh for line in item.sale.items}
    )
    connections = await live_connections(session, tenant_id)
    stored: list[Row] = []
    for index, item in fresh:
        location = _location(item)
        keys = {(line.sku, location) for line in item.sale.items}
        stocks = {sku: locked[sku, at] for sku, at in keys if (sku, at) in locked}
        values = sale_row(item.caller, item.sale, now=uow.now, source="pos")
        try:  # refused as recording it alone would: its products first, then its stock
            refuse_unsold(products, wanted_lines(item.sale))
            await hold_lines(ledger, item.sale, stocks, {}, sale_id=values["id"])
        except TillsyncError as refused:
            outcomes[index] = refused
            continue
        stored.append(Row(index, item, values))
    if not stored:
        return
    await _insert_sales(uow, stored, products, connections, outcomes)
    await ledger.settle()


async def _unrecorded(
    session: AsyncSession, tenant_id: str, items: list[tuple[int, Submitted]]
) -> list[tuple[int, Submitted]]:
    """The sales whose reference is not taken, the first of each reference."""
    taken: set[str] = set()
    for part in chunks(sorted({item.sale.sale_id for _, item in items})):
        taken |= set(
            await session.scalars(TAKEN, {"tenant_id": tenant_id, "references": list(part)})
        )
    fresh: list[tuple[int, Submitted]] = []
    for index, item in items:
        if item.sale.sale_id not in taken:
            taken.add(item.sale.sale_id)
            fresh.append((index, item))
    return fresh


def _location(item: Submitted) -> str:
    return item.sale.location or item.caller.default_location


async def _insert_sales(
    uow: UnitOfWork,
    stored: list[Row],
    products: dict[str, Product],
    connections: list[Connection],
    outcomes: list[Outcome],
) -> None:
    session = uow.session
    await session.execute(insert(SALES), [each.values for each in stored])
    rows = [Sale(**each.values) for each in stored]  # as stored, for the answers
    lines = [
        line
        for each, row in zip(stored, rows, strict=True)
        for line in line_rows(row, each.item.sale, products)
    ]
    await session.execute(insert(SALE_LINES), lines)
    jobs = [
        sale_jobs(connections, row, request_id=each.item.request_id)
        for each, row in zip(stored, rows, strict=True)
    ]
    await enqueue_all(session, [job for each in jobs for job in each], now=uow.now)
    for each, row, enqueued in zip(stored, rows, jobs, strict=True):
        answer = each.item.answer
        answered = await answer(session, row, False) if answer else None
        outcomes[each.index] = Stored(row, tuple("pending" for _ in enqueued), answered)
