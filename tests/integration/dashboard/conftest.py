"""A served hub with two shops, each with a product of its own, and visitors of the dashboard."""

from collections.abc import AsyncIterator

import pytest

from tests.support.dashboard import Visitor, visiting
from tests.support.hubs import RunningHub, TenantClient, running_hub
from tests.support.ledger import seed_stock
from tillsync.config import Settings

SKU = "TOMB45SHAVECBLCK"
OTHER_SKU = "CORNER-CUTS-WAX"


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


@pytest.fixture
async def other_shop(served: RunningHub) -> AsyncIterator[TenantClient]:
    async with served.tenant("Corner Cuts") as client:
        await seed_stock(served.hub, client.tenant_id, OTHER_SKU, 4, name="Corner Cuts Wax")
        yield client


@pytest.fixture
async def visitor(served: RunningHub) -> AsyncIterator[Visitor]:
    async with visiting(served.url) as opened:
        yield opened
