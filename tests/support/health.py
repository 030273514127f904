"""A clocked hub, a connection, a job handler that fails on cue and a worker with health hooks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update

from tillsync.bootstrap import Hub, job_handlers, open_hub
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.jobs import store
from tillsync.jobs.worker import JobContext, Worker
from tillsync.services.health import ConnectionHooks
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import Connection, Job, Notification, Tenant

KIND = "test.push"


@dataclass
class Shop:
    """A hub on a fake clock with one tenant; nothing moves until the test advances time."""

    hub: Hub
    clock: FakeClock
    tenant_id: str

    async def connection(self, *, settings: dict[str, Any] | None = None) -> str:
        async with self.hub.uows.begin() as uow:
            connection = Connection(
                tenant_id=self.tenant_id,
                provider="cin7",
                role="warehouse",
                base_url="http://127.0.0.1:1",
                account_name="Fade Factory Pty",
                credentials=self.hub.services.vault.seal_json(
                    {"account_id": "acc", "application_key": "secret-key"}
                ),
                settings=settings or {},
                created_at=uow.now,
                updated_at=uow.now,
            )
            uow.session.add(connection)
            await uow.commit()
        return connection.id

    async def job(self, *, connection_id: str | None, tenant: bool = True) -> str:
        key = uuid.uuid4().hex
        async with self.hub.uows.begin() as uow:
            new = store.NewJob(
                kind=KIND,
                payload={},
                idempotency_key=key,
                tenant_id=self.tenant_id if tenant else None,
                connection_id=connection_id,
                subject="SALE-1",
            )
            assert await store.enqueue(uow.session, new, now=uow.now)
            await uow.commit()
        async with self.hub.uows.read() as session:
            job_id = await session.scalar(select(Job.id).where(Job.idempotency_key == key))
        assert job_id is not None
        return job_id

    async def set_email(self, address: str | None) -> None:
        async with self.hub.uows.begin() as uow:
            await uow.session.execute(
                update(Tenant).where(Tenant.id == self.tenant_id).values(notify_email=address)
            )
            await uow.commit()

    async def notifications(self) -> list[Notification]:
        async with self.hub.uows.read() as session:
            rows = await session.scalars(
                select(Notification)
                .where(Notification.tenant_id == self.tenant_id)
                .order_by(Notification.created_at, Notification.kind)
            )
            return list(rows)

    async def kinds(self) -> list[str]:
        return [n.kind for n in await self.notifications()]

    async def load(self, model: type[Any], row_id: str) -> Any:
        async with self.hub.uows.read() as session:
            row = await session.get(model, row_id)
        assert row is not None
        return row

    async def jobs(self, kind: str) -> list[Job]:
        async with self.hub.uows.read() as session:
            return list(await session.scalars(select(Job).where(Job.kind == kind)))

    async def count(self, model: type[Any]) -> int:
        async with self.hub.uows.read() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@asynccontextmanager
async def shop_on(settings: Settings) -> AsyncIterator[Shop]:
    clock = FakeClock()
    async with open_hub(settings, clock=clock) as hub:
        created = await create_tenant(hub.uows, name="Fade Factory")
        yield Shop(hub=hub, clock=clock, tenant_id=created.tenant_id)


@dataclass
class Scripted:
    """A handler that raises `error` on every call while it is set, and succeeds otherwise."""

    error: Exception | None = None
    calls: int = 0
    seen: list[int] = field(default_factory=list)

    async def __call__(self, ctx: JobContext) -> None:
        self.calls += 1
        self.seen.append(ctx.job.attempts)
        if self.error is not None:
            raise self.error


def worker_for(shop: Shop, handler: Scripted) -> Worker:
    """The hub's own handlers (mail.send among them) and hooks, plus the scripted kind."""
    return Worker(
        uows=shop.hub.uows,
        handlers={**job_handlers(shop.hub.services), KIND: handler},
        hooks=ConnectionHooks(shop.hub.settings, shop.hub.services.providers),
        lease_seconds=shop.hub.settings.job_lease_seconds,
    )
