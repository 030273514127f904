"""Orders reach the Square emulator exactly once, with our reference, through lost answers,
500s, 429s and manual syncs."""

from typing import Any

import pytest

from tests.support.square_world import SquareWorld
from tillsync.connectors.square.pos import SquarePos
from tillsync.emulators.square import FaultRule
from tillsync.services.connections.links import find_connection, pos_for


async def test_an_order_is_made_at_square_once_as_seed_004_shows(world: SquareWorld) -> None:
    await world.connect_fast()
    placed = await world.place(world.order("ORD-1"))
    assert placed.status_code == 201, placed.text
    shown = await world.synced("ORD-1")
    ((square_id, made),) = world.orders.items()
    assert (shown["sync_state"], shown["pos_order_id"]) == ("success", square_id)
    assert made["reference_id"] == "ORD-1"
    assert made["location_id"] == world.square.seller.location_id
    assert made["metadata"] == {"source": "tillsync", "tillsync_order_id": "ORD-1"}
    (line,) = made["line_items"]
    assert (line["name"], line["quantity"], line["note"]) == (
        "Paneer Butter Masala",
        "2",
        "Extra spicy",
    )
    assert line["base_price_money"] == {"amount": 1250, "currency": "USD"}
    pickup = made["fulfillments"][0]["pickup_details"]
    assert pickup["recipient"] == {"display_name": "Asha", "phone_number": "+1 555 0100"}
    assert pickup["note"] == "Ring twice"
    calls = [c for c in world.square.state.calls_since() if c.path == "/v2/orders"]
    assert [c.status for c in calls] == [200]


@pytest.mark.parametrize(
    ("action", "status"), [("reset_after", 0), ("fail_before", 500), ("fail_before", 429)]
)
async def test_an_order_is_made_once_when_the_first_answer_fails(
    world: SquareWorld, action: Any, status: int
) -> None:
    await world.connect_fast()
    rule = FaultRule("POST", "/v2/orders", action, status=status or 500)
    world.square.state.faults.configure(rules=[rule])
    await world.place(world.order("ORD-F"))
    shown = await world.synced("ORD-F")
    made = [o for o in world.orders.values() if o.get("reference_id") == "ORD-F"]
    assert len(made) == 1
    assert (shown["sync_state"], shown["pos_order_id"]) == ("success", made[0]["id"])
    creates = [c.status for c in world.square.state.calls_since() if c.path == "/v2/orders"]
    searches = [c.status for c in world.square.state.calls_since() if c.path == "/v2/orders/search"]
    # after a try that reached for Square, the order is looked for before it is made again
    assert searches == [200]
    assert creates == ([0] if action == "reset_after" else [status, 200])


async def test_a_manual_sync_of_a_synced_order_makes_no_second_square_order(
    world: SquareWorld,
) -> None:
    await world.connect_fast()
    await world.place(world.order("ORD-M"))
    shown = await world.synced("ORD-M")
    answer = await world.api.post("/api/v1/pos/sync/ORD-M")
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["syncLog"]["already_synced"] is True
    await world.work()
    assert list(world.orders) == [shown["pos_order_id"]]


async def test_mapped_dishes_go_by_catalog_id_and_the_customer_only_when_allowed(
    world: SquareWorld,
) -> None:
    await world.connect_fast(sync_customer_info=False)
    pos = await _pos(world)
    page = await pos.catalog(page=1, limit=100)
    variation = page.rows[0]
    assert variation.external_id is not None
    assert variation.price is not None
    path = f"/api/v1/pos/integration/{world.tenant_id}/item-mapping"
    mapped = await world.api.put(path, json={"item_mapping": {"dish-1": variation.external_id}})
    assert mapped.status_code == 200, mapped.text
    await world.place(world.order("ORD-C"))
    shown = await world.synced("ORD-C")
    made = world.orders[shown["pos_order_id"]]
    (line,) = made["line_items"]
    assert line["catalog_object_id"] == variation.external_id
    assert line["quantity"] == "2"
    assert "Asha" not in str(made)
    assert "555" not in str(made)


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
