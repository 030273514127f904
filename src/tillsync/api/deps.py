"""Request dependencies: the hub and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tillsync.bootstrap import Hub
from tillsync.services.tenants import Caller

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="tenantKey",
    bearerFormat="tsk_…",
    description="The tenant's API key, as `Authorization: Bearer <key>`",
)
"""Declares the key in the OpenAPI document; `authenticate` is what checks it."""


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


async def _hub(request: Request) -> Hub:
    """`get_hub` as a dependency: async, so it is not handed to a worker thread per request."""
    return get_hub(request)


HubDep = Annotated[Hub, Depends(_hub)]


async def authenticate(request: Request) -> Caller:
    """The caller this request acts for, looked up once per request (or 401)."""
    known: Caller | None = getattr(request.state, "caller", None)
    if known is None:
        known = await get_hub(request).authenticate(request.headers.get("authorization"))
        request.state.caller = known
    return known


async def get_caller(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    return await authenticate(request)


CallerDep = Annotated[Caller, Depends(get_caller)]
