"""PUT, GET, test and DELETE /api/crm/connection: the key is tried, sealed, never shown."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.crm import Crm, served_crm
from tests.support.hubs import RunningHub, TenantClient
from tillsync.serving import free_port
from tillsync.store.tables import Connection

PATH = "/api/crm/connection"


@pytest.fixture
async def crm() -> AsyncIterator[Crm]:
    async with served_crm() as served:
        yield served


async def _connections(served: RunningHub) -> int:
    async with served.hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Connection)) or 0)


async def test_a_good_key_is_stored_sealed_and_shown_masked(
    shop: TenantClient, served: RunningHub, crm: Crm, tmp_path: Path
) -> None:
    put = await shop.http.put(PATH, json={"url": crm.url + "/", "apiKey": crm.api_key})
    assert put.status_code == 200, put.text
    got = await shop.http.get(PATH)
    for answer in (put, got):
        assert crm.api_key not in answer.text
        body = answer.json()
        assert body["connected"] is True
        assert body["url"] == crm.url
        assert body["apiKey"] == f"{crm.api_key[:8]}...{crm.api_key[-4:]}"
        assert body["status"] == "active"
    async with served.hub.uows.read() as session:
        connection = await session.scalar(select(Connection))
    assert connection is not None
    assert (connection.provider, connection.role) == ("crm", "crm")
    assert crm.api_key not in connection.credentials
    database = tmp_path / "tillsync.db"
    if database.exists():
        assert crm.api_key.encode() not in database.read_bytes()


async def test_the_connection_test_calls_the_crm(shop: TenantClient, crm: Crm) -> None:
    await shop.http.put(PATH, json={"url": crm.url, "apiKey": crm.api_key})
    good = await shop.http.post(PATH + "/test")
    assert good.json()["success"] is True
    crm.state.revoke_key(crm.api_key)
    refused = (await shop.http.post(PATH + "/test")).json()
    assert (refused["success"], refused["problem"]) == (False, "auth")
    crm.state.faults.down = True
    down = (await shop.http.post(PATH + "/test")).json()
    assert (down["success"], down["problem"]) == (False, "retryable")
    assert crm.api_key not in str(down) + str(refused)


async def test_a_refused_key_is_named_and_not_stored(
    shop: TenantClient, served: RunningHub, crm: Crm
) -> None:
    answer = await shop.http.put(PATH, json={"url": crm.url, "apiKey": "crm_wrong_key_123456"})
    assert answer.status_code == 400
    assert answer.json()["field"] == "apiKey"
    assert "crm_wrong_key_123456" not in answer.text
    assert await _connections(served) == 0
    assert (await shop.http.get(PATH)).json() == {"connected": False, "provider": "crm"}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"apiKey": "k" * 20}, 422, "url"),
        ({"url": "http://127.0.0.1:1"}, 422, "apiKey"),
        ({"url": "http://127.0.0.1:1", "apiKey": "  "}, 422, "apiKey"),
        ({"url": "ftp://crm.example", "apiKey": "k" * 20}, 422, "url"),
        ({"url": "not a url", "apiKey": "k" * 20}, 422, "url"),
        ({"url": "http://me:pw@crm.example", "apiKey": "k" * 20}, 422, "url"),
        ({"url": "http://crm.example", "apiKey": "k" * 501}, 422, "apiKey"),
        ({"url": "http://crm.example", "apiKey": "ключ-0123456789"}, 422, "apiKey"),
        ({"url": "http://crm.example", "apiKey": "key with\nnewline"}, 422, "apiKey"),
        (
            {"url": "http://crm.example", "apiKey": "k" * 20, "settings": {"x": 1}},
            422,
            "settings.x",
        ),
        (
            {"url": "http://crm.example", "apiKey": "k" * 20, "settings": {"currency": "usdx"}},
            422,
            "settings.currency",
        ),
    ],
)
async def test_bad_connection_input_is_named(
    shop: TenantClient, served: RunningHub, body: dict[str, object], status: int, field: str
) -> None:
    answer = await shop.http.put(PATH, json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    assert await _connections(served) == 0


async def test_an_unreachable_crm_is_named_and_not_stored(
    shop: TenantClient, served: RunningHub
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    answer = await shop.http.put(PATH, json={"url": url, "apiKey": "k" * 20})
    assert answer.status_code == 502
    assert answer.json()["field"] == "url"
    assert await _connections(served) == 0


async def test_disconnect_forgets_the_key_and_stops_invoices(
    shop: TenantClient, served: RunningHub, crm: Crm
) -> None:
    await shop.http.put(PATH, json={"url": crm.url, "apiKey": crm.api_key})
    deleted = await shop.http.delete(PATH)
    assert deleted.status_code == 200
    assert (await shop.http.get(PATH)).json()["connected"] is False
    assert (await shop.http.delete(PATH)).status_code == 404
    assert (await shop.http.post(PATH + "/test")).status_code == 404
    async with served.hub.uows.read() as session:
        connection = await session.scalar(select(Connection))
    assert connection is not None
    assert connection.status == "disconnected"
    assert connection.credentials == ""
    reconnected = await shop.http.put(PATH, json={"url": crm.url, "apiKey": crm.api_key})
    assert reconnected.json()["status"] == "active"
    assert await _connections(served) == 1


async def test_one_tenant_never_sees_another_tenants_crm(
    shop: TenantClient, served: RunningHub, crm: Crm
) -> None:
    await shop.http.put(PATH, json={"url": crm.url, "apiKey": crm.api_key})
    async with served.tenant("Other Shop") as other:
        assert (await other.http.get(PATH)).json()["connected"] is False
        assert (await other.http.delete(PATH)).status_code == 404
    assert (await shop.http.get(PATH)).json()["connected"] is True
