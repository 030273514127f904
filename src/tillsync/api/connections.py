"""/api/connections/{provider}: every provider of the registry, connected the same way.

The seeds' own paths stay, with their shapes, as aliases of these operations (`aliases.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tillsync.api import pull_views
from tillsync.api.answers import ok, when
from tillsync.api.answers.connections import (
    Connected,
    ConnectionHealth,
    ConnectionShown,
    Disconnected,
    connection_health_json,
)
from tillsync.api.answers.pulls import PullProgress, PullQueued
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import PullConflict, problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.schemas import Address
from tillsync.api.state import health_cache, locks
from tillsync.bootstrap import Hub
from tillsync.connectors.contract import Provider
from tillsync.errors import NotFound
from tillsync.services.connections import descriptions, lifecycle
from tillsync.services.connections.registrations import pasted_webhook
from tillsync.services.connections.roles import WAREHOUSE, roles_of
from tillsync.services.context import Services
from tillsync.services.sync import pulls
from tillsync.services.sync.progress import pull_progress

router = APIRouter(route_class=KeyFirstRoute, tags=["connections"])
ProviderName = Annotated[
    str,
    Path(
        min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$", description="A provider's name"
    ),
]
RunId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[0-9a-fA-F-]+$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Value = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ConnectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credentials: dict[Label, Value] = Field(
        default_factory=dict,
        max_length=20,
        description="The provider's credentials by their names (accountId, apiKey…); "
        "omitted or empty: the connection's stored ones (to change the roles or settings of "
        "a connection made through the provider's consent screen)",
    )
    url: Address | None = Field(
        default=None, description="The provider's address, where a tenant gives it (a CRM's)"
    )
    settings: dict[str, Any] | None = Field(
        default=None, description="The connection's settings; the provider's defaults otherwise"
    )
    roles: list[Literal["warehouse", "pos", "crm", "records"]] | None = Field(
        default=None,
        max_length=4,
        description="The roles the connection plays, among the provider's `availableRoles` "
        "(`warehouse`: the tenant's stock source); unset: what it plays already, or the "
        "provider's usual roles",
    )


class SyncBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["full", "quick", "reconcile"] = Field(
        description="full: every product and stock row; quick: what changed; reconcile: a "
        "full pull that reports the drift it repairs"
    )


def _provider(services: Services, name: str) -> Provider:
    return services.providers.get(name)


async def connection_view(services: Services, tenant_id: str, provider: Provider) -> dict[str, Any]:
    """A connection as every route shows it; the seeds' aliases reshape it."""
    found = await descriptions.describe(services, tenant_id=tenant_id, provider=provider.name)
    connection = found.connection
    view: dict[str, Any] = {
        "provider": provider.name,
        "title": provider.title,
        "roles": sorted(roles_of(connection) if connection else provider.usual_roles),
        "availableRoles": sorted(provider.roles),
        "connected": found.connected,
        "status": connection.status if connection else "not_connected",
        "credentials": dict(found.masked),
        "url": connection.base_url if found.connected and connection else None,
        "accountName": connection.account_name if connection else None,
        "settings": connection.settings if found.connected and connection else None,
        "errorCount": connection.error_count if connection else 0,
        "lastError": connection.last_error if connection else None,
        "lastSync": when(connection.last_sync_at) if connection else None,
        "connectedAt": when(connection.created_at) if connection else None,
        "updatedAt": when(connection.updated_at) if connection else None,
        "webhooks": [
            {"type": r.event_type, "status": r.status, "error": r.last_error}
            for r in found.registrations
        ],
    }
    if found.problem is not None:
        view["problem"] = found.problem
    return view


def removal_failures(gone: lifecycle.Disconnected) -> list[dict[str, Any]]:
    return [{"type": f.event_type, "id": f.external_id, "error": f.error} for f in gone.failures]


async def connect_locked(
    hub: Hub,
    request: Request,
    *,
    tenant_id: str,
    provider: Provider,
    credentials: Mapping[str, str],
    base_url: str | None,
    settings: Mapping[str, object] | None = None,
    address_field: str | None = None,
    roles: list[str] | None = None,
) -> dict[str, Any]:
    """Connect under the tenant's lock, drop the cached health, and show the connection."""
    async with locks(request).hold(tenant_id):
        connection = await lifecycle.connect(
            hub.services,
            provider=provider.name,
            tenant_id=tenant_id,
            credentials=credentials,
            base_url=base_url,
            settings=settings,
            address_field=address_field,
            roles=roles,
        )
        health_cache(request, provider.name).forget(tenant_id)
        view = await connection_view(hub.services, tenant_id, provider)
    pasted = pasted_webhook(hub.services, connection)
    if pasted is not None:  # shown this once: the user pastes it at the provider
        view["webhook"] = pasted.shown()
    return view


async def disconnect_locked(
    hub: Hub, request: Request, *, tenant_id: str, provider: str
) -> lifecycle.Disconnected:
    """Disconnect under the tenant's lock and drop the cached health."""
    async with locks(request).hold(tenant_id):
        gone = await lifecycle.disconnect(hub.services, tenant_id=tenant_id, provider=provider)
        health_cache(request, provider).forget(tenant_id)
    return gone


@router.get(
    "/api/connections/{provider}",
    summary="A provider's connection: status, credentials masked, settings, webhooks",
    response_model=None,
    responses=ok(ConnectionShown) | problems({404: "No such provider"}),
)
async def show(hub: HubDep, caller: CallerDep, provider: ProviderName) -> dict[str, Any]:
    return await connection_view(hub.services, caller.tenant_id, _provider(hub.services, provider))


@router.put(
    "/api/connections/{provider}",
    summary="Check the credentials with the provider, store them sealed, register webhooks",
    response_model=None,
    responses=ok(Connected)
    | problems(
        {
            400: "The provider refused the credentials; `field` names which",
            404: "No such provider",
            409: "The tenant has a stock source already (`roles`)",
            429: "The provider's rate limit for the account is used up for now",
            502: "The provider could not be reached; nothing was stored",
        }
    ),
)
async def connect(
    hub: HubDep, caller: CallerDep, provider: ProviderName, body: ConnectionBody, request: Request
) -> dict[str, Any]:
    declared = _provider(hub.services, provider)
    by_label = {credential.label: credential.name for credential in declared.credentials}
    given = {by_label.get(label, label): value for label, value in body.credentials.items()}
    view = await connect_locked(
        hub,
        request,
        tenant_id=caller.tenant_id,
        provider=declared,
        credentials=given,
        base_url=body.url or hub.services.settings.provider_urls.get(declared.name),
        settings=body.settings,
        address_field="url" if body.url else None,
        roles=list(body.roles) if body.roles is not None else None,
    )
    return {"success": True, "message": f"{declared.title} connected", **view}


@router.delete(
    "/api/connections/{provider}",
    summary="Remove the credentials and our webhooks at the provider; history is kept",
    response_model=None,
    responses=ok(Disconnected) | problems({404: "Not connected, or no such provider"}),
)
async def disconnect(
    hub: HubDep, caller: CallerDep, provider: ProviderName, request: Request
) -> dict[str, Any]:
    declared = _provider(hub.services, provider)
    gone = await disconnect_locked(hub, request, tenant_id=caller.tenant_id, provider=declared.name)
    failures = removal_failures(gone)
    return {
        "success": True,
        "connected": False,
        "provider": declared.name,
        "message": f"{declared.title} disconnected; history is kept",
        "webhooksRemoved": len(gone.removed),
        "webhookFailures": failures,
    }


@router.get(
    "/api/connections/{provider}/health",
    summary="Connection status, last sync, webhooks, rate-budget use and jobs (cached 30 s)",
    response_model=None,
    responses=ok(ConnectionHealth) | problems({404: "No such provider"}),
)
async def health(
    hub: HubDep, caller: CallerDep, provider: ProviderName, request: Request
) -> dict[str, Any]:
    declared = _provider(hub.services, provider)
    shown = await health_cache(request, declared.name).get(hub.services, caller.tenant_id)
    return connection_health_json(shown)


@router.post(
    "/api/connections/{provider}/sync",
    status_code=202,
    summary="Queue a pull from a warehouse: full, quick (changes only) or reconcile",
    response_model=None,
    responses=ok(PullQueued, status=202, description="Queued; follow it at …/runs/{runId}")
    | problems({404: "Not connected, no such provider, or one with nothing to pull"})
    | {409: {"model": PullConflict, "description": "One of the same mode is queued or running"}},
)
async def sync(
    hub: HubDep, caller: CallerDep, provider: ProviderName, body: SyncBody
) -> JSONResponse:
    declared = _provider(hub.services, provider)
    if WAREHOUSE not in declared.roles:
        raise NotFound(f"{declared.title} has nothing to pull", field="provider")
    queued = await pulls.request_pull(
        hub.services, tenant_id=caller.tenant_id, mode=body.mode, provider=declared.name
    )
    return pull_views.queued(queued)


@router.get(
    "/api/connections/{provider}/runs/{run_id}",
    summary="A pull's run and its progress (pages done / total)",
    response_model=None,
    responses=ok(PullProgress) | problems({404: "No such run for this provider"}),
)
async def run(
    hub: HubDep, caller: CallerDep, provider: ProviderName, run_id: RunId
) -> dict[str, Any]:
    declared = _provider(hub.services, provider)
    view = await pull_progress(
        hub.services, tenant_id=caller.tenant_id, run_id=run_id, provider=declared.name
    )
    return await pull_views.progress_answer(hub, view)
