"""The CRM connector without a network: its answers mapped to outcomes, its invoice body."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest

from tillsync.connectors.crm import mapping
from tillsync.connectors.crm.errors import read
from tillsync.connectors.masking import masked
from tillsync.domain.sales import SaleLine
from tillsync.errors import AuthFailed, InvalidInput, Permanent, ProviderError, Retryable, Throttled
from tillsync.services.connections.checks import address

KEY = "crm_live_0123456789abcdef"


def response(status: int, body: object = None, **headers: str) -> httpx.Response:
    request = httpx.Request("POST", "http://crm.test/api/external/invoices?x=1")
    if isinstance(body, bytes):
        content = body
    else:
        content = b"" if body is None else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"success": False, "error": "Invalid or missing API key"}, AuthFailed),
        (403, None, AuthFailed),
        (400, {"success": False, "error": "currency is wrong", "field": "currency"}, Permanent),
        (404, b"<html>not here</html>", Permanent),
        (422, {"error": "Idempotency-Key was already used", "field": "Idempotency-Key"}, Permanent),
        (408, None, Retryable),
        (409, None, Retryable),
        (429, {"error": "slow down"}, Throttled),
        (500, {"error": "boom"}, Retryable),
        (502, b"Bad Gateway", Retryable),
        (503, {"success": False, "error": "Service unavailable"}, Retryable),
    ],
)
def test_each_status_ends_as_its_outcome(
    status: int, body: object, expected: type[ProviderError]
) -> None:
    with pytest.raises(expected) as raised:
        read(response(status, body))
    assert type(raised.value) is expected
    assert "POST /api/external/invoices" in raised.value.message
    assert "x=1" not in raised.value.message  # no query string: it can carry secrets


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (400, {"error": "must be 3 letters", "field": "currency"}, "application/json"),
        (401, {"success": False, "message": "must be 3 letters"}, "application/json"),
        (500, {"error": "must be 3 letters"}, "application/json"),
        (200, b"<h1>must be 3 letters</h1>", "text/html"),
        (200, b"+OK", "text/must-be-3-letters"),
    ],
)
def test_nothing_the_crm_answered_is_repeated_in_the_error(
    status: int, body: object, content_type: str
) -> None:
    """The address is a tenant's: what answers there stays out of messages they can read."""
    with pytest.raises(ProviderError) as raised:
        read(response(status, body, **{"Content-Type": content_type}))
    assert "3 letters" not in raised.value.message
    assert "3-letters" not in raised.value.message
    assert "currency" not in raised.value.message


def test_a_retry_after_on_429_is_kept() -> None:
    with pytest.raises(Throttled) as raised:
        read(response(429, None, **{"Retry-After": "7"}))
    assert raised.value.wait_seconds == 7


def test_a_2xx_that_is_not_json_is_permanent() -> None:
    with pytest.raises(Permanent):
        read(response(200, b"<html>login</html>"))
    assert read(response(201, {"invoice_id": "a"})) == {"invoice_id": "a"}


def test_the_invoice_body_is_paid_with_every_line_and_exact_numbers() -> None:
    body = mapping.invoice_body(
        reference="POS_1",
        customer_id="cust-42",
        customer_name="Marcus Fade",
        currency="USD",
        payment_method="card",
        issued_at=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
        lines=[
            SaleLine("CREAM", "Cream", Decimal(2), Decimal("29.99"), Decimal("4.5")),
            SaleLine("OIL", "Oil", Decimal("0.5"), Decimal(18), Decimal(0)),
        ],
    )
    assert body["status"] == "paid"
    assert body["reference"] == "POS_1"
    assert (body["customer_id"], body["customer_name"]) == ("cust-42", "Marcus Fade")
    assert body["issued_at"] == "2026-03-01T09:30:00+00:00"
    assert body["items"] == [
        {
            "sku": "CREAM",
            "name": "Cream",
            "quantity": 2,
            "unit_price": Decimal("29.99"),
            "tax": Decimal("4.5"),
        },
        {"sku": "OIL", "name": "Oil", "quantity": Decimal("0.5"), "unit_price": 18, "tax": 0},
    ]


@pytest.mark.parametrize(
    "answer",
    [
        {"success": True, "invoice_id": "id-1", "invoice_number": "INV-2026-0001"},
        {"success": True, "invoice": {"id": "id-1", "invoice_number": "INV-2026-0001"}},
        {"id": "id-1", "invoice_number": "INV-2026-0001", "reference": "POS_1"},
    ],
)
def test_the_invoice_id_and_number_are_read_from_either_shape(answer: object) -> None:
    assert mapping.invoice_ref(answer, where="POST /x") == ("id-1", "INV-2026-0001")


@pytest.mark.parametrize("answer", [{}, {"invoice_id": "a"}, [], None, {"invoice_number": ""}])
def test_an_answer_without_an_invoice_is_permanent(answer: object) -> None:
    with pytest.raises(Permanent):
        mapping.invoice_ref(answer, where="POST /x")


def test_a_key_is_shown_by_its_first_8_and_last_4_characters_only() -> None:
    assert masked(KEY) == "crm_li...def"
    assert masked("short-key") == "sh...y"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:3001", "http://localhost:3001"),
        (" https://crm.example.com/ ", "https://crm.example.com"),
        ("https://crm.example.com/tenant/7/", "https://crm.example.com/tenant/7"),
    ],
)
def test_a_crm_url_is_kept_without_its_trailing_slash(url: str, expected: str) -> None:
    assert address(url, field="url") == expected


@pytest.mark.parametrize(
    "url", ["ftp://crm.example.com", "crm.example.com", "http://u:p@crm.example", "http://x/?k=1"]
)
def test_a_bad_crm_url_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        address(url, field="url")
    assert raised.value.field == "url"
