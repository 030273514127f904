"""The job outbox, its attempts, the workers' heartbeats, and the shared rate budgets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tillsync.store.tables.base import Base, id_column


class Job(Base):
    """The outbox: one durable effect, claimed by a worker under a lease."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("kind", "idempotency_key"),
        Index(None, "state", "next_attempt_at", "priority"),
    )
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str | None] = mapped_column(String(36), index=True)
    connection_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(100), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    priority: Mapped[int] = mapped_column(Integer, default=100)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[dt.datetime | None]
    checkpoint: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_class: Mapped[str | None] = mapped_column(String(32))
    provider_reference: Mapped[str | None] = mapped_column(
        String(200),
        doc="what the provider calls the result (a warehouse's sale id, an invoice number)",
    )
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    request_id: Mapped[str | None] = mapped_column(
        String(64), doc="the X-Request-ID of the request that queued the job, or of its parent"
    )


class JobAttempt(Base):
    """One run of a job by one worker: the history behind retry counts and overlap checks."""

    __tablename__ = "job_attempts"
    __table_args__ = (Index(None, "job_id", "number"),)
    id: Mapped[str] = id_column()
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    tenant_id: Mapped[str | None] = mapped_column(String(36), index=True)
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)


class RateGrant(Base):
    """One provider call allowed by a shared rate budget (a sliding-window log)."""

    __tablename__ = "rate_grants"
    __table_args__ = (Index(None, "budget", "granted_at"),)
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    budget: Mapped[str] = mapped_column(String(100))
    lane: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[dt.datetime]


class RateBudget(Base):
    """The lock row of one provider account's budget, and who is waiting on it."""

    __tablename__ = "rate_budgets"
    budget: Mapped[str] = mapped_column(String(100), primary_key=True)
    waiting_lane: Mapped[str | None] = mapped_column(String(16))
    waiting_until: Mapped[dt.datetime | None]
    denied: Mapped[int] = mapped_column(Integer, default=0)


class WorkerHeartbeat(Base):
    """A running worker (embedded in `serve` or alone), seen by every process of the hub."""

    __tablename__ = "worker_heartbeats"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[dt.datetime]
    seen_at: Mapped[dt.datetime] = mapped_column(index=True)
