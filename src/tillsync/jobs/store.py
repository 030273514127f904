"""The job store: enqueue inside the caller's transaction, claim under a lease, settle.

Claiming is one statement on both databases: an UPDATE of the due rows chosen by a
sub-select that PostgreSQL locks with FOR UPDATE SKIP LOCKED (so workers on many hosts
never take the same row) and that SQLite runs under its single write lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync import request_ids
from tillsync.store.database import insert_all_unless_present, insert_unless_present
from tillsync.store.tables import Job, JobAttempt, new_id

DEFERRED = "deferred"
"""An attempt's outcome when the job stepped aside for the rate budget."""

DUE_STATES = ("pending", "retry")


class LeaseLost(Exception):
    """Another worker owns the job now: stop touching it."""


JOBS: Any = Job.__table__


@dataclass(frozen=True, slots=True)
class NewJob:
    kind: str
    payload: dict[str, Any]
    idempotency_key: str
    tenant_id: str | None = None
    connection_id: str | None = None
    subject: str | None = None
    priority: int = 100
    job_id: str | None = None
    not_before: dt.datetime | None = None
    request_id: str | None = None
    """The request it came from; by default the one in hand."""


async def enqueue(session: AsyncSession, job: NewJob, *, now: dt.datetime) -> bool:
    """Add a job unless one with the same kind and key exists. True when added.

    The job keeps the request id of the work in hand, so its run logs under the same id.
    """
    result = await session.execute(insert_unless_present(session, Job, _row(job, now)))
    return bool(getattr(result, "rowcount", 0))


async def enqueue_all(session: AsyncSession, jobs: list[NewJob], *, now: dt.datetime) -> None:
    """As `enqueue`, many jobs in one statement (to the table: no ORM bulk bookkeeping)."""
    await insert_all_unless_present(session, JOBS, [_row(job, now) for job in jobs])


def _row(job: NewJob, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": job.job_id or new_id(),
        "kind": job.kind,
        "payload": job.payload,
        "idempotency_key": job.idempotency_key,
        "tenant_id": job.tenant_id,
        "connection_id": job.connection_id,
        "subject": job.subject,
        "priority": job.priority,
        "state": "pending",
        "attempts": 0,
        "checkpoint": {},
        "next_attempt_at": job.not_before or now,
        "created_at": now,
        "request_id": job.request_id or request_ids.current.get(),
    }


async def claim(
    session: AsyncSession,
    *,
    owner: str,
    limit: int,
    now: dt.datetime,
    lease_seconds: float,
    lapsed: bool = True,
) -> list[Job]:
    """Lease up to `limit` due jobs (and, with `lapsed`, jobs whose lease ran out) to `owner`."""
    due = and_(Job.state.in_(DUE_STATES), Job.next_attempt_at <= now)
    if lapsed:
        due = or_(due, and_(Job.state == "syncing", Job.lease_expires_at < now))
    chosen = (
        select(Job.id)
        .where(due)
        # Among due jobs the oldest goes first: a job that stepped aside for the budget keeps
        # its place ahead of newer ones (a half-sent document before a fresh sale).
        .order_by(Job.priority, Job.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(Job)
        .where(Job.id.in_(chosen))
        .values(
            state="syncing",
            lease_owner=owner,
            lease_expires_at=now + dt.timedelta(seconds=lease_seconds),
            attempts=Job.attempts + 1,
            started_at=now,
        )
        .returning(Job)
        .execution_options(synchronize_session=False)
    )
    jobs = list((await session.execute(statement)).scalars())
    for job in jobs:
        session.add(
            JobAttempt(
                id=new_id(),
                job_id=job.id,
                tenant_id=job.tenant_id,
                number=job.attempts,
                worker=owner,
                started_at=now,
            )
        )
    return jobs


async def finish_attempt(
    session: AsyncSession,
    job: Job,
    *,
    owner: str,
    now: dt.datetime,
    outcome: str,
    error: str | None,
) -> None:
    await session.execute(
        update(JobAttempt)
        .where(
            JobAttempt.job_id == job.id,
            JobAttempt.number == job.attempts,
            JobAttempt.worker == owner,
            JobAttempt.finished_at.is_(None),
        )
        .values(finished_at=now, outcome=outcome, error=error[:2000] if error else None)
        .execution_options(synchronize_session=False)
    )


def _owned(job_id: str, owner: str) -> Any:
    return and_(Job.id == job_id, Job.lease_owner == owner, Job.state == "syncing")


async def _guarded(session: AsyncSession, job_id: str, owner: str, **values: Any) -> None:
    result = await session.execute(
        update(Job)
        .where(_owned(job_id, owner))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        raise LeaseLost(job_id)


async def extend_lease(
    session: AsyncSession, job_id: str, *, owner: str, until: dt.datetime
) -> None:
    await _guarded(session, job_id, owner, lease_expires_at=until)


async def save_checkpoint(
    session: AsyncSession, job_id: str, *, owner: str, checkpoint: dict[str, Any]
) -> None:
    await _guarded(session, job_id, owner, checkpoint=checkpoint)


async def save_payload(
    session: AsyncSession, job_id: str, *, owner: str, payload: dict[str, Any]
) -> None:
    """Change what a running job carries (a batch that grows before it sends anything)."""
    await _guarded(session, job_id, owner, payload=payload)


async def release_key(session: AsyncSession, job: Job, *, owner: str) -> None:
    """Free a running job's key, so that work asked for from now on is queued anew.

    For jobs that stand for "do this soon" (re-read a figure): a request that finds such
    a job still waiting is carried by it, one that comes once it has started is not.
    The key gets the job's id as a suffix, once, however often the job is attempted.
    """
    suffix = f"~{job.id}"
    if not job.idempotency_key.endswith(suffix):
        await _guarded(session, job.id, owner, idempotency_key=job.idempotency_key + suffix)


async def succeed(
    session: AsyncSession,
    job: Job,
    *,
    owner: str,
    now: dt.datetime,
    reference: str | None = None,
    state: str = "success",
) -> None:
    """End the job well; `state` may name a successor that carries it on ("batched")."""
    await _guarded(
        session,
        job.id,
        owner,
        state=state,
        provider_reference=reference,
        lease_owner=None,
        lease_expires_at=None,
        last_error=None,
        error_class=None,
        completed_at=now,
        duration_ms=_duration(job, now),
    )


async def reschedule(
    session: AsyncSession,
    job: Job,
    *,
    owner: str,
    now: dt.datetime,
    error: str,
    error_class: str,
    delay: float | None,
) -> str:
    """Put a failed attempt back for `delay` seconds, or end the job when delay is None."""
    state = "failed" if delay is None else "retry"
    values: dict[str, Any] = {
        "state": state,
        "lease_owner": None,
        "lease_expires_at": None,
        "last_error": error[:2000],
        "error_class": error_class,
    }
    if delay is None:
        values |= {"completed_at": now, "duration_ms": _duration(job, now)}
    else:
        values["next_attempt_at"] = now + dt.timedelta(seconds=delay)
    await _guarded(session, job.id, owner, **values)
    return state


async def defer(
    session: AsyncSession, job: Job, *, owner: str, now: dt.datetime, seconds: float
) -> None:
    """Step aside without spending an attempt: the job did not get to call anyone."""
    await _guarded(
        session,
        job.id,
        owner,
        state="pending",
        lease_owner=None,
        lease_expires_at=None,
        attempts=Job.attempts - 1,
        next_attempt_at=now + dt.timedelta(seconds=seconds),
    )


async def tried_before(session: AsyncSession, job_id: str) -> bool:
    """Whether an attempt before the running one may have reached the provider: every
    attempt kept (a manual retry keeps them) but those that stepped aside, which called no
    one. A read, where a "sending" checkpoint would be a write before each call."""
    earlier = await session.scalar(
        select(func.count())
        .select_from(JobAttempt)
        .where(
            JobAttempt.job_id == job_id,
            or_(JobAttempt.outcome.is_(None), JobAttempt.outcome != DEFERRED),
        )
    )
    return (earlier or 0) > 1  # the running attempt is one of them


def _duration(job: Job, now: dt.datetime) -> int:
    return int((now - job.created_at).total_seconds() * 1000)
