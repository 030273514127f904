"""One POS sale in full: its lines, its deliveries' jobs with every attempt, and its history.

The history is what the hub recorded of the sale, in time order: the sale itself, the
stock it held, each job queued, each attempt and how it ended, each delivery's outcome,
and the warehouse taking the sale into its stock (a push's stock step, then the first
warehouse report that counts it, which releases the pending hold).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.ledger import format_quantity
from tillsync.excerpts import excerpt
from tillsync.services.history import Attempt, SaleJob, SaleRecord, attempts_of, sale_history
from tillsync.services.sale_deliveries import ROLE_WORDS, Delivery, deliveries_of
from tillsync.services.tenants import Caller
from tillsync.store.tables import AuditEntry, PendingMovement, StockLevel
from tillsync.store.uow import UnitsOfWork

Tone = Literal["info", "good", "bad"]
ERROR_WIDTH = 160
OUTCOMES: Mapping[str, tuple[str, Tone]] = {
    "success": ("succeeded", "good"),
    "batched": ("handed the sale to a batch", "good"),
    "deferred": ("stepped aside for the rate budget (not counted)", "info"),
    "retryable": ("failed, a temporary error", "bad"),
    "throttled": ("throttled by the provider", "bad"),
    "auth": ("refused: the credentials", "bad"),
    "permanent": ("refused", "bad"),
}
"""An attempt's recorded outcome, as the history says it."""
ROLE_ORDER = {role: i for i, role in enumerate(ROLE_WORDS)}


@dataclass(frozen=True, slots=True)
class Moment:
    """One thing the hub recorded of the sale; `provider` names whose job it concerns."""

    at: dt.datetime
    text: str
    tone: Tone = "info"
    provider: str | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """One attempt at a delivery: by its own job, or by the batch that carried the sale."""

    attempt: Attempt
    batch: bool = False
    after_retry: bool = False
    """An operator put the job back before this attempt: only that starts the count again
    (an attempt that stepped aside for the rate budget leaves the next one its number)."""
    running: bool = False

    @property
    def label(self) -> str:
        named = "Batch attempt" if self.batch else "Attempt"
        return named + (" after an operator's retry" if self.after_retry else "")


@dataclass(frozen=True, slots=True)
class JobDetail:
    """A job carrying the sale, with its attempts and its batch's, oldest first."""

    job: SaleJob
    delivery: Delivery
    runs: tuple[Run, ...]


@dataclass(frozen=True, slots=True)
class SaleDetail:
    sale: SaleRecord
    jobs: tuple[JobDetail, ...]
    history: tuple[Moment, ...]

    @property
    def deliveries(self) -> tuple[Delivery, ...]:
        return tuple(detail.delivery for detail in self.jobs)

    @property
    def settled(self) -> bool:
        return all(delivery.settled for delivery in self.deliveries)

    def carries(self, job_id: str) -> bool:
        """Whether a retry of `job_id` is a retry of one of this sale's deliveries."""
        return any(job_id in (d.job_id, d.retry_id) for d in self.deliveries)


@dataclass(frozen=True, slots=True)
class Movement:
    """A line's pending hold as the warehouse took it in: its stock step, then its report."""

    sku: str
    location: str
    quantity: Decimal
    confirmed_at: dt.datetime | None
    released_at: dt.datetime | None


async def sale_detail(uows: UnitsOfWork, caller: Caller, sale_id: str) -> SaleDetail:
    """The caller's POS sale with this saleId; NotFound for any other."""
    found = await sale_history(uows, caller, sale_id)
    sale = found.sale
    async with uows.read() as session:
        listed = await deliveries_of(session, caller.tenant_id, [sale.id])
        deliveries = {delivery.job_id: delivery for delivery in listed.get(sale.id, ())}
        batches = await attempts_of(
            session, sorted({d.batch_id for d in deliveries.values() if d.batch_id})
        )
        held = await _holds(session, caller.tenant_id, sale)
        movements = await _movements(session, sale)
    jobs = sorted(
        (
            _job_detail(job, deliveries[job.log.id], batches)
            for job in found.jobs
            if job.log.id in deliveries
        ),
        key=lambda detail: ROLE_ORDER.get(detail.delivery.role or "", len(ROLE_ORDER)),
    )
    return SaleDetail(sale=sale, jobs=tuple(jobs), history=history_of(sale, jobs, held, movements))


async def _holds(
    session: AsyncSession, tenant_id: str, sale: SaleRecord
) -> list[tuple[dt.datetime, str]]:
    """The stock the sale held when it was recorded, from the ledger's audit trail."""
    holds = await session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.tenant_id == tenant_id,
            AuditEntry.sku.in_(sorted({line.sku for line in sale.lines})),
            AuditEntry.cause == "sale",
            AuditEntry.reference == sale.reference,
        )
        .order_by(AuditEntry.created_at)
    )
    return [
        (hold.created_at, f"Held {format_quantity(hold.delta)} × {hold.sku} at {hold.location}")
        for hold in holds
    ]


async def _movements(session: AsyncSession, sale: SaleRecord) -> list[Movement]:
    rows = await session.execute(
        select(PendingMovement, StockLevel.sku, StockLevel.location)
        .join(StockLevel, StockLevel.id == PendingMovement.stock_level_id)
        .where(PendingMovement.sale_id == sale.id)
    )
    return [
        Movement(sku, location, row.quantity, row.confirmed_at, row.released_at)
        for row, sku, location in rows
    ]


def history_of(
    sale: SaleRecord,
    jobs: Sequence[JobDetail],
    held: Iterable[tuple[dt.datetime, str]],
    movements: Iterable[Movement],
) -> tuple[Moment, ...]:
    """Every moment, oldest first; moments at the same time keep the order they are told."""
    lines = len(sale.lines)
    total = f"{sale.total:.2f}" + (f" {sale.currency}" if sale.currency else "")
    moments = [
        Moment(
            sale.created_at,
            f"Sale recorded at {sale.location}: {lines} line{'s' if lines != 1 else ''}, "
            f"total {total}",
        ),
        *(Moment(at, text) for at, text in held),
    ]
    for detail in jobs:
        moments.extend(_job_moments(detail))
    for movement in movements:
        counted = f"{format_quantity(movement.quantity)} × {movement.sku}"
        if movement.confirmed_at is not None:
            text = f"The warehouse's stock includes {counted} at {movement.location}"
            moments.append(Moment(movement.confirmed_at, text, "good"))
        if movement.released_at is not None:
            text = f"A warehouse report counts {counted}: its pending hold is released"
            moments.append(Moment(movement.released_at, text, "good"))
    return tuple(sorted(moments, key=lambda moment: moment.at))


def _job_detail(
    job: SaleJob, delivery: Delivery, batches: Mapping[str, Sequence[Attempt]]
) -> JobDetail:
    running = delivery.state == "running"
    own = runs_of(job.attempts, batch=False, running=running and delivery.batch_id is None)
    carried = runs_of(batches.get(delivery.batch_id or "", ()), batch=True, running=running)
    return JobDetail(job=job, delivery=delivery, runs=(*own, *carried))


def runs_of(attempts: Sequence[Attempt], *, batch: bool, running: bool) -> tuple[Run, ...]:
    """A job's attempts in order; `running`: its last attempt, if still open, is under way."""
    runs: list[Run] = []
    for i, attempt in enumerate(attempts):
        before = attempts[i - 1] if i else None
        runs.append(
            Run(
                attempt,
                batch=batch,
                after_retry=before is not None
                and before.outcome != "deferred"
                and attempt.number <= before.number,
                running=running and i == len(attempts) - 1 and attempt.finished_at is None,
            )
        )
    return tuple(runs)


def _job_moments(detail: JobDetail) -> list[Moment]:
    log, delivery = detail.job.log, detail.delivery
    words, provider = delivery.words, delivery.provider
    moments = [Moment(log.created_at, f"{words.title} queued", provider=provider)]
    moments.extend(_run_moment(run, provider) for run in detail.runs)
    if log.completed_at is not None and delivery.state == "done":
        reference = f", {words.reference} {delivery.reference}" if delivery.reference else ""
        text = f"{words.title}: {words.done}{reference}"
        moments.append(Moment(log.completed_at, text, "good", provider))
    elif log.completed_at is not None and delivery.state == "failed":
        text = f"{words.title}: failed, no retry left; it waits for an operator"
        moments.append(Moment(log.completed_at, text, "bad", provider))
    return moments


def _run_moment(run: Run, provider: str) -> Moment:
    attempt = run.attempt
    if attempt.finished_at is None or attempt.outcome is None:
        # A worker that stopped mid-attempt leaves it open: its lease ran out, another ran.
        text = f"{run.label}: running" if run.running else f"{run.label}: its worker stopped"
        return Moment(attempt.started_at, text, provider=provider)
    said, tone = OUTCOMES.get(attempt.outcome, (attempt.outcome, "bad"))
    error = f" ({excerpt(attempt.error, ERROR_WIDTH)})" if attempt.error else ""
    return Moment(attempt.finished_at, f"{run.label}: {said}{error}", tone, provider)
