"""A served hub per test, with one tenant whose TOMB45SHAVECBLCK has 10 available."""

from collections.abc import AsyncIterator

import pytest

from tests.support.hubs import RunningHub, TenantClient, running_hub
from tests.support.ledger import seed_stock
from tillsync.config import Settings

SKU = "TOMB45SHAVECBLCK"


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[RunningHub]:
    async with running_hub(settings) as running:
        yield running


@pytest.fixture
async def shop(served: RunningHub) -> AsyncIterator[TenantClient]:
    async with served.tenant() as client:
        await seed_stock(
            served.hub, client.tenant_id, SKU, 10, name="Tomb45 Shaving Cream", reorder_level=3
        )
        yield client
