"""The Zoho Inventory emulator over real loopback HTTP, as a connector meets it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.zoho import World, envelope_code
from tillsync.emulators.zoho import ItemSeed

pytestmark = pytest.mark.asyncio(loop_scope="module")


# --- OAuth --------------------------------------------------------------------------------


async def _authorize(zoho: World) -> dict[str, list[str]]:
    app = (await zoho.control.get("/application")).json()
    answer = await zoho.accounts.get(
        "/oauth/v2/auth",
        params={
            "scope": "ZohoInventory.items.READ,ZohoInventory.salesorders.CREATE",
            "client_id": app["client_id"],
            "response_type": "code",
            "redirect_uri": "https://hub.example/oauth/zoho",
            "access_type": "offline",
            "prompt": "consent",
            "state": "s-1",
        },
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert (location.netloc, location.path) == ("hub.example", "/oauth/zoho")
    return parse_qs(location.query)


async def _token(zoho: World, **form: str) -> httpx.Response:
    app = (await zoho.control.get("/application")).json()
    credentials = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    return await zoho.accounts.post("/oauth/v2/token", data={**credentials, **form})


async def test_code_grant_gives_an_hour_token_and_a_refresh_token(zoho: World) -> None:
    query = await _authorize(zoho)
    assert query["location"] == ["us"]
    assert query["accounts-server"] == [zoho.served.url]
    assert query["state"] == ["s-1"]
    answer = await _token(
        zoho,
        grant_type="authorization_code",
        code=query["code"][0],
        redirect_uri="https://hub.example/oauth/zoho",
    )
    token = answer.json()
    assert answer.status_code == 200
    assert (token["token_type"], token["expires_in"]) == ("Bearer", 3600)
    assert token["api_domain"] == zoho.served.url
    assert token["refresh_token"]
    headers = {"Authorization": f"Zoho-oauthtoken {token['access_token']}"}
    listed = await zoho.api.get("/organizations", headers=headers)
    assert listed.status_code == 200, listed.text
    assert [o["organization_id"] for o in listed.json()["organizations"]] == [zoho.org_id]
    zoho.served.clock.advance(3600)
    expired = await zoho.api.get("/organizations", headers=headers)
    assert (expired.status_code, envelope_code(expired)) == (401, 57)


async def test_a_code_is_used_once_and_refusals_come_in_a_200(zoho: World) -> None:
    code = (await _authorize(zoho))["code"][0]
    first = await _token(zoho, grant_type="authorization_code", code=code)
    again = await _token(zoho, grant_type="authorization_code", code=code)
    assert "access_token" in first.json()
    assert (again.status_code, again.json()) == (200, {"error": "invalid_code"})
    wrong = await zoho.accounts.post(
        "/oauth/v2/token", data={"client_id": "x", "client_secret": "y", "code": code}
    )
    assert (wrong.status_code, wrong.json()) == (200, {"error": "invalid_client"})


async def test_a_refresh_token_gives_ten_tokens_in_ten_minutes_then_access_denied(
    zoho: World,
) -> None:
    code = (await _authorize(zoho))["code"][0]
    refresh = (await _token(zoho, grant_type="authorization_code", code=code)).json()[
        "refresh_token"
    ]
    for _ in range(10):
        answer = await _token(zoho, grant_type="refresh_token", refresh_token=refresh)
        assert "access_token" in answer.json()
        assert "refresh_token" not in answer.json()
    throttled = await _token(zoho, grant_type="refresh_token", refresh_token=refresh)
    assert throttled.status_code == 400
    assert throttled.json()["error"] == "Access Denied"
    assert throttled.json()["status"] == "failure"
    zoho.served.clock.advance(601)
    later = await _token(zoho, grant_type="refresh_token", refresh_token=refresh)
    assert "access_token" in later.json()


async def test_token_parameters_in_the_query_are_taken_and_never_logged(zoho: World) -> None:
    app = (await zoho.control.get("/application")).json()
    code = (await _authorize(zoho))["code"][0]
    params = {
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "grant_type": "authorization_code",
        "code": code,
    }
    answer = await zoho.accounts.post("/oauth/v2/token", params=params)
    assert "access_token" in answer.json()
    logged = json.dumps((await zoho.control.get("/calls")).json())
    assert app["client_secret"] not in logged
    assert code not in logged


async def test_a_revoked_refresh_token_ends_its_access_tokens(zoho: World) -> None:
    code = (await _authorize(zoho))["code"][0]
    token = (await _token(zoho, grant_type="authorization_code", code=code)).json()
    revoked = await zoho.accounts.post(
        "/oauth/v2/token/revoke", params={"token": token["refresh_token"]}
    )
    assert revoked.json() == {"status": "success"}
    headers = {"Authorization": f"Zoho-oauthtoken {token['access_token']}"}
    answer = await zoho.api.get("/organizations", headers=headers)
    assert envelope_code(answer) == 57


# --- envelope, organization, errors ---------------------------------------------------------

ENVELOPES = [
    # method, path, with organization_id, HTTP status, code
    ("GET", "/items", True, 200, 0),
    ("GET", "/items", False, 400, 2),
    ("GET", "/items/1234567890", True, 404, 1002),
    ("GET", "/salesorders/1234567890", True, 404, 1002),
    ("GET", "/nothing-here", True, 404, 5),
    ("DELETE", "/items", True, 405, 5),
]


@pytest.mark.parametrize("case", ENVELOPES)
async def test_every_answer_is_an_envelope_with_its_code(
    zoho: World, case: tuple[str, str, bool, int, int]
) -> None:
    method, path, with_org, status, code = case
    params = {"organization_id": zoho.org_id} if with_org else {}
    answer = await zoho.api.request(method, path, params=params)
    assert (answer.status_code, envelope_code(answer)) == (status, code)
    assert isinstance(answer.json()["message"], str)


async def test_an_organization_of_another_account_is_refused(zoho: World) -> None:
    other = zoho.served.state.create_account()
    theirs = zoho.served.state.create_organization(account_id=other.id)
    answer = await zoho.api.get("/items", params={"organization_id": theirs.organization_id})
    assert (answer.status_code, envelope_code(answer)) == (400, 6041)


async def test_a_control_expiry_makes_the_token_answer_code_57(zoho: World) -> None:
    assert (await zoho.get("/items")).status_code == 200
    expired = await zoho.control.post(
        "/tokens/expire", json={"access_token": zoho.org.access_token}
    )
    assert expired.json() == {"expired": 1}
    answer = await zoho.get("/items")
    assert (answer.status_code, envelope_code(answer)) == (401, 57)


# --- items and stock ------------------------------------------------------------------------


async def test_items_come_in_pages_of_at_most_two_hundred(zoho: World) -> None:
    seeds = [ItemSeed(f"Blade {n:03d}", f"BLADE-{n:03d}", Decimal(1)) for n in range(448)]
    zoho.served.state.seed_items(zoho.org_id, seeds)  # 450 items in all
    pages = []
    for page in (1, 2, 3):
        answer = (await zoho.get("/items", page=page, per_page=500)).json()
        pages.append((len(answer["items"]), answer["page_context"]["has_more_page"]))
        assert answer["page_context"]["per_page"] == 200
    assert pages == [(200, True), (200, True), (50, False)]
    first = (await zoho.get("/items", per_page=2, sort_column="name", sort_order="D")).json()
    assert [row["name"] for row in first["items"]] == ["Comb", "Blade 447"]
    assert first["page_context"]["report_name"] == "Items"


async def test_last_modified_time_lists_only_items_changed_since(zoho: World) -> None:
    zoho.served.clock.advance(120)
    since = zoho.served.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    adjusted = await zoho.post("/inventoryadjustments", _adjustment(zoho.item_id("COMB-1"), -2))
    assert adjusted.status_code == 201
    rows = (await zoho.get("/items", last_modified_time=since)).json()["items"]
    assert [row["sku"] for row in rows] == ["COMB-1"]
    assert rows[0]["last_modified_time"].endswith("+0000")
    bad = await zoho.get("/items", last_modified_time="yesterday")
    assert (bad.status_code, envelope_code(bad)) == (400, 4)


def _adjustment(item_id: str, delta: int, location_id: str | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"item_id": item_id, "quantity_adjusted": delta}
    if location_id is not None:
        line["location_id"] = location_id
    return {
        "date": "2026-03-01",
        "reason": "Stocktake",
        "adjustment_type": "quantity",
        "line_items": [line],
    }


async def test_an_adjustment_adds_its_signed_delta_at_its_location(zoho: World) -> None:
    second = zoho.served.state.add_location(zoho.org_id, "Back Room")
    oil = zoho.item_id("OIL-1")
    first = await zoho.post("/inventoryadjustments", _adjustment(oil, -3))
    other = await zoho.post("/inventoryadjustments", _adjustment(oil, 5, second.id))
    made = first.json()
    assert (first.status_code, made["code"], other.status_code) == (201, 0, 201)
    assert made["inventory_adjustment"]["line_items"][0]["quantity_adjusted"] == -3
    item = (await zoho.get(f"/items/{oil}")).json()["item"]
    assert (item["stock_on_hand"], item["available_stock"]) == (12, 12)
    by_location = {loc["location_name"]: loc["location_stock_on_hand"] for loc in item["locations"]}
    assert by_location == {"Main Warehouse": 7, "Back Room": 5}
    at_back = (await zoho.get("/items", location_id=second.id, sku="OIL-1")).json()["items"]
    assert at_back[0]["stock_on_hand"] == 5


async def test_an_adjustment_naming_an_unknown_item_changes_nothing(zoho: World) -> None:
    oil = zoho.item_id("OIL-1")
    body = _adjustment(oil, 4)
    body["line_items"].append({"item_id": "999999", "quantity_adjusted": 1})
    refused = await zoho.post("/inventoryadjustments", body)
    assert (refused.status_code, envelope_code(refused)) == (400, 1002)
    item = (await zoho.get(f"/items/{oil}")).json()["item"]
    assert item["stock_on_hand"] == 10
