"""Coalescing pending POS sales into one CIN7 document when the budget cannot keep up.

A CIN7 sale costs three calls, and CIN7 allows 60 a minute: a shop selling once a second
would fall further behind every minute. So when a push starts and enough other sales
of the same location are still waiting (connection setting `push_mode`: "auto", the
default, batches once `batch_threshold` are waiting; "batched" always; "per_sale"
never), the waiting pushes are handed to one batch job in a single transaction.

Only pushes that have never sent anything are taken (no attempt spent, no checkpoint),
so no sale can reach CIN7 both alone and in a batch; the batch itself is pushed like a
sale, with its own ExternalID, checkpoints and look-ups, so a batch failing half-way is
resumed, never repeated or dropped.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from tillsync.jobs.store import NewJob, enqueue
from tillsync.jobs.worker import JobContext
from tillsync.services.context import Services
from tillsync.store.tables import Connection, Job, Sale, new_id

PUSH_KIND = "cin7.push_sale"
BATCH_KIND = "cin7.push_batch"


async def coalesce(services: Services, ctx: JobContext, connection: Connection, sale: Sale) -> bool:
    """Hand this push and the waiting ones to a new batch job; True if it did."""
    settings = connection.settings
    mode = settings.get("push_mode", "auto")
    if mode == "per_sale" or ctx.job.attempts != 1 or ctx.checkpoint:
        return False
    threshold = int(settings.get("batch_threshold", 5))
    most = int(settings.get("batch_max_sales", 100))
    if mode == "auto" and await _waiting(services, connection) + 1 < threshold:
        return False  # a quick read first: most pushes in a calm shop go alone
    async with services.uows.begin() as uow:
        waiting = (
            await uow.session.scalars(
                select(Job)
                .where(
                    Job.kind == PUSH_KIND,
                    Job.connection_id == connection.id,
                    Job.state == "pending",
                    Job.attempts == 0,
                    Job.id != ctx.job.id,
                )
                .order_by(Job.created_at)
                .limit(most * 2)
                .with_for_update(skip_locked=True)
            )
        ).all()
        fresh = [job for job in waiting if not job.checkpoint]
        rows = await uow.session.execute(
            select(Sale.id, Sale.location).where(
                Sale.id.in_([str(job.payload.get("sale_id")) for job in fresh])
            )
        )
        locations = {row[0]: row[1] for row in rows}
        taken = [j for j in fresh if locations.get(str(j.payload.get("sale_id"))) == sale.location]
        taken = taken[: most - 1]
        if not taken or (mode == "auto" and len(taken) + 1 < threshold):
            return False
        batch_id, batch_job_id = new_id(), new_id()
        handed = {"batch_job_id": batch_job_id}
        result = await uow.session.execute(
            update(Job)
            .where(Job.id.in_([j.id for j in taken]), Job.state == "pending", Job.attempts == 0)
            .values(state="batched", checkpoint=handed, completed_at=uow.now)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != len(taken):
            return False  # someone claimed one meanwhile: leaving the block rolls back
        await enqueue(
            uow.session,
            NewJob(
                kind=BATCH_KIND,
                payload={
                    "batch_id": batch_id,
                    "location": sale.location,
                    "sale_ids": [sale.id] + [j.payload["sale_id"] for j in taken],
                },
                idempotency_key=f"batch:{batch_id}",
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                subject=f"batch:{batch_id}",
                priority=ctx.job.priority,
                job_id=batch_job_id,
            ),
            now=uow.now,
        )
        await ctx.save_in(uow.session, **handed)
        await uow.commit()
    ctx.handed_over = True
    return True


async def _waiting(services: Services, connection: Connection) -> int:
    async with services.uows.read() as session:
        count = await session.scalar(
            select(func.count()).where(
                Job.kind == PUSH_KIND,
                Job.connection_id == connection.id,
                Job.state == "pending",
                Job.attempts == 0,
            )
        )
    return int(count or 0)
