"""How long a hub trusts an API key it checked: the `key_trust_seconds` setting."""

import asyncio

import pytest

from tests.support.hubs import running_hub
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.services.tenants import revoke_keys


@pytest.mark.parametrize(("trust_seconds", "after_revoking"), [(0, 401), (600, 200)])
async def test_a_revoked_key_works_only_while_the_hub_still_trusts_it(
    settings: Settings, trust_seconds: float, after_revoking: int
) -> None:
    settings.key_trust_seconds = trust_seconds
    async with running_hub(settings) as served, served.tenant() as shop:
        assert (await shop.http.get("/api/alerts")).status_code == 200

        await revoke_keys(served.hub.uows, shop.tenant_id)

        assert (await shop.http.get("/api/alerts")).status_code == after_revoking


async def test_a_key_past_half_its_trust_is_checked_again_while_it_still_works(
    settings: Settings,
) -> None:
    clock = FakeClock()
    settings.key_trust_seconds = 10
    async with running_hub(settings, clock=clock) as served, served.tenant() as shop:
        assert (await shop.http.get("/api/alerts")).status_code == 200
        await revoke_keys(served.hub.uows, shop.tenant_id)
        clock.advance(6)

        statuses = [(await shop.http.get("/api/alerts")).status_code]
        while statuses[-1] == 200 and len(statuses) < 200:  # the check runs meanwhile
            await asyncio.sleep(0.01)
            statuses.append((await shop.http.get("/api/alerts")).status_code)

        assert statuses[0] == 200  # still within its trust: not kept waiting
        assert statuses[-1] == 401  # before its trust ran out (the clock stood still)
