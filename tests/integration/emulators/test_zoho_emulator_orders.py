"""The Zoho Inventory emulator's orders, limits, workflow webhooks and faults, over HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.square import eventually, webhook_receiver
from tests.support.zoho import World, envelope_code

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _customer(zoho: World, name: str = "Marcus Fade") -> str:
    made = await zoho.post(
        "/contacts", {"contact_name": name, "contact_type": "customer", "phone": "555-0101"}
    )
    assert made.status_code == 201, made.text
    contact_id = made.json()["contact"]["contact_id"]
    assert isinstance(contact_id, str)
    return contact_id


def _order(zoho: World, customer_id: str, reference: str = "order-1") -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "date": "2026-03-01",
        "reference_number": reference,
        "line_items": [
            {"item_id": zoho.item_id("OIL-1"), "quantity": 2, "rate": 12.5},
            {"name": "Hot towel shave", "rate": "25.00", "quantity": 1},
        ],
    }


# --- contacts and sales orders ------------------------------------------------------------


async def test_contacts_are_found_by_name_and_phone_and_names_are_unique(zoho: World) -> None:
    contact_id = await _customer(zoho)
    for query in ({"contact_name": "marcus fade"}, {"phone": "555-0101"}, {"search_text": "Fade"}):
        rows = (await zoho.get("/contacts", **query)).json()["contacts"]
        assert [row["contact_id"] for row in rows] == [contact_id]
    assert (await zoho.get("/contacts", phone="555-0199")).json()["contacts"] == []
    again = await zoho.post("/contacts", {"contact_name": "Marcus Fade"})
    assert again.status_code == 400
    assert envelope_code(again) != 0


async def test_a_sales_order_is_created_201_under_salesorder_as_a_draft(zoho: World) -> None:
    made = await zoho.post("/salesorders", _order(zoho, await _customer(zoho)))
    assert made.status_code == 201
    body = made.json()
    assert body["code"] == 0
    order = body["salesorder"]
    assert (order["status"], order["reference_number"], order["total"]) == ("draft", "order-1", 50)
    assert order["salesorder_number"] == "SO-00001"
    lines = [
        (line["item_id"] != "", line["name"], line["item_total"]) for line in order["line_items"]
    ]
    assert lines == [(True, "Beard Oil", 25), (False, "Hot towel shave", 25)]


async def test_sales_orders_are_searched_by_reference_number(zoho: World) -> None:
    customer = await _customer(zoho)
    for reference in ("order-1", "order-2"):
        await zoho.post("/salesorders", _order(zoho, customer, reference))
    found = (await zoho.get("/salesorders", reference_number="order-2")).json()
    assert [so["reference_number"] for so in found["salesorders"]] == ["order-2"]
    assert (await zoho.get("/salesorders", reference_number="order-9")).json()["salesorders"] == []


async def test_confirming_commits_stock_and_voiding_releases_it(zoho: World) -> None:
    made = await zoho.post("/salesorders", _order(zoho, await _customer(zoho)))
    order_id = made.json()["salesorder"]["salesorder_id"]
    oil = zoho.item_id("OIL-1")
    confirmed = await zoho.post(f"/salesorders/{order_id}/status/confirmed", {})
    assert (confirmed.status_code, confirmed.json()["code"]) == (200, 0)
    assert (await zoho.get(f"/salesorders/{order_id}")).json()["salesorder"][
        "status"
    ] == "confirmed"
    item = (await zoho.get(f"/items/{oil}")).json()["item"]
    assert (item["stock_on_hand"], item["available_stock"]) == (10, 8)
    await zoho.post(f"/salesorders/{order_id}/status/confirmed", {})
    assert (await zoho.get(f"/items/{oil}")).json()["item"]["available_stock"] == 8
    await zoho.post(f"/salesorders/{order_id}/status/void", {})
    assert (await zoho.get(f"/items/{oil}")).json()["item"]["available_stock"] == 10


async def test_a_sales_order_with_an_unknown_item_is_refused(zoho: World) -> None:
    body = _order(zoho, await _customer(zoho))
    body["line_items"][0]["item_id"] = "999999"
    refused = await zoho.post("/salesorders", body)
    assert (refused.status_code, envelope_code(refused)) == (400, 1002)
    assert (await zoho.get("/salesorders")).json()["salesorders"] == []


# --- limits -----------------------------------------------------------------------------------


async def test_the_hundred_and_first_call_in_a_minute_is_throttled(zoho: World) -> None:
    other = zoho.served.state.create_organization(name="Other Shop")
    for _ in range(100):
        assert (await zoho.get("/locations")).status_code == 200
    throttled = await zoho.get("/locations")
    assert throttled.status_code == 429
    assert envelope_code(throttled) not in (0, 57)
    elsewhere = await zoho.api.get("/locations", params={"organization_id": other.organization_id})
    assert elsewhere.status_code == 200
    zoho.served.clock.advance(60)
    assert (await zoho.get("/locations")).status_code == 200


async def test_a_spent_daily_quota_answers_429_until_the_next_day(zoho: World) -> None:
    changed = await zoho.control.put("/settings", json={"daily_quota": 3})
    assert changed.json()["daily_quota"] == 3
    remaining = []
    for _ in range(3):
        answer = await zoho.get("/locations")
        remaining.append(answer.headers["X-Rate-Limit-Remaining"])
    assert remaining == ["2", "1", "0"]
    spent = await zoho.get("/locations")
    assert spent.status_code == 429
    assert envelope_code(spent) not in (0, 57)
    zoho.served.clock.advance(24 * 3600)
    assert (await zoho.get("/locations")).status_code == 200


async def test_the_daily_quota_follows_the_plan(zoho: World) -> None:
    zoho.served.state.create_organization(name="Tiny", plan="free")
    quotas = {
        o["daily_quota"]
        for o in (await zoho.control.get("/state")).json()["organizations"].values()
    }
    assert quotas == {1000, 10000}


# --- workflow webhooks ------------------------------------------------------------------------


async def test_a_stock_change_is_posted_to_the_workflow_with_its_secret_header(
    zoho: World,
) -> None:
    async with webhook_receiver() as receiver:
        workflow = {
            "organization_id": zoho.org_id,
            "entity": "item",
            "url": f"{receiver.url}/hooks/zoho",
            "header_name": "X-Tillsync-Secret",
            "secret": "paste-me",
        }
        assert (await zoho.control.post("/workflows", json=workflow)).status_code == 200
        oil = zoho.item_id("OIL-1")
        adjustment = {
            "date": "2026-03-01",
            "reason": "Breakage",
            "adjustment_type": "quantity",
            "line_items": [{"item_id": oil, "quantity_adjusted": -4}],
        }
        assert (await zoho.post("/inventoryadjustments", adjustment)).status_code == 201
        await eventually(lambda: len(receiver.received) == 1)
    [delivery] = receiver.received
    assert delivery.headers["x-tillsync-secret"] == "paste-me"
    item = json.loads(delivery.body)["item"]
    assert (item["item_id"], item["stock_on_hand"]) == (oil, 6)


async def test_a_failed_delivery_is_tried_again(zoho: World) -> None:
    await zoho.control.put("/settings", json={"time_scale": 0.0001})
    async with webhook_receiver(500, 200) as receiver:
        workflow = {"organization_id": zoho.org_id, "entity": "salesorder", "url": receiver.url}
        await zoho.control.post("/workflows", json=workflow)
        customer = await _customer(zoho)
        await zoho.post("/salesorders", _order(zoho, customer))
        await eventually(lambda: len(receiver.received) == 2)
    deliveries = (await zoho.control.get("/deliveries")).json()
    assert [(d["attempt"], d["status"]) for d in deliveries] == [(1, 500), (2, 200)]
    assert json.loads(receiver.received[1].body)["salesorder"]["reference_number"] == "order-1"


# --- faults -------------------------------------------------------------------------------------


def _rule(path: str, action: str, status: int = 500) -> dict[str, Any]:
    rule = {"method": "POST", "path": f"/inventory/v1{path}", "action": action, "status": status}
    return {"rules": [rule]}


async def test_a_failure_after_the_effect_still_makes_the_order(zoho: World) -> None:
    customer = await _customer(zoho)
    await zoho.control.put("/faults", json=_rule("/salesorders", "fail_after"))
    failed = await zoho.post("/salesorders", _order(zoho, customer))
    assert (failed.status_code, envelope_code(failed)) == (500, 1000)
    found = (await zoho.get("/salesorders", reference_number="order-1")).json()["salesorders"]
    assert len(found) == 1


async def test_a_reset_before_the_effect_makes_nothing(zoho: World) -> None:
    customer = await _customer(zoho)
    await zoho.control.put("/faults", json=_rule("/salesorders", "reset_before"))
    with pytest.raises(httpx.RemoteProtocolError):
        await zoho.post("/salesorders", _order(zoho, customer))
    assert (await zoho.get("/salesorders")).json()["salesorders"] == []


@pytest.mark.parametrize(("status", "code"), [(200, 1000), (429, 44), (503, 1000)])
async def test_an_injected_failure_answers_zohos_envelope(
    zoho: World, status: int, code: int
) -> None:
    customer = await _customer(zoho)
    await zoho.control.put("/faults", json=_rule("/salesorders", "fail_before", status))
    answer = await zoho.post("/salesorders", _order(zoho, customer))
    assert (answer.status_code, envelope_code(answer)) == (status, code)
    assert (await zoho.get("/salesorders")).json()["salesorders"] == []


async def test_a_delay_after_the_effect_loses_the_answer_but_not_the_change(zoho: World) -> None:
    rule = _rule("/inventoryadjustments", "delay_after")
    rule["rules"][0]["seconds"] = 30
    await zoho.control.put("/faults", json=rule)
    oil = zoho.item_id("OIL-1")
    adjustment = {
        "date": "2026-03-01",
        "reason": "Recount",
        "adjustment_type": "quantity",
        "line_items": [{"item_id": oil, "quantity_adjusted": 3}],
    }
    with pytest.raises(httpx.ReadTimeout):
        await zoho.api.post(
            "/inventoryadjustments",
            json=adjustment,
            params={"organization_id": zoho.org_id},
            timeout=0.3,
        )
    assert (await zoho.get(f"/items/{oil}")).json()["item"]["stock_on_hand"] == 13
