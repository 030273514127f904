"""/readyz and /metrics: for the operator's orchestrator and Prometheus, not for client apps.

Neither is in the OpenAPI document (as /docs is not): they are the operator's, and /readyz
answers 503 by design whenever no worker runs. /metrics needs no tenant key; it shows
counts only (no tenant, account, key or SKU), and `metrics_token` can close it.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from fastapi.responses import JSONResponse

from tillsync.api.deps import HubDep
from tillsync.errors import NotAuthenticated
from tillsync.metrics.figures import database_figures
from tillsync.services.readiness import readiness

router = APIRouter(include_in_schema=False)


@router.get("/readyz")
async def readyz(hub: HubDep) -> JSONResponse:
    found = await readiness(hub.uows, heartbeat_timeout=hub.settings.heartbeat_timeout_seconds)
    body: dict[str, Any] = {"status": "ready" if found.reason is None else "unavailable"}
    if found.reason is not None:
        body["reason"] = found.reason
    body["checks"] = found.checks
    return JSONResponse(body, status_code=200 if found.reason is None else 503)


@router.get("/metrics")
async def metrics(
    hub: HubDep,
    accept: Annotated[str, Header()] = "",
    authorization: Annotated[str, Header()] = "",
) -> Response:
    token = hub.settings.metrics_token
    if token and not hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        raise NotAuthenticated("GET /metrics needs the metrics token", field="Authorization")
    families = await database_figures(hub.services)
    content, media_type = hub.metrics.exposition(families, accept=accept)
    return Response(content, media_type=media_type)
