"""The shared status table, Retry-After parsing and transport-error translation."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tillsync.connectors.http import classify, create_http_client, parse_retry_after, send
from tillsync.errors import AuthFailed, Permanent, ProviderError, Retryable, Throttled

NOW = dt.datetime(2026, 1, 5, 12, 0, 0, tzinfo=dt.UTC)
IN_90_S = "Mon, 05 Jan 2026 12:01:30 GMT"
URL = "https://api.example.test/v2/things?api_key=s3cret-in-query"


def response(
    status: int, *, headers: dict[str, str] | None = None, body: bytes = b""
) -> httpx.Response:
    request = httpx.Request("POST", URL, headers={"X-Api-Key": "s3cret-in-header"})
    return httpx.Response(status, headers=headers, content=body, request=request)


@pytest.mark.parametrize(
    ("status", "headers", "expected", "wait"),
    [
        (200, {}, None, None),
        (201, {}, None, None),
        (204, {}, None, None),
        (301, {"Location": "/elsewhere"}, Permanent, None),
        (400, {}, Permanent, None),
        (401, {}, AuthFailed, None),
        (403, {}, AuthFailed, None),
        (404, {}, Permanent, None),
        (405, {}, Permanent, None),
        (408, {}, Retryable, None),
        (409, {}, Retryable, None),
        (413, {}, Permanent, None),
        (422, {}, Permanent, None),
        (425, {}, Retryable, None),
        (429, {}, Throttled, None),
        (429, {"Retry-After": "17"}, Throttled, 17.0),
        (429, {"Retry-After": IN_90_S}, Throttled, 90.0),
        (429, {"Retry-After": "soon"}, Throttled, None),
        (500, {}, Retryable, None),
        (502, {}, Retryable, None),
        (503, {}, Retryable, None),
        (503, {"Retry-After": "30"}, Throttled, 30.0),
        (504, {}, Retryable, None),
    ],
)
def test_status_maps_to_outcome_class(
    status: int, headers: dict[str, str], expected: type[ProviderError] | None, wait: float | None
) -> None:
    if expected is None:
        classify(response(status, headers=headers), now=NOW)  # raises on a defect
        return
    with pytest.raises(ProviderError) as caught:
        classify(response(status, headers=headers), now=NOW)
    assert type(caught.value) is expected
    assert caught.value.status == status
    if isinstance(caught.value, Throttled):
        assert caught.value.wait_seconds == wait


def test_error_message_names_method_path_and_status_but_no_secret() -> None:
    with pytest.raises(Permanent) as caught:
        classify(response(422, body=b'{"api_key": "s3cret-in-body"}'), detail="SKU is required")
    message = str(caught.value)
    assert message == "POST /v2/things answered HTTP 422: SKU is required"
    assert "s3cret" not in message


def test_retry_after_date_is_measured_from_the_server_date_by_default() -> None:
    headers = {"Retry-After": IN_90_S, "Date": "Mon, 05 Jan 2026 12:01:00 GMT"}
    with pytest.raises(Throttled) as caught:
        classify(response(429, headers=headers))
    assert caught.value.wait_seconds == 30.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("120", 120.0),
        (" 5 ", 5.0),
        (IN_90_S, 90.0),
        ("Mon, 05 Jan 2026 11:00:00 GMT", 0.0),  # a date in the past: go now
        ("Monday, 05-Jan-26 12:00:10 GMT", 10.0),  # RFC 850 form
        ("", None),
        ("-5", None),
        ("1.5", None),
        ("tomorrow", None),
    ],
)
def test_parse_retry_after(value: str, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def failing_client(errors: list[Exception], *, calls: list[httpx.Request]) -> httpx.AsyncClient:
    """A client whose transport raises `errors` in turn, then answers 200."""

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if errors:
            raise errors.pop(0)
        return httpx.Response(200, json={"ok": True})

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def connect_error() -> httpx.ConnectError:
    return httpx.ConnectError("[Errno 111] Connection refused")


async def test_refused_connection_is_tried_once_more_and_can_succeed() -> None:
    calls: list[httpx.Request] = []
    async with failing_client([connect_error()], calls=calls) as client:
        answer = await send(client, client.build_request("POST", URL, content=b"{}"))
    assert answer.status_code == 200
    assert len(calls) == 2


async def test_refused_twice_is_retryable_and_not_tried_a_third_time() -> None:
    calls: list[httpx.Request] = []
    async with failing_client([connect_error(), connect_error()], calls=calls) as client:
        with pytest.raises(Retryable) as caught:
            await send(client, client.build_request("POST", URL))
    assert len(calls) == 2
    assert type(caught.value) is Retryable
    assert "not sent" in str(caught.value)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx.ReadTimeout("timed out"), Retryable),
        (httpx.WriteTimeout("timed out"), Retryable),
        (httpx.ConnectTimeout("timed out"), Retryable),
        (httpx.PoolTimeout("no connection free"), Retryable),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), Retryable),
        (httpx.ReadError("connection reset by peer"), Retryable),
        (httpx.WriteError("broken pipe"), Retryable),
        (httpx.UnsupportedProtocol("Request URL has an unsupported protocol"), Permanent),
        (httpx.LocalProtocolError("Illegal header value"), Permanent),
    ],
)
async def test_transport_error_is_translated_once_without_a_retry(
    error: Exception, expected: type[ProviderError]
) -> None:
    calls: list[httpx.Request] = []
    async with failing_client([error], calls=calls) as client:
        with pytest.raises(ProviderError) as caught:
            await send(client, client.build_request("GET", URL))
    assert type(caught.value) is expected
    assert len(calls) == 1
    assert str(caught.value).startswith("GET /v2/things: ")
    assert isinstance(caught.value.__cause__, httpx.TransportError)


async def test_client_factory_neither_follows_redirects_nor_hides_its_agent() -> None:
    async with create_http_client(timeout=5.0, user_agent="tillsync-test") as client:
        assert client.follow_redirects is False
        assert client.headers["User-Agent"] == "tillsync-test"
        assert client.timeout.read == 5.0
