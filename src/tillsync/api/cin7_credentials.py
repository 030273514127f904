"""/api/cin7/credentials (seed 001): put the CIN7 pair, see it masked, remove it.

Bad input here is a 400 (the seed's contract), not the 422 of other routes: a missing or
over-long field, a body that is not JSON, and CIN7's own refusal all answer 400 naming the
field. Values are never echoed back, in an answer or in an error.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from tillsync.api.answers import ok
from tillsync.api.answers.cin7 import Cin7Connected, Cin7Credentials, Cin7Disconnected
from tillsync.api.connections import (
    connect_locked,
    connection_view,
    disconnect_locked,
    removal_failures,
)
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.errors import validation_body
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute

PROVIDER = "cin7"
MAX_ACCOUNT_ID = 100
MAX_API_KEY = 200
# Header-safe: CIN7 receives both as HTTP header values (printable ASCII, no spaces).
_HEADER_SAFE = r"^[\x21-\x7e]+$"


class _BadInputIs400(KeyFirstRoute):
    invalid_input_status = 400

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                body = validation_body(list(exc.errors()), skip=frozenset())
                return JSONResponse(body, status_code=400)

        return route


router = APIRouter(route_class=_BadInputIs400, tags=["cin7"])


class CredentialsBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    accountId: Annotated[  # noqa: N815 (seed 001's names)
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=MAX_ACCOUNT_ID, pattern=_HEADER_SAFE
        ),
    ]
    apiKey: Annotated[  # noqa: N815
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=MAX_API_KEY, pattern=_HEADER_SAFE
        ),
    ]


def _shown(view: dict[str, Any]) -> dict[str, Any]:
    """Seed 001's shape of the connection every provider shows."""
    shown: dict[str, Any] = {
        "connected": view["connected"],
        "accountId": view["credentials"].get("accountId"),
        "apiKey": view["credentials"].get("apiKey"),
        "accountName": view["accountName"],
        "status": view["status"],
        "isActive": view["connected"] and view["status"] == "active",
        **{key: view[key] for key in ("lastSync", "connectedAt", "updatedAt", "webhooks")},
    }
    if "problem" in view:
        shown["problem"] = view["problem"]
    return shown


@router.get(
    "/api/cin7/credentials",
    summary="The CIN7 credentials, masked, and their status",
    response_model=None,
    responses=ok(Cin7Credentials),
)
async def get_credentials(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    provider = hub.services.providers.get(PROVIDER)
    return _shown(await connection_view(hub.services, caller.tenant_id, provider))


@router.put(
    "/api/cin7/credentials",
    summary="Check the CIN7 pair with CIN7, store it sealed, register webhooks, start a sync",
    response_model=None,
    responses=ok(Cin7Connected)
    | problems(
        {
            400: "Bad input, or CIN7 refused the pair; `field` names which",
            429: "CIN7's rate limit for the account is used up for now",
            502: "CIN7 could not be reached; nothing was stored",
        }
    ),
)
async def put_credentials(
    hub: HubDep, caller: CallerDep, body: CredentialsBody, request: Request
) -> dict[str, Any]:
    view = await connect_locked(
        hub,
        request,
        tenant_id=caller.tenant_id,
        provider=hub.services.providers.get(PROVIDER),
        credentials={"account_id": body.accountId, "application_key": body.apiKey},
        base_url=hub.services.settings.provider_urls.get("cin7"),
    )
    return {"success": True, "message": "CIN7 connected", **_shown(view)}


@router.delete(
    "/api/cin7/credentials",
    summary="Remove the CIN7 credentials and our webhooks at CIN7; history is kept",
    response_model=None,
    responses=ok(Cin7Disconnected)
    | problems(
        {
            404: "No credentials are stored",
            409: "The credentials were replaced meanwhile; nothing was removed",
        }
    ),
)
async def delete_credentials(hub: HubDep, caller: CallerDep, request: Request) -> dict[str, Any]:
    gone = await disconnect_locked(hub, request, tenant_id=caller.tenant_id, provider=PROVIDER)
    failures = removal_failures(gone)
    return {
        "success": True,
        "connected": False,
        "message": "CIN7 credentials removed; history is kept"
        + (f"; {len(failures)} webhook(s) could not be removed at CIN7" if failures else ""),
        "webhooksRemoved": len(gone.removed),
        "webhookFailures": failures,
    }
