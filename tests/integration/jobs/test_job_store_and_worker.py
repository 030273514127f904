"""The outbox and its worker on a real database: leases, outcomes, payloads it cannot read."""

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from tillsync.bootstrap import Hub
from tillsync.domain.retry import RetryPolicy
from tillsync.errors import Permanent, Retryable, Throttled
from tillsync.jobs import store
from tillsync.jobs.worker import JobContext, Worker
from tillsync.store.tables import Job, JobAttempt


async def _enqueue(hub: Hub, kind: str, payload: dict[str, object], key: str = "k1") -> bool:
    async with hub.uows.begin() as uow:
        added = await store.enqueue(
            uow.session, store.NewJob(kind=kind, payload=payload, idempotency_key=key), now=uow.now
        )
        await uow.commit()
    return added


async def _job(hub: Hub) -> Job:
    async with hub.uows.read() as session:
        job = await session.scalar(select(Job))
    assert job is not None
    return job


async def test_the_same_idempotency_key_is_enqueued_once(hub: Hub) -> None:
    assert await _enqueue(hub, "demo", {}) is True
    assert await _enqueue(hub, "demo", {}) is False
    async with hub.uows.read() as session:
        assert await session.scalar(select(func.count()).select_from(Job)) == 1


async def test_a_started_job_that_frees_its_key_lets_the_next_ask_queue_once(hub: Hub) -> None:
    """A waiting job carries every later ask for its key; once it starts, the next is new."""
    assert await _enqueue(hub, "demo", {}, key="refresh:SKU-1") is True
    async with hub.uows.begin() as uow:
        (job,) = await store.claim(uow.session, owner="w1", limit=1, now=uow.now, lease_seconds=30)
        await uow.commit()
    assert await _enqueue(hub, "demo", {}, key="refresh:SKU-1") is False
    for _ in range(2):  # a deferred job starts again: its key is freed once
        async with hub.uows.begin() as uow:
            await store.release_key(uow.session, job, owner="w1")
            await uow.commit()
        job = await _job(hub)
    assert job.idempotency_key == f"refresh:SKU-1~{job.id}"
    assert await _enqueue(hub, "demo", {}, key="refresh:SKU-1") is True
    assert await _enqueue(hub, "demo", {}, key="refresh:SKU-1") is False


async def test_an_unreadable_payload_fails_at_once_and_never_loops(hub: Hub) -> None:
    await _enqueue(hub, "cin7.push_sale", {"unexpected": True})
    await hub.create_worker().run_until_idle()
    job = await _job(hub)
    assert (job.state, job.error_class, job.attempts) == ("failed", "permanent", 1)
    assert job.last_error is not None
    assert "sale_id" in job.last_error


async def test_a_job_of_unknown_kind_fails_with_a_clear_error(hub: Hub) -> None:
    await _enqueue(hub, "nobody.handles_this", {})
    await hub.create_worker().run_until_idle()
    job = await _job(hub)
    assert job.state == "failed"
    assert job.last_error == "no handler for job kind 'nobody.handles_this'"


@pytest.mark.parametrize(
    ("error", "state", "error_class", "delay"),
    [
        (Retryable("POST /sale: 502"), "retry", "retryable", 2.0),
        (Throttled("POST /sale: 503", wait_seconds=30), "retry", "throttled", 30.0),
        (Permanent("POST /sale: 400 Customer not found"), "failed", "permanent", None),
        (RuntimeError("bug"), "retry", "retryable", 2.0),
    ],
)
async def test_outcomes_settle_the_job(
    hub: Hub, error: Exception, state: str, error_class: str, delay: float | None
) -> None:
    async def failing(_: JobContext) -> None:
        raise error

    await _enqueue(hub, "demo", {})
    worker = Worker(uows=hub.uows, handlers={"demo": failing}, retry_policy=RetryPolicy())
    await worker.run_until_idle()
    job = await _job(hub)
    assert (job.state, job.error_class) == (state, error_class)
    if delay is not None:
        async with hub.uows.read() as session:
            settled = await session.scalar(select(JobAttempt.finished_at))
        assert settled is not None  # the delay counts from the attempt's end, however slow
        wait = (job.next_attempt_at - settled).total_seconds()
        assert delay - 1 <= wait <= delay + 1


async def test_a_checkpoint_survives_into_the_next_attempt(hub: Hub) -> None:
    seen: list[dict[str, object]] = []

    async def stepwise(ctx: JobContext) -> None:
        seen.append(dict(ctx.checkpoint))
        if "step" not in ctx.checkpoint:
            await ctx.save(step=1)
            raise Retryable("boom after step 1")

    await _enqueue(hub, "demo", {})
    worker = Worker(
        uows=hub.uows, handlers={"demo": stepwise}, retry_policy=RetryPolicy(delays=(0,))
    )
    await worker.run_until_idle()
    await worker.run_until_idle()
    assert seen == [{}, {"step": 1}]
    assert (await _job(hub)).state == "success"


async def test_an_expired_lease_passes_the_job_to_another_worker(hub: Hub) -> None:
    await _enqueue(hub, "demo", {})
    async with hub.uows.begin() as uow:
        [taken] = await store.claim(
            uow.session, owner="a", limit=1, now=uow.now, lease_seconds=0.05
        )
        await uow.commit()
    await asyncio.sleep(0.1)
    async with hub.uows.begin() as uow:
        later = uow.now
        [again] = await store.claim(uow.session, owner="b", limit=1, now=later, lease_seconds=30)
        await uow.commit()
    assert again.id == taken.id
    assert again.attempts == 2
    async with hub.uows.begin() as uow:
        with pytest.raises(store.LeaseLost):
            await store.save_checkpoint(uow.session, taken.id, owner="a", checkpoint={"x": 1})


async def test_a_leased_job_is_not_claimed_twice(hub: Hub) -> None:
    await _enqueue(hub, "demo", {})
    async with hub.uows.begin() as uow:
        first = await store.claim(uow.session, owner="a", limit=5, now=uow.now, lease_seconds=30)
        await uow.commit()
    async with hub.uows.begin() as uow:
        second = await store.claim(
            uow.session, owner="b", limit=5, now=uow.now + dt.timedelta(seconds=1), lease_seconds=30
        )
        await uow.commit()
    assert len(first) == 1
    assert second == []


async def test_a_job_that_stepped_aside_keeps_its_place_ahead_of_newer_ones(hub: Hub) -> None:
    await _enqueue(hub, "demo", {}, key="older")
    async with hub.uows.begin() as uow:
        [older] = await store.claim(uow.session, owner="a", limit=1, now=uow.now, lease_seconds=30)
        await store.defer(uow.session, older, owner="a", now=uow.now, seconds=0.2)
        await uow.commit()
    await _enqueue(hub, "demo", {}, key="newer")  # due at once, before the older one is again
    async with hub.uows.begin() as uow:
        later = uow.now + dt.timedelta(seconds=1)
        [first] = await store.claim(uow.session, owner="b", limit=1, now=later, lease_seconds=30)
        await uow.commit()
    assert first.id == older.id
    assert first.attempts == 1  # stepping aside spent no attempt


async def test_a_stop_does_not_wait_for_a_busy_worker_to_free_a_slot(hub: Hub) -> None:
    started = asyncio.Event()

    async def endless(ctx: JobContext) -> None:
        started.set()
        await asyncio.Event().wait()

    await _enqueue(hub, "demo", {})
    worker = Worker(uows=hub.uows, handlers={"demo": endless}, concurrency=1, poll_seconds=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await started.wait()
    stop.set()
    async with asyncio.timeout(5):  # before the fix, the loop waited for the job to end
        await running
    assert (await _job(hub)).state == "syncing"  # its lease runs out; another worker resumes it


async def test_a_job_queued_while_the_worker_claims_is_not_left_for_the_next_poll(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = asyncio.Event()

    async def done(ctx: JobContext) -> None:
        ran.set()

    await _enqueue(hub, "demo", {})
    worker = Worker(uows=hub.uows, handlers={"demo": done}, poll_seconds=3600)
    claim = store.claim
    raced: list[bool] = []

    async def claim_reading_before_the_commit(*args: object, **kwargs: object) -> list[Job]:
        if not raced:  # the first claim read before the job's commit, which woke the worker
            raced.append(True)
            worker.wake()
            return []
        return await claim(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "claim", claim_reading_before_the_commit)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        async with asyncio.timeout(10):  # before the fix, the wake-up was cleared: an hour's wait
            await ran.wait()
    finally:
        stop.set()
        await running


async def test_an_idle_worker_waits_for_a_wake_up_instead_of_claiming_again(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = Worker(uows=hub.uows, handlers={}, poll_seconds=3600)
    hub.uows.on_commit(worker.wake)
    claim = store.claim
    claims: list[int] = []

    async def counted(*args: object, **kwargs: object) -> list[Job]:
        found = await claim(*args, **kwargs)  # type: ignore[arg-type]
        claims.append(len(found))
        return found

    monkeypatch.setattr(store, "claim", counted)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.3)
    stop.set()
    await running
    assert claims == [0]  # a claim that found nothing is no commit that wakes the worker


@pytest.mark.parametrize(
    ("earlier", "tried"),
    [
        ([], False),
        (["deferred"], False),
        (["deferred", "deferred"], False),
        (["retryable"], True),
        ([None], True),  # a worker killed mid-call never settled its attempt
        (["lease_lost"], True),
        (["deferred", "permanent"], True),
    ],
)
async def test_an_earlier_attempt_that_may_have_called_the_provider_is_known(
    hub: Hub, earlier: list[str | None], tried: bool
) -> None:
    await _enqueue(hub, "demo", {})
    job = await _job(hub)
    async with hub.uows.begin() as uow:
        for number, outcome in enumerate(earlier, start=1):
            uow.session.add(
                JobAttempt(
                    id=f"a{number}",
                    job_id=job.id,
                    number=number,
                    worker="w",
                    started_at=uow.now,
                    outcome=outcome,
                )
            )
        await uow.commit()
    async with hub.uows.begin() as uow:
        [claimed] = await store.claim(
            uow.session, owner="w2", limit=1, now=uow.now, lease_seconds=30
        )
        await uow.commit()
    async with hub.uows.read() as session:
        assert await store.tried_before(session, claimed.id) is tried


async def test_a_backlog_costs_one_commit_a_job_the_settling_claims_the_next(hub: Hub) -> None:
    done: list[str] = []
    finished = asyncio.Event()

    async def handler(ctx: JobContext) -> None:
        done.append(ctx.job.idempotency_key)
        if len(done) == 5:
            finished.set()

    for number in range(5):
        await _enqueue(hub, "demo", {}, key=f"k{number}")
    worker = Worker(uows=hub.uows, handlers={"demo": handler}, concurrency=1, poll_seconds=3600)
    commits: list[None] = []
    hub.uows.on_commit(lambda: commits.append(None))
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    async with asyncio.timeout(10):
        await finished.wait()
    stop.set()
    await running
    assert sorted(done) == [f"k{number}" for number in range(5)]
    assert len(commits) == 1 + 5  # the first claim, then each settling with its next claim
