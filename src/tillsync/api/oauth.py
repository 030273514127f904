"""/api/v1/pos/oauth/{provider}: connect any provider that has OAuth through its consent screen.

`authorize` needs the tenant's key and answers a redirect to the provider; `callback` is
where the provider sends the merchant's browser back, with no key: the signed `state`
names the tenant. Answers use seed 004's envelope `{success, data, message}`, except for a
flow the dashboard started: its state names the page the browser goes back to (303), with
`?connected=<provider>` or, when the hub refused, `?refused=<provider>`; or, when the
provider needs the merchant to choose (which organization), `?pending=<signed>`, where the
page offers the choice (`services.connections.choices`).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from tillsync.api.answers import ok
from tillsync.api.answers.connections import AuthorisedConnection
from tillsync.api.connections import ProviderName, connection_view
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.state import health_cache
from tillsync.errors import ClientError
from tillsync.services.connections import oauth
from tillsync.services.connections.choices import Choosing
from tillsync.services.connections.registrations import pasted_webhook

log = logging.getLogger(__name__)
router = APIRouter(route_class=KeyFirstRoute, tags=["oauth"])
Text = Annotated[str | None, Query(max_length=2000)]


@router.get(
    "/api/v1/pos/oauth/{provider}/authorize",
    status_code=302,
    summary="Send the merchant to the provider's consent screen, with a single-use state",
    response_class=RedirectResponse,
    responses=problems({404: "No such provider, none with OAuth, or no OAuth app for it"}),
)
async def authorize(hub: HubDep, caller: CallerDep, provider: ProviderName) -> RedirectResponse:
    url = await oauth.start(hub.services, tenant_id=caller.tenant_id, provider=provider)
    return RedirectResponse(url, status_code=302)


def callback_responses() -> dict[int | str, Any]:
    """The callback's answers, for its seed aliases too."""
    return (
        ok(AuthorisedConnection)
        | {
            303: {
                "description": "Connected, refused, or a choice to make: back to the dashboard "
                "page that started it"
            }
        }
        | problems(
            {
                400: "The state is missing, forged, expired or used, or the code was refused",
                404: "No such provider, or none with OAuth",
                422: "The merchant did not authorise, or no code came back",
                502: "The provider could not be reached; nothing was stored",
            }
        )
    )


@router.get(
    "/api/v1/pos/oauth/{provider}/callback",
    summary="Where the provider sends the merchant back: check the state, exchange, connect",
    response_model=None,
    responses=callback_responses(),
)
async def callback(
    hub: HubDep,
    provider: ProviderName,
    request: Request,
    *,
    state: Text = None,
    code: Text = None,
    error: Text = None,
) -> dict[str, Any] | RedirectResponse:
    services = hub.services
    declared = services.providers.get(provider)
    back = oauth.return_path(services, state, declared)
    try:
        connection = await oauth.finish(
            services,
            provider=declared.name,
            state=state,
            code=code,
            error=error,
            params=dict(request.query_params),
        )
    except ClientError as exc:
        if back is None:
            raise
        log.warning("connecting %s was refused: %s", declared.title, exc.message)
        return RedirectResponse(f"{back}?refused={declared.name}", status_code=303)
    if isinstance(connection, Choosing):  # parked only for a page to come back to
        return RedirectResponse(f"{back}?{urlencode({'pending': connection.pending})}", 303)
    health_cache(request, declared.name).forget(connection.tenant_id)
    if back is not None:
        return RedirectResponse(f"{back}?connected={declared.name}", status_code=303)
    view = await connection_view(services, connection.tenant_id, declared)
    pasted = pasted_webhook(services, connection)
    if pasted is not None:  # shown this once: the user pastes it at the provider
        view["webhook"] = pasted.shown()
    return {"success": True, "data": view, "message": f"{declared.title} connected"}
