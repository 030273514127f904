"""Poster's rows and envelopes read exactly: string numbers and kopecks as decimals, flags as
booleans, `delete: "1"` as a removal, refusals inside HTTP 200 by their code, and the md5
`verify` as Poster's own samples compute it."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from tillsync.connectors.poster.client import read
from tillsync.connectors.poster.mapping import INGREDIENTS, SUPPLIERS, leftover_of, record_of
from tillsync.connectors.poster.webhooks import PosterDeliveries, signature
from tillsync.domain.records import content_hash, decimal_text
from tillsync.emulators.poster.hooks import verify
from tillsync.errors import AuthFailed, Permanent, Retryable, Throttled

# As menu.getIngredients writes a row (the notes' A4 example values).
INGREDIENT = {
    "ingredient_id": "138",
    "ingredient_name": "Milk 3.2%",
    "ingredient_barcode": "",
    "category_id": "4",
    "ingredient_left": "443.45000",
    "limit_value": "10.00000",
    "ingredient_unit": "l",
    "ingredients_type": "1",
    "ingredient_weight": 0,
    "delete": "0",
    "hidden": "0",
}


def test_an_ingredient_keeps_poster_names_with_exact_numbers() -> None:
    record = record_of(INGREDIENTS, INGREDIENT)
    assert (record.external_id, record.name, record.deleted) == ("138", "Milk 3.2%", False)
    assert record.data["ingredient_left"] == Decimal("443.45")
    assert record.data["limit_value"] == Decimal(10)
    assert record.data["hidden"] is False
    assert "delete" not in record.data
    removed = record_of(INGREDIENTS, {**INGREDIENT, "delete": "1"})
    assert removed.deleted
    assert content_hash(removed.data, name="x", deleted=True) != content_hash(
        record.data, name="x", deleted=False
    )


def test_the_same_object_written_otherwise_hashes_the_same() -> None:
    one = record_of(INGREDIENTS, INGREDIENT)
    other = record_of(INGREDIENTS, {**INGREDIENT, "ingredient_left": "443.450"})
    assert content_hash(one.data, name=one.name, deleted=False) == content_hash(
        other.data, name=other.name, deleted=False
    )
    assert [decimal_text(Decimal(v)) for v in ("120.00000", "0.000", "-1.50")] == [
        "120",
        "0",
        "-1.5",
    ]


def test_kopecks_become_units_and_a_row_without_its_id_is_refused() -> None:
    row = {"ingredient_id": "1", "ingredient_left": "2.50000", "prime_cost": 3850}
    assert leftover_of(row)["prime_cost"] == Decimal("38.5")
    assert leftover_of({"storage_ingredient_sum": "9625"})["storage_ingredient_sum"] == Decimal(
        "96.25"
    )
    with pytest.raises(ValueError, match="supplier_id"):
        record_of(SUPPLIERS, {"supplier_name": "Green Farm"})


@pytest.mark.parametrize(
    ("body", "raised"),
    [
        ({"error": {"code": 11, "message": "Bad access token"}}, AuthFailed),
        ({"error": {"code": 12, "message": "Access token expired"}}, AuthFailed),
        ({"error": {"code": 700, "message": "Rate restriction"}}, Throttled),
        ({"error": {"code": 44, "message": "Save error"}}, Retryable),
        ({"error": {"code": 32, "message": "Id missing"}}, Permanent),
        ({"error": 142, "message": "Verify code is not correct"}, Permanent),
    ],
)
def test_a_refusal_inside_http_200_is_read_by_its_code(
    body: dict[str, object], raised: type[Exception]
) -> None:
    request = httpx.Request("GET", "https://joinposter.com/api/menu.getIngredients")
    response = httpx.Response(200, json=body, request=request)
    with pytest.raises(raised) as caught:
        read(response, method="menu.getIngredients")
    assert type(caught.value) is raised
    assert "Bad access" not in str(caught.value)  # Poster's message is never repeated


def test_a_response_false_and_a_list_are_answers() -> None:
    request = httpx.Request("GET", "https://joinposter.com/api/menu.getIngredient")
    assert read(httpx.Response(200, json={"response": False}, request=request), method="m") is False
    assert read(httpx.Response(200, json={"response": []}, request=request), method="m") == []


def test_verify_is_poster_md5_over_the_fields_data_time_and_secret() -> None:
    data = json.dumps({"type": 1, "element_id": 5, "storage_id": 1, "value_relative": -1})
    hook = {
        "account": "mykava",
        "object": "stock",
        "object_id": 5,
        "action": "changed",
        "time": "1688722229",
        "data": data,
    }
    expected = verify(
        account="mykava",
        object="stock",
        object_id=5,
        action="changed",
        data=data,
        time="1688722229",
        secret="s3cret",
    )
    assert signature(hook, "s3cret") == expected
    body = json.dumps({**hook, "verify": expected}).encode()
    deliveries = PosterDeliveries()
    assert deliveries.verify_signed({}, body, key="s3cret", url="")
    assert not deliveries.verify_signed({}, body, key="other", url="")
    (delivery,) = deliveries.parse(body)
    event = deliveries.read(delivery.type, delivery.data)
    assert event.record is not None
    assert (event.record.entity, event.record.external_id) == ("ingredients", "5")
