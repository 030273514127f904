"""Square's webhook signature and deliveries: Square's own test vector, forgeries, shapes."""

import json

import httpx
import pytest

from tillsync.connectors.square import webhooks
from tillsync.connectors.square.deliveries import SquareDeliveries
from tillsync.connectors.square.errors import read
from tillsync.errors import AuthFailed, Permanent, Throttled

URL = "https://example.com/webhook"
BODY = b'{"merchant_id":"M1","type":"order.created"}'
KEY = "test-signature-key"
SIGNED = "OPbXMBm0kv+xUEO6cBz3w4GYD/qqcP6s8fZHWZjyqQI="
"""The vector the official SDK's `verify_signature` accepts."""


def test_the_sdks_test_vector_verifies() -> None:
    assert webhooks.signature(KEY, URL, BODY) == SIGNED
    headers = {"X-Square-HmacSha256-Signature": SIGNED}
    assert webhooks.verify(headers, BODY, signature_key=KEY, notification_url=URL)


@pytest.mark.parametrize(
    ("headers", "body", "key", "url"),
    [
        ({}, BODY, KEY, URL),
        ({webhooks.SIGNATURE_HEADER: ""}, BODY, KEY, URL),
        ({webhooks.SIGNATURE_HEADER: SIGNED}, BODY + b" ", KEY, URL),
        ({webhooks.SIGNATURE_HEADER: SIGNED}, BODY, "another-key", URL),
        ({webhooks.SIGNATURE_HEADER: SIGNED}, BODY, KEY, URL + "/"),
        ({webhooks.SIGNATURE_HEADER: SIGNED}, BODY, "", URL),
        ({webhooks.SIGNATURE_HEADER: SIGNED}, b"", KEY, URL),
        ({"x-square-signature": SIGNED}, BODY, KEY, URL),
    ],
)
def test_anything_else_does_not(headers: dict[str, str], body: bytes, key: str, url: str) -> None:
    assert not webhooks.verify(headers, body, signature_key=key, notification_url=url)


def _event(**changes: object) -> bytes:
    event = {
        "merchant_id": "MLDEMOKITCHEN",
        "type": "order.updated",
        "event_id": "e6f1b0a2-8c0f-4f2a-9c3e-2b1d5c7a9f00",
        "created_at": "2026-11-29T10:00:05Z",
        "data": {
            "type": "order",
            "id": "CAISENgvlJ6jLWAzERDzjyHVybY",
            "object": {
                "order_updated": {
                    "order_id": "CAISENgvlJ6jLWAzERDzjyHVybY",
                    "state": "COMPLETED",
                    "version": 2,
                    "updated_at": "2026-11-29T10:00:04.512Z",
                }
            },
        },
    }
    return json.dumps(event | changes).encode()


def test_an_order_update_reads_as_the_pos_state_deduped_by_event_id() -> None:
    deliveries = SquareDeliveries()
    (delivery,) = deliveries.parse(_event())
    assert delivery.dedupe_key == "e6f1b0a2-8c0f-4f2a-9c3e-2b1d5c7a9f00"
    assert deliveries.account(delivery) == "MLDEMOKITCHEN"
    state = deliveries.read(delivery.type, delivery.data).pos_order
    assert state is not None
    assert (state.pos_order_id, state.state) == ("CAISENgvlJ6jLWAzERDzjyHVybY", "COMPLETED")
    assert state.at.isoformat() == "2026-11-29T10:00:04.512000+00:00"
    counts = deliveries.parse(_event(type="inventory.count.updated", data={"object": {}}))
    assert deliveries.read(counts[0].type, counts[0].data).pos_order is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[]", "body"),
        (_event(event_id=""), "event_id"),
        (_event(type=7), "type"),
        (_event(data=[]), "data"),
        (
            _event(data={"object": {"order_updated": {"order_id": "X"}}}),
            "data.object.order_updated",
        ),
    ],
)
def test_bodies_square_would_not_send_are_refused_naming_the_field(body: bytes, field: str) -> None:
    with pytest.raises(webhooks.DeliveryRefused) as refused:
        webhooks.parse(body)
    assert refused.value.field == field


def _answer(status: int, body: object, **headers: str) -> httpx.Response:
    request = httpx.Request("POST", "https://connect.squareup.com/v2/orders")
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_square_errors_become_the_hubs_classes_naming_codes_not_details() -> None:
    reused = {
        "errors": [
            {
                "category": "INVALID_REQUEST_ERROR",
                "code": "IDEMPOTENCY_KEY_REUSED",
                "detail": "The idempotency key can only be retried with the same request data.",
                "field": "idempotency_key",
            }
        ]
    }
    with pytest.raises(Permanent) as permanent:
        read(_answer(400, reused))
    assert permanent.value.message == (
        "POST /v2/orders answered HTTP 400: IDEMPOTENCY_KEY_REUSED (field idempotency_key)"
    )
    throttled = {"errors": [{"category": "RATE_LIMIT_ERROR", "code": "RATE_LIMITED"}]}
    with pytest.raises(Throttled):
        read(_answer(429, throttled))
    with pytest.raises(AuthFailed):
        read(_answer(401, {"errors": [{"code": "ACCESS_TOKEN_EXPIRED"}]}))
    assert read(_answer(200, {"order": {"id": "X"}})) == {"order": {"id": "X"}}
