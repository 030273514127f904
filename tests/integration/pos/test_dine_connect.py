"""Connecting Dine with seed 004's connect: an API key, checked with Dine, shown masked."""

from collections.abc import AsyncIterator

import pytest

from tests.support.pos.dine import DineWorld, dine_world
from tillsync.config import Settings
from tillsync.connectors.masking import masked


@pytest.fixture
async def dine(settings: Settings) -> AsyncIterator[DineWorld]:
    async with dine_world(settings) as opened:
        assert isinstance(opened, DineWorld)
        yield opened


async def test_dine_is_connected_with_its_api_key_and_never_shows_it(dine: DineWorld) -> None:
    missing = await dine.connect(api_key=None)
    assert (missing.status_code, missing.json()["field"]) == (422, "api_key"), missing.text
    refused = await dine.connect(api_key="dine_live_not-a-key-of-dine")
    assert (refused.status_code, refused.json()["field"]) == (400, "api_key"), refused.text
    assert (await dine.api.get(f"/api/v1/pos/integration/{dine.tenant_id}")).status_code == 404
    connected = await dine.connect(sync_customer_info=False)
    assert connected.status_code == 200, connected.text
    integration = connected.json()["data"]["integration"]
    assert (integration["provider"], integration["is_active"]) == ("dine", True)
    assert integration["sync_customer_info"] is False
    shown = await dine.api.get("/api/connections/dine")
    key = dine.restaurant.api_key if dine.restaurant else ""
    assert shown.json()["credentials"] == {"api_key": masked(key)}
    assert shown.json()["accountName"] == "Dine Demo Kitchen"
    assert key not in connected.text + shown.text
