"""Seed 004's integration endpoints: connect, show (never a token), settings, item mapping,
disconnect (revoked at the POS, history kept)."""

import datetime as dt
from typing import Any

import pytest

from tests.support.till.world import TillWorld


async def test_connect_answers_the_integration_and_never_a_token(world: TillWorld) -> None:
    answer = await world.connect()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["message"] == "till POS integration connected successfully"
    shown = body["data"]["integration"]
    assert (shown["provider"], shown["is_active"], shown["location_id"]) == ("till", True, "LOC-1")
    assert (shown["auto_sync_orders"], shown["sync_customer_info"]) == (True, True)
    got = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}")
    assert got.status_code == 200, got.text
    integration = got.json()["data"]["integration"]
    assert (integration["error_count"], integration["last_error"]) == (0, None)
    assert integration["merchant_id"] == "M-1"
    token = world.till.state.access_token
    assert token not in answer.text
    assert token not in got.text
    assert token[8:-4] not in got.text


def _past() -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()


CONNECT_REFUSALS: list[tuple[str, dict[str, Any], int, str]] = [
    ("missing token", {"access_token": None}, 422, "access_token"),
    ("empty token", {"access_token": " "}, 422, "access_token"),
    ("unknown provider", {"provider": "nope"}, 422, "provider"),
    ("warehouse provider", {"provider": "depot"}, 422, "provider"),
    ("expiry in the past", {"token_expires_at": "PAST"}, 422, "token_expires_at"),
    ("refused token", {"access_token": "wrong-token"}, 400, "access_token"),
    ("another business", {"business_id": "someone-else"}, 404, "business_id"),
]


@pytest.mark.parametrize(
    ("case", "changes", "status", "field"),
    CONNECT_REFUSALS,
    ids=[case for case, *_ in CONNECT_REFUSALS],
)
async def test_bad_connects_are_refused_naming_the_field(
    world: TillWorld, case: str, changes: dict[str, Any], status: int, field: str
) -> None:
    given = {k: (_past() if v == "PAST" else v) for k, v in changes.items()}
    answer = await world.connect(**given)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    missing = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}")
    assert missing.status_code == 404


async def test_settings_change_what_the_pos_is_given(world: TillWorld) -> None:
    await world.connect_fast()
    changed = await world.api.put(
        f"/api/v1/pos/integration/{world.tenant_id}", json={"sync_customer_info": False}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["integration"]["sync_customer_info"] is False
    mapping = {"dish-1": "TILL-ITEM-7"}
    put = await world.api.put(
        f"/api/v1/pos/integration/{world.tenant_id}/item-mapping", json={"item_mapping": mapping}
    )
    assert put.status_code == 200, put.text
    got = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}/item-mapping")
    assert got.json()["data"]["item_mapping"] == mapping
    await world.place(world.order("ORD-MAP"))

    async def made() -> Any:
        return list(world.till.state.orders.values())

    (order,) = await world.work_until(made)
    assert order.body["customer"] is None
    assert order.body["lines"] == [
        {"quantity": "2", "note": "Extra spicy", "catalog_id": "TILL-ITEM-7"}
    ]


async def test_bad_settings_and_mappings_are_refused(world: TillWorld) -> None:
    await world.connect_fast()
    path = f"/api/v1/pos/integration/{world.tenant_id}"
    wrong = await world.api.put(path, json={"auto_sync_orders": "often"})
    assert (wrong.status_code, wrong.json()["field"]) == (422, "auto_sync_orders")
    unknown = await world.api.put(path, json={"access_token": "x"})
    assert unknown.status_code == 422
    blank = await world.api.put(f"{path}/item-mapping", json={"item_mapping": {"dish-1": ""}})
    assert blank.status_code == 422, blank.text


async def test_disconnect_revokes_the_token_stops_syncing_and_keeps_history(
    world: TillWorld,
) -> None:
    await world.connect_fast()
    await world.place(world.order("ORD-D1"))
    await world.work()
    answer = await world.api.post("/api/v1/pos/disconnect", json={"business_id": world.tenant_id})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "success": True,
        "message": "POS integration disconnected successfully",
    }
    assert world.till.state.revoked
    shown = (await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}")).json()
    assert shown["data"]["integration"]["is_active"] is False
    await world.place(world.order("ORD-D2"))
    await world.work()
    assert (await world.shown("ORD-D2"))["sync_state"] == "not_synced"
    assert len(world.till.state.orders) == 1
    manual = await world.api.post("/api/v1/pos/sync/ORD-D2")
    assert (manual.status_code, manual.json()["field"]) == (409, "business_id")
    synced = await world.api.post("/api/v1/pos/sync/ORD-D1")  # made before: says so
    assert synced.json()["data"]["syncLog"]["already_synced"] is True
    history = (await world.api.get(f"/api/v1/pos/history/{world.tenant_id}")).json()
    assert [log["order_id"] for log in history["data"]["logs"]] == ["ORD-D1"]
    again = await world.api.post("/api/v1/pos/disconnect", json={"business_id": world.tenant_id})
    assert again.status_code == 404
