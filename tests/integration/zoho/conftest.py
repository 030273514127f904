"""A hub beside a Zoho Inventory emulator, on both databases."""

from collections.abc import AsyncIterator

import pytest

from tests.support.zoho_world import ZohoWorld, zoho_world
from tillsync.config import Settings


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[ZohoWorld]:
    async with zoho_world(settings) as opened:
        yield opened
