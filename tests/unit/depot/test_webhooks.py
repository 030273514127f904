"""Depot's deliveries: the bearer token checked, then one small event read; no I/O."""

from __future__ import annotations

import json

import pytest

from tests.support.depot import webhooks
from tillsync.errors import ClientError, InvalidInput, MalformedBody

TOKEN = "registered-token-0123456789"
EVENT = {
    "id": "evt_0a1b2c3d",
    "event": "stock.changed",
    "account_id": "acc_1",
    "sku": "TEA-01",
    "location": "Main",
    "occurred_at": "2026-01-02T09:30:00.000Z",
}


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        ({"Authorization": f"Bearer {TOKEN}"}, True),
        ({"authorization": f"bearer {TOKEN}"}, True),
        ({"Authorization": f"Bearer {TOKEN}x"}, False),
        ({"Authorization": TOKEN}, False),
        ({"Authorization": "Bearer "}, False),
        ({}, False),
    ],
)
def test_a_delivery_is_accepted_only_with_our_token(
    headers: dict[str, str], accepted: bool
) -> None:
    assert webhooks.verify(headers, expected_token=TOKEN) is accepted


def test_no_token_registered_accepts_nothing() -> None:
    assert not webhooks.verify({"Authorization": "Bearer "}, expected_token="")


def test_a_stock_event_names_the_sku_and_location_and_dedupes_by_its_id() -> None:
    event = webhooks.parse(json.dumps(EVENT).encode())
    assert event == webhooks.DepotEvent(
        dedupe_key="depot:evt_0a1b2c3d",
        type="stock.changed",
        account_id="acc_1",
        sku="TEA-01",
        location="Main",
    )


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        (b"not json", MalformedBody, "body"),
        (b"[]", MalformedBody, "body"),
        (b"x" * 5000, MalformedBody, "body"),
        (json.dumps({**EVENT, "sku": ""}).encode(), InvalidInput, "body.sku"),
        (json.dumps({**EVENT, "location": 3}).encode(), InvalidInput, "body.location"),
        (json.dumps({**EVENT, "event": "sale.created"}).encode(), InvalidInput, "body.event"),
    ],
)
def test_a_delivery_depot_would_not_send_is_refused_naming_the_field(
    body: bytes, error: type[ClientError], field: str
) -> None:
    with pytest.raises(error) as refused:
        webhooks.parse(body)
    assert refused.value.field == field
