"""Operator actions on the job queue: list jobs, put a failed one back to run again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from tillsync.errors import Conflict, NotFound
from tillsync.jobs.states import JobState
from tillsync.store.lookup import one_by_id_prefix
from tillsync.store.snapshots import snapshot
from tillsync.store.tables import Job
from tillsync.store.uow import UnitsOfWork


@dataclass(frozen=True, slots=True)
class JobSummary:
    id: str
    tenant_id: str | None
    kind: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class RetriedJob:
    id: str
    kind: str
    attempts_before: int
    last_error: str | None


async def list_jobs(
    uows: UnitsOfWork,
    *,
    state: JobState | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> list[JobSummary]:
    """Jobs of every tenant, newest first."""
    query = select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Job.state == state)
    if kind is not None:
        query = query.where(Job.kind == kind)
    async with uows.read() as session:
        return [snapshot(JobSummary, job) for job in await session.scalars(query)]


async def retry_failed(
    uows: UnitsOfWork, job_id: str, *, tenant_id: str | None = None
) -> RetriedJob:
    """Put a failed job back to pending, due now, with its attempts at zero.

    `job_id` may be the short prefix `jobs list` prints. With `tenant_id` (an operator
    signed in to one tenant) another tenant's job is not found. The checkpoint is kept, so
    a multi-step effect resumes where it stopped; job_attempts keeps the earlier attempts.
    """
    async with uows.begin() as uow:
        job = await one_by_id_prefix(uow.session, Job, Job.id, job_id, noun="job", field="job_id")
        if tenant_id is not None and job.tenant_id != tenant_id:
            raise NotFound(f"no job {job_id.strip()}", field="job_id")
        if job.state != "failed":
            raise Conflict(
                f"job {job.id} is {job.state}, not failed: only a failed job can be retried",
                field="job_id",
            )
        retried = RetriedJob(
            id=job.id, kind=job.kind, attempts_before=job.attempts, last_error=job.last_error
        )
        await uow.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.state == "failed")
            .values(
                state="pending",
                attempts=0,
                next_attempt_at=uow.now,
                last_error=None,
                error_class=None,
                completed_at=None,
                duration_ms=None,
            )
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return retried
