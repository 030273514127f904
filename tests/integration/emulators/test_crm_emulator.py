"""The CRM emulator over real loopback HTTP, as the connector (or a browser POS) meets it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tillsync.clock import FakeClock
from tillsync.emulators.crm import CrmState, FaultRule, create_crm_emulator
from tillsync.serving import serve

KEY = "crm_test_key_0123456789"
PATH = "/api/external/invoices"
BODY: dict[str, Any] = {
    "customer_id": "cust-42",
    "customer_name": "Marcus Fade",
    "currency": "USD",
    "payment_method": "card",
    "reference": "POS_1",
    "status": "paid",
    "items": [
        {"sku": "CREAM", "name": "Shaving Cream", "quantity": 2, "unit_price": 29.99, "tax": 4.5},
        {"sku": "OIL", "name": "Beard Oil", "quantity": 1, "unit_price": 18},
    ],
}


@pytest.fixture
def state() -> CrmState:
    crm = CrmState(clock=FakeClock(dt.datetime(2025, 12, 31, 23, 59, tzinfo=dt.UTC)))
    crm.add_key(KEY)
    return crm


@pytest.fixture
async def url(state: CrmState) -> AsyncIterator[str]:
    async with serve(create_crm_emulator(state)) as served:
        yield served


@pytest.fixture
async def crm(url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=url, headers={"x-api-key": KEY}) as client:
        yield client


async def _create(crm: httpx.AsyncClient, body: object = BODY, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return await crm.post(PATH, json=body, headers=headers)


async def test_an_invoice_is_created_paid_and_numbered(
    crm: httpx.AsyncClient, state: CrmState
) -> None:
    answer = await _create(crm)
    assert answer.status_code == 201
    body = answer.json()
    assert body["success"] is True
    assert body["invoice_number"] == "INV-2025-0001"
    invoice = body["invoice"]
    assert (invoice["id"], invoice["status"]) == (body["invoice_id"], "paid")
    assert invoice["subtotal"] == 77.98
    assert invoice["tax_total"] == 4.5
    assert invoice["total"] == 82.48
    assert [item["sku"] for item in invoice["items"]] == ["CREAM", "OIL"]
    assert (await _create(crm, dict(BODY, reference="POS_2"))).json()["invoice_number"] == (
        "INV-2025-0002"
    )
    assert isinstance(state.clock, FakeClock)
    state.clock.advance(120)  # a new year, a new sequence
    assert (await _create(crm, dict(BODY, reference="POS_3"))).json()["invoice_number"] == (
        "INV-2026-0001"
    )


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "wrong"}])
async def test_a_missing_or_wrong_key_is_refused_with_401(
    url: str, state: CrmState, headers: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        created = await client.post(PATH, json=BODY)
        listed = await client.get(PATH)
    for answer in (created, listed):
        assert answer.status_code == 401
        assert answer.json()["success"] is False
        assert answer.json()["error"]
    assert state.invoices == []


def _without(field: str) -> dict[str, Any]:
    return {k: v for k, v in BODY.items() if k != field}


def _line(**changes: object) -> dict[str, Any]:
    return dict(BODY, items=[dict(BODY["items"][0], **changes)])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_without("customer_id"), "customer_id"),
        (dict(BODY, customer_name=" "), "customer_name"),
        (dict(BODY, currency="usd"), "currency"),
        (_without("payment_method"), "payment_method"),
        (_without("reference"), "reference"),
        (dict(BODY, status="void"), "status"),
        (dict(BODY, items=[]), "items"),
        (_line(quantity=0), "items[0].quantity"),
        (_line(quantity="2"), "items[0].quantity"),
        (_line(unit_price=-1), "items[0].unit_price"),
        (_line(tax=True), "items[0].tax"),
        (_line(sku=""), "items[0].sku"),
        ({"items": "x"}, "customer_id"),
        ([BODY], "body"),
    ],
)
async def test_every_field_is_validated_and_named(
    crm: httpx.AsyncClient, state: CrmState, body: object, field: str
) -> None:
    answer = await _create(crm, body)
    assert answer.status_code == 400
    assert answer.json()["field"] == field
    assert state.invoices == []


async def test_a_body_that_is_not_json_is_refused(crm: httpx.AsyncClient) -> None:
    answer = await crm.post(PATH, content=b"{nope", headers={"Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["field"]) == (400, "body")


async def test_the_idempotency_key_replays_the_first_invoice_and_refuses_another_body(
    crm: httpx.AsyncClient, state: CrmState
) -> None:
    first = await _create(crm, key="POS_1")
    again = await _create(crm, key="POS_1")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["invoice_id"] == first.json()["invoice_id"]
    changed = await _create(crm, dict(BODY, payment_method="cash"), key="POS_1")
    assert changed.status_code == 422
    assert changed.json()["field"] == "Idempotency-Key"
    assert len(state.invoices) == 1


async def test_a_crm_that_ignores_the_key_makes_a_second_invoice(
    crm: httpx.AsyncClient, state: CrmState
) -> None:
    state.faults.ignore_idempotency = True
    await _create(crm, key="POS_1")
    await _create(crm, key="POS_1")
    assert len(state.invoices) == 2


async def test_invoices_are_found_by_sale_reference(crm: httpx.AsyncClient) -> None:
    await _create(crm)
    await _create(crm, dict(BODY, reference="POS_2"))
    found = (await crm.get(PATH, params={"reference": "POS_2"})).json()["invoices"]
    assert [invoice["reference"] for invoice in found] == ["POS_2"]
    assert (await crm.get(PATH, params={"reference": "POS_9"})).json()["invoices"] == []
    assert len((await crm.get(PATH, params={"limit": "1"})).json()["invoices"]) == 1
    assert (await crm.get(PATH, params={"limit": "0"})).status_code == 400


async def test_cors_pre_flight_is_answered(url: str) -> None:
    async with httpx.AsyncClient(base_url=url) as client:
        answer = await client.options(
            PATH,
            headers={
                "Origin": "http://pos.localhost:3000",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-api-key,idempotency-key",
            },
        )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] in ("*", "http://pos.localhost:3000")
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert "x-api-key" in answer.headers["access-control-allow-headers"].lower()


async def test_down_answers_503_and_changes_nothing(
    crm: httpx.AsyncClient, state: CrmState
) -> None:
    state.faults.down = True
    assert (await _create(crm)).status_code == 503
    assert state.invoices == []


@pytest.mark.parametrize(
    ("action", "made"),
    [("fail_before", 0), ("fail_after", 1), ("reset_before", 0), ("reset_after", 1)],
)
async def test_fault_rules_strike_before_or_after_the_invoice_is_made(
    crm: httpx.AsyncClient, state: CrmState, action: Any, made: int
) -> None:
    state.faults.rules.append(FaultRule(action=action, status=502))
    if action.startswith("reset"):
        with pytest.raises(httpx.TransportError):
            await _create(crm)
    else:
        assert (await _create(crm)).status_code == 502
    assert len(state.invoices) == made
    assert state.faults.rules == []  # used up
    assert (await _create(crm, dict(BODY, reference="POS_2"))).status_code == 201
    assert [call.status for call in state.creates()] == [0 if "reset" in action else 502, 201]


async def test_the_control_surface_sets_faults_keys_and_shows_invoices(url: str) -> None:
    async with httpx.AsyncClient(base_url=url) as control:
        key = (await control.post("/_emulator/keys")).json()["api_key"]
        faults = {"down": True, "rules": [{"action": "fail_after", "status": 500}]}
        assert (await control.put("/_emulator/faults", json=faults)).json()["down"] is True
        bad = {"rules": [{"action": "explode"}]}
        assert (await control.put("/_emulator/faults", json=bad)).status_code == 422
        await control.delete("/_emulator/faults")
        created = await control.post(PATH, json=BODY, headers={"x-api-key": key})
        assert created.status_code == 201
        invoices = (await control.get("/_emulator/invoices")).json()
        assert [invoice["reference"] for invoice in invoices] == ["POS_1"]
        calls = (await control.get("/_emulator/calls")).json()
        assert [(c["method"], c["status"]) for c in calls] == [("POST", 201)]
        await control.post("/_emulator/reset")
        assert (await control.get("/_emulator/state")).json()["invoices"] == 0
        assert (await control.delete(f"/_emulator/keys/{key}")).json()["revoked"] is True
        refused = await control.post(PATH, json=BODY, headers={"x-api-key": key})
        assert refused.status_code == 401
