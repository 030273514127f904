"""Seed 002's Poster paths, as its client app calls them.

Sync status and smart or forced syncs, one entity's sync (`sync-sections` is the storages:
the restaurant's kitchen, bar and other departments stock is kept in), the daily trigger,
the webhook receiver and the OAuth flow. Each is the shared operation on the Poster
connection (records, freshness, the signed receiver, the OAuth flow); the same exist for
every provider under /api/connections/{provider} and /api/v1/pos/oauth/{provider}.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tillsync.api import oauth
from tillsync.api.answers import ok
from tillsync.api.answers.freshness import (
    DailyAnswer,
    EntitySyncQueued,
    ReceiverUp,
    SyncAnswer,
    SyncStatus,
    daily_json,
    entity_queued_json,
    status_json,
    sync_json,
)
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import PullConflict, problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.webhooks import receive, receiver_doc
from tillsync.services.record_freshness import freshness, sync_by_freshness
from tillsync.services.record_schedule import queue_daily

PROVIDER = "poster"
router = APIRouter(route_class=KeyFirstRoute, tags=["poster"])
EntityName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
NOT_CONNECTED = {404: "Poster is not connected for this tenant"}
BUSY: dict[int | str, Any] = {
    409: {
        "model": PullConflict,
        "description": "A sync of the entity is queued or running; `runId` names its run",
    }
}


class SyncBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    entities: list[EntityName] | None = Field(
        default=None, max_length=20, description="Which entities; unset or empty: all of them"
    )
    force: bool = Field(
        default=False, description="Refresh even entities synced within the last 24 hours"
    )


@router.get(
    "/api/poster/sync",
    summary="Each entity's last sync, its age in minutes, and whether it needs a sync",
    response_model=None,
    responses=ok(SyncStatus) | problems(NOT_CONNECTED),
)
async def sync_status(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    found = await freshness(hub.services, tenant_id=caller.tenant_id, provider=PROVIDER)
    return status_json(found)


@router.post(
    "/api/poster/sync",
    summary="Smart sync (only entities older than 24 hours) or, with `force`, every one",
    status_code=202,
    response_model=None,
    responses=ok(SyncAnswer, status=202, description="Queued, the fresh ones skipped")
    | ok(SyncAnswer, description="Every entity was fresh: nothing queued")
    | problems({400: "An unknown entity, named in `message`"} | NOT_CONNECTED)
    | BUSY,
)
async def sync(
    hub: HubDep, caller: CallerDep, body: Annotated[SyncBody | None, Body()] = None
) -> JSONResponse:
    asked = body or SyncBody()
    results = await sync_by_freshness(
        hub.services,
        tenant_id=caller.tenant_id,
        provider=PROVIDER,
        entities=asked.entities,
        force=asked.force,
    )
    queued = any(result.queued for result in results)
    return JSONResponse(sync_json(results, force=asked.force), status_code=202 if queued else 200)


def _one(entity: str) -> Callable[[HubDep, CallerDep], Awaitable[JSONResponse]]:
    async def sync_entity(hub: HubDep, caller: CallerDep) -> JSONResponse:
        results = await sync_by_freshness(
            hub.services,
            tenant_id=caller.tenant_id,
            provider=PROVIDER,
            entities=[entity],
            force=True,
            field="entity",
        )
        queued = results[0].queued
        assert queued is not None  # forced
        return JSONResponse(entity_queued_json(queued), status_code=202)

    return sync_entity


for _path, _entity in (
    ("/api/poster/sync-suppliers", "suppliers"),
    ("/api/sync-ingredients", "ingredients"),
    ("/api/sync-sections", "storages"),
):
    router.add_api_route(
        _path,
        _one(_entity),
        methods=["POST"],
        name=f"sync_{_entity}",
        status_code=202,
        response_model=None,
        summary=f"Sync Poster's {_entity} now, whatever their age",
        responses=ok(EntitySyncQueued, status=202) | problems(NOT_CONNECTED) | BUSY,
    )


@router.get(
    "/api/cron/sync-poster",
    summary="The daily sync: today's (tenant time) sync of every entity, once a day",
    response_model=None,
    responses=ok(DailyAnswer) | problems(NOT_CONNECTED),
)
async def daily(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    found = await queue_daily(hub.services, tenant_id=caller.tenant_id, provider=PROVIDER)
    return daily_json(found)


@router.get(
    "/api/poster/webhooks",
    summary="The webhook receiver is up",
    response_model=None,
    responses=ok(ReceiverUp),
)
async def webhook_health() -> dict[str, str]:
    return {"status": "ok"}


@router.post(
    "/api/poster/webhooks",
    summary="Receive a Poster webhook (the same receiver as /api/webhooks/poster)",
    **receiver_doc({"description": "Poster's JSON as it posts it, `verify` in the body"}),
)
async def webhook(hub: HubDep, request: Request) -> JSONResponse:
    return await receive(hub, request, PROVIDER)


@router.get(
    "/api/poster/oauth/authorize",
    status_code=302,
    summary="Send the merchant to Poster's consent screen (the shared OAuth flow)",
    response_class=RedirectResponse,
    responses=problems({404: "No OAuth app for Poster is configured"}),
)
async def authorize(hub: HubDep, caller: CallerDep) -> RedirectResponse:
    return await oauth.authorize(hub, caller, PROVIDER)


@router.get(
    "/api/poster/oauth/callback",
    summary="Where Poster sends the merchant back: check the state, exchange, connect",
    response_model=None,
    responses=oauth.callback_responses(),
)
async def callback(
    hub: HubDep,
    request: Request,
    *,
    state: oauth.Text = None,
    code: oauth.Text = None,
    error: oauth.Text = None,
) -> dict[str, Any] | RedirectResponse:
    return await oauth.callback(hub, PROVIDER, request, state=state, code=code, error=error)
