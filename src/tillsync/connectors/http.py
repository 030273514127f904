"""HTTP plumbing every connector shares: client factory, status classes, transport errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from tillsync.connectors import outbound
from tillsync.errors import AuthFailed, Permanent, ProviderError, Retryable, Throttled

__all__ = [
    "DEFAULT_USER_AGENT",
    "classify",
    "create_http_client",
    "create_transport",
    "decode_json",
    "describe",
    "dump_json",
    "error_class",
    "media_type",
    "parse_retry_after",
    "retry_after",
    "send",
]

DEFAULT_USER_AGENT = "tillsync/0.1"

# Statuses worth another attempt later. 409 is here because providers use it for transient
# clashes (a concurrent write, a lock, an idempotent request still in flight); a conflict that
# is real ends as `failed` once the job queue's bounded schedule runs out.
_RETRYABLE = frozenset({408, 409, 425, 429})
_AUTH = frozenset({401, 403})
# Named in messages when an answer is not JSON; any other type is "unknown", so a message
# never carries text an answering server chose.
_KNOWN_TYPES = frozenset(
    {"text/html", "text/plain", "text/xml", "application/xml", "application/octet-stream"}
)


def create_http_client(
    *,
    timeout: float,
    user_agent: str = DEFAULT_USER_AGENT,
    resolver: outbound.Resolver = outbound.resolve,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """One pooled client per process; it never retries or follows redirects on its own.

    Requests to an address a tenant set carry `OutboundPolicy.extensions()` and go through
    a pool of their own that connects only to public addresses (see `outbound`). Clients
    given the same `transport` (from `create_transport`) share its pools.
    """
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        headers={"User-Agent": user_agent, "Accept": "application/json"},
        # An unknown path can answer with a redirect loop: a 3xx is an error, not a hop.
        follow_redirects=False,
        transport=transport or create_transport(resolver=resolver),
    )


def create_transport(
    *, resolver: outbound.Resolver = outbound.resolve
) -> outbound.OutboundTransport:
    """The pools every provider call travels through: one for trusted, one for tenant addresses."""
    # An idle pooled connection is dropped after 4 s, before servers close theirs (uvicorn
    # after 5 s, many load balancers later). Reusing one the server is closing fails the
    # request with an unknown outcome, which costs a whole retry interval to resolve.
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=4.0)
    return outbound.OutboundTransport(
        trusted=httpx.AsyncHTTPTransport(verify=outbound.tls_context(), limits=limits, retries=0),
        public_only=outbound.public_only_transport(limits=limits, resolver=resolver),
    )


def describe(request: httpx.Request) -> str:
    """`METHOD /path` for messages: no host, no query string (it can carry keys or PII)."""
    return f"{request.method} {request.url.path}"


def error_class(status: int) -> type[ProviderError] | None:
    """What a status means for the job: None for 2xx, else the error class to raise."""
    if 200 <= status < 300:
        return None
    if status in _AUTH:
        return AuthFailed
    if status == 429:
        return Throttled
    if status in _RETRYABLE or status >= 500:
        return Retryable
    return Permanent


def classify(
    response: httpx.Response, *, detail: str | None = None, now: dt.datetime | None = None
) -> None:
    """Raise the error a non-2xx response stands for; return quietly on 2xx.

    `detail` is a provider message already extracted and judged safe by the caller. A
    Retry-After given as an HTTP date is measured from `now`, by default from the response's
    own `Date` header (the server's clock), else from the system clock. A 503 that carries
    Retry-After is the server asking us to slow down, so it becomes `Throttled` too.
    """
    status = response.status_code
    cls = error_class(status)
    if cls is None:
        return
    message = f"{describe(response.request)} answered HTTP {status}"
    if 300 <= status < 400:
        message += " (unexpected redirect: check the base URL)"
    if detail:
        message += f": {detail}"
    wait = retry_after(response, now=now)
    if cls is Throttled or (status == 503 and wait is not None):
        raise Throttled(message, status=status, wait_seconds=wait)
    raise cls(message, status=status)


def parse_retry_after(value: str, *, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delay-seconds or HTTP-date); None if unreadable."""
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max((moment - now).total_seconds(), 0.0)


def retry_after(response: httpx.Response, *, now: dt.datetime | None = None) -> float | None:
    """Seconds the response's Retry-After asks for (see `classify` for `now`); None if absent."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    if now is None:
        now = _server_now(response)
    return parse_retry_after(value, now=now)


def _server_now(response: httpx.Response) -> dt.datetime:
    stamp = response.headers.get("Date")
    if stamp:
        try:
            moment = parsedate_to_datetime(stamp)
        except (TypeError, ValueError, IndexError):
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


async def send(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Send once, translating transport failures into tillsync errors at this boundary.

    Only a refused or reset *connection* is tried a second time, at once: the request never
    reached the server, so repeating it cannot apply anything twice. Every other failure
    (timeouts, a dropped response) leaves the outcome unknown and goes to the job queue as
    `Retryable`; a request we cannot send at all (bad scheme, invalid header) is `Permanent`.
    """
    try:
        return await client.send(request)
    except httpx.ConnectError:
        pass  # nothing reached the server: one immediate second try is safe
    except httpx.TransportError as exc:
        raise _translate(request, exc) from exc
    try:
        return await client.send(request)
    except httpx.TransportError as exc:
        raise _translate(request, exc) from exc


def _translate(request: httpx.Request, exc: httpx.TransportError) -> ProviderError:
    where = describe(request)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return Permanent(f"{where}: request cannot be sent ({_name(exc)})")
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Retryable(f"{where}: request not sent, could not connect ({_name(exc)})")
    return Retryable(f"{where}: outcome unknown, the request may have been applied ({_name(exc)})")


def _name(exc: Exception) -> str:
    # The class name says enough; the text of some transport errors echoes the URL.
    return type(exc).__name__


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of a 2xx response; None when empty.

    A body that is not JSON is `Permanent`: providers (and proxies in front of them) answer
    an unknown path with an HTML page and HTTP 200, which no retry will change, and a body cut
    short in transit surfaces as a transport error in `send`, not here.
    """
    if not response.content.strip():
        return None
    try:
        return json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        kind = media_type(response)
        raise Permanent(
            f"{describe(response.request)} answered HTTP {response.status_code} "
            f"with a body that is not JSON ({kind}): check the base URL and path",
            status=response.status_code,
        ) from exc


def media_type(response: httpx.Response) -> str:
    """The answer's media type for a message when it is a common one, else "unknown"."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return kind if kind in _KNOWN_TYPES else "unknown"


def dump_json(value: Any) -> bytes:
    """JSON bytes in which a `Decimal` is written as the exact number it holds, never a float."""
    return _encode(value).encode()


def _encode(value: Any) -> str:
    if value is None or isinstance(value, bool | int | float | str):
        return json.dumps(value, allow_nan=False)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent as JSON")
        return format(value, "f")
    if isinstance(value, Mapping):
        items = (f"{_key(k)}:{_encode(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    raise TypeError(f"{type(value).__name__} cannot be sent as JSON")


def _key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
    return json.dumps(key)
