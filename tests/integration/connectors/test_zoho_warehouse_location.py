"""Zoho's stock listing is one location's: the location is read once a listing, not once a
resumption (a pull that steps aside for the budget resumes on a new connector)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from tests.support.zoho_world import ZohoWorld, zoho_world
from tillsync.config import Settings
from tillsync.connectors.contract import Warehouse
from tillsync.services.connections.links import find_connection, warehouse_for


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[ZohoWorld]:
    async with zoho_world(settings) as opened:
        yield opened


async def _warehouse(world: ZohoWorld) -> Warehouse:
    """A connector of its own, as each run of a pull job opens."""
    async with world.hub.uows.read() as session:
        connection = await find_connection(session, world.tenant_id, "zoho")
    assert connection is not None
    return warehouse_for(world.hub.services, connection, lane="urgent")


async def test_a_resumed_listing_keeps_the_location_its_first_page_read(world: ZohoWorld) -> None:
    answer = await world.connect_stock_source()
    assert answer.status_code == 200, answer.text
    before = len(world.calls("GET", "/locations"))
    first = await (await _warehouse(world)).availability(page=1, limit=1)
    resumed = await (await _warehouse(world)).availability(page=2, limit=1)
    assert len(world.calls("GET", "/locations")) == before + 1
    assert {row.location for row in [*first.rows, *resumed.rows]} == {"Main Warehouse"}
    organization = world.zoho.organization(world.org.organization_id)
    primary = organization.primary  # renamed at Zoho: the next listing sees it
    organization.locations[primary.id] = dataclasses.replace(primary, name="Front Counter")
    again = await (await _warehouse(world)).availability(page=1, limit=1)
    assert len(world.calls("GET", "/locations")) == before + 2
    assert {row.location for row in again.rows} == {"Front Counter"}
