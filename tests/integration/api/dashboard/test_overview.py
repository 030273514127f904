"""The overview: every provider of the registry, and what needs the seller's attention."""

import html
from collections.abc import AsyncIterator

import pytest

from tests.support.dashboard import visiting
from tests.support.health import Scripted, Shop, worker_for
from tests.support.hubs import RunningHub, running_hub
from tests.support.ledger import seed_stock
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.errors import AuthFailed
from tillsync.services.tenants import create_tenant


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[tuple[RunningHub, FakeClock]]:
    clock = FakeClock()
    async with running_hub(settings, clock=clock) as running:
        yield running, clock


async def test_the_overview_shows_each_provider_and_what_needs_attention(
    clocked: tuple[RunningHub, FakeClock],
) -> None:
    served, clock = clocked
    tenant = await create_tenant(served.hub.uows, name="Fade Factory")
    shop = Shop(hub=served.hub, clock=clock, tenant_id=tenant.tenant_id)
    connection_id = await shop.connection()
    await shop.job(connection_id=connection_id)
    refused = Scripted(AuthFailed("GET /me: 403 Incorrect credentials", status=403))
    await worker_for(shop, refused).run_until_idle()
    await seed_stock(served.hub, tenant.tenant_id, "WAX", 0)  # an open out-of-stock alert

    async with visiting(served.url) as visitor:
        await visitor.sign_in(tenant.api_key)
        text = html.unescape((await visitor.page("/")).text)

    for provider in served.hub.services.providers:
        assert f'data-provider="{provider.name}"' in text
    attention = text.split('id="attention"', 1)[1].split("</section>", 1)[0]
    assert "re-authorise the connection" in attention
    assert "1 job(s) failed in the last 24 hours" in attention
    assert "1 call(s) to CIN7 failed in a row" in attention
    assert "1 open stock alert" in attention
    assert "not connected" not in attention  # a provider never connected needs nothing
    assert "Fade Factory Pty" in text
    assert "secret-key" not in text
