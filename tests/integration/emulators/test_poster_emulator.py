"""The Poster POS emulator over real loopback HTTP, as a connector meets it: envelopes,
string numbers and kopecks, errors inside HTTP 200, OAuth, and faults."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support.poster import ACCOUNT, Served, World, error_of, poster_emulator

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served() -> AsyncIterator[Served]:
    async with poster_emulator() as served:
        yield served


@pytest.fixture
def poster(served: Served) -> World:
    return served.fresh()


# --- envelopes, strings, kopecks ------------------------------------------------------------


async def test_lists_come_in_the_response_envelope_with_every_number_a_string(
    poster: World,
) -> None:
    suppliers = await poster.response("storage.getSuppliers")
    storages = await poster.response("storage.getStorages")
    categories = await poster.response("menu.getCategoriesIngredients")
    ingredients = await poster.response("menu.getIngredients")
    assert [s["supplier_name"] for s in suppliers] == ["Green Farm", "Milk Co"]
    assert suppliers[1]["supplier_adress"] == "12 Dairy Lane"  # Poster's spelling
    assert [(s["storage_id"], s["storage_name"], s["delete"]) for s in storages] == [
        ("1", "Kitchen", "0"),
        ("2", "Bar", "0"),
    ]
    assert categories == [
        {"category_id": "1", "name": "Dairy"},
        {"category_id": "2", "name": "Vegetables"},
    ]
    milk = ingredients[0]
    assert (milk["ingredient_id"], milk["category_id"], milk["ingredient_unit"]) == ("1", "1", "l")
    assert (milk["ingredient_left"], milk["limit_value"], milk["hidden"]) == ("30.50000", "0", "0")
    assert (await poster.response("menu.getIngredient", ingredient_id=1)) == milk
    assert (await poster.response("storage.getStorage", storage_id="2"))["storage_adress"] == "Hall"
    assert (await poster.response("menu.getCategoryIngredients", category_id=2))[
        "name"
    ] == "Vegetables"


async def test_leftovers_are_per_storage_with_prime_costs_in_kopecks(poster: World) -> None:
    everywhere = await poster.response("storage.getStorageLeftovers")
    milk = everywhere[0]
    assert (milk["ingredient_left"], milk["prime_cost"]) == ("30.50000", 3850)
    assert milk["storage_ingredient_sum"] == str(round(Decimal("30.5") * 3850))
    assert "storage_ingredient_left" not in milk

    bar = await poster.response("storage.getStorageLeftovers", storage_id=2)
    assert [(row["ingredient_name"], row["storage_ingredient_left"]) for row in bar] == [
        ("Milk 3.2%", "6.00000")
    ]
    assert bar[0]["ingredient_left"] == "30.50000"  # the total over every storage
    with_zero = await poster.response(
        "storage.getStorageLeftovers", storage_id=2, zero_leftovers="true"
    )
    assert [row["ingredient_id"] for row in with_zero] == ["1", "2", "3"]
    assert await poster.response("storage.getStorageLeftovers", type=2) == []

    await poster.change(
        "PUT", "leftovers", {"ingredient_id": 2, "storage_id": 2, "quantity": "-1.5"}
    )
    tomatoes = (await poster.response("storage.getStorageLeftovers", storage_id=2))[1]
    assert (tomatoes["storage_ingredient_left"], tomatoes["storage_ingredient_sum"]) == (
        "-1.50000",
        "0",
    )


async def test_a_removed_object_stays_listed_as_deleted(poster: World) -> None:
    await poster.change("DELETE", "ingredients/3", {})
    await poster.change("DELETE", "categories/1", {})
    eggs = await poster.response("menu.getIngredient", ingredient_id=3)
    assert eggs["delete"] == "1"
    assert [row["delete"] for row in await poster.response("menu.getIngredients")] == [
        "0",
        "0",
        "1",
    ]
    assert [c["category_id"] for c in await poster.response("menu.getCategoriesIngredients")] == [
        "2"
    ]
    assert await poster.response("menu.getCategoryIngredients", category_id=1) is False
    leftovers = await poster.response("storage.getStorageLeftovers")
    assert [row["ingredient_id"] for row in leftovers] == ["1", "2"]


ERRORS = [
    # method, parameters (the account's token unless one is given), error code
    ("storage.getSuppliers", {"token": ""}, 10),
    ("storage.getSuppliers", {"token": "1:0123456789abcdef0123456789abcdef"}, 11),
    ("storage.getNothing", {}, 404),
    ("menu.getIngredient", {}, 32),
    ("storage.getStorageLeftovers", {"storage_id": 99}, 32),
]


@pytest.mark.parametrize(("method", "params", "code"), ERRORS)
async def test_errors_come_inside_http_200(
    poster: World, method: str, params: dict[str, Any], code: int
) -> None:
    answer = await poster.call(method, **params)
    assert error_of(answer) == (200, code)
    assert isinstance(answer.json()["error"]["message"], str)


async def test_an_unknown_id_answers_false_and_an_expired_token_error_12(poster: World) -> None:
    assert await poster.response("menu.getIngredient", ingredient_id=404) is False
    expired = await poster.control.post("/tokens/expire", json={"account": ACCOUNT})
    assert expired.json() == {"expired": 1}
    assert error_of(await poster.call("storage.getSuppliers")) == (200, 12)


async def test_a_token_lives_two_years(poster: World) -> None:
    poster.served.clock.advance(729 * 86400)
    assert isinstance(await poster.response("storage.getStorages"), list)
    poster.served.clock.advance(2 * 86400)
    assert error_of(await poster.call("storage.getStorages")) == (200, 12)


# --- OAuth ----------------------------------------------------------------------------------


async def test_the_form_data_exchange_gives_a_two_year_token_and_the_account_number(
    poster: World,
) -> None:
    query = await poster.authorize()
    assert (query["account"], query["state"]) == ([ACCOUNT], ["s-1"])
    code = query["code"][0]
    assert re.fullmatch(r"[0-9a-f]{32}", code)
    answer = await poster.exchange(code)
    token = answer.json()
    assert answer.status_code == 200, answer.text
    assert token["account_number"] == poster.account.account_number
    assert re.fullmatch(rf"{token['account_number']}:[0-9a-f]{{32}}", token["access_token"])
    assert (token["user"]["role_id"], token["ownerInfo"]["company_name"]) == (3, "My Kava")
    query_token = {"token": token["access_token"]}
    listed = await poster.served.client.get("/api/storage.getStorages", params=query_token)
    assert len(listed.json()["response"]) == 2

    again = await poster.exchange(code)
    assert again.status_code == 200
    assert set(again.json()) == {"code", "error_type", "error_message"}
    assert "access_token" not in again.json()


async def test_the_sdk_spelling_of_the_exchange_is_taken_and_a_wrong_secret_refused(
    poster: World,
) -> None:
    code = (await poster.authorize("client_id"))["code"][0]
    app = (await poster.control.get("/application")).json()
    form = {"client_id": app["application_id"], "grant_type": "authorization_code", "code": code}
    wrong = await poster.served.client.post(
        "/api/auth/access_token", data={**form, "client_secret": "0" * 32}
    )
    assert (wrong.status_code, wrong.json()["code"]) == (200, 143)
    right = await poster.served.client.post(
        "/api/auth/access_token", data={**form, "client_secret": app["application_secret"]}
    )
    assert right.json()["access_token"].startswith(poster.account.account_number + ":")
    logged = str((await poster.control.get("/calls")).json())
    assert app["application_secret"] not in logged
    assert code not in logged


# --- faults and the rate limit ----------------------------------------------------------------

METHOD_PATH = "/api/storage.getSuppliers"


@pytest.mark.parametrize(("status", "code"), [(200, 44), (429, 700), (503, 44)])
async def test_an_injected_failure_answers_posters_error_body(
    poster: World, status: int, code: int
) -> None:
    rule = {"method": "GET", "path": METHOD_PATH, "action": "fail_before", "status": status}
    await poster.control.put("/faults", json={"rules": [rule]})
    assert error_of(await poster.call("storage.getSuppliers")) == (status, code)
    assert len(await poster.response("storage.getSuppliers")) == 2  # the rule fired once


async def test_random_rate_restrictions_and_resets_follow_the_fault_setup(poster: World) -> None:
    await poster.control.put("/faults", json={"error_rate": 1.0, "kinds": ["700"]})
    assert error_of(await poster.call("menu.getIngredients")) == (200, 700)
    await poster.control.put("/faults", json={"error_rate": 1.0, "kinds": ["reset"]})
    with pytest.raises(httpx.RemoteProtocolError):
        await poster.call("menu.getIngredients")
    await poster.control.delete("/faults")
    assert len(await poster.response("menu.getIngredients")) == 3


async def test_the_rate_limit_answers_error_700_and_is_logged_as_throttled(poster: World) -> None:
    await poster.control.put("/settings", json={"rate_limit": 2, "rate_window_seconds": 60})
    for _ in range(2):
        await poster.response("storage.getStorages")
    assert error_of(await poster.call("storage.getStorages")) == (200, 700)
    calls = (await poster.control.get("/calls")).json()
    assert [call["throttled"] for call in calls] == [False, False, True]
    assert {call["account"] for call in calls} == {ACCOUNT}
    poster.served.clock.advance(61)
    assert len(await poster.response("storage.getStorages")) == 2


async def test_control_changes_are_checked(poster: World) -> None:
    url = f"/accounts/{ACCOUNT}/ingredients"
    bad_category = {"fields": {"ingredient_name": "Salt", "category_id": "9"}}
    refused = await poster.control.post(url, json=bad_category)
    assert (refused.status_code, "category_id" in refused.text) == (422, True)
    bad_unit = await poster.control.post(
        url, json={"fields": {"ingredient_name": "Salt", "ingredient_unit": "g"}}
    )
    assert bad_unit.status_code == 422
    supplier_hook = await poster.control.put("/application", json={"webhook_objects": ["supplier"]})
    assert (supplier_hook.status_code, "no supplier webhook" in supplier_hook.text) == (422, True)
    assert len(await poster.response("menu.getIngredients")) == 3
