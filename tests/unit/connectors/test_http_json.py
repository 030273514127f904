"""JSON in and out of connectors: exact decimals out, only JSON accepted in."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from tillsync.connectors.http import decode_json, dump_json
from tillsync.errors import Permanent


def ok(body: bytes, content_type: str = "application/json") -> httpx.Response:
    request = httpx.Request("GET", "https://api.example.test/v2/product?Page=1")
    return httpx.Response(
        200, headers={"Content-Type": content_type}, content=body, request=request
    )


def test_decimals_are_written_as_the_exact_numbers_they_hold() -> None:
    body = {"Price": Decimal("0.1000"), "Qty": Decimal("3"), "Big": Decimal("12345678901234.5678")}
    text = dump_json(body).decode()
    assert text == '{"Price":0.1000,"Qty":3,"Big":12345678901234.5678}'
    assert json.loads(text, parse_float=Decimal)["Big"] == Decimal("12345678901234.5678")


def test_nested_values_and_text_are_json() -> None:
    body = {"Lines": [{"SKU": 'A"1', "Ok": True, "Note": None, "N": 2}], "Name": "café"}
    assert json.loads(dump_json(body)) == body


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), float("nan")])
def test_values_json_cannot_hold_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match=r"JSON|NaN|Infinity|nan"):
        dump_json({"x": bad})


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError):
        dump_json({"x": object()})
    with pytest.raises(TypeError):
        dump_json({1: "x"})


def test_json_body_is_decoded_and_empty_body_is_none() -> None:
    assert decode_json(ok(b'{"Total": 0}')) == {"Total": 0}
    assert decode_json(ok(b"")) is None


def test_html_page_with_200_is_permanent_and_names_the_path_only() -> None:
    page = b"<!DOCTYPE html><html><title>Page not found</title></html>"
    with pytest.raises(Permanent) as caught:
        decode_json(ok(page, "text/html; charset=utf-8"))
    assert str(caught.value).startswith("GET /v2/product answered HTTP 200")
    assert "text/html" in str(caught.value)
    assert "Page=1" not in str(caught.value)
