"""POST /api/cin7/webhook: CIN7's deliveries, checked by our per-connection bearer secret."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tillsync.api.answers import ok
from tillsync.api.answers.cin7 import ReceiverHealth
from tillsync.api.deps import HubDep
from tillsync.api.webhooks import receive, receiver_doc

router = APIRouter()

_DELIVERY = {
    "description": "CIN7's JSON as it posts it: stock-level rows, or one event with EventType",
    "oneOf": [
        {"type": "array", "items": {"type": "object", "required": ["SKU"]}},
        {"type": "object", "required": ["EventType"]},
    ],
}


@router.get(
    "/api/cin7/webhook",
    summary="Health of the CIN7 webhook receiver",
    response_model=None,
    responses=ok(ReceiverHealth),
)
async def webhook_health() -> dict[str, Any]:
    return {"status": "ok", "receiver": "cin7", "message": "CIN7 webhook endpoint is ready"}


@router.post(
    "/api/cin7/webhook",
    summary="Receive a CIN7 webhook delivery",
    **receiver_doc(_DELIVERY),
)
async def webhook(hub: HubDep, request: Request) -> JSONResponse:
    return await receive(hub, request, "cin7")
