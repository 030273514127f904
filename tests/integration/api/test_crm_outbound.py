"""The CRM address a tenant sets: private ones refused unless allowed, no answer ever echoed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from tests.support.crm import Crm, served_crm
from tests.support.hubs import RunningHub, TenantClient, running_hub
from tillsync.config import Settings
from tillsync.serving import serve
from tillsync.store.tables import Connection

PATH = "/api/crm/connection"
KEY = "crm_test_key_0123456789"
BANNER = "INTERNAL-ADMIN-CONSOLE-7f3a"
"""What a service on the inside answers; it must never come back to the tenant."""


@dataclass
class Answering:
    """A service that answers every request alike and counts them (a stand-in for the inside)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    seen: list[str] = field(default_factory=list)

    async def __call__(self, scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] == "lifespan":
            return
        self.seen.append(str(scope["path"]))
        await send(
            {  # type: ignore[operator]
                "type": "http.response.start",
                "status": self.status,
                "headers": [(b"content-type", self.content_type.encode())],
            }
        )
        await send({"type": "http.response.body", "body": self.body})  # type: ignore[operator]


@pytest.fixture
async def crm() -> AsyncIterator[Crm]:
    async with served_crm() as served:
        yield served


@pytest.fixture
async def strict(settings: Settings) -> AsyncIterator[RunningHub]:
    """A hub with the default policy: no loopback, private or link-local addresses."""
    async with running_hub(settings.model_copy(update={"allow_private_addresses": False})) as hub:
        yield hub


@pytest.fixture
async def tenant(strict: RunningHub) -> AsyncIterator[TenantClient]:
    async with strict.tenant() as client:
        yield client


@pytest.fixture
async def shop(served: RunningHub) -> AsyncIterator[TenantClient]:
    """A tenant of a hub whose settings allow private addresses, as the tests' settings do."""
    async with served.tenant() as client:
        yield client


async def _connections(served: RunningHub) -> int:
    async with served.hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Connection)) or 0)


@pytest.mark.parametrize(
    "url",
    [
        "{crm}",
        "http://localhost:{port}",
        "http://2130706433:{port}",
        "http://0x7f000001:{port}",
        "http://127.1:{port}",
        "http://[::1]:{port}",
        "http://[::ffff:127.0.0.1]:{port}",
        "http://0.0.0.0:{port}",
        "http://10.0.0.5",
        "http://192.168.1.10:5432",
        "http://169.254.169.254/latest",
        "http://[fe80::1]",
        "http://[fd00::1]",
        "http://224.0.0.1",
    ],
)
async def test_a_private_crm_address_is_refused_by_default(
    tenant: TenantClient, strict: RunningHub, crm: Crm, url: str
) -> None:
    address = url.format(crm=crm.url, port=crm.url.rsplit(":", 1)[1])
    answer = await tenant.http.put(PATH, json={"url": address, "apiKey": crm.api_key})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "url"
    assert "public" in answer.json()["message"]
    assert list(crm.state.calls) == []
    assert await _connections(strict) == 0


async def test_a_stored_private_address_is_refused_when_the_hub_calls_it(
    tenant: TenantClient, strict: RunningHub, crm: Crm
) -> None:
    """An address stored before the policy (or by a name that now resolves inside) is
    refused on connect: the test call fails and reaches nothing."""
    async with strict.hub.uows.begin() as uow:
        uow.session.add(
            Connection(
                tenant_id=tenant.tenant_id,
                provider="crm",
                role="crm",
                base_url=crm.url,
                credentials=strict.hub.services.vault.seal_json({"api_key": crm.api_key}),
                settings={},
                created_at=uow.now,
                updated_at=uow.now,
            )
        )
        await uow.commit()
    answer = (await tenant.http.post(PATH + "/test")).json()
    assert (answer["success"], answer["problem"]) == (False, "permanent")
    assert "public" in answer["message"]
    assert list(crm.state.calls) == []


async def test_the_setting_lets_a_tenant_use_a_crm_on_loopback(
    shop: TenantClient, crm: Crm
) -> None:
    answer = await shop.http.put(PATH, json={"url": crm.url, "apiKey": crm.api_key})
    assert answer.status_code == 200, answer.text
    assert len(crm.state.calls) == 1


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (401, {"success": False, "error": BANNER}, "application/json"),
        (403, {"message": BANNER, "field": BANNER}, "application/json"),
        (404, {"error": BANNER, "field": "url"}, "application/json"),
        (400, {"error": f"bad request at {BANNER}"}, "application/json"),
        (500, {"error": BANNER}, "application/json"),
        (503, f"<html>{BANNER}</html>", "text/html"),
        (200, f"<html><title>{BANNER}</title></html>", "text/html"),
        (200, f"+OK {BANNER} ready", f"text/{BANNER}"),
        (200, b"\x00\x01" + BANNER.encode(), "application/octet-stream"),
    ],
)
async def test_what_an_address_answers_is_never_echoed(
    shop: TenantClient, status: int, body: object, content_type: str
) -> None:
    raw = (
        body
        if isinstance(body, bytes)
        else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    )
    inside = Answering(status=status, body=raw, content_type=content_type)
    async with serve(inside) as url:
        put = await shop.http.put(PATH, json={"url": url, "apiKey": KEY})
    assert inside.seen, "the address was called"
    if status >= 500:  # a failing CRM is unavailable, not the caller's fault
        assert put.status_code == 502, put.text
    else:
        assert 400 <= put.status_code < 500, put.text
    assert put.json()["field"] in ("url", "apiKey")
    assert BANNER not in put.text


async def test_the_connection_test_never_echoes_what_the_crm_answered(
    shop: TenantClient,
) -> None:
    inside = Answering(status=200, body=b'{"invoices": []}')
    async with serve(inside) as url:
        assert (await shop.http.put(PATH, json={"url": url, "apiKey": KEY})).status_code == 200
        for status in (401, 404, 500):
            inside.status, inside.body = status, json.dumps({"error": BANNER}).encode()
            tested = await shop.http.post(PATH + "/test")
            assert tested.json()["success"] is False
            assert BANNER not in tested.text
