"""What only Square's orders need: its catalog walked by cursor, its locations, and the
connect refusals of a location or token Square does not know.

The order scenarios every POS shares (made once through faults and manual syncs, mapped
and unmapped lines, the customer, disconnect) are in `tests/integration/pos/`."""

from typing import Any

from tests.support.square_world import SquareWorld
from tillsync.connectors.square.pos import SquarePos
from tillsync.services.connections.links import find_connection, pos_for


async def test_catalog_and_locations_are_listed_for_the_item_mapping_screen(
    world: SquareWorld,
) -> None:
    await world.connect_fast()
    pos = await _pos(world)
    page = await pos.catalog(page=1, limit=100)
    assert page.last
    assert page.rows
    seeded = {
        obj["id"]
        for obj in world.square.state.merchant(world.square.seller.merchant_id).catalog.values()
        if obj["type"] == "ITEM_VARIATION"
    }
    assert {row.external_id for row in page.rows} == seeded
    assert all(row.name and row.sku for row in page.rows)
    assert (await pos.catalog(page=2, limit=100)).rows == []
    assert isinstance(pos, SquarePos)
    (location,) = await pos.locations()
    assert (location.id, location.active) == (world.square.seller.location_id, True)


async def _pos(world: SquareWorld) -> Any:
    async with world.hub.uows.read() as session:
        connection = await find_connection(session, world.tenant_id, "square")
    assert connection is not None
    return pos_for(world.hub.services, connection, lane="urgent")


async def test_a_connect_square_refuses_names_the_field_and_stores_nothing(
    world: SquareWorld,
) -> None:
    seller = world.square.seller
    body = {
        "business_id": world.tenant_id,
        "provider": "square",
        "access_token": seller.access_token,
        "refresh_token": "EQAA-refresh",
        "location_id": "NOWHERE",
        "merchant_id": seller.merchant_id,
    }
    wrong_location = await world.api.post("/api/v1/pos/connect", json=body)
    assert wrong_location.status_code == 422, wrong_location.text
    assert wrong_location.json()["field"] == "location_id"
    wrong_token = await world.api.post(
        "/api/v1/pos/connect",
        json=body | {"access_token": "EAAA-forged", "location_id": seller.location_id},
    )
    assert wrong_token.status_code == 400, wrong_token.text
    assert wrong_token.json()["field"] == "access_token"
    async with world.hub.uows.read() as session:
        assert await find_connection(session, world.tenant_id, "square") is None
