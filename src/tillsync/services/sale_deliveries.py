"""Recent POS sales, each with where its deliveries stand: the warehouse push, the invoice.

A delivery is one job carrying the sale to one connection, read as the sync history reads
it: a push handed to a batch shows the batch's state, document id and error, and a retry
puts the batch back. Its state:

    pending    queued, not run yet (or in a batch not run yet)
    running    a worker has it now
    retrying   an attempt failed; the next one is due at `next_retry_at`
    done       the provider has it; `reference` is what the provider calls it
    failed     the job gave up; an operator may retry it

Only POS sales are listed, the ones the hub delivers. Each row names its `kind`, so the
orders the hub is to take later can join the list as rows of their own kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import ColumnElement, and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.services.history import SALE_SUBJECT, batch_job, batch_joined, shown_state
from tillsync.services.outbound.kinds import role_of
from tillsync.store.tables import Connection, Job, Sale
from tillsync.store.uow import UnitsOfWork

RecordKind = Literal["sale"]
"""What a row is. A POS sale is the only kind the hub records today."""
DeliveryState = Literal["pending", "running", "retrying", "done", "failed"]
StateFilter = Literal["failed", "retrying", "under_way", "done"]
STATE_FILTERS: tuple[StateFilter, ...] = get_args(StateFilter)
UNSETTLED = ("pending", "syncing", "retry", "batched")
"""The job states (as history shows them) of a delivery not settled yet."""
_FILTERED: Mapping[StateFilter, tuple[str, ...]] = {
    "failed": ("failed",),
    "retrying": ("retry",),
    "under_way": UNSETTLED,
}
_DELIVERY_STATES: Mapping[str, DeliveryState] = {
    "pending": "pending",
    "batched": "pending",  # its batch is gone: nothing carries it on, and nothing failed
    "syncing": "running",
    "retry": "retrying",
    "success": "done",
    "failed": "failed",
}


@dataclass(frozen=True, slots=True)
class DeliveryWords:
    """How the delivery of one role is named to the seller."""

    title: str
    pending: str
    done: str
    reference: str
    """What the provider's reference is: the warehouse's document, the invoice's number."""
    done_note: str = ""

    def state(self, state: DeliveryState) -> str:
        return {"pending": self.pending, "done": self.done}.get(state, state)


ROLE_WORDS: Mapping[str, DeliveryWords] = {
    "warehouse": DeliveryWords(
        "Warehouse push", pending="pending", done="pushed", reference="document"
    ),
    # The hub asks for the invoice paid (seed 003): made is paid.
    "crm": DeliveryWords(
        "Invoice", pending="queued", done="created", reference="invoice", done_note="paid"
    ),
}
"""The roles whose connections hear of every sale, in the order a page shows them."""
OTHER_ROLE = DeliveryWords("Delivery", pending="pending", done="done", reference="reference")


@dataclass(frozen=True, slots=True)
class Delivery:
    job_id: str
    role: str | None
    """The connection's role; None for a job whose connection is no longer stored."""
    provider: str
    state: DeliveryState
    reference: str | None
    error: str | None
    """Why the last attempt failed, while retrying or failed."""
    attempts: int
    next_retry_at: dt.datetime | None
    batch_id: str | None
    """The batch job that carries this push, for a push handed to a batch."""

    @property
    def retry_id(self) -> str:
        """The job a retry puts back: the batch's, for a push a batch carries."""
        return self.batch_id or self.job_id

    @property
    def words(self) -> DeliveryWords:
        return ROLE_WORDS.get(self.role or "", OTHER_ROLE)

    @property
    def settled(self) -> bool:
        return self.state in ("done", "failed")


@dataclass(frozen=True, slots=True)
class SaleRow:
    id: str
    reference: str
    """The POS's saleId."""
    created_at: dt.datetime
    location: str
    total: Decimal
    currency: str | None
    customer_name: str | None
    deliveries: tuple[Delivery, ...]
    kind: RecordKind = "sale"

    def of_role(self, role: str) -> tuple[Delivery, ...]:
        return tuple(d for d in self.deliveries if d.role == role)

    @property
    def settled(self) -> bool:
        return all(d.settled for d in self.deliveries)


@dataclass(frozen=True, slots=True)
class SalesPage:
    rows: tuple[SaleRow, ...]
    total: int
    """How many sales match in all, past this page too."""
    limit: int
    offset: int

    @property
    def settled(self) -> bool:
        return all(row.settled for row in self.rows)


async def recent_sales(
    uows: UnitsOfWork, tenant_id: str, *, state: StateFilter | None, limit: int, offset: int
) -> SalesPage:
    """The tenant's POS sales, newest first; with `state`, those with such a delivery
    (`done`: those with nothing left to deliver)."""
    where = [Sale.tenant_id == tenant_id, Sale.source == "pos"]
    if state is not None:
        where.append(_matching(state))
    async with uows.read() as session:
        total = await session.scalar(select(func.count()).select_from(Sale).where(*where)) or 0
        sales = list(
            await session.scalars(
                select(Sale)
                .where(*where)
                .order_by(Sale.created_at.desc(), Sale.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        found = await deliveries_of(session, tenant_id, [sale.id for sale in sales])
    rows = tuple(_row(sale, found.get(sale.id, ())) for sale in sales)
    return SalesPage(rows=rows, total=total, limit=limit, offset=offset)


async def deliveries_of(
    session: AsyncSession, tenant_id: str, sale_ids: Sequence[str]
) -> dict[str, tuple[Delivery, ...]]:
    """Each sale's deliveries (by the hub's sale id), oldest job first."""
    if not sale_ids:
        return {}
    rows = await session.execute(
        select(Job, batch_job, Connection.provider, Connection.role)
        .outerjoin(batch_job, batch_joined)
        .outerjoin(
            Connection,
            and_(Connection.id == Job.connection_id, Connection.tenant_id == Job.tenant_id),
        )
        .where(
            Job.tenant_id == tenant_id,
            Job.subject.in_([SALE_SUBJECT + sale_id for sale_id in sale_ids]),
        )
        .order_by(Job.created_at, Job.id)
    )
    found: dict[str, list[Delivery]] = {}
    for job, batch, provider, role in rows:
        sale_id = (job.subject or "").removeprefix(SALE_SUBJECT)
        found.setdefault(sale_id, []).append(_delivery(job, batch, provider, role))
    return {sale_id: tuple(deliveries) for sale_id, deliveries in found.items()}


def _matching(state: StateFilter) -> ColumnElement[bool]:
    """Sales with a job shown in one of the filter's states (`done`: with none unsettled)."""
    shown = ("failed", *UNSETTLED) if state == "done" else _FILTERED[state]
    having = (
        select(Job.id)
        .outerjoin(batch_job, batch_joined)
        .where(
            Job.tenant_id == Sale.tenant_id,
            Job.subject == literal(SALE_SUBJECT) + Sale.id,
            shown_state.in_(shown),
        )
        .exists()
    )
    return ~having if state == "done" else having


def _delivery(job: Job, batch: Job | None, provider: str | None, role: str | None) -> Delivery:
    role = role_of(job.kind) or role  # a connection may play several roles: the job says which
    carried = job.state == "batched" and batch is not None
    outcome = batch if carried and batch is not None else job
    state = _DELIVERY_STATES.get(outcome.state, "pending")
    troubled = state in ("retrying", "failed")
    return Delivery(
        job_id=job.id,
        role=role,
        provider=provider or job.kind.split(".", 1)[0],
        state=state,
        reference=outcome.provider_reference,
        error=outcome.last_error if troubled else None,
        attempts=outcome.attempts,
        next_retry_at=outcome.next_attempt_at if state == "retrying" else None,
        batch_id=outcome.id if carried else None,
    )


def _row(sale: Sale, deliveries: tuple[Delivery, ...]) -> SaleRow:
    return SaleRow(
        id=sale.id,
        reference=sale.reference,
        created_at=sale.created_at,
        location=sale.location,
        total=sale.total,
        currency=sale.currency,
        customer_name=sale.customer_name,
        deliveries=deliveries,
    )
