"""The syncs page as its tests use it: shops connected without a provider, its buttons pressed."""

from __future__ import annotations

import html
from dataclasses import dataclass

from sqlalchemy import select

from tests.support.dashboard import HTML, Visitor
from tests.support.hubs import RunningHub
from tillsync.connectors.contract import Provider
from tillsync.services.sync.pulls import sync_kind, warehouses
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import Connection, Job, Run


@dataclass
class Shop:
    tenant_id: str
    api_key: str


def pulling_providers(served: RunningHub) -> list[Provider]:
    providers = served.hub.services.providers
    return [providers.get(name) for name in warehouses(providers)]


def not_pulling(served: RunningHub) -> Provider:
    pulling = warehouses(served.hub.services.providers)
    return next(p for p in served.hub.services.providers if p.name not in pulling)


async def shop_connected_to(served: RunningHub, name: str, *connected: Provider) -> Shop:
    """A tenant with connections to these providers, as connecting leaves them (no provider
    is called: no worker runs here)."""
    created = await create_tenant(served.hub.uows, name=name)
    async with served.hub.uows.begin() as uow:
        for provider in connected:
            uow.session.add(
                Connection(
                    tenant_id=created.tenant_id,
                    provider=provider.name,
                    role=sorted(provider.usual_roles)[0],
                    roles=sorted(provider.roles),  # every role it can play: a puller pulls
                    base_url="http://127.0.0.1:1",
                    account_name=f"{name} at {provider.title}",
                    credentials=served.hub.services.vault.seal_json({"key": "unused"}),
                    settings={},
                    created_at=uow.now,
                    updated_at=uow.now,
                )
            )
        await uow.commit()
    return Shop(created.tenant_id, created.api_key)


def panel_of(text: str, provider: str) -> str:
    start = text.index(f'<section id="sync-{provider}"')
    return text[start : text.index("</section>", start)]


async def press(
    visitor: Visitor,
    provider: str,
    mode: str,
    *,
    token: str | None = None,
    htmx: bool = False,
) -> tuple[int, str]:
    """Press a button: post its form, with the page's CSRF token unless given another."""
    data = {
        "mode": mode,
        "csrf_token": token if token is not None else await visitor.csrf("/syncs"),
    }
    headers = HTML | ({"HX-Request": "true"} if htmx else {})
    answer = await visitor.http.post(f"/syncs/{provider}/sync", data=data, headers=headers)
    return answer.status_code, html.unescape(answer.text)


async def pulls_of(served: RunningHub, tenant_id: str) -> list[tuple[str, str, str | None, str]]:
    """(provider, run's mode, job's mode, run type) of each of the tenant's pulls."""
    async with served.hub.uows.read() as session:
        rows = await session.execute(
            select(Connection.provider, Run.details, Job.subject, Run.type, Job.kind)
            .join(Connection, Connection.id == Run.connection_id)
            .join(Job, Job.id == Run.job_id)
            .where(Run.tenant_id == tenant_id)
            .order_by(Run.started_at, Job.created_at)
        )
        found = []
        for provider, details, subject, run_type, kind in rows:
            assert kind == sync_kind(provider)
            found.append((provider, details["mode"], subject, run_type))
    return found


async def runs_of(served: RunningHub, tenant_id: str) -> list[Run]:
    async with served.hub.uows.read() as session:
        return list(await session.scalars(select(Run).where(Run.tenant_id == tenant_id)))
