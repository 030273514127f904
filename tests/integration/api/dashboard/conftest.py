"""Besides the API tests' shop (`served`, `shop`): a second shop, and a visitor of the dashboard."""

from collections.abc import AsyncIterator

import pytest

from tests.support.dashboard import Visitor, visiting
from tests.support.hubs import RunningHub, TenantClient
from tests.support.ledger import seed_stock

OTHER_SKU = "CORNER-CUTS-WAX"


@pytest.fixture
async def other_shop(served: RunningHub) -> AsyncIterator[TenantClient]:
    async with served.tenant("Corner Cuts") as client:
        await seed_stock(served.hub, client.tenant_id, OTHER_SKU, 4, name="Corner Cuts Wax")
        yield client


@pytest.fixture
async def visitor(served: RunningHub) -> AsyncIterator[Visitor]:
    async with visiting(served.url) as opened:
        yield opened
