"""The worker: claims due jobs, runs their handlers under a lease, settles each outcome."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillsync import request_ids
from tillsync.domain.retry import RetryPolicy
from tillsync.errors import BudgetExhausted, ClientError, ProviderError, Throttled
from tillsync.jobs import store
from tillsync.jobs.context import Handler, InvalidPayload, JobContext
from tillsync.jobs.hooks import JobHooks, NoHooks
from tillsync.store.tables import Job
from tillsync.store.uow import UnitsOfWork

__all__ = [
    "Handler",
    "InvalidPayload",
    "JobContext",
    "JobHooks",
    "NoHooks",
    "RunObserver",
    "Worker",
    "worker_name",
]

log = logging.getLogger(__name__)
RunObserver = Callable[[str, str, float], None]
"""Told of each attempt this worker ran: its job's kind, its outcome, its seconds."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        *,
        uows: UnitsOfWork,
        handlers: Mapping[str, Handler],
        concurrency: int = 4,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.2,
        retry_policy: RetryPolicy | None = None,
        hooks: JobHooks | None = None,
        name: str | None = None,
        observe: RunObserver | None = None,
    ) -> None:
        self.uows = uows
        self.handlers = handlers
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.retry_policy = retry_policy or RetryPolicy()
        self.hooks: JobHooks = hooks or NoHooks()
        self.name = name or worker_name()
        self.observe: RunObserver = observe or (lambda kind, outcome, seconds: None)
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._stop: asyncio.Event | None = None  # set while `run` runs: settling may chain

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker started", extra={"worker": self.name})
        self._stop = stop
        try:
            while not stop.is_set():
                # Cleared before the claim: a commit that lands while it reads stays a wake-up.
                self._wake.clear()
                if self._full() or not await self._claim_safely():
                    await self._idle(stop)
        finally:
            self._stop = None
            for task in self._running:
                task.cancel()
            await asyncio.gather(*self._running, return_exceptions=True)
            log.info("worker stopped", extra={"worker": self.name})

    async def run_until_idle(self) -> None:
        """Run every due job, then return (tests and one-shot commands)."""
        while await self._claim_safely() or self._running:
            if self._running:
                await asyncio.wait(self._running, return_when=asyncio.FIRST_COMPLETED)

    def _full(self) -> bool:
        return len(self._running) >= self.concurrency

    async def _idle(self, stop: asyncio.Event) -> None:
        """Until a wake-up, the next poll or the stop; when every slot is busy, until one frees."""
        waiters: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait())]
        waits: list[asyncio.Future[Any]]
        if self._full():
            waits, seconds = [*waiters, *self._running], None
        else:
            waiters.append(asyncio.ensure_future(self._wake.wait()))
            waits, seconds = waiters, self.poll_seconds
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def _claim_safely(self) -> int:
        free = self.concurrency - len(self._running)
        if free <= 0:
            await asyncio.wait(self._running, return_when=asyncio.FIRST_COMPLETED)
            return 1
        try:
            async with self.uows.begin() as uow:
                jobs = await self._claim(uow.session, uow.now, limit=free)
                if jobs:  # an empty claim is not committed: its commit would wake this worker
                    await uow.commit()
        except Exception:
            log.exception("claiming jobs failed", extra={"worker": self.name})
            return 0
        self._start(jobs)
        return len(jobs)

    def _start(self, jobs: list[Job]) -> None:
        for job in jobs:
            task = asyncio.create_task(self._run(job), name=f"job {job.kind} {job.id}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, job: Job) -> None:
        # This task's own context: the job logs, and queues its follow-ups, under its request id.
        request_ids.current.set(job.request_id)
        context = JobContext(job=job, owner=self.name, uows=self.uows, checkpoint=job.checkpoint)
        started = asyncio.get_running_loop().time()
        work = asyncio.create_task(self._handle(context))
        heartbeat = asyncio.create_task(self._heartbeat(job, work))
        outcome = "unsettled"
        try:
            outcome = await work
        except asyncio.CancelledError:
            if not work.cancelled():
                raise
            outcome = "lease_lost"  # the renewal found another owner and stopped the work
            await self._abandon(job)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            self.observe(job.kind, outcome, asyncio.get_running_loop().time() - started)

    async def _handle(self, context: JobContext) -> str:
        """Run the handler and settle its outcome; the outcome's name."""
        job = context.job
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise InvalidPayload(f"no handler for job kind '{job.kind}'")
            await handler(context)
        except store.LeaseLost:
            await self._abandon(job)
            return "lease_lost"
        except BudgetExhausted as exc:
            await self._settle(job, store.DEFERRED, None, self._deferral(job, exc.wait_seconds))
            return store.DEFERRED
        except ProviderError as exc:
            await self._fail(job, exc.message, exc.kind, exc)
            return exc.kind
        except ClientError as exc:  # the job asks for something that is not there: no retry
            await self._fail(job, exc.message, "permanent", None)
            return "permanent"
        except Exception as exc:
            log.exception("job handler crashed", extra={"job_id": job.id, "kind": job.kind})
            await self._fail(job, f"{type(exc).__name__}: {exc}", "retryable", None)
            return "crashed"
        await self._settle(job, "success", None, self._success(context))
        return "batched" if context.handed_over else "success"

    def _deferral(self, job: Job, wait: float) -> Callable[[AsyncSession, dt.datetime], Any]:
        async def settle(session: AsyncSession, now: dt.datetime) -> None:
            await store.defer(session, job, owner=self.name, now=now, seconds=wait)

        return settle

    def _success(self, context: JobContext) -> Callable[[AsyncSession, dt.datetime], Any]:
        job = context.job

        async def settle(session: AsyncSession, now: dt.datetime) -> None:
            for write in context.settling:
                await write(session)
            state = "batched" if context.handed_over else "success"
            await store.succeed(
                session, job, owner=self.name, now=now, reference=context.reference, state=state
            )
            await self.hooks.succeeded(session, job, now=now)
            log.info("job succeeded", extra={"job_id": job.id, "kind": job.kind, "state": state})

        return settle

    async def _fail(self, job: Job, message: str, kind: str, exc: ProviderError | None) -> None:
        wait = exc.wait_seconds if isinstance(exc, Throttled) else None

        async def settle(session: AsyncSession, now: dt.datetime) -> None:
            policy = await self.hooks.policy(session, job) or self.retry_policy
            delay = policy.next_delay(outcome=kind, attempts=job.attempts, wait_hint=wait)
            state = await store.reschedule(
                session, job, owner=self.name, now=now, error=message, error_class=kind, delay=delay
            )
            await self.hooks.failed(
                session, job, error_class=kind, message=message, final=delay is None, now=now
            )
            log.warning(
                "job attempt failed",
                extra={
                    "job_id": job.id,
                    "kind": job.kind,
                    "error_class": kind,
                    "state": state,
                    "attempts": job.attempts,
                    "retry_in": delay,
                    "error": message,
                },
            )

        await self._settle(job, kind, message, settle)

    async def _settle(
        self,
        job: Job,
        outcome: str,
        error: str | None,
        action: Callable[[AsyncSession, dt.datetime], Awaitable[None]],
    ) -> None:
        try:
            async with self.uows.begin() as uow:
                await action(uow.session, uow.now)
                await store.finish_attempt(
                    uow.session, job, owner=self.name, now=uow.now, outcome=outcome, error=error
                )
                # The slot this job frees takes the next due job in the same transaction:
                # under a backlog a job costs one write to settle, not a second to claim.
                following = await self._claim_following(uow.session, uow.now)
                await uow.commit()
        except store.LeaseLost:
            await self._abandon(job)
            return
        self._start(following)

    async def _claim_following(self, session: AsyncSession, now: dt.datetime) -> list[Job]:
        if self._stop is None or self._stop.is_set() or len(self._running) > self.concurrency:
            return []
        # Only queued work: a lapsed lease is the poll's to take back, not a settling's.
        return await self._claim(session, now, limit=1, lapsed=False)

    async def _claim(
        self, session: AsyncSession, now: dt.datetime, *, limit: int, lapsed: bool = True
    ) -> list[Job]:
        lease = self.lease_seconds
        return await store.claim(
            session, owner=self.name, limit=limit, now=now, lease_seconds=lease, lapsed=lapsed
        )

    async def _abandon(self, job: Job) -> None:
        """End an attempt whose job another worker has claimed since: recorded, not settled."""
        log.warning("job lease lost", extra={"job_id": job.id, "kind": job.kind})
        try:
            async with self.uows.begin() as uow:
                await store.finish_attempt(
                    uow.session,
                    job,
                    owner=self.name,
                    now=uow.now,
                    outcome="lease_lost",
                    error="the lease ran out and another claim took the job",
                )
                await uow.commit()
        except Exception:
            log.exception("recording a lost lease failed", extra={"job_id": job.id})

    async def _heartbeat(self, job: Job, work: asyncio.Task[str]) -> None:
        interval = self.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            try:
                async with self.uows.begin(urgent=True) as uow:
                    until = uow.now + dt.timedelta(seconds=self.lease_seconds)
                    await store.extend_lease(uow.session, job.id, owner=self.name, until=until)
                    await uow.commit()
            except store.LeaseLost:
                work.cancel()
                return
            except Exception:
                log.exception("lease renewal failed", extra={"job_id": job.id})
