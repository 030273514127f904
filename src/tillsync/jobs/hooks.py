"""What the rest of the hub learns from each settled job attempt."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.retry import RetryPolicy
from tillsync.store.tables import Job


class JobHooks(Protocol):
    """Called in the transaction that settles each attempt; by default they learn nothing."""

    async def policy(self, session: AsyncSession, job: Job) -> RetryPolicy | None:
        return None

    async def succeeded(self, session: AsyncSession, job: Job, *, now: dt.datetime) -> None:
        return None

    async def failed(
        self,
        session: AsyncSession,
        job: Job,
        *,
        error_class: str,
        message: str,
        final: bool,
        now: dt.datetime,
    ) -> None:
        return None


class NoHooks(JobHooks):
    """The worker's hooks when it is given none: the worker's own retry policy, nothing told."""
