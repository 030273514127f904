"""Overview: every provider of the registry with its connection's health, and what needs doing."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tillsync.api.deps import HubDep
from tillsync.api.state import health_cache
from tillsync.connectors.contract import Provider
from tillsync.dashboard.auth import PageViewerDep
from tillsync.dashboard.rendering import Page, page
from tillsync.services.connections.health import ConnectionHealth

PAGE = Page("Overview", "/")
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Card:
    """One provider and the tenant's connection to it."""

    provider: Provider
    health: ConnectionHealth

    @property
    def needs_reauthorisation(self) -> bool:
        return self.health.status == "reauth_required"

    @property
    def attention(self) -> tuple[str, ...]:
        """What the seller should look at; a provider never connected needs nothing."""
        return self.health.problems if self.health.status != "not_connected" else ()


@router.get(PAGE.path, response_class=HTMLResponse)
async def overview(request: Request, hub: HubDep, viewer: PageViewerDep) -> HTMLResponse:
    tenant_id = viewer.tenant_id
    cards = [
        Card(provider, await health_cache(request, provider.name).get(hub.services, tenant_id))
        for provider in hub.services.providers
    ]
    return await page(request, "overview.html", viewer, current=PAGE, cards=cards)
