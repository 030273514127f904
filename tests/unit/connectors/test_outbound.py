"""The outbound address policy: which addresses a tenant may make the hub call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import pytest

from tillsync.connectors.outbound import (
    AddressRefused,
    OutboundPolicy,
    PublicOnlyBackend,
    check_url,
)

PUBLIC = "93.184.216.34"
NAMES = {
    "crm.example.com": [PUBLIC],
    "dual.example.com": [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946"],
    "internal.example.com": ["10.1.2.3"],
    "metadata.example.com": ["169.254.169.254"],
    "mixed.example.com": [PUBLIC, "192.168.0.7"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
    "loopback6.example.com": ["::1"],
}
STRICT = OutboundPolicy(allow_private=False)
LENIENT = OutboundPolicy(allow_private=True)


class Names:
    """A resolver over a fixed table that counts its look-ups."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"{host} is unknown")
        return list(self.table[host])


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:3001", "loopback"),
        ("http://127.9.9.9", "loopback"),
        ("http://127.1", "loopback"),
        ("http://2130706433", "loopback"),
        ("http://0x7f000001", "loopback"),
        ("http://0x7f.0.0.1", "loopback"),
        ("http://0x7f.1", "loopback"),
        ("http://0x7f000001.", "loopback"),
        ("http://017700000001", "loopback"),
        ("http://localhost:8080", "loopback"),
        ("http://LOCALHOST.", "loopback"),
        ("http://api.localhost", "loopback"),
        ("http://[::1]:3001", "loopback"),
        ("http://[::ffff:127.0.0.1]", "loopback"),
        ("http://[::ffff:7f00:1]", "loopback"),
        ("http://[64:ff9b::7f00:1]", "loopback"),
        ("http://0.0.0.0", "unspecified"),
        ("http://0", "unspecified"),
        ("http://[::]", "unspecified"),
        ("http://10.0.0.5", "private"),
        ("http://172.16.3.4", "private"),
        ("http://192.168.1.1", "private"),
        ("http://[fc00::1]", "private"),
        ("http://[fd12:3456::1]", "private"),
        ("http://[::ffff:192.168.1.1]", "private"),
        ("http://[2002:c0a8:101::1]", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fe80::1]", "link-local"),
        ("http://224.0.0.1", "multicast"),
        ("http://[ff02::1]", "multicast"),
        ("http://240.0.0.1", "reserved"),
        ("http://255.255.255.255", "reserved"),
        ("http://100.64.0.1", "non-public"),
        ("http://192.0.2.10", "private"),
        ("http://internal.example.com", "private"),
        ("http://metadata.example.com", "link-local"),
        ("http://mixed.example.com", "private"),
        ("http://mapped.example.com", "loopback"),
        ("http://loopback6.example.com", "loopback"),
    ],
)
async def test_a_non_public_address_is_refused_by_default(url: str, kind: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        await check_url(url, policy=STRICT, resolver=Names(NAMES))
    assert f"a {kind} address" in refused.value.message


@pytest.mark.parametrize(
    "url",
    [
        "https://crm.example.com",
        "https://crm.example.com:8443/tenant/7",
        "http://dual.example.com",
        "http://8.8.8.8",
        "http://[2606:4700:4700::1111]",
        "http://[::ffff:8.8.8.8]",
    ],
)
async def test_a_public_address_is_admitted(url: str) -> None:
    assert str(await check_url(url, policy=STRICT, resolver=Names(NAMES))) == url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:3001", "http://localhost", "http://10.0.0.5", "http://[::1]"]
)
async def test_the_setting_admits_private_addresses_without_resolving(url: str) -> None:
    names = Names(NAMES)
    assert str(await check_url(url, policy=LENIENT, resolver=names)) == url
    assert names.asked == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://crm.example.com", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("gopher://crm.example.com:70/", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("crm.example.com", "http:// or https://"),
        ("http://", "host"),
        ("http://user:pw@crm.example.com", "user name or password"),
        ("http://user@crm.example.com", "user name or password"),
        ("http://:pw@crm.example.com", "user name or password"),
        ("http://exa mple.com", "not a valid URL"),
        ("http://0177.0.0.1", "not a valid URL"),
    ],
)
@pytest.mark.parametrize("policy", [STRICT, LENIENT])
async def test_other_schemes_and_credentials_are_refused_whatever_the_setting(
    url: str, problem: str, policy: OutboundPolicy
) -> None:
    with pytest.raises(AddressRefused, match=problem) as refused:
        await check_url(url, policy=policy, resolver=Names(NAMES))
    assert "pw" not in refused.value.message


async def test_a_name_that_does_not_resolve_is_left_to_the_connection() -> None:
    url = "https://unknown.example.com"
    assert str(await check_url(url, policy=STRICT, resolver=Names(NAMES))) == url


class Recorder(httpcore.AsyncNetworkBackend):
    """Records where it is asked to connect, and connects nowhere."""

    def __init__(self) -> None:
        self.connected: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        return httpcore.AsyncNetworkStream()


async def test_the_connection_goes_to_the_address_that_was_judged() -> None:
    inner = Recorder()
    backend = PublicOnlyBackend(resolver=Names(NAMES), inner=inner)
    await backend.connect_tcp("crm.example.com", 443)
    assert inner.connected == [(PUBLIC, 443)]


@pytest.mark.parametrize(
    "host", ["internal.example.com", "mixed.example.com", "127.0.0.1", "2130706433", "::1"]
)
async def test_a_connection_to_a_private_address_is_never_opened(host: str) -> None:
    inner = Recorder()
    backend = PublicOnlyBackend(resolver=Names(NAMES), inner=inner)
    with pytest.raises(AddressRefused):
        await backend.connect_tcp(host, 80)
    assert inner.connected == []


async def test_a_name_that_rebinds_to_a_private_address_is_refused_on_connect() -> None:
    names = Names({"rebind.example.com": [PUBLIC]})
    await check_url("http://rebind.example.com", policy=STRICT, resolver=names)
    names.table["rebind.example.com"] = ["127.0.0.1"]
    inner = Recorder()
    with pytest.raises(AddressRefused, match="loopback"):
        await PublicOnlyBackend(resolver=names, inner=inner).connect_tcp("rebind.example.com", 80)
    assert inner.connected == []


async def test_a_name_that_does_not_resolve_on_connect_is_a_connect_error() -> None:
    backend = PublicOnlyBackend(resolver=Names({}), inner=Recorder())
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("unknown.example.com", 80)
