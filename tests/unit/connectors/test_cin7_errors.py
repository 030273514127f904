"""CIN7 Core answers → outcome classes, including its three throttling styles."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tillsync.connectors.cin7.errors import error_message, read
from tillsync.errors import AuthFailed, Permanent, ProviderError, Retryable, Throttled

URL = "https://inventory.dearsystems.com/ExternalApi/v2/sale?ID=0b1d"
THROTTLE_400 = [
    {"ErrorCode": 400, "Exception": "You have reached 60 calls per 60 seconds API limit."}
]
THROTTLE_503 = "You reached 60 calls per minute API limit"
HTML_404 = "<!DOCTYPE html><html><body><h1>Page not found</h1></body></html>"


def answer(status: int, body: Any = None, *, text: str | None = None) -> httpx.Response:
    request = httpx.Request(
        "GET", URL, headers={"api-auth-accountid": "acc-1", "api-auth-applicationkey": "k3y"}
    )
    if text is not None:
        content, kind = text.encode(), "text/html; charset=utf-8"
    else:
        content, kind = json.dumps(body).encode() if body is not None else b"", "application/json"
    return httpx.Response(status, headers={"Content-Type": kind}, content=content, request=request)


def cin7_error(code: int, message: str) -> list[dict[str, Any]]:
    return [{"ErrorCode": code, "Exception": message}]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (answer(200, {"Total": 0, "Page": 1, "SaleList": []}), None),
        (answer(204), None),
        (answer(400, cin7_error(400, "'Date' is required for 'Lines' line")), Permanent),
        (answer(400, THROTTLE_400), Throttled),
        (answer(400, {"ErrorCode": 400, "Exception": "Lines is invalid"}), Permanent),
        (answer(401, text="Unauthorized"), AuthFailed),
        (answer(403, text="Incorrect credentials!"), AuthFailed),
        (answer(404, cin7_error(404, "Purchase not found")), Permanent),
        (answer(405, cin7_error(405, "does not support http method 'PUT'")), Permanent),
        (answer(408), Retryable),
        (answer(409), Retryable),
        (answer(422), Permanent),
        (answer(429), Throttled),
        (answer(500, cin7_error(500, "Object reference not set")), Retryable),
        (answer(502, text="<html>Bad gateway</html>"), Retryable),
        (answer(503, text=THROTTLE_503), Throttled),
        (answer(503), Throttled),
        (
            answer(
                200, cin7_error(400, "Location Nowhere was not found in Locations reference book")
            ),
            Permanent,
        ),
        (answer(200, {"ErrorCode": 404, "Exception": "Category not found."}), Permanent),
        (answer(200, cin7_error(403, "Method authentication failed")), AuthFailed),
        (answer(200, cin7_error(500, "Server error")), Retryable),
        (answer(200, THROTTLE_400), Throttled),
        (answer(200, [{"Exception": "no code at all"}]), Permanent),
        (answer(200, text=HTML_404), Permanent),
        (answer(302, text="<html>Object moved</html>"), Permanent),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_cin7_answer_maps_to_outcome_class(
    case: httpx.Response, expected: type[ProviderError] | None
) -> None:
    if expected is None:
        read(case)
        return
    with pytest.raises(ProviderError) as caught:
        read(case)
    assert type(caught.value) is expected
    assert caught.value.status == case.status_code
    assert "k3y" not in str(caught.value)
    assert "ID=0b1d" not in str(caught.value)


def test_throttling_carries_no_wait_because_cin7_sends_none() -> None:
    for case in (answer(503, text=THROTTLE_503), answer(429), answer(400, THROTTLE_400)):
        with pytest.raises(Throttled) as caught:
            read(case)
        assert caught.value.wait_seconds is None


def test_a_retry_after_would_be_honoured_if_cin7_ever_sent_one() -> None:
    case = answer(429)
    case.headers["Retry-After"] = "12"
    with pytest.raises(Throttled) as caught:
        read(case)
    assert caught.value.wait_seconds == 12.0


def test_error_message_from_the_body_reaches_the_raised_error() -> None:
    with pytest.raises(Permanent) as caught:
        read(answer(200, cin7_error(400, "Lines is invalid")))
    assert (
        str(caught.value)
        == "GET /ExternalApi/v2/sale answered HTTP 200 with error 400 in its body: Lines is invalid"
    )
    with pytest.raises(Permanent, match=r"HTTP 404: Purchase not found$"):
        read(answer(404, cin7_error(404, "Purchase not found")))


def test_throttle_words_in_a_successful_document_are_data_not_an_error() -> None:
    product = {"Total": 1, "Page": 1, "Products": [{"SKU": "X", "Name": "60 calls per minute kit"}]}
    assert read(answer(200, product)) == product


def test_read_returns_parsed_json() -> None:
    assert read(answer(200, {"Company": "Tomb45"})) == {"Company": "Tomb45"}
    assert read(answer(204)) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (cin7_error(400, " Lines is invalid "), "Lines is invalid"),
        ({"ErrorCode": 404, "Exception": "Category not found."}, "Category not found."),
        ([*cin7_error(400, "A"), *cin7_error(400, "B")], "A; B"),
        ([{"ErrorCode": 400}], None),
        ({"Products": []}, None),
    ],
)
def test_error_message_extraction(body: Any, message: str | None) -> None:
    assert error_message(body) == message


def test_long_error_messages_are_cut_short() -> None:
    text = error_message(cin7_error(400, "x" * 1000))
    assert text is not None
    assert len(text) == 300
