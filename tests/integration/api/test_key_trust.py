"""How long a hub trusts an API key it checked: the `key_trust_seconds` setting."""

import pytest

from tests.support.hubs import running_hub
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
