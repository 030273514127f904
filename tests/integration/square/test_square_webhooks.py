"""Square's signed webhooks: `order.updated` reaches the order; forged, replayed, duplicate
or unknown deliveries change nothing."""

import datetime as dt
import json
import uuid
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select

from tests.support.secrets import remember
from tests.support.square_world import SquareWorld
from tillsync.emulators.square import signature
from tillsync.store.tables import InboxEntry

TYPES = ["order.updated", "inventory.count.updated"]


async def _subscribed(world: SquareWorld) -> str:
    """The application's subscription to the hub's receiver; the hub told its key."""
    url = world.url + "/api/webhooks/square"
    key = world.square.state.subscribe(url, TYPES).signature_key
    remember(key)
    world.hub.services.settings.webhook_signature_keys = {"square": SecretStr(key)}
    return key


async def _synced_order(world: SquareWorld, order_id: str) -> str:
    await world.connect_fast()
    await world.place(world.order(order_id))
    shown = await world.synced(order_id)
    return str(shown["pos_order_id"])


def _event(world: SquareWorld, square_id: str, state: str, at: str, **changes: Any) -> bytes:
    event = {
        "merchant_id": world.square.seller.merchant_id,
        "type": "order.updated",
        "event_id": str(uuid.uuid4()),
        "created_at": at,
        "data": {
            "type": "order",
            "id": square_id,
            "object": {"order_updated": {"order_id": square_id, "state": state, "updated_at": at}},
        },
    }
    return json.dumps(event | changes).encode()


def _ago(**delta: float) -> str:
    """A time before now, as Square writes it."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(**delta)).isoformat().replace("+00:00", "Z")


async def _post(world: SquareWorld, body: bytes, sign: str) -> httpx.Response:
    headers = {"content-type": "application/json", "x-square-hmacsha256-signature": sign}
    return await world.api.post("/api/webhooks/square", content=body, headers=headers)


async def _inbox(world: SquareWorld) -> int:
    async with world.hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxEntry)) or 0)


async def test_order_updated_from_square_reaches_the_order(world: SquareWorld) -> None:
    square_id = await _synced_order(world, "ORD-W")
    await _subscribed(world)
    merchant = world.square.state.merchant(world.square.seller.merchant_id)
    world.square.state.orders.set_state(merchant, square_id, "COMPLETED")

    async def shown_completed() -> bool:
        return (await world.shown("ORD-W"))["pos_state"] == "COMPLETED"

    assert await world.work_until(shown_completed)
    delivered = world.square.state.deliveries_since()
    assert [d.status for d in delivered] == [202]


async def test_forged_replayed_and_duplicate_deliveries_change_nothing(
    world: SquareWorld,
) -> None:
    square_id = await _synced_order(world, "ORD-X")
    key = await _subscribed(world)
    url = world.url + "/api/webhooks/square"
    done = _event(world, square_id, "COMPLETED", _ago(minutes=2))
    first = await _post(world, done, signature(key, url, done))
    assert first.status_code == 202, first.text
    await world.work()
    assert (await world.shown("ORD-X"))["pos_state"] == "COMPLETED"
    stored = await _inbox(world)

    forged = _event(world, square_id, "CANCELED", _ago(minutes=1))
    for sign in ("", signature("another-key", url, forged), signature(key, url + "/", forged)):
        refused = await _post(world, forged, sign)
        assert refused.status_code == 401, refused.text
        assert refused.json()["field"] == "x-square-hmacsha256-signature"
    tampered = done.replace(b"COMPLETED", b"CANCELED")
    assert (await _post(world, tampered, signature(key, url, done))).status_code == 401

    again = await _post(world, done, signature(key, url, done))
    assert again.json() == {"received": 1, "stored": 0, "duplicates": 1}
    older = _event(world, square_id, "OPEN", _ago(minutes=3))
    assert (await _post(world, older, signature(key, url, older))).status_code == 202
    await world.work()
    assert (await world.shown("ORD-X"))["pos_state"] == "COMPLETED"
    assert await _inbox(world) == stored + 1  # only the older report, which lost


async def test_unknown_merchants_and_bad_bodies_are_refused(world: SquareWorld) -> None:
    square_id = await _synced_order(world, "ORD-U")
    key = await _subscribed(world)
    url = world.url + "/api/webhooks/square"
    stranger = _event(world, square_id, "COMPLETED", _ago(minutes=2), merchant_id="MOTHER")
    assert (await _post(world, stranger, signature(key, url, stranger))).status_code == 404
    broken = _event(world, square_id, "COMPLETED", "not a time", created_at=_ago(minutes=1))
    refused = await _post(world, broken, signature(key, url, broken))
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "data.object.order_updated"
    assert await _inbox(world) == 0
    assert (await world.shown("ORD-U"))["pos_state"] is None


async def test_without_the_hubs_key_no_delivery_is_believed(world: SquareWorld) -> None:
    square_id = await _synced_order(world, "ORD-K")
    body = _event(world, square_id, "COMPLETED", _ago(minutes=2))
    refused = await _post(world, body, signature("k", world.url + "/api/webhooks/square", body))
    assert refused.status_code == 401
    assert await _inbox(world) == 0


async def test_events_outside_squares_retry_window_are_refused_as_replays(
    world: SquareWorld,
) -> None:
    square_id = await _synced_order(world, "ORD-R")
    key = await _subscribed(world)
    url = world.url + "/api/webhooks/square"
    for at in (_ago(hours=74), _ago(minutes=-10)):  # past Square's 72 h of retries; ahead
        body = _event(world, square_id, "CANCELED", at)
        refused = await _post(world, body, signature(key, url, body))
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "created_at"
    late = _event(world, square_id, "COMPLETED", _ago(hours=71))  # Square still retries it
    assert (await _post(world, late, signature(key, url, late))).status_code == 202
    await world.work()
    assert (await world.shown("ORD-R"))["pos_state"] == "COMPLETED"
    assert await _inbox(world) == 1
