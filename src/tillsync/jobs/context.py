"""What a job handler gets: its job, its checkpoint, a way to save progress."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.errors import Permanent
from tillsync.jobs import store
from tillsync.store.tables import Job
from tillsync.store.uow import UnitsOfWork


class InvalidPayload(Permanent):
    """The job's payload cannot be read by its handler: it fails at once, never loops."""


@dataclass
class JobContext:
    """What a handler gets: its job, its checkpoint, and a way to save progress."""

    job: Job
    owner: str
    uows: UnitsOfWork
    checkpoint: dict[str, Any] = field(default_factory=dict)
    reference: str | None = None
    """What the provider calls the result; kept on the job when it succeeds."""
    handed_over: bool = False
    """Set when another job carries this one's effect on (a batch took the sale)."""
    settling: list[Callable[[AsyncSession], Awaitable[None]]] = field(default_factory=list)
    """Writes that commit with the job's success, in the transaction that settles it."""

    def field(self, name: str) -> Any:
        try:
            return self.job.payload[name]
        except (KeyError, TypeError) as exc:
            raise InvalidPayload(f"job {self.job.kind} has no '{name}' in its payload") from exc

    async def save(self, **changes: Any) -> None:
        """Checkpoint after a step, so a retry resumes instead of repeating it."""
        async with self.uows.begin() as uow:
            await self.save_in(uow.session, **changes)
            await uow.commit()

    async def release_key(self) -> None:
        """Let a job with this one's key be queued again while this one runs (store.release_key)."""
        async with self.uows.begin() as uow:
            await store.release_key(uow.session, self.job, owner=self.owner)
            await uow.commit()

    def on_success(self, write: Callable[[AsyncSession], Awaitable[None]]) -> None:
        """Keep the effect's outcome with the job's success: both commit, or neither does."""
        self.settling.append(write)

    async def save_in(self, session: AsyncSession, **changes: Any) -> None:
        """Checkpoint inside a transaction that also does the step's own writes."""
        self.checkpoint = {**self.checkpoint, **changes}
        await store.save_checkpoint(
            session, self.job.id, owner=self.owner, checkpoint=self.checkpoint
        )


Handler = Callable[[JobContext], Awaitable[None]]
