"""The POS scenario table: the same order tests against every POS provider's emulator.

An order is made once with our reference, through a lost answer, a 500 and a 429; a manual
sync of a synced order makes no second one; a mapped dish goes by the POS's catalog id, an
unmapped one by name and price; the customer only when allowed; a disconnect stops pushes
and keeps the history; another provider's POS waits for that disconnect.
"""

from decimal import Decimal

import pytest

from tests.support.pos import WORLDS, Fault, MadeLine, PosWorld
from tillsync.services.pos_catalog import pos_catalog


async def test_an_order_is_made_at_the_pos_once_with_our_reference(world: PosWorld) -> None:
    await world.connect_fast()
    placed = await world.place(world.order("ORD-1"))
    assert placed.status_code == 201, placed.text
    shown = await world.synced("ORD-1")
    (made,) = world.made()
    assert (shown["sync_state"], shown["pos_order_id"]) == ("success", made.id)
    assert made.reference == "ORD-1"
    assert made.lines == [
        MadeLine(None, "Paneer Butter Masala", Decimal(2), Decimal("12.5"), "Extra spicy")
    ]
    assert (made.customer_name, made.customer_phone) == ("Asha", "+1 555 0100")
    assert made.note == "Ring twice"
    assert world.creates() == [world.created_status]
    assert world.lookups() == []  # nothing uncertain, nothing looked up


@pytest.mark.parametrize("fault", ["lost", "500", "429"])
async def test_an_order_is_made_once_when_the_first_answer_fails(
    world: PosWorld, fault: Fault
) -> None:
    await world.connect_fast()
    world.fail_next_create(fault)
    await world.place(world.order("ORD-F"))
    shown = await world.synced("ORD-F")
    made = [order for order in world.made() if order.reference == "ORD-F"]
    assert len(made) == 1
    assert (shown["sync_state"], shown["pos_order_id"]) == ("success", made[0].id)
    # after a try that reached for the POS, the order is looked for before it is made again
    assert world.lookups() == [200]
    expected = [0] if fault == "lost" else [int(fault), world.created_status]
    assert world.creates() == expected


async def test_a_manual_sync_of_a_synced_order_makes_no_second_pos_order(
    world: PosWorld,
) -> None:
    await world.connect_fast()
    await world.place(world.order("ORD-M"))
    shown = await world.synced("ORD-M")
    answer = await world.api.post("/api/v1/pos/sync/ORD-M")
    assert answer.status_code == 200, answer.text
    log = answer.json()["data"]["syncLog"]
    assert (log["already_synced"], log["pos_order_id"]) == (True, shown["pos_order_id"])
    await world.work()
    assert [order.id for order in world.made()] == [shown["pos_order_id"]]
    assert world.creates() == [world.created_status]


async def test_a_mapped_dish_goes_by_catalog_id_an_unmapped_one_by_name_and_no_customer(
    world: PosWorld,
) -> None:
    await world.connect_fast(sync_customer_info=False)
    listed = await pos_catalog(world.hub.services, world.tenant_id)
    assert listed.complete
    assert {item.external_id for item in listed.items} == world.catalog_ids()
    assert all(item.name and item.sku for item in listed.items)
    item = next(item for item in listed.items if item.active)
    assert item.external_id is not None
    path = f"/api/v1/pos/integration/{world.tenant_id}/item-mapping"
    mapped = await world.api.put(path, json={"item_mapping": {"dish-1": item.external_id}})
    assert mapped.status_code == 200, mapped.text
    unmapped = {"dish_id": "dish-2", "name": "House Salad", "quantity": 1, "unit_price": 4}
    body = world.order("ORD-C")
    await world.place(body | {"items": [*body["items"], unmapped]})
    shown = await world.synced("ORD-C")
    (made,) = world.made()
    assert made.id == shown["pos_order_id"]
    by_id, by_name = made.lines
    assert (by_id.catalog_id, by_id.quantity) == (item.external_id, 2)
    assert (by_name.catalog_id, by_name.name, by_name.unit_price) == (None, "House Salad", 4)
    assert (made.customer_name, made.customer_phone) == (None, None)
    assert "Asha" not in str(made.raw)
    assert "555 0100" not in str(made.raw)  # the phone, not any id that happens to hold 555


async def test_a_disconnect_stops_pushes_and_keeps_the_history(world: PosWorld) -> None:
    await world.connect_fast()
    await world.place(world.order("ORD-D1"))
    first = await world.synced("ORD-D1")
    gone = await world.api.post("/api/v1/pos/disconnect", json={"business_id": world.tenant_id})
    assert gone.status_code == 200, gone.text
    await world.place(world.order("ORD-D2"))
    await world.work()
    assert (await world.shown("ORD-D2"))["sync_state"] == "not_synced"
    refused = await world.api.post("/api/v1/pos/sync/ORD-D2")
    assert refused.status_code == 409, refused.text
    assert [order.reference for order in world.made()] == ["ORD-D1"]
    history = await world.api.get(f"/api/v1/pos/history/{world.tenant_id}")
    assert history.status_code == 200, history.text
    logs = history.json()["data"]["logs"]
    assert [(log["order_id"], log["status"], log["provider"]) for log in logs] == [
        ("ORD-D1", "success", world.provider)
    ]
    assert logs[0]["pos_order_id"] == first["pos_order_id"]
    integration = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}")
    shown = integration.json()["data"]["integration"]
    assert (shown["provider"], shown["is_active"]) == (world.provider, False)


async def test_another_pos_waits_for_a_disconnect(world: PosWorld) -> None:
    await world.connect_fast()
    other = next(name for name in WORLDS if name != world.provider)
    body = {
        "business_id": world.tenant_id,
        "provider": other,
        "access_token": "EAAA-other",
        "refresh_token": "EQAA-other",
        "api_key": "other-key",
        "merchant_id": "OTHER",
    }
    refused = await world.api.post("/api/v1/pos/connect", json=body)  # refused before asking
    assert refused.status_code == 409, refused.text
    assert refused.json()["field"] == "provider"
    integration = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}")
    shown = integration.json()["data"]["integration"]
    assert (shown["provider"], shown["is_active"]) == (world.provider, True)
    await world.place(world.order("ORD-O1"))
    assert (await world.synced("ORD-O1"))["sync_state"] == "success"
