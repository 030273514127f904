"""The shared client over real sockets: a tenant's address is judged when its connection opens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from tillsync.connectors.http import create_http_client, send
from tillsync.connectors.outbound import AddressRefused, OutboundPolicy
from tillsync.errors import Permanent
from tillsync.serving import serve

STRICT = OutboundPolicy(allow_private=False).extensions()


@dataclass
class Counting:
    """Answers 200 to everything and keeps the paths it was asked for."""

    seen: list[str] = field(default_factory=list)

    async def __call__(self, scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] == "lifespan":
            return
        self.seen.append(str(scope["path"]))
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"{}"})  # type: ignore[operator]


@pytest.fixture
async def inside() -> AsyncIterator[tuple[Counting, int]]:
    app = Counting()
    async with serve(app) as url:
        yield app, int(url.rsplit(":", 1)[1])


async def _rebinding(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]  # whatever the name looked like when it was set


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "crm.example.com"])
async def test_a_request_for_a_tenant_never_reaches_a_loopback_server(
    inside: tuple[Counting, int], host: str
) -> None:
    app, port = inside
    async with create_http_client(timeout=5.0, resolver=_rebinding) as client:
        request = client.build_request("GET", f"http://{host}:{port}/admin", extensions=STRICT)
        with pytest.raises(AddressRefused) as refused:
            await send(client, request)
    assert isinstance(refused.value, Permanent)
    assert app.seen == []


async def test_an_operator_address_and_an_allowed_one_are_called_as_given(
    inside: tuple[Counting, int],
) -> None:
    app, port = inside
    allowed = OutboundPolicy(allow_private=True).extensions()
    async with create_http_client(timeout=5.0, resolver=_rebinding) as client:
        for extensions in ({}, allowed):
            request = client.build_request(
                "GET", f"http://127.0.0.1:{port}/ok", extensions=extensions
            )
            assert (await send(client, request)).status_code == 200
    assert app.seen == ["/ok", "/ok"]


async def test_a_refused_connection_is_not_kept_for_later_requests(
    inside: tuple[Counting, int],
) -> None:
    app, port = inside
    async with create_http_client(timeout=5.0, resolver=_rebinding) as client:
        url = f"http://127.0.0.1:{port}/ok"
        assert (await send(client, client.build_request("GET", url))).status_code == 200
        with pytest.raises(AddressRefused):
            await send(client, client.build_request("GET", url, extensions=STRICT))
    assert app.seen == ["/ok"]
