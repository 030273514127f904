"""/api/connections/{provider}/records/{entity}: the objects a provider's connection keeps as
records (a restaurant's suppliers, ingredients, storages), searched and paged, one by the
provider's id, and a sync of one entity queued."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from tillsync.api.answers import ok
from tillsync.api.answers.records import (
    RecordAnswer,
    RecordsPage,
    RecordSyncQueued,
    queued_json,
    record_json,
    records_page_json,
)
from tillsync.api.connections import ProviderName
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import PullConflict, problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.services.record_sync import request_record_sync
from tillsync.services.record_views import record_of, records_page

router = APIRouter(route_class=KeyFirstRoute, tags=["records"])
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
Entity = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$", description="An entity"),
]
ExternalId = Annotated[
    str, Path(min_length=1, max_length=200, pattern=PRINTABLE, description="The provider's id")
]
UNKNOWN = {400: "The provider keeps no records of this entity", 404: "No such provider"}


@router.get(
    "/api/connections/{provider}/records/{entity}",
    summary="A provider's objects of one entity, searched by name or id and paged",
    response_model=None,
    responses=ok(RecordsPage) | problems(UNKNOWN),
)
async def records(
    hub: HubDep,
    caller: CallerDep,
    provider: ProviderName,
    entity: Entity,
    *,
    search: Annotated[
        str | None,
        Query(max_length=100, pattern=PRINTABLE, description="Part of a name, or an id"),
    ] = None,
    removed: Annotated[
        bool | None,
        Query(description="Only removed (true) or live (false, the default) records"),
    ] = False,
    include_removed: Annotated[
        bool, Query(description="Live and removed records both (overrides `removed`)")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    page = await records_page(
        hub.services,
        caller.tenant_id,
        provider=provider,
        entity=entity,
        search=search.strip() if search and search.strip() else None,
        removed=None if include_removed else removed,
        limit=limit,
        offset=offset,
    )
    return records_page_json(page)


@router.get(
    "/api/connections/{provider}/records/{entity}/{external_id}",
    summary="One object by the provider's id",
    response_model=None,
    responses=ok(RecordAnswer) | problems(UNKNOWN | {404: "No such provider or record"}),
)
async def record(
    hub: HubDep, caller: CallerDep, provider: ProviderName, entity: Entity, external_id: ExternalId
) -> dict[str, Any]:
    found = await record_of(
        hub.services, caller.tenant_id, provider=provider, entity=entity, external_id=external_id
    )
    return record_json(found)


@router.post(
    "/api/connections/{provider}/records/{entity}/sync",
    status_code=202,
    summary="Queue a sync of one entity: listed whole, upserted, removals marked",
    response_model=None,
    responses=ok(RecordSyncQueued, status=202, description="Queued; follow it at …/runs/{runId}")
    | problems(UNKNOWN | {404: "No such provider, or not connected"})
    | {409: {"model": PullConflict, "description": "A sync of the entity is queued or running"}},
)
async def sync(
    hub: HubDep, caller: CallerDep, provider: ProviderName, entity: Entity
) -> JSONResponse:
    queued = await request_record_sync(
        hub.services, tenant_id=caller.tenant_id, provider=provider, entity=entity
    )
    return JSONResponse(queued_json(queued), status_code=202)
