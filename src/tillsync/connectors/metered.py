"""Provider calls counted: one client per provider over the hub's one pool of connections.

Each provider's connectors get a client whose transport tells `observe` the provider and
the outcome of every request it sends (a second try after a refused connection is a
second call). The outcomes are the job queue's words for them: `success`, `throttled`,
`auth`, `retryable` (a 5xx, 408, 409…), `permanent`, and for requests that got no answer,
`unreachable` (nothing was sent) or `unknown` (it may have been applied).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

import httpx

from tillsync.connectors.http import create_http_client, create_transport, error_class
from tillsync.errors import Throttled

CallObserver = Callable[[str, str], None]
"""Told of each call: the provider's name, the call's outcome."""
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def outcome(response: httpx.Response) -> str:
    status = response.status_code
    kind = error_class(status)
    if kind is None:
        return "success"
    if status == 503 and "Retry-After" in response.headers:  # as `classify` takes it
        return Throttled.kind
    return kind.kind


class MeteredTransport(httpx.AsyncBaseTransport):
    """Sends through a shared transport, counting; closing it leaves the shared one open."""

    def __init__(
        self, shared: httpx.AsyncBaseTransport, *, provider: str, observe: CallObserver
    ) -> None:
        self._shared = shared
        self._provider = provider
        self._observe = observe

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._shared.handle_async_request(request)
        except httpx.TransportError as exc:
            self._observe(self._provider, "unreachable" if isinstance(exc, NOT_SENT) else "unknown")
            raise
        self._observe(self._provider, outcome(response))
        return response

    async def aclose(self) -> None:
        return None


class ProviderClients:
    """The hub's HTTP clients to providers: one per provider, every call counted."""

    def __init__(
        self,
        *,
        timeout: float,
        observe: CallObserver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`transport`: the pools to share (by default the outbound policy's own)."""
        self._transport = transport or create_transport()
        self._timeout = timeout
        self._observe: CallObserver = observe or (lambda provider, outcome: None)
        self._clients: dict[str, httpx.AsyncClient] = {}

    def of(self, provider: str) -> httpx.AsyncClient:
        client = self._clients.get(provider)
        if client is None:
            metered = MeteredTransport(self._transport, provider=provider, observe=self._observe)
            client = create_http_client(timeout=self._timeout, transport=metered)
            self._clients[provider] = client
        return client

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        await self._transport.aclose()

    async def __aenter__(self) -> ProviderClients:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
