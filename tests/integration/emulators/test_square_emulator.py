"""The Square emulator over real loopback HTTP, as a connector (or Square's SDK) meets it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.square import Emulated, eventually, square_emulator, webhook_receiver
from tillsync.clock import FakeClock
from tillsync.emulators.square.webhooks import retry_delays_minutes

BEGIN = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
async def emulated() -> AsyncIterator[Emulated]:
    async with square_emulator() as emulated:
        yield emulated


@pytest.fixture
async def square(emulated: Emulated) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {emulated.seller.access_token}"}
    async with httpx.AsyncClient(base_url=emulated.url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
async def control(emulated: Emulated) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{emulated.url}/_emulator", timeout=10) as client:
        yield client


def order_body(emulated: Emulated, **changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "location_id": emulated.seller.location_id,
        "reference_id": "mm-1",
        "metadata": {"source": "MenuMaker", "menumaker_order_id": "order-1"},
        "line_items": [
            {
                "name": "Paneer Butter Masala",
                "quantity": "2",
                "base_price_money": {"amount": 1500, "currency": "USD"},
                "note": "Extra spicy",
            }
        ],
    }
    order.update(changes)
    return {"idempotency_key": "mm-1", "order": order}


async def create(square: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await square.post("/v2/orders", json=body)


def error_of(response: httpx.Response) -> dict[str, Any]:
    [error] = response.json()["errors"]
    assert isinstance(error, dict)
    return error


# --- orders -----------------------------------------------------------------------------


async def test_an_order_gets_server_totals_strings_and_a_first_version(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    answer = await create(square, order_body(emulated))
    assert answer.status_code == 200, answer.text
    order = answer.json()["order"]
    assert (order["state"], order["version"], order["reference_id"]) == ("OPEN", 1, "mm-1")
    assert order["total_money"] == {"amount": 3000, "currency": "USD"}
    [line] = order["line_items"]
    assert line["quantity"] == "2"
    assert len(line["uid"]) == 22
    assert line["variation_total_price_money"]["amount"] == 3000
    assert order["metadata"]["menumaker_order_id"] == "order-1"
    assert (await square.get(f"/v2/orders/{order['id']}")).json()["order"] == order


async def test_same_key_and_body_answers_the_first_order(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    first = (await create(square, order_body(emulated))).json()
    again = await create(square, order_body(emulated))
    assert again.status_code == 200
    assert again.json() == first
    assert len(emulated.state.merchant(emulated.seller.merchant_id).orders) == 1


async def test_same_key_with_another_body_is_refused(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    await create(square, order_body(emulated))
    other = await create(square, order_body(emulated, reference_id="mm-2"))
    assert other.status_code == 400
    assert error_of(other) == {
        "category": "INVALID_REQUEST_ERROR",
        "code": "IDEMPOTENCY_KEY_REUSED",
        "detail": "The idempotency key can only be retried with the same request data.",
        "field": "idempotency_key",
    }
    assert len(emulated.state.merchant(emulated.seller.merchant_id).orders) == 1


LINE = {"name": "Tea", "quantity": "1", "base_price_money": {"amount": 300, "currency": "USD"}}


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"location_id": None}, "MISSING_REQUIRED_PARAMETER", "order.location_id"),
        (
            {"line_items": [{**LINE, "quantity": 2}]},
            "EXPECTED_STRING",
            "order.line_items[0].quantity",
        ),
        (
            {"line_items": [{**LINE, "quantity": "-1"}]},
            "INVALID_VALUE",
            "order.line_items[0].quantity",
        ),
        (
            {"line_items": [{**LINE, "quantity": "two"}]},
            "INVALID_VALUE",
            "order.line_items[0].quantity",
        ),
        (
            {"line_items": [{**LINE, "base_price_money": {"amount": -5, "currency": "USD"}}]},
            "INVALID_VALUE",
            "order.line_items[0].base_price_money.amount",
        ),
        (
            {"line_items": [{**LINE, "base_price_money": {"amount": 300, "currency": "INR"}}]},
            "INVALID_VALUE",
            "order.line_items[0].base_price_money.currency",
        ),
        (
            {"line_items": [{"quantity": "1", "name": "Tea"}]},
            "MISSING_REQUIRED_PARAMETER",
            "order.line_items[0].base_price_money",
        ),
        ({"reference_id": "x" * 41}, "INVALID_VALUE", "order.reference_id"),
        ({"metadata": {f"k{n}": "v" for n in range(11)}}, "INVALID_VALUE", "order.metadata"),
        ({"metadata": {"bad key": "v"}}, "INVALID_VALUE", "order.metadata.bad key"),
        ({"metadata": {"k": "v" * 256}}, "INVALID_VALUE", "order.metadata.k"),
        ({"state": "COMPLETED"}, "INVALID_VALUE", "order.state"),
    ],
)
async def test_bad_orders_are_refused_naming_the_field(
    square: httpx.AsyncClient,
    emulated: Emulated,
    changes: dict[str, Any],
    code: str,
    field: str,
) -> None:
    answer = await create(square, order_body(emulated, **changes))
    assert answer.status_code == 400, answer.text
    error = error_of(answer)
    assert (error["code"], error["field"]) == (code, field)
    assert not emulated.state.merchant(emulated.seller.merchant_id).orders
    retried = await create(square, order_body(emulated))
    assert retried.status_code == 200  # a refused call leaves its key free


async def test_unknown_order_and_location_are_not_found(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    missing = await square.get("/v2/orders/NOPE")
    assert (missing.status_code, error_of(missing)["code"]) == (404, "NOT_FOUND")
    elsewhere = await create(square, order_body(emulated, location_id="ELSEWHERE"))
    assert (elsewhere.status_code, error_of(elsewhere)["field"]) == (404, "order.location_id")


async def test_main_names_the_first_location_ever_created(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    emulated.state.add_location(emulated.seller.merchant_id, "Airport Kiosk")  # listed first

    listed = (await square.get("/v2/locations")).json()["locations"]
    main = await square.get("/v2/locations/main")
    kiosk = next(row["id"] for row in listed if row["name"] == "Airport Kiosk")
    by_id = await square.get(f"/v2/locations/{kiosk}")

    assert [row["name"] for row in listed] == ["Airport Kiosk", "Main Street"]
    assert main.status_code == 200, main.text
    assert main.json()["location"]["id"] == emulated.seller.location_id
    assert by_id.json()["location"]["name"] == "Airport Kiosk"


async def test_batch_retrieve_skips_unknown_ids(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    made = (await create(square, order_body(emulated))).json()["order"]
    found = await square.post("/v2/orders/batch-retrieve", json={"order_ids": [made["id"], "NOPE"]})
    assert [o["id"] for o in found.json()["orders"]] == [made["id"]]
    none = await square.post("/v2/orders/batch-retrieve", json={"order_ids": ["NOPE"]})
    assert none.json() == {}


async def test_update_needs_the_current_version(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    made = (await create(square, order_body(emulated))).json()["order"]
    path = f"/v2/orders/{made['id']}"
    done = await square.put(path, json={"order": {"version": 1, "state": "COMPLETED"}})
    assert done.status_code == 200, done.text
    assert (done.json()["order"]["version"], done.json()["order"]["state"]) == (2, "COMPLETED")
    assert done.json()["order"]["closed_at"]
    stale = await square.put(path, json={"order": {"version": 1, "reference_id": "x"}})
    assert (stale.status_code, error_of(stale)["code"]) == (400, "VERSION_MISMATCH")


# --- search -----------------------------------------------------------------------------


async def seed_orders(emulated: Emulated, count: int, clock: FakeClock) -> list[str]:
    headers = {"Authorization": f"Bearer {emulated.seller.access_token}"}
    ids = []
    async with httpx.AsyncClient(base_url=emulated.url, headers=headers) as square:
        for n in range(count):
            clock.advance(60)
            body = order_body(emulated, reference_id=f"mm-{n}")
            body["idempotency_key"] = f"mm-{n}"
            ids.append((await create(square, body)).json()["order"]["id"])
    return ids


@pytest.fixture
async def timed() -> AsyncIterator[tuple[Emulated, FakeClock]]:
    clock = FakeClock(BEGIN)
    async with square_emulator(clock=clock) as emulated:
        yield emulated, clock


async def test_search_pages_by_cursor_newest_first(timed: tuple[Emulated, FakeClock]) -> None:
    emulated, clock = timed
    ids = await seed_orders(emulated, 5, clock)
    headers = {"Authorization": f"Bearer {emulated.seller.access_token}"}
    query = {"location_ids": [emulated.seller.location_id], "limit": 2}
    seen: list[str] = []
    async with httpx.AsyncClient(base_url=emulated.url, headers=headers) as square:
        cursor = None
        for _ in range(5):
            page = (await square.post("/v2/orders/search", json={**query, "cursor": cursor})).json()
            seen += [o["id"] for o in page["orders"]]
            cursor = page.get("cursor")
            if cursor is None:
                break
        other = await square.post("/v2/orders/search", json={**query, "limit": 3, "cursor": "x"})
    assert seen == ids[::-1]
    assert (other.status_code, error_of(other)["code"]) == (400, "INVALID_CURSOR")


async def test_search_filters_on_state_and_date_and_sorts(
    timed: tuple[Emulated, FakeClock],
) -> None:
    emulated, clock = timed
    ids = await seed_orders(emulated, 4, clock)
    merchant = emulated.state.merchant(emulated.seller.merchant_id)
    emulated.state.orders.set_state(merchant, ids[0], "COMPLETED")
    headers = {"Authorization": f"Bearer {emulated.seller.access_token}"}
    start = (BEGIN + dt.timedelta(seconds=150)).isoformat()
    query = {
        "filter": {
            "state_filter": {"states": ["OPEN"]},
            "date_time_filter": {"created_at": {"start_at": start}},
        },
        "sort": {"sort_field": "CREATED_AT", "sort_order": "ASC"},
    }
    async with httpx.AsyncClient(base_url=emulated.url, headers=headers) as square:
        locations = [emulated.seller.location_id]
        found = await square.post(
            "/v2/orders/search", json={"location_ids": locations, "query": query}
        )
        entries = await square.post(
            "/v2/orders/search",
            json={"location_ids": locations, "query": query, "return_entries": True},
        )
        wrong_sort = {**query, "sort": {"sort_field": "UPDATED_AT"}}
        mismatch = await square.post(
            "/v2/orders/search", json={"location_ids": locations, "query": wrong_sort}
        )
        no_location = await square.post("/v2/orders/search", json={"query": query})
    assert [o["id"] for o in found.json()["orders"]] == ids[2:]
    assert [e["order_id"] for e in entries.json()["order_entries"]] == ids[2:]
    assert (mismatch.status_code, error_of(mismatch)["field"]) == (400, "query.sort.sort_field")
    assert error_of(no_location)["field"] == "location_ids"


# --- catalog ----------------------------------------------------------------------------


async def test_catalog_lists_items_by_default_and_variations_on_request(
    square: httpx.AsyncClient,
) -> None:
    items = (await square.get("/v2/catalog/list")).json()["objects"]
    assert {o["type"] for o in items} == {"ITEM"}
    assert all(o["item_data"]["variations"] for o in items)
    variations = (await square.get("/v2/catalog/list", params={"types": "item_variation"})).json()
    assert {o["type"] for o in variations["objects"]} == {"ITEM_VARIATION"}
    assert "cursor" not in variations
    assert all(isinstance(o["version"], int) and o["version"] > 10**12 for o in items)


async def test_catalog_pages_hold_a_hundred(
    square: httpx.AsyncClient, control: httpx.AsyncClient, emulated: Emulated
) -> None:
    items = [{"name": f"Dish {n}", "variations": [{"price": 100}]} for n in range(200)]
    seeded = await control.post(
        "/catalog", json={"merchant_id": emulated.seller.merchant_id, "items": items}
    )
    assert seeded.status_code == 200
    sizes, cursor = [], None
    for _ in range(4):
        page = (
            await square.get(
                "/v2/catalog/list",
                params={"types": "ITEM", **({"cursor": cursor} if cursor else {})},
            )
        ).json()
        sizes.append(len(page["objects"]))
        cursor = page.get("cursor")
        if cursor is None:
            break
    assert sizes == [100, 100, 4]


async def test_catalog_upsert_checks_versions_and_keys(square: httpx.AsyncClient) -> None:
    item = {
        "type": "ITEM",
        "id": "#tea",
        "item_data": {
            "name": "Tea",
            "variations": [
                {
                    "type": "ITEM_VARIATION",
                    "id": "#tea-cup",
                    "item_variation_data": {
                        "name": "Cup",
                        "price_money": {"amount": 200, "currency": "USD"},
                    },
                }
            ],
        },
    }
    made = await square.post("/v2/catalog/object", json={"idempotency_key": "k1", "object": item})
    assert made.status_code == 200, made.text
    stored = made.json()["catalog_object"]
    reused = await square.post(
        "/v2/catalog/object",
        json={
            "idempotency_key": "k1",
            "object": {**item, "item_data": {**item["item_data"], "name": "Chai"}},
        },
    )
    assert error_of(reused)["code"] == "IDEMPOTENCY_KEY_REUSED"
    renamed = {**stored, "item_data": {**stored["item_data"], "name": "Chai"}}
    updated = await square.post(
        "/v2/catalog/object", json={"idempotency_key": "k2", "object": renamed}
    )
    assert updated.json()["catalog_object"]["version"] > stored["version"]
    stale = await square.post(
        "/v2/catalog/object", json={"idempotency_key": "k3", "object": renamed}
    )
    assert error_of(stale)["code"] == "VERSION_MISMATCH"
    bare = {"type": "ITEM", "id": "#x", "item_data": {"name": "Tea", "variations": []}}
    refused = await square.post(
        "/v2/catalog/object", json={"idempotency_key": "k4", "object": bare}
    )
    assert (refused.status_code, error_of(refused)["code"]) == (400, "BAD_REQUEST")
    keyless = await square.post("/v2/catalog/object", json={"object": item})
    assert error_of(keyless) == {
        "category": "INVALID_REQUEST_ERROR",
        "code": "MISSING_REQUIRED_PARAMETER",
        "detail": "Field must be set",
        "field": "idempotency_key",
    }


# --- inventory --------------------------------------------------------------------------


async def variation_id(square: httpx.AsyncClient, sku: str) -> str:
    listed = (await square.get("/v2/catalog/list", params={"types": "ITEM_VARIATION"})).json()
    return next(o["id"] for o in listed["objects"] if o["item_variation_data"].get("sku") == sku)


async def in_stock(square: httpx.AsyncClient, object_id: str) -> list[str]:
    answer = await square.post(
        "/v2/inventory/counts/batch-retrieve", json={"catalog_object_ids": [object_id]}
    )
    return [c["quantity"] for c in answer.json().get("counts", [])]


@pytest.mark.parametrize(
    "location_fields",
    [
        pytest.param(lambda loc: {"location_id": loc}, id="location_id (2025-08-20)"),
        pytest.param(
            lambda loc: {"from_location_id": loc, "to_location_id": loc},
            id="from/to_location_id (2026-07-15)",
        ),
    ],
)
async def test_adjustments_move_stock_in_either_location_form(
    square: httpx.AsyncClient, emulated: Emulated, location_fields: Any
) -> None:
    lassi = await variation_id(square, "LASSI-MANGO")
    sold = {
        "type": "ADJUSTMENT",
        "adjustment": {
            "catalog_object_id": lassi,
            "from_state": "IN_STOCK",
            "to_state": "SOLD",
            "quantity": "4",
            **location_fields(emulated.seller.location_id),
        },
    }
    answer = await square.post(
        "/v2/inventory/changes/batch-create", json={"idempotency_key": "adj-1", "changes": [sold]}
    )
    assert answer.status_code == 200, answer.text
    assert [(c["state"], c["quantity"]) for c in answer.json()["counts"]] == [("IN_STOCK", "26")]
    assert answer.json()["changes"][0]["adjustment"]["id"]
    assert await in_stock(square, lassi) == ["26"]
    replayed = await square.post(
        "/v2/inventory/changes/batch-create", json={"idempotency_key": "adj-1", "changes": [sold]}
    )
    assert replayed.json() == answer.json()
    assert await in_stock(square, lassi) == ["26"]


async def test_physical_count_sets_and_unchanged_counts_are_ignored(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    naan = await variation_id(square, "NAAN-GAR")
    count = {
        "type": "PHYSICAL_COUNT",
        "physical_count": {
            "catalog_object_id": naan,
            "state": "IN_STOCK",
            "location_id": emulated.seller.location_id,
            "quantity": "7.5",
        },
    }
    path = "/v2/inventory/changes/batch-create"
    first = await square.post(path, json={"idempotency_key": "pc-1", "changes": [count]})
    assert [c["quantity"] for c in first.json()["counts"]] == ["7.5"]
    same = await square.post(path, json={"idempotency_key": "pc-2", "changes": [count]})
    assert same.json() == {}
    assert await in_stock(square, naan) == ["7.5"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"to_state": "RESERVED_FOR_SALE"},
            "changes[0].adjustment.to_state",
        ),
        ({"catalog_object_id": "NOPE"}, "changes[0].adjustment.catalog_object_id"),
        ({"quantity": "0"}, "changes[0].adjustment.quantity"),
        ({"location_id": "ELSEWHERE"}, "changes[0].adjustment.location_id"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "changes[0].adjustment.occurred_at"),
        ({"occurred_at": "2001-01-01T00:00:00Z"}, "changes[0].adjustment.occurred_at"),
    ],
)
async def test_bad_inventory_changes_are_refused_and_change_nothing(
    square: httpx.AsyncClient, emulated: Emulated, change: dict[str, Any], field: str
) -> None:
    naan = await variation_id(square, "NAAN-GAR")
    adjustment = {
        "catalog_object_id": naan,
        "from_state": "IN_STOCK",
        "to_state": "WASTE",
        "location_id": emulated.seller.location_id,
        "quantity": "1",
        **change,
    }
    answer = await square.post(
        "/v2/inventory/changes/batch-create",
        json={
            "idempotency_key": "bad",
            "changes": [{"type": "ADJUSTMENT", "adjustment": adjustment}],
        },
    )
    assert (answer.status_code, error_of(answer)["field"]) == (400, field)
    assert await in_stock(square, naan) == ["60"]


# --- authentication and OAuth ------------------------------------------------------------


@pytest.fixture
async def oauth(
    timed: tuple[Emulated, FakeClock],
) -> AsyncIterator[tuple[Emulated, FakeClock, httpx.AsyncClient]]:
    emulated, clock = timed
    async with httpx.AsyncClient(base_url=emulated.url, timeout=10) as client:
        yield emulated, clock, client


async def authorize(
    client: httpx.AsyncClient, emulated: Emulated, redirect: str
) -> dict[str, list[str]]:
    answer = await client.get(
        "/oauth2/authorize",
        params={
            "client_id": emulated.state.application.client_id,
            "scope": "ORDERS_WRITE ITEMS_READ",
            "state": "s-42",
            "redirect_uri": redirect,
        },
    )
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(redirect + "?")
    return parse_qs(urlsplit(location).query)


async def exchange(client: httpx.AsyncClient, emulated: Emulated, **fields: Any) -> httpx.Response:
    app = emulated.state.application
    body = {"client_id": app.client_id, "client_secret": app.client_secret, **fields}
    return await client.post("/oauth2/token", json=body)


async def test_oauth_code_flow_refresh_and_expiry(
    oauth: tuple[Emulated, FakeClock, httpx.AsyncClient],
) -> None:
    emulated, clock, client = oauth
    redirect = "http://127.0.0.1:9/callback"
    query = await authorize(client, emulated, redirect)
    assert query["state"] == ["s-42"]
    assert query["response_type"] == ["code"]
    [code] = query["code"]
    tokens = await exchange(
        client, emulated, grant_type="authorization_code", code=code, redirect_uri=redirect
    )
    assert tokens.status_code == 200, tokens.text
    first = tokens.json()
    assert first["merchant_id"] == emulated.seller.merchant_id
    assert first["expires_at"] == "2026-03-31T12:00:00Z"
    reused = await exchange(client, emulated, grant_type="authorization_code", code=code)
    assert reused.status_code == 401
    bearer = {"Authorization": f"Bearer {first['access_token']}"}
    status = (await client.post("/oauth2/token/status", headers=bearer)).json()
    assert status["scopes"] == ["ORDERS_WRITE", "ITEMS_READ"]
    emulated.state.update_settings(access_token_lifetime_seconds=60)
    refreshed = (
        await exchange(
            client, emulated, grant_type="refresh_token", refresh_token=first["refresh_token"]
        )
    ).json()
    assert refreshed["refresh_token"] == first["refresh_token"]
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed["expires_at"] == "2026-03-01T12:01:00Z"
    clock.advance(61)
    expired = await client.get(
        "/v2/locations", headers={"Authorization": f"Bearer {refreshed['access_token']}"}
    )
    assert (expired.status_code, error_of(expired)["code"]) == (401, "ACCESS_TOKEN_EXPIRED")
    assert error_of(expired)["category"] == "AUTHENTICATION_ERROR"
    still = await client.get("/v2/locations", headers=bearer)
    assert still.status_code == 200


async def test_revoked_grant_ends_access_and_refresh(
    oauth: tuple[Emulated, FakeClock, httpx.AsyncClient],
) -> None:
    emulated, _, client = oauth
    redirect = "http://127.0.0.1:9/cb"
    [code] = (await authorize(client, emulated, redirect))["code"]
    without = await exchange(client, emulated, grant_type="authorization_code", code=code)
    assert (without.status_code, error_of(without)["field"]) == (400, "redirect_uri")
    tokens = (
        await exchange(
            client, emulated, grant_type="authorization_code", code=code, redirect_uri=redirect
        )
    ).json()
    app = emulated.state.application
    body = {"client_id": app.client_id, "access_token": tokens["access_token"]}
    wrong = await client.post("/oauth2/revoke", json=body, headers={"Authorization": "Client nope"})
    assert wrong.status_code == 401
    revoked = await client.post(
        "/oauth2/revoke", json=body, headers={"Authorization": f"Client {app.client_secret}"}
    )
    assert revoked.json() == {"success": True}
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    refused = await client.get("/v2/locations", headers=bearer)
    assert (refused.status_code, error_of(refused)["code"]) == (401, "ACCESS_TOKEN_REVOKED")
    again = await exchange(
        client, emulated, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert again.status_code == 401


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer EAAA-unknown"}, {"Authorization": "Basic x"}]
)
async def test_unknown_tokens_get_squares_401(emulated: Emulated, headers: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=emulated.url) as client:
        answer = await client.get("/v2/locations", headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {
        "errors": [
            {
                "category": "AUTHENTICATION_ERROR",
                "code": "UNAUTHORIZED",
                "detail": "This request could not be authorized.",
            }
        ]
    }


async def test_denied_authorization_and_control_revocation(
    oauth: tuple[Emulated, FakeClock, httpx.AsyncClient],
) -> None:
    emulated, _, client = oauth
    emulated.state.update_settings(deny_authorization=True)
    query = await authorize(client, emulated, "http://127.0.0.1:9/cb")
    assert query == {
        "error": ["access_denied"],
        "error_description": ["user_denied"],
        "state": ["s-42"],
    }
    bad_client = await client.get(
        "/oauth2/authorize", params={"client_id": "sq0idp-nope", "redirect_uri": "http://x/cb"}
    )
    assert bad_client.status_code == 400


async def test_authorization_is_for_the_seller_the_setting_names(
    oauth: tuple[Emulated, FakeClock, httpx.AsyncClient],
) -> None:
    emulated, _, client = oauth
    other = emulated.state.create_merchant(business_name="Corner Cafe", demo_catalog=False)
    emulated.state.update_settings(authorizing_merchant_id=other.merchant_id)

    redirect = "http://127.0.0.1:9/cb"
    [code] = (await authorize(client, emulated, redirect))["code"]
    tokens = await exchange(
        client, emulated, grant_type="authorization_code", code=code, redirect_uri=redirect
    )

    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["merchant_id"] == other.merchant_id


async def test_control_expires_and_revokes_tokens(
    square: httpx.AsyncClient, control: httpx.AsyncClient, emulated: Emulated
) -> None:
    token = emulated.seller.access_token
    assert (await control.post("/tokens/expire", json={"access_token": token})).json() == {
        "expired": 1
    }
    expired = await square.get("/v2/locations")
    assert error_of(expired)["code"] == "ACCESS_TOKEN_EXPIRED"
    other = emulated.state.personal_token(emulated.seller.merchant_id).token
    revoked = await control.post(
        "/grants/revoke", json={"merchant_id": emulated.seller.merchant_id}
    )
    assert revoked.json()["revoked"] >= 1
    answer = await square.get("/v2/locations", headers={"Authorization": f"Bearer {other}"})
    assert error_of(answer)["code"] == "ACCESS_TOKEN_REVOKED"


async def test_square_version_is_echoed_and_checked(square: httpx.AsyncClient) -> None:
    answer = await square.get("/v2/locations", headers={"Square-Version": "2025-08-20"})
    assert answer.headers["square-version"] == "2025-08-20"
    bad = await square.get("/v2/locations", headers={"Square-Version": "latest"})
    assert (bad.status_code, error_of(bad)["code"]) == (400, "INVALID_SQUARE_VERSION_FORMAT")


# --- webhooks ---------------------------------------------------------------------------


def square_signature(key: str, url: str, body: bytes) -> str:
    digest = hmac.new(key.encode(), url.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


async def subscribe(square: httpx.AsyncClient, url: str, *types: str) -> str:
    answer = await square.post(
        "/v2/webhooks/subscriptions",
        json={"subscription": {"event_types": list(types), "notification_url": url}},
    )
    assert answer.status_code == 200, answer.text
    key: str = answer.json()["subscription"]["signature_key"]
    return key


def test_retry_schedule_is_squares() -> None:
    delays = retry_delays_minutes()
    assert delays[:8] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert set(delays[6:]) == {60}
    assert sum(delays) <= 72 * 60 < sum(delays) + 60


async def test_signed_deliveries_of_each_event_type(
    square: httpx.AsyncClient, control: httpx.AsyncClient, emulated: Emulated
) -> None:
    async with webhook_receiver() as receiver:
        url = f"{receiver.url}/square"
        key = await subscribe(
            square, url, "order.created", "order.updated", "inventory.count.updated"
        )
        listed = (await square.get("/v2/webhooks/subscriptions")).json()["subscriptions"]
        assert "signature_key" not in listed[0]
        controlled = (await control.get("/subscriptions")).json()["subscriptions"]
        assert [s["signature_key"] for s in controlled] == [key]
        order = (await create(square, order_body(emulated))).json()["order"]
        await square.put(
            f"/v2/orders/{order['id']}", json={"order": {"version": 1, "state": "CANCELED"}}
        )
        chai = await variation_id(square, "CHAI-S")
        await control.put(
            "/inventory",
            json={
                "merchant_id": emulated.seller.merchant_id,
                "counts": [
                    {
                        "catalog_object_id": chai,
                        "location_id": emulated.seller.location_id,
                        "quantity": 9,
                    }
                ],
            },
        )
        await eventually(lambda: len(receiver.received) == 3)
    bodies = [json.loads(d.body) for d in receiver.received]
    by_type = {b["type"]: b for b in bodies}
    assert set(by_type) == {"order.created", "order.updated", "inventory.count.updated"}
    assert len({b["event_id"] for b in bodies}) == 3
    assert by_type["order.created"]["data"]["object"]["order_created"]["order_id"] == order["id"]
    updated = by_type["order.updated"]["data"]["object"]["order_updated"]
    assert (updated["state"], updated["version"]) == ("CANCELED", 2)
    [count] = by_type["inventory.count.updated"]["data"]["object"]["inventory_counts"]
    assert (count["catalog_object_id"], count["quantity"]) == (chai, "9")
    for delivery in receiver.received:
        assert delivery.headers["x-square-hmacsha256-signature"] == square_signature(
            key, url, delivery.body
        )
        assert delivery.headers["square-environment"] == "Sandbox"
        assert delivery.headers["square-initial-delivery-timestamp"]
        assert "square-retry-number" not in delivery.headers


async def test_failed_deliveries_are_retried_on_the_scaled_schedule(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    emulated.state.update_settings(time_scale=0.0005)  # a minute is 30 ms
    async with webhook_receiver(500, 503, 200) as receiver:
        url = f"{receiver.url}/square"
        key = await subscribe(square, url, "order.created")
        await create(square, order_body(emulated))
        await eventually(lambda: len(emulated.state.deliveries) == 3)
    attempts = receiver.received
    assert [d.headers.get("square-retry-number") for d in attempts] == [None, "1", "2"]
    assert [d.headers.get("square-retry-reason") for d in attempts[1:]] == [
        "http_status_500",
        "http_status_503",
    ]
    assert len({d.body for d in attempts}) == 1
    assert len({d.headers["square-initial-delivery-timestamp"] for d in attempts}) == 1
    assert all(
        d.headers["x-square-hmacsha256-signature"] == square_signature(key, url, d.body)
        for d in attempts
    )
    times = [d.time for d in emulated.state.deliveries]
    assert [d.status for d in emulated.state.deliveries] == [500, 503, 200]
    minute = dt.timedelta(seconds=60 * 0.0005)
    assert times[1] - times[0] >= minute  # then 2 minutes before the next, scaled
    assert times[2] - times[1] >= 2 * minute


async def test_a_delivery_is_dropped_after_72_hours_of_failures(
    square: httpx.AsyncClient, emulated: Emulated
) -> None:
    emulated.state.update_settings(time_scale=1e-6)  # 72 hours in about a quarter second
    async with webhook_receiver(500) as receiver:
        await subscribe(square, f"{receiver.url}/square", "order.created")
        await create(square, order_body(emulated))
        expected = len(retry_delays_minutes()) + 1
        await eventually(lambda: len(emulated.state.deliveries) == expected)
        await create(square, order_body(emulated, reference_id="mm-2") | {"idempotency_key": "k2"})
        await eventually(lambda: len(emulated.state.deliveries) == 2 * expected)
    assert [d.attempt for d in emulated.state.deliveries][:expected] == list(range(1, expected + 1))


async def test_unreachable_receiver_counts_as_failed(
    square: httpx.AsyncClient, emulated: Emulated, control: httpx.AsyncClient
) -> None:
    emulated.state.update_settings(time_scale=0.0001)
    emulated.state.subscribe("http://127.0.0.1:9/closed", ["order.created"])
    await create(square, order_body(emulated))
    await eventually(lambda: len(emulated.state.deliveries) >= 2)
    first = (await control.get("/deliveries")).json()[0]
    assert first["status"] is None
    assert first["error"]


async def test_bad_subscriptions_are_refused(square: httpx.AsyncClient) -> None:
    unknown = await square.post(
        "/v2/webhooks/subscriptions",
        json={
            "subscription": {
                "event_types": ["payment.created"],
                "notification_url": "https://x.example/",
            }
        },
    )
    assert error_of(unknown)["field"] == "subscription.event_types"
    no_url = await square.post(
        "/v2/webhooks/subscriptions", json={"subscription": {"event_types": ["order.created"]}}
    )
    assert error_of(no_url)["field"] == "subscription.notification_url"


# --- throttling and faults --------------------------------------------------------------


async def test_rate_limit_per_token_answers_squares_429(
    square: httpx.AsyncClient, control: httpx.AsyncClient, emulated: Emulated
) -> None:
    token = emulated.seller.access_token
    await control.post("/rate-limits", json={"access_token": token, "limit": 2})
    statuses = [(await square.get("/v2/locations")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    throttled = await square.get("/v2/locations")
    assert throttled.json() == {
        "errors": [
            {
                "category": "RATE_LIMIT_ERROR",
                "code": "RATE_LIMITED",
                "detail": "Rate limit exceeded.",
            }
        ]
    }
    assert "retry-after" not in throttled.headers
    other = emulated.state.personal_token(emulated.seller.merchant_id).token
    fresh = await square.get("/v2/locations", headers={"Authorization": f"Bearer {other}"})
    assert fresh.status_code == 200
    calls = (await control.get("/calls")).json()
    assert [c["throttled"] for c in calls[-3:]] == [True, True, False]
    assert all(token not in json.dumps(c) for c in calls)


@pytest.mark.parametrize(
    "fault",
    [
        ("fail_after", 500, None),
        ("fail_after", 429, None),
        ("reset_after", None, httpx.RemoteProtocolError),
    ],
    ids=["500", "429", "dropped"],
)
async def test_faults_after_the_effect_leave_one_order_and_replay_it(
    square: httpx.AsyncClient,
    control: httpx.AsyncClient,
    emulated: Emulated,
    fault: tuple[str, int | None, type[Exception] | None],
) -> None:
    action, status, error = fault
    rule = {"method": "POST", "path": "/v2/orders", "action": action, "status": status or 500}
    assert (await control.put("/faults", json={"rules": [rule]})).status_code == 200
    if error is not None:
        with pytest.raises(error):
            await create(square, order_body(emulated))
    else:
        failed = await create(square, order_body(emulated))
        assert failed.status_code == status
    orders = emulated.state.merchant(emulated.seller.merchant_id).orders
    assert len(orders) == 1
    retried = await create(square, order_body(emulated))
    assert retried.json()["order"]["id"] in orders
    assert len(orders) == 1


async def test_faults_before_the_effect_change_nothing(
    square: httpx.AsyncClient, control: httpx.AsyncClient, emulated: Emulated
) -> None:
    rules = [
        {"method": "POST", "path": "/v2/orders", "action": "fail_before", "status": 503, "times": 2}
    ]
    await control.put("/faults", json={"rules": rules, "latency_ms": 1})
    statuses = [(await create(square, order_body(emulated))).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert len(emulated.state.merchant(emulated.seller.merchant_id).orders) == 1
    calls = (await control.get("/calls")).json()
    assert [c["idempotency_key"] for c in calls[-3:]] == ["mm-1"] * 3
    bad = await control.put("/faults", json={"kinds": ["teapot"], "error_rate": 1})
    assert bad.status_code == 422


async def test_control_moves_an_order_on_and_seeds_merchants(
    control: httpx.AsyncClient, emulated: Emulated, square: httpx.AsyncClient
) -> None:
    order = (await create(square, order_body(emulated))).json()["order"]
    moved = await control.post(
        f"/orders/{order['id']}/state",
        json={"merchant_id": emulated.seller.merchant_id, "state": "COMPLETED"},
    )
    assert moved.json()["order"]["state"] == "COMPLETED"
    again = await control.post(
        f"/orders/{order['id']}/state",
        json={"merchant_id": emulated.seller.merchant_id, "state": "OPEN"},
    )
    assert again.status_code == 422
    made = (
        await control.post("/merchants", json={"business_name": "Other", "currency": "INR"})
    ).json()
    bearer = {"Authorization": f"Bearer {made['access_token']}"}
    locations = (await square.get("/v2/locations", headers=bearer)).json()["locations"]
    assert [(loc["id"], loc["currency"]) for loc in locations] == [(made["location_id"], "INR")]
    theirs = await square.get(f"/v2/orders/{order['id']}", headers=bearer)
    assert theirs.status_code == 404
    unknown = await control.post(
        "/catalog",
        json={"merchant_id": "NOPE", "items": [{"name": "x", "variations": [{"price": 1}]}]},
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("path", "content", "code", "field"),
    [
        ("/v2/orders", b"{not json", "BAD_REQUEST", "body"),
        ("/v2/orders", b"[]", "EXPECTED_OBJECT", "body"),
        ("/v2/orders", b'{"order": []}', "EXPECTED_OBJECT", "order"),
        ("/v2/orders/search", b'{"location_ids": [{}]}', "EXPECTED_STRING", "location_ids[0]"),
        (
            "/v2/catalog/batch-upsert",
            b'{"idempotency_key": "k", "batches": [7]}',
            "EXPECTED_OBJECT",
            "batches[0]",
        ),
        (
            "/v2/inventory/counts/batch-retrieve",
            b'{"states": "IN_STOCK"}',
            "EXPECTED_ARRAY",
            "states",
        ),
    ],
)
async def test_malformed_bodies_get_squares_400(
    square: httpx.AsyncClient, path: str, content: bytes, code: str, field: str
) -> None:
    answer = await square.post(path, content=content, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    error = error_of(answer)
    assert (error["code"], error["field"]) == (code, field)


async def test_unknown_paths_and_methods(square: httpx.AsyncClient) -> None:
    assert error_of(await square.get("/v2/payments"))["code"] == "NOT_FOUND"
    assert (await square.delete("/v2/orders")).status_code == 405
