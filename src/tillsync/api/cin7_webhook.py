"""POST /api/cin7/webhook: CIN7's deliveries, checked by our per-connection bearer secret."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from tillsync.api.answers import ok
from tillsync.api.answers.cin7 import ReceiverHealth
from tillsync.api.deps import HubDep
from tillsync.errors import InvalidInput
from tillsync.services.inbound.receiver import receive_webhook

router = APIRouter()
log = logging.getLogger(__name__)

CONNECTION_ID = re.compile(r"[A-Za-z0-9_-]{1,36}")
"""What a connection id can be (ours are UUIDs); anything else names no connection."""
_REFUSED = {"description": "Refused, as `{error, message, field}`; nothing is stored"}
_DELIVERY = {
    "description": "CIN7's JSON as it posts it: stock-level rows, or one event with EventType",
    "oneOf": [
        {"type": "array", "items": {"type": "object", "required": ["SKU"]}},
        {"type": "object", "required": ["EventType"]},
    ],
}


class Receipt(BaseModel):
    received: int
    stored: int
    duplicates: int


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
    status_code=202,
    responses={
        202: {"model": Receipt, "description": "Stored (or a duplicate of one) and queued"},
        400: {"description": "The body is not JSON, or nests too deeply"},
        401: {"description": "Unknown connection, or a wrong or missing secret"},
        404: {"description": "The connection was disconnected"},
        413: {"description": "The body is too large"},
        415: {"description": "The body is not sent as application/json"},
        422: _REFUSED,
    },
    # The connection and the body are read here rather than declared: a value that is no id
    # is refused by this receiver, which logs it, and the secret is checked before the body
    # is read.
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _DELIVERY}}},
        "parameters": [
            {
                "name": "connection",
                "in": "query",
                "required": True,
                "description": "The connection the webhook was registered for",
                "schema": {"type": "string", "pattern": f"^{CONNECTION_ID.pattern}$"},
            }
        ],
    },
)
async def webhook(hub: HubDep, request: Request) -> JSONResponse:
    connection = request.query_params.get("connection")
    if connection is not None and not CONNECTION_ID.fullmatch(connection):
        log.warning("CIN7 webhook refused: the connection value is no connection id")
        raise InvalidInput("connection must be a connection id", field="connection")
    receipt = await receive_webhook(
        hub.services,
        provider="cin7",
        connection_id=connection,
        headers=request.headers,
        read_body=request.body,
    )
    return JSONResponse(
        Receipt(
            received=receipt.received, stored=receipt.stored, duplicates=receipt.duplicates
        ).model_dump(),
        status_code=202,
    )
