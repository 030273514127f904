"""POST /api/cin7/webhook: CIN7's deliveries, checked by our per-connection bearer secret."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from tillsync.api.deps import HubDep
from tillsync.services.cin7.inbound import receive_webhook

router = APIRouter()


@router.get("/api/cin7/webhook", summary="Health of the CIN7 webhook receiver")
async def webhook_health() -> dict[str, Any]:
    return {"status": "ok", "receiver": "cin7", "message": "CIN7 webhook endpoint is ready"}


@router.post(
    "/api/cin7/webhook",
    summary="Receive a CIN7 webhook delivery",
    status_code=202,
    responses={401: {"description": "wrong or missing secret"}},
)
async def webhook(
    hub: HubDep,
    request: Request,
    connection: Annotated[str | None, Query(max_length=64)] = None,
) -> JSONResponse:
    body = await request.body()
    result = await receive_webhook(
        hub.services, connection_id=connection, headers=request.headers, body=body
    )
    return JSONResponse(result, status_code=202)
