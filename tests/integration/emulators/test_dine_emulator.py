"""The Dine emulator over real loopback HTTP, to the contract its package docstring assumes."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tillsync.clock import FakeClock
from tillsync.emulators.dine import DineState, RouteRule, create_dine_emulator
from tillsync.serving import serve

KEY = "dine_test_key_0123456789"


@pytest.fixture
def state() -> DineState:
    dine = DineState(clock=FakeClock(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)))
    dine.create_restaurant(name="Test Cafe", currency="INR", api_key=KEY)
    return dine


@pytest.fixture
async def dine(state: DineState) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serve(create_dine_emulator(state)) as url,
        httpx.AsyncClient(base_url=url + "/v1", headers={"X-Api-Key": KEY}) as client,
    ):
        yield client


def _body(**changes: Any) -> dict[str, Any]:
    line = {"name": "House Salad", "unit_price": "4.50", "quantity": "2", "note": "No onion"}
    return {"reference": "ORD-1", "currency": "INR", "lines": [line]} | changes


async def _create(dine: httpx.AsyncClient, body: object, key: str | None = "K-1") -> Any:
    return await dine.post("/orders", json=body, headers={"Idempotency-Key": key} if key else {})


async def test_an_order_is_made_once_per_key_and_found_by_reference(
    dine: httpx.AsyncClient, state: DineState
) -> None:
    menu = (await dine.get("/menu/items")).json()["items"]
    first = await _create(dine, _body(lines=[{"menu_item_id": menu[0]["id"], "quantity": "2"}]))
    assert first.status_code == 201, first.text
    order = first.json()["order"]
    assert (order["reference"], order["total"], order["created_at"]) == (
        "ORD-1",
        "25.00",
        "2026-11-30T12:00:00Z",
    )
    assert order["lines"][0]["name"] == "Paneer Butter Masala"
    again = await _create(dine, _body(lines=[{"menu_item_id": menu[0]["id"], "quantity": "2"}]))
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (200, "true")
    assert again.json()["order"]["id"] == order["id"]
    other = await _create(dine, _body())
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    found = (await dine.get("/orders", params={"reference": "ORD-1"})).json()["orders"]
    assert [o["id"] for o in found] == [order["id"]]
    assert (await dine.get(f"/orders/{order['id']}")).json()["order"] == order
    assert (await dine.get("/orders/ord_nope")).status_code == 404
    assert state.counts()["orders"] == 1


REFUSALS: list[tuple[dict[str, Any], str | None, int, str, str]] = [
    (_body(), None, 400, "idempotency_key_required", "Idempotency-Key"),
    (_body(currency="USD"), "K", 422, "currency_mismatch", "currency"),
    (_body(lines=[]), "K", 422, "invalid_request", "lines"),
    (
        _body(lines=[{"menu_item_id": "mi_x", "quantity": "1"}]),
        "K",
        422,
        "invalid_request",
        "lines[0].menu_item_id",
    ),
    (
        _body(lines=[{"name": "X", "unit_price": 4.5, "quantity": "1"}]),
        "K",
        422,
        "invalid_request",
        "lines[0].unit_price",
    ),
    (
        _body(lines=[{"name": "X", "unit_price": "4.5", "quantity": "0"}]),
        "K",
        422,
        "invalid_request",
        "lines[0].quantity",
    ),
]


async def test_a_refused_order_names_its_field_and_leaves_the_key_unused(
    dine: httpx.AsyncClient, state: DineState
) -> None:
    # One emulator for the whole table: each refusal is followed by a good body under the
    # key it used, which makes a new order (201), not a replay or a clash.
    for number, (body, key, status, code, field) in enumerate(REFUSALS):
        refused = await _create(dine, body, key and f"{key}-{number}")
        assert refused.status_code == status, refused.text
        assert (refused.json()["error"]["code"], refused.json()["error"]["field"]) == (code, field)
        assert (await _create(dine, _body(), f"K-{number}")).status_code == 201
    assert state.counts()["orders"] == len(REFUSALS)


async def test_an_unavailable_item_is_refused(dine: httpx.AsyncClient) -> None:
    menu = (await dine.get("/menu/items")).json()["items"]
    lassi = next(item for item in menu if not item["available"])
    refused = await _create(dine, _body(lines=[{"menu_item_id": lassi["id"], "quantity": "1"}]))
    assert refused.json()["error"]["code"] == "item_unavailable"


async def test_the_menu_is_listed_page_by_page(dine: httpx.AsyncClient) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        answer = (await dine.get("/menu/items", params={"page": page, "per_page": 2})).json()
        seen += [item["id"] for item in answer["items"]]
        assert answer["has_more"] is (page < 3)
    assert len(set(seen)) == 5
    too_many = await dine.get("/menu/items", params={"per_page": 101})
    assert too_many.json()["error"]["field"] == "per_page"


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "wrong"}])
async def test_a_call_without_the_key_is_refused(
    dine: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=str(dine.base_url), headers=headers) as anonymous:
        refused = await anonymous.get("/restaurant")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    assert (await dine.get("/restaurant")).json()["restaurant"]["name"] == "Test Cafe"


async def test_the_rate_limit_answers_429_with_the_wait_until_a_call_frees(
    dine: httpx.AsyncClient, state: DineState
) -> None:
    state.update_settings(rate_limit=2)
    assert isinstance(state.clock, FakeClock)
    await dine.get("/restaurant")
    state.clock.advance(15)
    await dine.get("/restaurant")
    throttled = await dine.get("/restaurant")
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "rate_limited"
    assert throttled.headers["Retry-After"] == "45"
    state.clock.advance(46)
    assert (await dine.get("/restaurant")).status_code == 200


async def test_a_fault_rule_fails_a_call_before_or_after_its_effect(
    dine: httpx.AsyncClient, state: DineState
) -> None:
    cases: list[tuple[Any, int, int]] = [
        ("fail_before", 500, 0),
        ("fail_before", 429, 0),
        ("fail_after", 500, 1),
        ("reset_after", 0, 1),
    ]
    for number, (action, status, made) in enumerate(cases):
        before = state.counts()["orders"]
        state.faults.add_rule(RouteRule("POST", "/v1/orders", action, status=status or 500))
        if action == "reset_after":
            with pytest.raises(httpx.RemoteProtocolError):
                await _create(dine, _body(), f"F-{number}")
        else:
            failed = await _create(dine, _body(), f"F-{number}")
            assert failed.status_code == status
            assert failed.json()["error"]["code"] in ("internal_error", "rate_limited")
            assert ("Retry-After" in failed.headers) is (status == 429)
        assert state.counts()["orders"] - before == made
    assert state.calls_of("POST", "/v1/orders") == [500, 429, 500, 0]


async def test_the_control_surface_sets_faults_and_shows_restaurants(
    dine: httpx.AsyncClient, state: DineState
) -> None:
    root = str(dine.base_url).removesuffix("/v1/")
    async with httpx.AsyncClient(base_url=root + "/_emulator") as control:
        rule = {"method": "GET", "path": "/v1/restaurant", "action": "fail_before", "status": 503}
        assert (await control.put("/faults", json={"rules": [rule]})).status_code == 200
        assert (await dine.get("/restaurant")).status_code == 503
        (listed,) = (await control.get("/restaurants")).json()["restaurants"]
        assert (listed["api_key"], listed["currency"]) == (KEY, "INR")
        assert (await control.put("/settings", json={"rate_limit": 0})).status_code == 422
        calls = (await control.get("/calls")).json()
        assert [(c["path"], c["status"], c["key_hint"]) for c in calls] == [
            ("/v1/restaurant", 503, KEY[-4:])
        ]
