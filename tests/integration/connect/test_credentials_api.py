"""/api/cin7/credentials: checked with CIN7, stored sealed, shown masked, removed with webhooks."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.integration.connect.conftest import COMPANY, SKU, Shop
from tests.support.sandboxes import adjust_stock
from tests.support.world import eventually
from tillsync.connectors.cin7.provider import WEBHOOK_TYPES
from tillsync.connectors.masking import masked as mask
from tillsync.emulators.cin7.faults import FaultRule
from tillsync.store.tables import InboxEntry, Job, Run, Sale


def _hooks(shop: Shop, account_id: str | None = None) -> list[Any]:
    return shop.cin7.subscriptions.list(shop.cin7.account(account_id or shop.account.account_id))


async def _adjust(shop: Shop, on_hand: int) -> None:
    """A stock change at CIN7, which CIN7 delivers to every active Stock webhook."""
    async with shop.cin7_client() as cin7:
        await adjust_stock(cin7, SKU, on_hand)


def test_masks_show_the_first_8_and_last_4_of_a_guid_and_little_of_short_values() -> None:
    guid = "3f0a9c1e-7d2b-4c55-9e0f-1a2b3c4d9b2d"
    assert mask(guid) == "3f0a9c1e...9b2d"
    assert mask("abcdefghijkl") == "abc...l"
    assert mask("abc") == "..."
    for value in ("x" * 40, "0123456789" * 3, "short1"):
        shown = len(mask(value)) - 3
        assert shown * 3 <= len(value)


async def test_put_checks_the_pair_connects_and_get_shows_it_masked(shop: Shop) -> None:
    body = await shop.connect()
    account_id, key = shop.account.account_id, shop.account.application_key
    assert body["success"] is True
    assert body["connected"] is True
    assert body["status"] == "active"
    assert body["accountName"] == COMPANY
    assert body["accountId"] == f"{account_id[:8]}...{account_id[-4:]}"
    assert body["apiKey"] == f"{key[:8]}...{key[-4:]}"
    assert sorted(hook["type"] for hook in body["webhooks"]) == sorted(WEBHOOK_TYPES)
    assert {hook["status"] for hook in body["webhooks"]} == {"active"}

    hooks = _hooks(shop)
    assert sorted(hook.type for hook in hooks) == sorted(WEBHOOK_TYPES)
    secret = await shop.webhook_secret()
    assert {hook.bearer_token for hook in hooks} == {secret}

    answer = await shop.pos.get("/api/cin7/credentials")
    assert answer.status_code == 200
    for plain in (key, secret):
        assert plain not in answer.text
    assert answer.json()["apiKey"] == body["apiKey"]

    await shop.run_jobs()  # the first catalog sync, queued by the PUT
    catalog = (await shop.pos.get("/api/catalog", params={"search": SKU})).json()
    assert [product["sku"] for product in catalog["products"]] == [SKU]
    assert catalog["products"][0]["available_to_sell"] == 20


async def test_cin7_refusing_the_pair_is_a_400_with_its_message_and_nothing_is_stored(
    shop: Shop,
) -> None:
    wrong_key = "0b7c2f7e-5a43-4bd0-9d0c-2f1e9a8b7c6d"
    answer = await shop.put(shop.account.account_id, wrong_key)
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "credentials_refused"
    assert body["field"] == "apiKey"
    assert "CIN7 refused the credentials" in body["message"]
    assert "403" in body["message"]
    assert wrong_key not in answer.text
    assert await shop.connection() is None
    assert _hooks(shop) == []
    shown = (await shop.pos.get("/api/cin7/credentials")).json()
    assert shown["connected"] is False
    assert shown["apiKey"] is None


async def test_an_unreachable_cin7_is_a_502_and_stores_nothing(shop: Shop, settings: Any) -> None:
    # nothing listens on port 9
    settings.provider_urls = {"cin7": "http://127.0.0.1:9/ExternalApi/v2"}
    answer = await shop.put(shop.account.account_id, shop.account.application_key)
    assert answer.status_code == 502, answer.text
    assert answer.json()["error"] == "provider_unavailable"
    assert "could not be reached" in answer.json()["message"]
    assert await shop.connection() is None


@pytest.mark.parametrize(("status", "expected"), [(500, 502), (503, 429), (429, 429)])
async def test_cin7_failing_to_answer_me_is_not_a_refusal(
    shop: Shop, status: int, expected: int
) -> None:
    rule = FaultRule(method="GET", path="/me", action="fail_before", status=status, times=None)
    shop.cin7.faults.add_rule(rule)
    answer = await shop.put(shop.account.account_id, shop.account.application_key)
    assert answer.status_code == expected, answer.text
    assert answer.json()["error"] != "credentials_refused"
    assert await shop.connection() is None
    assert _hooks(shop) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"apiKey": "k" * 36}, "accountId"),
        ({"accountId": "a" * 36}, "apiKey"),
        ({"accountId": "", "apiKey": "k" * 36}, "accountId"),
        ({"accountId": "a" * 36, "apiKey": "   "}, "apiKey"),
        ({"accountId": "a" * 101, "apiKey": "k" * 36}, "accountId"),
        ({"accountId": "a" * 36, "apiKey": "k" * 201}, "apiKey"),
        ({"accountId": 12345678, "apiKey": "k" * 36}, "accountId"),
        ({"accountId": "a" * 36, "apiKey": "line\nbreak-in-a-header"}, "apiKey"),
        ({"accountId": "a b", "apiKey": "k" * 36}, "accountId"),
        ([], "body"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    shop: Shop, body: Any, field: str
) -> None:
    answer = await shop.pos.put("/api/cin7/credentials", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field
    assert answer.json()["message"].startswith(field)
    assert "k" * 36 not in answer.text
    assert await shop.connection() is None
    assert not [call for call in shop.cin7.calls if call.path.endswith("/me")]


async def test_a_body_that_is_not_json_is_a_400(shop: Shop) -> None:
    answer = await shop.pos.put(
        "/api/cin7/credentials",
        content=b"{accountId:",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["field"] == "body"


async def test_credentials_need_the_tenant_key(shop: Shop) -> None:
    async with httpx.AsyncClient(base_url=shop.hub.url) as anonymous:
        for method in ("GET", "PUT", "DELETE"):
            answer = await anonymous.request(method, "/api/cin7/credentials")
            assert answer.status_code == 401, (method, answer.text)


async def test_replacing_the_key_keeps_history_and_moves_the_webhooks_to_the_new_secret(
    shop: Shop,
) -> None:
    await shop.connect()
    await shop.run_jobs()
    sale = {
        "action": "RECORD_SALE",
        "saleId": "POS-1",
        "items": [{"sku": SKU, "quantity": 1, "price": 29.99}],
    }
    assert (await shop.pos.post("/api/cin7/sale-sync", json=sale)).status_code == 200
    await shop.run_jobs()
    before = await shop.connection()
    assert before is not None
    old_secret = await shop.webhook_secret()
    history = (await shop.count(Job), await shop.count(Run), await shop.count(Sale))
    assert all(history)

    second = shop.cin7.add_application_key(shop.account.account_id)
    body = (await shop.put(second.account_id, second.application_key)).json()
    assert body["apiKey"] == mask(second.application_key)

    after = await shop.connection()
    assert after is not None
    assert after.id == before.id
    assert await shop.count(Sale) == history[2]
    assert await shop.count(Run) >= history[1]
    assert await shop.count(Job) > history[0]  # the old jobs, and a new first sync
    new_secret = await shop.webhook_secret()
    assert new_secret != old_secret
    hooks = _hooks(shop)
    assert sorted(hook.type for hook in hooks) == sorted(WEBHOOK_TYPES)  # updated, not added
    assert {hook.bearer_token for hook in hooks} == {new_secret}

    await _adjust(shop, 5)  # CIN7 delivers with the new secret, and the hub accepts it
    await eventually(lambda: shop.count(InboxEntry), within=5.0)


async def test_moving_to_another_account_removes_the_hooks_at_the_old_one(shop: Shop) -> None:
    await shop.connect()
    other = shop.cin7.create_account(company="Other Warehouse")
    body = (await shop.put(other.account_id, other.application_key)).json()
    assert body["accountName"] == "Other Warehouse"
    assert _hooks(shop) == []
    assert sorted(hook.type for hook in _hooks(shop, other.account_id)) == sorted(WEBHOOK_TYPES)


async def test_delete_removes_hooks_and_credentials_and_keeps_history(shop: Shop) -> None:
    await shop.connect()
    await shop.run_jobs()
    connection = await shop.connection()
    assert connection is not None
    url = f"{shop.hub.url}/api/cin7/webhook?connection={connection.id}"
    secret = await shop.webhook_secret()
    history = (await shop.count(Job), await shop.count(Run))

    answer = await shop.pos.delete("/api/cin7/credentials")
    assert answer.status_code == 200, answer.text
    assert answer.json()["webhooksRemoved"] == len(WEBHOOK_TYPES)
    assert answer.json()["webhookFailures"] == []
    assert _hooks(shop) == []
    gone = await shop.connection()
    assert gone is not None
    assert gone.credentials == ""
    assert gone.status == "disconnected"
    assert (await shop.count(Job), await shop.count(Run)) == history
    shown = (await shop.pos.get("/api/cin7/credentials")).json()
    assert shown["connected"] is False
    assert {hook["status"] for hook in shown["webhooks"]} == {"removed"}

    async with httpx.AsyncClient() as cin7_side:  # a delivery still on its way
        late = await cin7_side.post(url, json=[], headers={"Authorization": f"Bearer {secret}"})
    assert late.status_code == 404
    assert (await shop.pos.delete("/api/cin7/credentials")).status_code == 404

    again = await shop.connect()  # reconnecting reuses the connection and its history
    assert again["connected"] is True
    reconnected = await shop.connection()
    assert reconnected is not None
    assert reconnected.id == connection.id
    assert len(_hooks(shop)) == len(WEBHOOK_TYPES)


async def test_a_cin7_failure_while_deleting_hooks_is_reported_not_fatal(shop: Shop) -> None:
    await shop.connect()
    shop.cin7.faults.add_rule(
        FaultRule(method="DELETE", path="/webhooks", action="fail_before", status=500, times=None)
    )
    answer = await shop.pos.delete("/api/cin7/credentials")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["webhooksRemoved"] == 0
    assert sorted(f["type"] for f in body["webhookFailures"]) == sorted(WEBHOOK_TYPES)
    assert "500" in body["webhookFailures"][0]["error"]
    assert "could not be removed" in body["message"]
    gone = await shop.connection()
    assert gone is not None
    assert gone.credentials == ""
    shown = (await shop.pos.get("/api/cin7/credentials")).json()
    assert {hook["status"] for hook in shown["webhooks"]} == {"orphaned"}


async def test_tenants_never_see_each_others_credentials(shop: Shop) -> None:
    await shop.connect()
    async with shop.hub.tenant("Another Shop") as other:
        shown = (await other.http.get("/api/cin7/credentials")).json()
        assert shown["connected"] is False
        assert (await other.http.delete("/api/cin7/credentials")).status_code == 404
    assert len(_hooks(shop)) == len(WEBHOOK_TYPES)


async def test_concurrent_puts_leave_one_working_connection(shop: Shop) -> None:
    second = shop.cin7.add_application_key(shop.account.account_id)
    answers = await asyncio.gather(
        shop.connect(), shop.put(second.account_id, second.application_key)
    )
    assert answers[1].status_code == 200
    shown = (await shop.pos.get("/api/cin7/credentials")).json()
    assert shown["apiKey"] in (mask(shop.account.application_key), mask(second.application_key))
    hooks = _hooks(shop)
    assert len(hooks) == len(WEBHOOK_TYPES)
    assert {hook.bearer_token for hook in hooks} == {await shop.webhook_secret()}
