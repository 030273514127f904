"""Zoho through OAuth: connected at the account's data centre, an organization chosen, code 57
renewed once, and the refresh duty inside Zoho's 10 tokens per 10 minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update

from tests.support.secrets import remember
from tests.support.zoho_consent import callback, consent
from tests.support.zoho_world import ZohoWorld
from tillsync.services.connect_offers import connect_offers
from tillsync.services.connections.links import find_connection
from tillsync.services.connections.tokens import refresh_if_due, refreshes
from tillsync.services.pos_catalog import pos_catalog
from tillsync.store.tables import Connection

TOKEN = "/oauth/v2/token"


async def _connection(world: ZohoWorld) -> Connection:
    async with world.hub.uows.read() as session:
        found = await find_connection(session, world.tenant_id, "zoho")
    assert found is not None
    return found


def _keys(world: ZohoWorld, connection: Connection) -> dict[str, Any]:
    keys: dict[str, Any] = world.hub.services.vault.open_json(connection.credentials)
    return keys


def _token_calls(world: ZohoWorld) -> list[int]:
    return [c.status for c in world.zoho.calls_since() if (c.method, c.path) == ("POST", TOKEN)]


async def test_connecting_through_the_consent_screen_keeps_the_data_centre_and_organization(
    world: ZohoWorld,
) -> None:
    query = await consent(world)
    assert (query["location"], query["accounts-server"]) == ("us", world.emulator)
    answer = await callback(world, query)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["settings"]["organization_id"] == world.org.organization_id
    assert data["accountName"] == "Dine Street Cafe"
    pasted = data["webhook"]  # shown this once, for the user to paste into Zoho
    assert pasted["url"].endswith(f"/api/webhooks/zoho?connection={(await _connection(world)).id}")
    assert pasted["header"] == "x-tillsync-secret"
    remember(pasted["secret"])
    keys = _keys(world, await _connection(world))
    assert (keys["accounts_server"], keys["location"]) == (world.emulator, "us")
    assert keys["api_domain"] == world.emulator
    expires = dt.datetime.fromisoformat(keys["expires_at"])
    assert dt.timedelta(minutes=59) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)


async def test_a_callback_naming_a_foreign_accounts_server_is_refused_and_stores_nothing(
    world: ZohoWorld,
) -> None:
    query = await consent(world)
    answer = await callback(world, {**query, "accounts-server": "https://attacker.example"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "accounts-server"
    assert _token_calls(world) == []  # the client secret went nowhere
    async with world.hub.uows.read() as session:
        assert await find_connection(session, world.tenant_id, "zoho") is None


async def test_an_account_with_several_organizations_must_name_one(world: ZohoWorld) -> None:
    other = world.zoho.create_organization(name="Second Kitchen")
    refused = await world.connect()
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["field"] == "organization_id"
    assert world.org.organization_id in problem["message"]
    assert other.organization_id in problem["message"]
    unknown = await world.connect(organization_id="123")
    assert (unknown.status_code, unknown.json()["field"]) == (422, "organization_id")
    chosen = await world.connect_fast(organization_id=other.organization_id)
    assert chosen.json()["data"]["integration"]["status"] == "active"
    listed = await pos_catalog(world.hub.services, world.tenant_id)
    assert list(listed.items) == []  # the second organization's (empty) items, not the first's
    calls = [c for c in world.zoho.calls_since() if c.path.endswith("/items")]
    assert {c.organization_id for c in calls} == {other.organization_id}


async def test_an_expired_token_is_renewed_once_and_the_call_repeated(world: ZohoWorld) -> None:
    assert (await callback(world, await consent(world))).status_code == 200
    before = _keys(world, await _connection(world))["access_token"]
    world.zoho.tokens.expire(now=world.zoho.clock.now(), token=None, account_id=None)
    listed = await pos_catalog(world.hub.services, world.tenant_id)
    assert {item.sku for item in listed.items} == {"PBM-1", "NAAN-1"}
    assert _token_calls(world) == [200, 200]  # the code's exchange, then one refresh
    items = [c.code for c in world.zoho.calls_since() if c.path.endswith("/items")]
    assert items == [57, 0]
    after = _keys(world, await _connection(world))["access_token"]
    remember(after)
    assert after != before


async def test_the_refresh_duty_renews_a_token_once_for_its_hour(world: ZohoWorld) -> None:
    assert (await callback(world, await consent(world))).status_code == 200
    connection = await _connection(world)
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4)  # inside the five-minute margin
    async with world.hub.uows.begin() as uow:
        await uow.session.execute(
            update(Connection).where(Connection.id == connection.id).values(token_expires_at=soon)
        )
        await uow.commit()
    duty = refreshes(world.hub.services.providers)
    for _ in range(12):  # every tick of the duty for an hour would ask no more than this
        async with world.hub.uows.read() as session:
            due = await duty(session, world.hub.uows.clock.now())
        for job in due:
            assert job.connection_id is not None
            await refresh_if_due(world.hub.services, job.connection_id)
    remember(*world.zoho.tokens.access)
    assert _token_calls(world) == [200, 200]  # the code's exchange, then one refresh
    renewed = await _connection(world)
    assert renewed.token_expires_at is not None
    assert renewed.token_expires_at - dt.datetime.now(dt.UTC) > dt.timedelta(minutes=55)


async def test_the_consent_screen_is_offered_at_zohos_accounts_server(world: ZohoWorld) -> None:
    settings = world.hub.services.settings
    settings.provider_urls = {k: v for k, v in settings.provider_urls.items() if k != "zoho"}
    offers = await connect_offers(world.hub.services, world.tenant_id)
    (zoho,) = [offer for offer in offers if offer.provider == "zoho"]
    assert (zoho.origin, zoho.configured) == ("https://accounts.zoho.com", True)
