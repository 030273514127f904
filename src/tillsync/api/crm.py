"""The tenant's CRM connection (seed 003): connect, look, test, disconnect."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tillsync.api.answers import ok
from tillsync.api.answers.crm import CrmConnection, CrmDisconnected, CrmTest
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.schemas import Address, Currency, ShortText
from tillsync.connectors.crm.provider import PROVIDER as CRM
from tillsync.services.connections import descriptions, lifecycle

router = APIRouter(route_class=KeyFirstRoute, prefix="/api/crm", tags=["crm"])
NO_CRM = {404: "No CRM is connected"}

Secret = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=500, pattern=r"^[\x21-\x7e]+$"
    ),
]
"""It travels in a header: printable ASCII, no spaces."""


class CrmSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: Currency = Field(default="USD", description="For sales that name no currency")
    payment_method: ShortText = Field(
        default="other", description="For sales that name no payment method"
    )
    retry_interval_seconds: float = Field(default=300, ge=1, le=86_400)
    max_retries: int = Field(default=12, ge=0, le=1000)


class CrmConnectionBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: Address = Field(description="The CRM's address, such as http://localhost:3001")
    apiKey: Secret  # noqa: N815
    settings: CrmSettings | None = None


@router.put(
    "/connection",
    summary="Connect the CRM: the key is tried before it is stored",
    response_model=None,
    responses=ok(CrmConnection)
    | problems({400: "The CRM refused the key, or could not be used at `url`"}),
)
async def put_connection(
    hub: HubDep, caller: CallerDep, body: Annotated[CrmConnectionBody, Body()]
) -> dict[str, Any]:
    await lifecycle.connect(
        hub.services,
        provider=CRM.name,
        tenant_id=caller.tenant_id,
        credentials={"api_key": body.apiKey},
        base_url=body.url,
        settings=body.settings.model_dump() if body.settings else None,
        address_field="url",
    )
    return await _described(hub, caller.tenant_id)


@router.get(
    "/connection",
    summary="The CRM connection, its key masked",
    response_model=None,
    responses=ok(CrmConnection | CrmDisconnected),
)
async def get_connection(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    return await _described(hub, caller.tenant_id)


@router.post(
    "/connection/test",
    summary="Try the stored key against the CRM now",
    response_model=None,
    responses=ok(CrmTest, description="Whether the CRM took the key, and why not")
    | problems(NO_CRM),
)
async def test_connection(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    tested = await descriptions.test(hub.services, tenant_id=caller.tenant_id, provider=CRM.name)
    return {"success": tested.success, "problem": tested.problem, "message": tested.message}


@router.delete(
    "/connection",
    summary="Forget the CRM key; history stays",
    response_model=None,
    responses=ok(CrmDisconnected) | problems(NO_CRM),
)
async def delete_connection(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    await lifecycle.disconnect(hub.services, tenant_id=caller.tenant_id, provider=CRM.name)
    return {"connected": False, "provider": CRM.name}


async def _described(hub: HubDep, tenant_id: str) -> dict[str, Any]:
    found = await descriptions.describe(hub.services, tenant_id=tenant_id, provider=CRM.name)
    connection = found.connection
    if connection is None or not found.connected:
        return {"connected": False, "provider": CRM.name}
    return {
        "connected": True,
        "provider": CRM.name,
        "id": connection.id,
        "url": connection.base_url,
        "apiKey": found.masked.get("apiKey"),
        "status": connection.status,
        "errorCount": connection.error_count,
        "lastError": connection.last_error,
        "settings": connection.settings,
        "createdAt": connection.created_at.isoformat(),
        "updatedAt": connection.updated_at.isoformat(),
    }
