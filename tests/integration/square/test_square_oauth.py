"""Square through OAuth: connected from its consent screen, an expired token renewed once
on the way to an order, and a revoked grant told once as `reauth_required`."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import SecretStr
from sqlalchemy import select

from tests.support.depot_world import FAST
from tests.support.secrets import remember
from tests.support.square_world import SquareWorld
from tests.support.till.world import FAST_POS
from tillsync.services.connections.links import find_connection
from tillsync.services.connections.settings import update_settings
from tillsync.services.health import REAUTH
from tillsync.store.tables import Connection, Job, Notification

AUTHORIZE = "/api/v1/pos/oauth/square/authorize"
CALLBACK = "/api/v1/pos/oauth/square/callback"
PUSH = "square.push_order"


async def _connection(world: SquareWorld) -> Connection:
    async with world.hub.uows.read() as session:
        found = await find_connection(session, world.tenant_id, "square")
    assert found is not None
    return found


def _keys(world: SquareWorld, connection: Connection) -> dict[str, Any]:
    keys: dict[str, Any] = world.hub.services.vault.open_json(connection.credentials)
    return keys


def _remember_tokens(world: SquareWorld) -> None:
    tokens = world.square.state.tokens
    remember(*tokens.access, *(t for t in tokens.refresh if t))


async def _consent(world: SquareWorld) -> tuple[dict[str, str], dict[str, str]]:
    """The consent screen's query, and the one Square sends the browser back with."""
    answer = await world.api.get(AUTHORIZE)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(world.square.url + "/oauth2/authorize?")
    asked = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    back = await world.api.get(location, headers={"Authorization": ""})
    assert back.status_code == 302, back.text
    assert back.headers["location"].startswith(world.url + CALLBACK)
    query = {k: v[0] for k, v in parse_qs(urlsplit(back.headers["location"]).query).items()}
    return asked, query


async def test_the_consent_screen_connects_square_and_its_orders_reach_it(
    world: SquareWorld,
) -> None:
    asked, query = await _consent(world)
    assert asked["client_id"] == world.square.state.application.client_id
    assert asked["scope"] == "ORDERS_READ ORDERS_WRITE ITEMS_READ MERCHANT_PROFILE_READ"
    assert asked["session"] == "false"

    answer = await world.api.get(CALLBACK, params=query, headers={"Authorization": ""})
    _remember_tokens(world)

    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["status"] == "active"
    access, issued = list(world.square.state.tokens.access.items())[-1]  # the newest
    assert access not in answer.text
    assert issued.grant.refresh_token not in answer.text
    connection = await _connection(world)
    keys = _keys(world, connection)
    assert keys["access_token"] == access
    assert keys["refresh_token"] == issued.grant.refresh_token
    assert keys["merchant_id"] == world.square.seller.merchant_id
    assert issued.expires_at is not None
    assert connection.token_expires_at == issued.expires_at.replace(microsecond=0)


async def test_a_connection_made_by_consent_sends_orders_to_the_main_location_and_hears_square(
    world: SquareWorld,
) -> None:
    seller = world.square.seller
    kiosk = world.square.state.add_location(seller.merchant_id, "Airport Kiosk")  # listed first
    _, query = await _consent(world)

    answer = await world.api.get(CALLBACK, params=query, headers={"Authorization": ""})
    _remember_tokens(world)

    assert answer.status_code == 200, answer.text
    connection = await _connection(world)
    assert connection.settings is not None
    assert connection.settings["location_id"] == seller.location_id != kiosk.id
    assert connection.settings["merchant_id"] == seller.merchant_id
    await update_settings(
        world.hub.services, tenant_id=world.tenant_id, provider="square", given=FAST | FAST_POS
    )
    placed = await world.place(world.order("ORD-OAUTH-1"))
    assert placed.status_code == 201, placed.text
    shown = await world.synced("ORD-OAUTH-1")
    assert shown["sync_state"] == "success"
    [order] = world.orders.values()
    assert (order["reference_id"], order["location_id"]) == ("ORD-OAUTH-1", seller.location_id)

    # Square's webhooks name the merchant: this connection is found by it.
    key = world.square.state.subscribe(world.url + "/api/webhooks/square", ["order.updated"])
    remember(key.signature_key)
    world.hub.services.settings.webhook_signature_keys = {"square": SecretStr(key.signature_key)}
    merchant = world.square.state.merchant(seller.merchant_id)
    world.square.state.orders.set_state(merchant, order["id"], "COMPLETED")

    async def shown_completed() -> bool:
        return (await world.shown("ORD-OAUTH-1"))["pos_state"] == "COMPLETED"

    assert await world.work_until(shown_completed)


async def test_with_its_main_location_closed_a_connection_takes_the_first_open_one(
    world: SquareWorld,
) -> None:
    seller = world.square.seller
    merchant = world.square.state.merchant(seller.merchant_id)
    merchant.locations[seller.location_id].status = "INACTIVE"
    open_one = world.square.state.add_location(seller.merchant_id, "Harbour Road")
    _, query = await _consent(world)

    answer = await world.api.get(CALLBACK, params=query, headers={"Authorization": ""})
    _remember_tokens(world)

    assert answer.status_code == 200, answer.text
    settings = (await _connection(world)).settings or {}
    assert settings["location_id"] == open_one.id


async def test_the_seed_connects_token_expiry_is_the_one_the_refresh_duty_reads(
    world: SquareWorld,
) -> None:
    expires = dt.datetime(2031, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    await world.connect_fast(token_expires_at=expires.isoformat())

    connection = await _connection(world)
    assert connection.token_expires_at == expires
    assert _keys(world, connection)["merchant_id"] == world.square.seller.merchant_id


async def test_an_expired_token_is_renewed_once_and_the_order_still_reaches_square(
    world: SquareWorld,
) -> None:
    await world.connect_fast(token_expires_at="2031-01-01T00:00:00Z")
    old = _keys(world, await _connection(world))["access_token"]
    assert (
        world.square.state.tokens.expire(
            now=world.square.state.clock.now(), token=old, merchant_id=None
        )
        == 1
    )

    placed = await world.place(world.order("ORD-EXPIRED"))
    assert placed.status_code == 201, placed.text
    shown = await world.synced("ORD-EXPIRED")
    _remember_tokens(world)

    assert shown["sync_state"] == "success"
    assert [o["reference_id"] for o in world.orders.values()] == ["ORD-EXPIRED"]
    statuses = [c.status for c in world.square.state.calls_since() if c.path == "/v2/orders"]
    assert statuses == [401, 200]
    connection = await _connection(world)
    assert connection.status == "active"
    renewed = _keys(world, connection)["access_token"]
    assert renewed != old
    live = world.square.state.tokens.access[renewed]
    assert live.expires_at is not None
    assert connection.token_expires_at == live.expires_at.replace(microsecond=0)
    async with world.hub.uows.read() as session:
        [job] = await session.scalars(select(Job).where(Job.kind == PUSH))
    assert (job.state, job.attempts) == ("success", 1)


async def test_a_revoked_grant_fails_the_push_once_told_as_reauth_required(
    world: SquareWorld,
) -> None:
    await world.connect_fast(token_expires_at="2031-01-01T00:00:00Z")
    assert world.square.state.tokens.revoke_merchant(world.square.seller.merchant_id) >= 1

    placed = await world.place(world.order("ORD-REVOKED"))
    assert placed.status_code == 201, placed.text
    shown = await world.synced("ORD-REVOKED")

    assert shown["sync_state"] == "failed"
    assert not world.orders
    async with world.hub.uows.read() as session:
        jobs = list(await session.scalars(select(Job).where(Job.kind == PUSH)))
        notices = list(
            await session.scalars(
                select(Notification).where(Notification.tenant_id == world.tenant_id)
            )
        )
    assert [job.state for job in jobs] == ["failed"]
    assert [notice.kind for notice in notices] == [REAUTH]
    assert (await _connection(world)).status == REAUTH


async def test_disconnecting_revokes_the_grant_at_square(world: SquareWorld) -> None:
    await world.connect_fast()
    access = _keys(world, await _connection(world))["access_token"]

    answer = await world.api.post("/api/v1/pos/disconnect", json={"business_id": world.tenant_id})

    assert answer.status_code == 200, answer.text
    assert world.square.state.tokens.access[access].grant.revoked
    calls = [c for c in world.square.state.calls_since() if c.path == "/oauth2/revoke"]
    assert [c.status for c in calls] == [200]


async def test_a_seed_connect_without_merchant_id_is_refused_naming_it(
    world: SquareWorld,
) -> None:
    body = {
        "business_id": world.tenant_id,
        "provider": "square",
        "access_token": world.square.seller.access_token,
        "refresh_token": "EQAA-refresh",
        "location_id": world.square.seller.location_id,
    }

    answer = await world.api.post("/api/v1/pos/connect", json=body)

    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "merchant_id"
    async with world.hub.uows.read() as session:
        assert await find_connection(session, world.tenant_id, "square") is None


async def test_consent_from_another_seller_after_a_disconnect_takes_that_sellers_location(
    world: SquareWorld,
) -> None:
    _, query = await _consent(world)
    assert (await world.api.get(CALLBACK, params=query)).status_code == 200
    disconnected = await world.api.post(
        "/api/v1/pos/disconnect", json={"business_id": world.tenant_id}
    )
    assert disconnected.status_code == 200, disconnected.text
    other = world.square.state.create_merchant(business_name="Corner Cafe", demo_catalog=False)
    world.square.state.update_settings(authorizing_merchant_id=other.merchant_id)
    _, query = await _consent(world)

    answer = await world.api.get(CALLBACK, params=query, headers={"Authorization": ""})
    _remember_tokens(world)

    assert answer.status_code == 200, answer.text
    connection = await _connection(world)
    assert connection.status == "active"
    settings = connection.settings or {}
    assert (settings["merchant_id"], settings["location_id"]) == (
        other.merchant_id,
        other.location_id,
    )
