"""Whether this hub can do its work: the database answers, its schema is current, a worker lives.

Liveness (`/healthz`) asks nothing of the database; readiness asks all three, so a load
balancer or an orchestrator sends traffic only to a hub whose sales will be pushed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tillsync.jobs.heartbeat import live_workers
from tillsync.store.migrate import is_at_head
from tillsync.store.uow import UnitsOfWork

CHECK_SECONDS = 5.0
OK = "ok"
UNKNOWN = "not checked"


@dataclass(frozen=True, slots=True)
class Readiness:
    database: str
    migrations: str
    workers: str

    @property
    def checks(self) -> dict[str, str]:
        return {"database": self.database, "migrations": self.migrations, "workers": self.workers}

    @property
    def reason(self) -> str | None:
        """The first thing wrong, named after its check; None when ready."""
        return next((f"{name}: {text}" for name, text in self.checks.items() if text != OK), None)


async def readiness(uows: UnitsOfWork, *, heartbeat_timeout: float) -> Readiness:
    if uows.database.file_missing():
        return Readiness("its file is gone", UNKNOWN, UNKNOWN)
    try:
        async with asyncio.timeout(CHECK_SECONDS), uows.read() as session:
            current = await session.run_sync(_at_head)
            if not current:
                return Readiness(OK, "the schema is not at the newest migration", UNKNOWN)
            alive = await live_workers(session, now=uows.clock.now(), within=heartbeat_timeout)
    except Exception as exc:  # unreachable, refused, gone: the class says which, never a URL
        return Readiness(f"does not answer ({type(exc).__name__})", UNKNOWN, UNKNOWN)
    if not alive:
        return Readiness(OK, OK, f"no worker heard from in the last {heartbeat_timeout:g} s")
    return Readiness(OK, OK, OK)


def _at_head(session: Session) -> bool:
    return is_at_head(session.connection())
