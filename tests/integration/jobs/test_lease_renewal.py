"""A running job keeps its lease while its own process's writers queue for SQLite's one writer.

Every slot of a worker writing in turn can make that queue longer than a lease. The renewal
used to wait in it like any write: the lease ran out, another claim took the job while its
first attempt still ran, and that attempt ended without a record of its end. PostgreSQL has
no such queue (rows are locked, not the database), so this is SQLite's test.
"""

import asyncio
import uuid

import pytest
from sqlalchemy import func, select, update

from tillsync.bootstrap import Hub
from tillsync.jobs import store
from tillsync.jobs.worker import JobContext, Worker
from tillsync.store.tables import Job, JobAttempt

SLOTS = 8
HOLD_SECONDS = 0.25
"""Each write holds the writer this long: the queue of eight is longer than a lease."""
LEASE_SECONDS = 1.5
WRITES = 4


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_lease_is_renewed_ahead_of_the_writers_queued_before_it(hub: Hub) -> None:
    async def writing(context: JobContext) -> None:
        for _ in range(WRITES):
            async with hub.uows.begin() as uow:
                await asyncio.sleep(HOLD_SECONDS)
                await uow.commit()

    async with hub.uows.begin() as uow:
        for _ in range(SLOTS):
            job = store.NewJob(kind="write", payload={}, idempotency_key=uuid.uuid4().hex)
            await store.enqueue(uow.session, job, now=uow.now)
        await uow.commit()
    worker = Worker(
        uows=hub.uows,
        handlers={"write": writing},
        concurrency=SLOTS,
        lease_seconds=LEASE_SECONDS,
        poll_seconds=0.05,
    )
    helper = Worker(uows=hub.uows, handlers={"write": writing}, poll_seconds=0.05)
    stop = asyncio.Event()
    running = [asyncio.create_task(worker.run(stop))]
    await asyncio.sleep(LEASE_SECONDS / 2)
    running.append(asyncio.create_task(helper.run(stop)))  # takes any job whose lease ran out
    async with asyncio.timeout(60):
        while await _unsettled(hub):
            await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*running)

    async with hub.uows.read() as session:
        attempts = (await session.execute(select(JobAttempt.job_id, JobAttempt.worker))).all()
        states = set((await session.scalars(select(Job.state))).all())
    assert states == {"success"}
    assert len(attempts) == SLOTS, "a job was claimed again while its first attempt ran"
    assert {worker_name for _, worker_name in attempts} == {worker.name}


async def _unsettled(hub: Hub) -> int:
    async with hub.uows.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(Job).where(Job.state != "success")
        )
    return int(count or 0)


async def test_an_attempt_whose_lease_another_worker_took_records_its_end(hub: Hub) -> None:
    started = asyncio.Event()

    async def endless(context: JobContext) -> None:
        started.set()
        await asyncio.Event().wait()

    async with hub.uows.begin() as uow:
        job = store.NewJob(kind="endless", payload={}, idempotency_key="one")
        await store.enqueue(uow.session, job, now=uow.now)
        await uow.commit()
    worker = Worker(
        uows=hub.uows, handlers={"endless": endless}, lease_seconds=0.3, poll_seconds=0.05
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await started.wait()
    async with hub.uows.begin() as uow:  # as a claim after the lease ran out leaves it
        await uow.session.execute(update(Job).values(lease_owner="another worker"))
        await uow.commit()
    async with asyncio.timeout(10):
        while (attempt := await _attempt(hub)).finished_at is None:
            await asyncio.sleep(0.05)
    stop.set()
    await running
    assert (attempt.worker, attempt.outcome) == (worker.name, "lease_lost")


async def _attempt(hub: Hub) -> JobAttempt:
    """The first attempt (the job, its lease run out, is claimed again meanwhile)."""
    async with hub.uows.read() as session:
        return (await session.scalars(select(JobAttempt).where(JobAttempt.number == 1))).one()
