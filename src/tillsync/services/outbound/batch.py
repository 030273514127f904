"""Coalescing pending POS sales into one warehouse document when the budget cannot keep up.

A document costs one call per warehouse step (three at a warehouse that allows 60 a minute): a
shop selling once a second would fall further behind every minute. The connection setting
`push_mode` decides: "per_sale" pushes every sale alone; "batched" hands every push that
finds others waiting to a batch; "auto" (the default) pushes a sale alone while the shop
is calm and batches once pushing every waiting sale alone would take the budget past
half, `batch_threshold` pushes are waiting, or a batch is forming (`domain.batching`).

A batch is one `<provider>.push_batch` job. It is due after a short linger (by default the
time the budget needs for two documents, so batches use at most half of it; the setting
`batch_linger_seconds` overrides it), and until it has sent anything it keeps growing: a
push that starts while it lingers or waits for the budget joins it, and when it starts it
takes in every push that queued meanwhile (up to `batch_max_sales`). So the busier the
shop, the more sales one document carries, and a sale waits about one linger.

Only pushes that have never sent anything are taken (no attempt spent, no checkpoint),
and only a batch that has never sent anything grows, so no sale can reach the warehouse
both alone and in a batch, and no document changes after the warehouse has seen it. The
batch is pushed like a sale, with its own reference, checkpoints and look-ups, so a batch
failing half-way is resumed, never repeated or dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import lane_for
from tillsync.domain.batching import Batching, busy
from tillsync.jobs import store
from tillsync.jobs.budget import lane_limit
from tillsync.jobs.store import NewJob, enqueue
from tillsync.jobs.worker import JobContext
from tillsync.services.connections.links import budget_for
from tillsync.services.context import Services
from tillsync.services.outbound.kinds import PUSH_BATCH, PUSH_SALE, kind
from tillsync.store.tables import Connection, Job, Sale, new_id


def unsent(ctx: JobContext) -> bool:
    """True while the job has sent nothing: every earlier claim stepped aside for the budget."""
    return ctx.job.attempts == 1 and not ctx.checkpoint


async def coalesce(
    services: Services,
    ctx: JobContext,
    connection: Connection,
    sale: Sale,
    *,
    calls_per_document: int,
) -> bool:
    """Hand this push, and the pushes waiting beside it, to a batch; True if it did."""
    batching = Batching.of(connection.settings)
    if batching.mode == "per_sale" or not unsent(ctx):
        return False
    waiting, forming = await _queue(services, ctx, connection)
    budget, spec = budget_for(services, connection)
    room = await services.budgets.room(budget, spec, lane=lane_for(ctx.job.priority))
    crowded = busy(
        room=room,
        waiting=waiting,
        calls_per_document=calls_per_document,
        lane_limit=lane_limit(spec, "urgent"),
    )
    if batching.goes_alone(busy=crowded, forming=forming, waiting=waiting):
        return False  # most pushes in a calm shop go alone
    async with services.uows.begin() as uow:
        session, now = uow.session, uow.now
        batch = await _open_batch(session, connection, sale.location, batching)
        carried = [*batch.payload["sale_ids"], sale.id] if batch else [sale.id]
        taken = await _waiting(
            session, connection, sale.location, batching.most - len(carried), ctx.job.id
        )
        if batch is None and not taken and not crowded:
            return False  # nobody to share a document with, and the budget has room
        sale_ids = carried + [_sale_of(job) for job in taken]
        if batch is None:
            batch_job_id = await _new_batch(
                session,
                ctx,
                connection=connection,
                location=sale.location,
                sale_ids=sale_ids,
                now=now,
                linger=batching.linger_for(
                    calls_per_document=calls_per_document,
                    calls=spec.calls,
                    window_seconds=spec.window_seconds,
                ),
            )
        elif await _grow(session, batch, sale_ids):
            batch_job_id = batch.id
        else:
            return False  # it was claimed meanwhile
        if not await _hand(session, taken, batch_job_id, now):
            return False  # someone claimed one meanwhile: leaving the block rolls back
        await ctx.save_in(session, batch_job_id=batch_job_id)
        await uow.commit()
    ctx.handed_over = True
    return True


async def absorb(services: Services, ctx: JobContext, connection: Connection) -> None:
    """An unsent batch takes in the pushes that queued while it waited for the budget."""
    sale_ids: list[str] = list(ctx.field("sale_ids"))
    room = Batching.of(connection.settings).most - len(sale_ids)
    if not unsent(ctx) or room <= 0:
        return
    async with services.uows.begin() as uow:
        location = str(ctx.field("location"))
        taken = await _waiting(uow.session, connection, location, room, ctx.job.id)
        if not taken or not await _hand(uow.session, taken, ctx.job.id, uow.now):
            return
        payload = {**ctx.job.payload, "sale_ids": sale_ids + [_sale_of(job) for job in taken]}
        await store.save_payload(uow.session, ctx.job.id, owner=ctx.owner, payload=payload)
        await uow.commit()
    ctx.job.payload = payload


async def _queue(services: Services, ctx: JobContext, connection: Connection) -> tuple[int, bool]:
    """A quick read: how many other pushes wait, and whether a batch is forming."""
    async with services.uows.read() as session:
        waiting = await session.scalar(
            select(func.count()).where(*_untried(connection, PUSH_SALE), Job.id != ctx.job.id)
        )
        forming = await session.scalar(
            select(func.count()).where(*_untried(connection, PUSH_BATCH))
        )
    return int(waiting or 0), bool(forming)


def _untried(connection: Connection, verb: str) -> tuple[Any, ...]:
    """The connection's jobs of this verb that wait and have never been tried."""
    return (
        Job.kind == kind(connection.provider, verb),
        Job.connection_id == connection.id,
        Job.state == "pending",
        Job.attempts == 0,
    )


async def _open_batch(
    session: AsyncSession, connection: Connection, location: str, batching: Batching
) -> Job | None:
    """A batch of this location that has sent nothing and has room, locked for us."""
    batches = await session.scalars(
        select(Job)
        .where(*_untried(connection, PUSH_BATCH))
        .order_by(Job.created_at)
        .with_for_update(skip_locked=True)
    )
    for batch in batches:
        payload = batch.payload
        if (
            not batch.checkpoint
            and payload.get("location") == location
            and len(payload.get("sale_ids", ())) < batching.most
        ):
            return batch
    return None


async def _waiting(
    session: AsyncSession, connection: Connection, location: str, most: int, exclude: str
) -> list[Job]:
    """Up to `most` fresh pushes of this location, oldest first, locked for us."""
    if most <= 0:
        return []
    jobs = await session.scalars(
        select(Job)
        .join(Sale, Sale.id == Job.payload["sale_id"].as_string())
        .where(*_untried(connection, PUSH_SALE), Job.id != exclude, Sale.location == location)
        .order_by(Job.created_at)
        .limit(most)
        .with_for_update(skip_locked=True, of=Job)
    )
    return [job for job in jobs if not job.checkpoint]


async def _new_batch(
    session: AsyncSession,
    ctx: JobContext,
    *,
    connection: Connection,
    location: str,
    sale_ids: list[str],
    now: dt.datetime,
    linger: float,
) -> str:
    batch_id, batch_job_id = new_id(), new_id()
    await enqueue(
        session,
        NewJob(
            kind=kind(connection.provider, PUSH_BATCH),
            payload={"batch_id": batch_id, "location": location, "sale_ids": sale_ids},
            idempotency_key=f"batch:{batch_id}",
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            subject=f"batch:{batch_id}",
            priority=ctx.job.priority,
            job_id=batch_job_id,
            not_before=now + dt.timedelta(seconds=linger),
        ),
        now=now,
    )
    return batch_job_id


async def _grow(session: AsyncSession, batch: Job, sale_ids: list[str]) -> bool:
    result = await session.execute(
        update(Job)
        .where(Job.id == batch.id, Job.state == "pending", Job.attempts == 0)
        .values(payload={**batch.payload, "sale_ids": sale_ids})
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def _hand(
    session: AsyncSession, jobs: list[Job], batch_job_id: str, now: dt.datetime
) -> bool:
    """Mark the pushes as carried by the batch; False if any was claimed meanwhile."""
    if not jobs:
        return True
    result = await session.execute(
        update(Job)
        .where(Job.id.in_([job.id for job in jobs]), Job.state == "pending", Job.attempts == 0)
        .values(state="batched", checkpoint={"batch_job_id": batch_job_id}, completed_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == len(jobs)


def _sale_of(job: Job) -> str:
    return str(job.payload["sale_id"])
