"""The outbound address policy: which addresses a tenant may make the hub call.

An address a tenant sets (the CRM's today) is checked with `check_url` when it is set, and
every request to it carries `OutboundPolicy.extensions()`. Such a request travels through
a pool of its own whose connections resolve the host themselves, judge every address it
has, and connect to an address they judged: a name that resolved to a public address when
it was set and resolves inside later (DNS rebinding) is refused before a byte is sent.
Addresses the operator sets (a provider's base URL, in the settings) are trusted and are not
checked.

By default the policy refuses loopback, unspecified, link-local, multicast, private,
reserved and other non-public ranges, in IPv4 and IPv6, including IPv4 addresses carried
inside IPv6 (mapped, NAT64, 6to4) and the decimal, octal and hex spellings of IPv4 that
resolvers accept. `allow_private_addresses` admits them (the sandbox and tests do, as their
emulators listen on loopback). Whatever the setting, only http and https are called and a
URL may not carry credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpcore
import httpx

from tillsync.errors import Permanent

__all__ = [
    "PUBLIC_ONLY",
    "AddressRefused",
    "OutboundPolicy",
    "OutboundTransport",
    "PublicOnlyBackend",
    "Resolver",
    "check_url",
    "parse_url",
    "public_only_transport",
    "refusal",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""(host, port) → the addresses the host stands for; OSError when it has none."""

PUBLIC_ONLY = "tillsync.public_only"
"""The request extension that sends a request through the public-only pool."""

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAME = re.compile(r"[a-z0-9_.-]+")
"""A host name as httpx leaves it: lower case, IDNA already turned into ASCII."""
_ONLY_PUBLIC = "the hub calls only public addresses"


class AddressRefused(Permanent):
    """The outbound policy refuses this address: asking again cannot help."""


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    allow_private: bool = False

    def extensions(self) -> dict[str, Any]:
        """What a request to a tenant's address carries so its connection is judged too."""
        return {} if self.allow_private else {PUBLIC_ONLY: True}


def refusal(address: IPAddress) -> str | None:
    """What kind of non-public address this is ("loopback", "private", …); None if public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None
        )
        if embedded is not None:  # judged as the IPv4 address it reaches
            return refusal(embedded)
        inner = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if inner is not None and refusal(inner) is not None:
            return refusal(inner)
    for kind, refused in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    ):
        if refused:
            return kind
    return None


def _ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host.replace("%25", "%")), ipaddress.IPv6Address)
    except ValueError:
        return False


def literal(host: str) -> IPAddress | None:
    """The address a host names by itself, in any spelling a resolver would accept
    (127.1, 2130706433, 0x7f000001, 017700000001); None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, UnicodeError):
        return None


async def resolve(host: str, port: int) -> list[str]:
    """The system resolver's addresses for host, as the connection itself would find them."""
    loop = asyncio.get_running_loop()
    found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def parse_url(url: str) -> httpx.URL:
    """An http(s) URL with a host and no credentials (whatever the setting), not yet judged."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise AddressRefused("the address is not a valid URL") from None
    if parsed.scheme not in ("http", "https"):
        raise AddressRefused("the address must start with http:// or https://")
    if not parsed.host:
        raise AddressRefused("the address has no host")
    if not (_NAME.fullmatch(parsed.host) or _ipv6(parsed.host)):
        raise AddressRefused("the address is not a valid URL")
    if parsed.userinfo:
        raise AddressRefused("the address must not carry a user name or password")
    return parsed


async def check_url(url: str, *, policy: OutboundPolicy, resolver: Resolver = resolve) -> httpx.URL:
    """The URL, when the policy lets the hub call it; `AddressRefused` says why not.

    A name that does not resolve now is let through: the connection judges it again, and
    fails if it still does not resolve.
    """
    parsed = parse_url(url)
    if not policy.allow_private:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        with contextlib.suppress(OSError):
            await admitted(parsed.host, port, resolver)
    return parsed


async def admitted(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    """Every address of host, when each is public; `AddressRefused` naming the first that is
    not; OSError when the name does not resolve."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        raise AddressRefused(f"{host} is a loopback address: {_ONLY_PUBLIC}")
    address = literal(name)
    if address is not None:
        kind = refusal(address)
        if kind is not None:
            raise AddressRefused(f"{host} is a {kind} address: {_ONLY_PUBLIC}")
        return [address]
    addresses = [ipaddress.ip_address(found) for found in await resolver(host, port)]
    if not addresses:
        raise OSError(f"{host} has no address")
    for address in addresses:
        kind = refusal(address)
        if kind is not None:  # which address stays unsaid: it is the inside's business
            raise AddressRefused(f"{host} resolves to a {kind} address: {_ONLY_PUBLIC}")
    return addresses


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """Opens a connection only to an address it has just judged public, and to that one."""

    def __init__(
        self, *, resolver: Resolver = resolve, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._resolver = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await admitted(host, port, self._resolver)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout("name resolution timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError("the host name does not resolve") from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(f"a local socket is not a public address: {_ONLY_PUBLIC}")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for the process: each new one loads the CA bundle again,
    which costs tens of milliseconds, and a context serves any number of pools."""
    return httpx.create_ssl_context()


def public_only_transport(*, limits: httpx.Limits, resolver: Resolver) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose pool connects through `PublicOnlyBackend`."""
    transport = httpx.AsyncHTTPTransport(verify=tls_context(), limits=limits, retries=0)
    # httpx takes no network backend of its own; its pool is replaced by an equal one that
    # has ours (httpcore's public constructor), before any connection is opened.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=tls_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        retries=0,
        network_backend=PublicOnlyBackend(resolver=resolver),
    )
    return transport


class OutboundTransport(httpx.AsyncBaseTransport):
    """Two pools behind one client: requests marked `PUBLIC_ONLY` never share a connection
    with the others, and only ever open one to an address the policy admits."""

    def __init__(self, *, trusted: httpx.AsyncBaseTransport, public_only: httpx.AsyncBaseTransport):
        self._trusted = trusted
        self._public_only = public_only

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        chosen = self._public_only if request.extensions.get(PUBLIC_ONLY) else self._trusted
        return await chosen.handle_async_request(request)

    async def __aenter__(self) -> OutboundTransport:
        await self._trusted.__aenter__()
        await self._public_only.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        try:
            await self._public_only.__aexit__(exc_type, exc_value, traceback)
        finally:
            await self._trusted.__aexit__(exc_type, exc_value, traceback)

    async def aclose(self) -> None:
        try:
            await self._public_only.aclose()
        finally:
            await self._trusted.aclose()
