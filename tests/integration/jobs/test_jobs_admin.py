"""Operator actions on the queue: a failed job is put back once asked; nothing else is."""

import pytest
from sqlalchemy import func, select, update

from tests.support.jobs import add_job, at
from tillsync.bootstrap import Hub
from tillsync.errors import Conflict, NotFound
from tillsync.jobs.admin import list_jobs, retry_failed
from tillsync.jobs.worker import JobContext, Worker
from tillsync.store.tables import Job, JobAttempt

KIND = "demo.push"


async def _failed_job(hub: Hub) -> str:
    """A job that failed for good after three attempts, with its attempts on record."""
    job_id = await add_job(
        hub.uows,
        kind=KIND,
        state="failed",
        attempts=3,
        last_error="POST /sale: 400 invalid customer",
        error_class="permanent",
        checkpoint={"step": "sale_created"},
        completed_at=at(3),
        duration_ms=180_000,
    )
    async with hub.uows.begin() as uow:
        for number in (1, 2, 3):
            uow.session.add(
                JobAttempt(
                    job_id=job_id,
                    number=number,
                    worker="w",
                    started_at=at(number),
                    finished_at=at(number),
                    outcome="permanent" if number == 3 else "retryable",
                )
            )
        await uow.commit()
    return job_id


async def _load(hub: Hub, job_id: str) -> Job:
    async with hub.uows.read() as session:
        job = await session.get(Job, job_id)
    assert job is not None
    return job


async def _attempt_count(hub: Hub, job_id: str) -> int:
    async with hub.uows.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(JobAttempt).where(JobAttempt.job_id == job_id)
        )
    return int(count or 0)


async def test_a_failed_job_is_pending_again_now_and_runs_once_more(hub: Hub) -> None:
    job_id = await _failed_job(hub)

    retried = await retry_failed(hub.uows, job_id)

    assert (retried.id, retried.kind, retried.attempts_before) == (job_id, KIND, 3)
    assert retried.last_error == "POST /sale: 400 invalid customer"
    job = await _load(hub, job_id)
    assert (job.state, job.attempts, job.last_error, job.error_class) == ("pending", 0, None, None)
    assert (job.completed_at, job.duration_ms) == (None, None)
    assert job.next_attempt_at <= hub.uows.clock.now()
    assert job.checkpoint == {"step": "sale_created"}
    assert await _attempt_count(hub, job_id) == 3

    seen: list[dict[str, object]] = []

    async def handler(context: JobContext) -> None:
        seen.append(dict(context.checkpoint))

    await Worker(uows=hub.uows, handlers={KIND: handler}).run_until_idle()
    assert seen == [{"step": "sale_created"}]
    job = await _load(hub, job_id)
    assert (job.state, job.attempts) == ("success", 1)
    assert await _attempt_count(hub, job_id) == 4


async def test_a_short_prefix_names_the_job(hub: Hub) -> None:
    job_id = await _failed_job(hub)
    assert (await retry_failed(hub.uows, job_id[:8])).id == job_id


@pytest.mark.parametrize("state", ["pending", "syncing", "retry", "success", "batched"])
async def test_a_job_that_is_not_failed_is_left_alone(hub: Hub, state: str) -> None:
    job_id = await add_job(hub.uows, kind=KIND, state=state, attempts=2, last_error="kept")
    with pytest.raises(Conflict, match=f"is {state}, not failed"):
        await retry_failed(hub.uows, job_id)
    job = await _load(hub, job_id)
    assert (job.state, job.attempts, job.last_error) == (state, 2, "kept")


@pytest.mark.parametrize("job_id", ["00000000-0000-0000-0000-000000000000", "zz", "  ", "%"])
async def test_an_unknown_job_is_not_found(hub: Hub, job_id: str) -> None:
    await _failed_job(hub)
    with pytest.raises(NotFound):
        await retry_failed(hub.uows, job_id)


async def test_a_tenants_operator_does_not_find_another_tenants_job(hub: Hub) -> None:
    job_id = await add_job(hub.uows, kind=KIND, tenant_id="tenant-a", state="failed")
    with pytest.raises(NotFound, match="no job"):
        await retry_failed(hub.uows, job_id, tenant_id="tenant-b")
    assert (await _load(hub, job_id)).state == "failed"
    assert (await retry_failed(hub.uows, job_id, tenant_id="tenant-a")).id == job_id
    assert (await _load(hub, job_id)).state == "pending"


async def test_a_prefix_of_two_jobs_is_refused(hub: Hub) -> None:
    first = await add_job(hub.uows, kind=KIND, state="failed")
    second = await add_job(hub.uows, kind=KIND, state="failed")
    async with hub.uows.begin() as uow:
        for job_id, new in ((first, "abcd0001"), (second, "abcd0002")):
            await uow.session.execute(update(Job).where(Job.id == job_id).values(id=new))
        await uow.commit()
    with pytest.raises(Conflict, match="more than one"):
        await retry_failed(hub.uows, "abcd")
    assert (await _load(hub, "abcd0001")).state == "failed"


async def test_list_filters_by_state_and_kind_newest_first(hub: Hub) -> None:
    old = await add_job(hub.uows, kind=KIND, state="failed", created_at=at(1))
    new = await add_job(hub.uows, kind=KIND, state="failed", created_at=at(2))
    await add_job(hub.uows, kind="other.kind", state="failed", created_at=at(3))
    await add_job(hub.uows, kind=KIND, state="success", created_at=at(4))

    listed = await list_jobs(hub.uows, state="failed", kind=KIND)
    assert [job.id for job in listed] == [new, old]
    assert len(await list_jobs(hub.uows)) == 4
    assert len(await list_jobs(hub.uows, limit=2)) == 2
