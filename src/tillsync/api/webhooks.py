"""POST /api/webhooks/{provider}: a provider's deliveries, checked by its own scheme first."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from tillsync.api.deps import HubDep
from tillsync.errors import InvalidInput
from tillsync.services.inbound.receiver import receive_webhook

router = APIRouter()
log = logging.getLogger(__name__)

CONNECTION_ID = re.compile(r"[A-Za-z0-9_-]{1,36}")
"""What a connection id can be (ours are UUIDs); anything else names no connection."""
ProviderName = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]


class Receipt(BaseModel):
    received: int
    stored: int
    duplicates: int


def receiver_doc(delivery: dict[str, Any]) -> dict[str, Any]:
    """The route's document: what it answers, and the body and query it reads itself.

    The connection and the body are read by the receiver rather than declared: a value that
    is no id is refused and logged, and the secret is checked before the body is read.
    """
    return {
        "status_code": 202,
        "responses": {
            202: {"model": Receipt, "description": "Stored (or a duplicate of one) and queued"},
            200: {"model": Receipt, "description": "As 202, for a provider that takes only 200"},
            400: {"description": "The body is not JSON, or nests too deeply"},
            401: {"description": "Unknown connection, or a wrong or missing secret"},
            404: {"description": "The connection was disconnected, or no such provider"},
            413: {"description": "The body is too large"},
            415: {"description": "The body is not sent as application/json"},
            422: {"description": "Refused, as `{error, message, field}`; nothing is stored"},
        },
        "openapi_extra": {
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": delivery}},
            },
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
    }


async def receive(hub: HubDep, request: Request, provider: str) -> JSONResponse:
    declared = hub.services.providers.get(provider)
    connection = request.query_params.get("connection")
    if connection is not None and not CONNECTION_ID.fullmatch(connection):
        log.warning(f"{declared.title} webhook refused: the connection value is no connection id")
        raise InvalidInput("connection must be a connection id", field="connection")
    receipt = await receive_webhook(
        hub.services,
        provider=declared.name,
        connection_id=connection,
        headers=request.headers,
        read_body=request.body,
    )
    answer = Receipt(
        received=receipt.received, stored=receipt.stored, duplicates=receipt.duplicates
    )
    return JSONResponse(answer.model_dump(), status_code=declared.webhook_status)


@router.post(
    "/api/webhooks/{provider}",
    summary="Receive a provider's webhook delivery",
    **receiver_doc({"description": "The provider's JSON as it posts it"}),
)
async def webhook(hub: HubDep, request: Request, provider: ProviderName) -> JSONResponse:
    return await receive(hub, request, provider)
