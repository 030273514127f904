"""A hub built with the tests' own provider, Depot, and a Depot emulator, both on loopback.

The hub is `create_app(settings, providers=default_providers().adding(DEPOT))` served over
real HTTP, with `public_url` pointing at it so Depot's webhooks reach it; the worker runs
when a test says so (`world.work()`), as the CIN7 engine tests drive it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.depot import PROVIDER as DEPOT
from tests.support.depot import ServedDepot, served_depot
from tests.support.depot_world import LOCATION, DepotWorld
from tests.support.secrets import remember
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.providers import default_providers
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve


@pytest.fixture
async def depot() -> AsyncIterator[ServedDepot]:
    async with served_depot(name="Depot Demo Ltd") as served:
        remember(served.api_key)
        yield served


@pytest.fixture
async def world(settings: Settings, depot: ServedDepot) -> AsyncIterator[DepotWorld]:
    app = create_app(settings, providers=default_providers().adding(DEPOT))
    async with serve(app) as url:
        settings.public_url = url  # webhooks registered from here must reach this server
        hub: Hub = app.state.hub
        tenant = await create_tenant(hub.uows, name="Depot Shop", default_location=LOCATION)
        remember(tenant.api_key)
        headers = {"Authorization": f"Bearer {tenant.api_key}"}
        async with httpx.AsyncClient(
            verify=tls_context(), base_url=url, headers=headers, timeout=30
        ) as api:
            yield DepotWorld(hub, api, url, depot, tenant.tenant_id)
