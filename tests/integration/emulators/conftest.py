"""Fixtures of the emulator tests: one Zoho emulator per module, a fresh organization a test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.support.zoho import Served, World, world_of, zoho_emulator


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def zoho_served() -> AsyncIterator[Served]:
    async with zoho_emulator() as served:
        yield served


@pytest.fixture
def zoho(zoho_served: Served) -> World:
    """A fresh organization with two items; its token is the API client's."""
    return world_of(zoho_served)
