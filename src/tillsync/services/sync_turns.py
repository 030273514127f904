"""A sync asked for: one job with its queued run beside it, in the caller's transaction.

While a job of the same sync is queued or running, a second request is refused with that
job. Two requests racing each other both key their job on the latest job of that sync
(`<connection>:<turn>:after:<job>`): the job store's unique key lets one win, and the other
is refused with the winner's run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tillsync.errors import Conflict
from tillsync.jobs.store import NewJob, enqueue
from tillsync.store.tables import Connection, Job, Run, new_id
from tillsync.store.uow import UnitOfWork

BUSY_STATES = ("pending", "retry", "syncing")


class SyncInProgress(Conflict):
    """The same sync is already queued or running: `runId` and `jobId` name it."""

    code = "sync_in_progress"

    def __init__(self, message: str, *, field: str, run_id: str | None, job_id: str) -> None:
        super().__init__(message, field=field)
        self.run_id, self.job_id = run_id, job_id

    def body(self) -> dict[str, object]:
        return {**super().body(), "runId": self.run_id, "jobId": self.job_id}


@dataclass(frozen=True, slots=True)
class SyncTurn:
    """Which jobs a sync competes with (`mine`: conditions on `Job`), and what it records."""

    kind: str
    mine: Sequence[Any]
    turn: str
    subject: str
    priority: int
    payload: dict[str, Any]
    entity: str
    details: dict[str, Any]


async def queue_turn(
    uow: UnitOfWork,
    connection: Connection,
    sync: SyncTurn,
    *,
    run_type: str,
    refuse: Callable[[Job], Exception],
) -> tuple[str, str]:
    """The queued run's id and its job's id, or `refuse(job)` with the job already in the way."""
    session = uow.session
    busy = await session.scalar(
        select(Job)
        .where(Job.kind == sync.kind, *sync.mine, Job.state.in_(BUSY_STATES))
        .order_by(Job.created_at)
        .limit(1)
    )
    if busy is not None:
        raise refuse(busy)
    latest = await session.scalar(
        select(Job.id)
        .where(Job.kind == sync.kind, *sync.mine)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(1)
    )
    run_id, job_id = new_id(), new_id()
    key = f"{connection.id}:{sync.turn}:after:{latest or 'none'}"
    added = await enqueue(
        session,
        NewJob(
            kind=sync.kind,
            payload={**sync.payload, "type": run_type, "run_id": run_id},
            idempotency_key=key,
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            subject=sync.subject,
            priority=sync.priority,
            job_id=job_id,
        ),
        now=uow.now,
    )
    if not added:  # another request took this turn a moment ago
        winner = await session.scalar(
            select(Job).where(Job.kind == sync.kind, Job.idempotency_key == key)
        )
        assert winner is not None
        raise refuse(winner)
    session.add(
        Run(
            id=run_id,
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            job_id=job_id,
            type=run_type,
            direction="pull",
            entity=sync.entity,
            status="queued",
            details=sync.details,
            started_at=uow.now,
        )
    )
    await session.flush()
    return run_id, job_id
