"""Seed 004's POS integration endpoints under /api/v1/pos, for any provider in the pos role.

History and statistics (`/api/v1/pos/history|stats/{businessId}`) are in `api.history`.
A business id is the caller's tenant id; any other business is not found (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from tillsync.api.answers import ok
from tillsync.api.answers.orders import SyncAnswer, manual_sync_json
from tillsync.api.answers.pos import (
    Disconnected,
    IntegrationAnswer,
    MappingAnswer,
    integration_json,
    mapping_json,
)
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.history import BusinessId
from tillsync.api.orders import OrderId
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.schemas import ShortText, Text, nul_free
from tillsync.services import pos
from tillsync.services.history import check_business
from tillsync.services.pos_sync import sync_order

router = APIRouter(route_class=KeyFirstRoute, tags=["pos"])
Token = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(nul_free),
]
NO_INTEGRATION = {404: "Not the caller's business, or it has no POS integration"}
CONNECT_REFUSALS = {
    404: "Not the caller's business",
    429: "The provider or its rate budget asked to wait",
    502: "The provider could not be reached; nothing was stored",
}


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("must carry a time zone offset, such as Z")
    return moment


class ConnectBody(BaseModel):
    """Seed 004's connect: the tokens given directly (after an OAuth flow elsewhere), or the
    API key of a provider that takes one; which are required is the provider's to say."""

    model_config = ConfigDict(extra="ignore")

    business_id: Text
    provider: ShortText
    access_token: Token | None = None
    refresh_token: Token | None = None
    api_key: Token | None = None
    token_expires_at: Annotated[dt.datetime, AfterValidator(_aware)] | None = None
    location_id: Text | None = None
    merchant_id: Text | None = None
    organization_id: Text | None = None
    """The account's organization, for a provider whose account holds several (Zoho)."""
    auto_sync_orders: bool | None = None
    sync_customer_info: bool | None = None


class DisconnectBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    business_id: Text


class SettingsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auto_sync_orders: bool | None = None
    sync_customer_info: bool | None = None
    location_id: Text | None = None


class MappingBody(BaseModel):
    """The whole mapping: dish id → the POS's catalog item id (it replaces the old one)."""

    model_config = ConfigDict(extra="ignore")

    item_mapping: dict[Text, Text] = Field(max_length=10_000)


@router.post(
    "/api/v1/pos/connect",
    summary="Connect the business's POS with tokens given directly",
    response_model=None,
    responses=ok(IntegrationAnswer) | problems(CONNECT_REFUSALS),
)
async def connect(
    hub: HubDep, caller: CallerDep, body: Annotated[ConnectBody, Body()]
) -> dict[str, Any]:
    check_business(caller, body.business_id)
    given = (
        ("access_token", body.access_token),
        ("refresh_token", body.refresh_token),
        ("api_key", body.api_key),
    )
    tokens = {name: value for name, value in given if value is not None}
    settings = {
        name: value
        for name, value in (
            ("auto_sync_orders", body.auto_sync_orders),
            ("sync_customer_info", body.sync_customer_info),
        )
        if value is not None
    }
    request = pos.ConnectRequest(
        provider=body.provider,
        tokens=tokens,
        token_expires_at=body.token_expires_at,
        location_id=body.location_id,
        merchant_id=body.merchant_id,
        organization_id=body.organization_id,
        settings=settings,
    )
    found = await pos.connect(hub.services, caller.tenant_id, request, now=hub.uows.clock.now())
    return integration_json(
        found, message=f"{found.provider} POS integration connected successfully"
    )


@router.post(
    "/api/v1/pos/disconnect",
    summary="Stop syncing and forget the tokens (revoked where the provider can); history stays",
    response_model=None,
    responses=ok(Disconnected) | problems(NO_INTEGRATION),
)
async def disconnect(
    hub: HubDep, caller: CallerDep, body: Annotated[DisconnectBody, Body()]
) -> dict[str, Any]:
    check_business(caller, body.business_id)
    await pos.disconnect(hub.services, caller.tenant_id)
    return {"success": True, "message": "POS integration disconnected successfully"}


@router.get(
    "/api/v1/pos/integration/{business_id}",
    summary="The business's POS integration and its health (never a token)",
    response_model=None,
    responses=ok(IntegrationAnswer) | problems(NO_INTEGRATION),
)
async def integration(hub: HubDep, caller: CallerDep, business_id: BusinessId) -> dict[str, Any]:
    check_business(caller, business_id)
    found = await pos.integration(hub.services, caller.tenant_id)
    return integration_json(found, message="POS integration found")


@router.put(
    "/api/v1/pos/integration/{business_id}",
    summary="Change the integration's settings: auto_sync_orders, sync_customer_info, location",
    response_model=None,
    responses=ok(IntegrationAnswer) | problems(NO_INTEGRATION),
)
async def change_settings(
    hub: HubDep,
    caller: CallerDep,
    business_id: BusinessId,
    body: Annotated[SettingsBody, Body()],
) -> dict[str, Any]:
    check_business(caller, business_id)
    given = body.model_dump(exclude_none=True)
    found = await pos.change(hub.services, caller.tenant_id, given)
    return integration_json(found, message="POS integration settings updated")


@router.get(
    "/api/v1/pos/integration/{business_id}/item-mapping",
    summary="The item mapping: the app's dish ids to the POS's catalog item ids",
    response_model=None,
    responses=ok(MappingAnswer) | problems(NO_INTEGRATION),
)
async def item_mapping(hub: HubDep, caller: CallerDep, business_id: BusinessId) -> dict[str, Any]:
    check_business(caller, business_id)
    found = await pos.integration(hub.services, caller.tenant_id)
    return mapping_json(found, message="Item mapping found")


@router.put(
    "/api/v1/pos/integration/{business_id}/item-mapping",
    summary="Replace the item mapping",
    response_model=None,
    responses=ok(MappingAnswer) | problems(NO_INTEGRATION),
)
async def set_item_mapping(
    hub: HubDep,
    caller: CallerDep,
    business_id: BusinessId,
    body: Annotated[MappingBody, Body()],
) -> dict[str, Any]:
    check_business(caller, business_id)
    found = await pos.change(hub.services, caller.tenant_id, {"item_mapping": body.item_mapping})
    return mapping_json(found, message="Item mapping updated")


@router.post(
    "/api/v1/pos/sync/{order_id}",
    summary="Sync an order by hand, or retry it now; an order the POS has is not sent again",
    response_model=None,
    responses=ok(SyncAnswer)
    | problems({404: "No order with this order_id", 409: "The business has no connected POS"}),
)
async def sync(hub: HubDep, caller: CallerDep, order_id: OrderId) -> dict[str, Any]:
    return manual_sync_json(await sync_order(hub.uows, caller, order_id))
