"""Request dependencies: the hub and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from tillsync.bootstrap import Hub
from tillsync.services.tenants import Caller


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


HubDep = Annotated[Hub, Depends(get_hub)]


async def get_caller(
    hub: HubDep,
    authorization: Annotated[str | None, Header(description="Bearer <tenant API key>")] = None,
) -> Caller:
    return await hub.authenticate(authorization)


CallerDep = Annotated[Caller, Depends(get_caller)]
