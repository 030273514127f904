"""Connecting Depot: keys checked with Depot, sealed at rest, shown masked, hooks registered."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.support.depot_world import DepotWorld
from tillsync.store.tables import Connection, StockLevel, WebhookRegistration


@pytest.mark.parametrize(
    ("credentials", "field"),
    [
        ({"accountId": "GOOD", "apiKey": "dpk_not_the_key_0000"}, "apiKey"),
        ({"accountId": "acc_nobody", "apiKey": "KEY"}, "apiKey"),
        ({"accountId": "GOOD", "apiKey": "two words"}, "apiKey"),
    ],
)
async def test_keys_depot_refuses_are_answered_400_naming_the_field(
    world: DepotWorld, credentials: dict[str, str], field: str
) -> None:
    known = {"GOOD": world.account_id, "KEY": world.depot.api_key}
    given = {label: known.get(value, value) for label, value in credentials.items()}
    body = {"credentials": given, "url": world.depot.url}
    answer = await world.api.put("/api/connections/depot", json=body)
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["field"] == field
    async with world.hub.uows.read() as session:
        assert await session.scalar(select(Connection)) is None  # nothing stored


async def test_keys_are_sealed_at_rest_and_shown_masked(world: DepotWorld) -> None:
    key = world.depot.api_key
    connected = await world.connect()
    shown = (await world.api.get("/api/connections/depot")).json()
    async with world.hub.uows.read() as session:
        stored = await session.scalar(select(Connection).where(Connection.provider == "depot"))
    assert stored is not None
    assert key not in stored.credentials
    assert world.account_id not in stored.credentials  # the whole record is sealed
    masked = f"{key[:8]}...{key[-4:]}"
    for answer in (connected, shown):
        # Depot declares its account id an identifier, shown as is; the key is masked
        assert answer["credentials"] == {"accountId": world.account_id, "apiKey": masked}
        assert (answer["connected"], answer["accountName"]) == (True, "Depot Demo Ltd")
    assert key not in str(shown)


async def test_webhooks_are_registered_at_depot_and_their_deliveries_reach_the_hub(
    world: DepotWorld,
) -> None:
    world.seed({"D-1": 5})
    connected = await world.connect()
    await world.work()  # the first catalog pull
    async with world.hub.uows.read() as session:
        connection = await session.scalar(select(Connection))
        registered = list(await session.scalars(select(WebhookRegistration)))
    assert connection is not None
    hooks = list(world.depot.state.account(world.account_id).webhooks.values())
    assert [(h.event, h.url, h.active) for h in hooks] == [
        ("stock.changed", f"{world.url}/api/webhooks/depot?connection={connection.id}", True)
    ]
    assert [(r.event_type, r.external_id, r.status) for r in registered] == [
        ("stock.changed", hooks[0].id, "active")
    ]
    assert connected["webhooks"] == [{"type": "stock.changed", "status": "active", "error": None}]

    world.depot.state.set_stock(world.account_id, sku="D-1", location="Main", on_hand=Decimal(2))
    await world.depot.state.settle()
    assert [d.status for d in world.depot.state.delivered] == [202]

    async def refreshed() -> bool:
        async with world.hub.uows.read() as session:
            level = await session.scalar(select(StockLevel).where(StockLevel.sku == "D-1"))
        return level is not None and level.warehouse_available == 2

    assert await world.work_until(refreshed)
