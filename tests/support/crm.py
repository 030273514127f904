"""A CRM emulator served on loopback and connected to a tenant of a running hub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from tillsync.bootstrap import Hub
from tillsync.emulators.crm import CrmState, create_crm_emulator
from tillsync.services.connections.lifecycle import connect
from tillsync.serving import serve
from tillsync.store.tables import Job, Notification


@dataclass
class Crm:
    state: CrmState
    url: str
    api_key: str


@asynccontextmanager
async def served_crm() -> AsyncIterator[Crm]:
    state = CrmState()
    key = state.add_key()
    async with serve(create_crm_emulator(state)) as url:
        yield Crm(state=state, url=url, api_key=key)


@asynccontextmanager
async def connected_crm(
    hub: Hub, tenant_id: str, *, retry_interval_seconds: float = 0.2
) -> AsyncIterator[Crm]:
    """The tenant's CRM, connected through the service as `PUT /api/crm/connection` does."""
    async with served_crm() as crm:
        await connect(
            hub.services,
            provider="crm",
            tenant_id=tenant_id,
            credentials={"api_key": crm.api_key},
            base_url=crm.url,
            settings={"retry_interval_seconds": retry_interval_seconds},
            address_field="url",
        )
        yield crm


async def invoice_jobs(hub: Hub) -> list[Job]:
    async with hub.uows.read() as session:
        return list(await session.scalars(select(Job).where(Job.kind == "crm.create_invoice")))


async def notifications(hub: Hub, tenant_id: str) -> list[Notification]:
    async with hub.uows.read() as session:
        rows = await session.scalars(
            select(Notification).where(Notification.tenant_id == tenant_id)
        )
        return list(rows)


async def post_sale(pos: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = await pos.post("/api/sales", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result
