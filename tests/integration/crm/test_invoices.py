"""Customer sales become exactly one paid CRM invoice; other sales none; faults never double it."""

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.crm import Crm, connected_crm, invoice_jobs, notifications, post_sale
from tests.support.world import World, eventually, open_world, sales_with_external_id
from tillsync.config import Settings
from tillsync.emulators.crm import FaultRule
from tillsync.store.tables import Connection, Sale, SaleLine

SKU = "TOMB45SHAVECBLCK"
CUSTOMER_SALE: dict[str, Any] = {
    "saleId": "POS_1642878934567_abc123",
    "customerId": "cust-42",
    "customerName": "Marcus Fade",
    "currency": "usd",
    "paymentMethod": "card",
    "items": [
        {"sku": SKU, "name": "Tomb45 Shaving Cream", "quantity": 2, "price": 29.99, "tax": 4.5},
        {"sku": SKU, "name": "Tomb45 Shaving Cream (tester)", "quantity": 1, "price": 9.5},
    ],
}
WALK_IN_SALE: dict[str, Any] = {
    "saleId": "POS_1642878934999_def456",
    "items": [{"sku": SKU, "name": "Tomb45 Shaving Cream", "quantity": 1, "price": 29.99}],
}


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    async with open_world(settings) as opened:
        yield opened


@pytest.fixture
async def crm(world: World) -> AsyncIterator[Crm]:
    async with connected_crm(world.hub.hub, world.tenant_id) as connected:
        yield connected


async def _deliver(world: World) -> None:
    await world.hub.hub.create_worker().run_until_idle()


async def _status(world: World, sale_id: str) -> dict[str, Any]:
    answer = await world.pos.get(f"/api/sales/{sale_id}")
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_a_customer_sale_makes_one_paid_invoice_with_every_line_shown_in_history(
    world: World, crm: Crm
) -> None:
    answer = await post_sale(world.pos, CUSTOMER_SALE)
    assert answer["success"] is True
    assert answer["saleId"] == CUSTOMER_SALE["saleId"]
    assert answer["crmStatus"]["state"] == "queued"
    assert answer["crmStatus"]["invoiceCreated"] is False
    assert answer["inventoryStatus"]["summary"] == {
        "total_items": 2,
        "successful_updates": 2,
        "failed_updates": 0,
    }
    await _deliver(world)

    [invoice] = crm.state.invoices
    assert invoice.status == "paid"
    assert (invoice.customer_id, invoice.customer_name) == ("cust-42", "Marcus Fade")
    assert (invoice.currency, invoice.payment_method) == ("USD", "card")
    assert invoice.reference == CUSTOMER_SALE["saleId"]
    assert [(li.sku, li.name, li.quantity, li.unit_price, li.tax) for li in invoice.lines] == [
        (SKU, "Tomb45 Shaving Cream", 2, Decimal("29.99"), Decimal("4.5")),
        (SKU, "Tomb45 Shaving Cream (tester)", 1, Decimal("9.5"), 0),
    ]
    [create] = crm.state.creates()
    assert create.idempotency_key == CUSTOMER_SALE["saleId"]

    status = await _status(world, CUSTOMER_SALE["saleId"])
    assert status["crmStatus"] == {
        "serviceAvailable": True,
        "invoiceCreated": True,
        "invoice_id": invoice.id,
        "invoice_number": invoice.number,
        "error": None,
        "state": "created",
    }
    assert status["inventoryStatus"]["state"] == "pushed"
    assert status["message"].endswith(f"and CRM invoice {invoice.number}")
    await _pushed_and_invoiced_once_each(world, invoice.number)


async def _pushed_and_invoiced_once_each(world: World, invoice_number: str) -> None:
    """The sale's history answers "was it pushed and invoiced, once each?"."""
    answer = await world.pos.get(f"/api/sales/{CUSTOMER_SALE['saleId']}/history")
    assert answer.status_code == 200
    history = answer.json()
    assert history["sale"]["customer_id"] == "cust-42"
    jobs = {job["kind"]: job for job in history["jobs"]}
    assert len(history["jobs"]) == 2
    assert set(jobs) == {"cin7.push_sale", "crm.create_invoice"}
    invoice = jobs["crm.create_invoice"]
    assert (invoice["provider"], invoice["status"]) == ("crm", "success")
    assert invoice["pos_order_id"] == invoice_number
    assert [a["outcome"] for a in invoice["attempts"]] == ["success"]
    push = jobs["cin7.push_sale"]
    assert (push["provider"], push["status"]) == ("cin7", "success")
    assert [a["outcome"] for a in push["attempts"]] == ["success"]
    assert len(await sales_with_external_id(world.cin7, CUSTOMER_SALE["saleId"])) == 1


async def test_a_sale_without_a_customer_makes_no_invoice(world: World, crm: Crm) -> None:
    answer = await post_sale(world.pos, WALK_IN_SALE)
    assert answer["crmStatus"]["state"] == "not_needed"
    assert answer["crmStatus"]["serviceAvailable"] is True
    await _deliver(world)
    assert crm.state.invoices == []
    assert crm.state.creates() == []
    assert await invoice_jobs(world.hub.hub) == []
    assert (await _status(world, WALK_IN_SALE["saleId"]))["inventoryStatus"]["state"] == "pushed"


async def test_a_customer_sale_without_a_crm_says_so_and_still_completes(world: World) -> None:
    answer = await post_sale(world.pos, CUSTOMER_SALE)
    assert answer["success"] is True
    assert answer["crmStatus"]["state"] == "not_configured"
    assert answer["crmStatus"]["serviceAvailable"] is False
    assert answer["crmStatus"]["error"]
    assert await invoice_jobs(world.hub.hub) == []


async def test_a_repeated_sale_is_answered_again_and_a_changed_one_refused(
    world: World, crm: Crm
) -> None:
    first = await post_sale(world.pos, CUSTOMER_SALE)
    again = await post_sale(world.pos, CUSTOMER_SALE)
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert again["id"] == first["id"]
    changed = dict(CUSTOMER_SALE, customerId="cust-43")
    refused = await world.pos.post("/api/sales", json=changed)
    assert refused.status_code == 409
    assert refused.json()["field"] == "saleId"
    await _deliver(world)
    assert len(await invoice_jobs(world.hub.hub)) == 1
    assert len(crm.state.invoices) == 1


async def test_a_crm_down_during_the_sale_gets_its_invoice_once_it_returns(
    world: World, crm: Crm
) -> None:
    crm.state.faults.down = True
    answer = await post_sale(world.pos, CUSTOMER_SALE)
    assert answer["success"] is True
    assert answer["crmStatus"]["state"] == "queued"
    worker = world.hub.hub.create_worker()
    await worker.run_until_idle()
    [job] = await invoice_jobs(world.hub.hub)
    assert (job.state, job.error_class) == ("retry", "retryable")
    later = await post_sale(world.pos, WALK_IN_SALE)
    assert later["crmStatus"]["serviceAvailable"] is False  # the failure is known by now
    waiting = await _status(world, CUSTOMER_SALE["saleId"])
    assert waiting["crmStatus"]["state"] == "queued"
    assert "503" in waiting["crmStatus"]["error"]

    crm.state.faults.down = False

    async def invoiced() -> bool:
        await worker.run_until_idle()
        return (await _status(world, CUSTOMER_SALE["saleId"]))["crmStatus"]["invoiceCreated"]

    await eventually(invoiced, within=15)
    assert len(crm.state.invoices) == 1
    assert len(crm.state.creates()) == 2  # the refused one and the one that worked


@pytest.mark.parametrize(
    ("rule", "ignore_key"),
    [
        (FaultRule(action="reset_after"), True),
        (FaultRule(action="fail_after", status=502), True),
        (FaultRule(action="reset_after"), False),
    ],
    ids=["dropped-answer-key-ignored", "5xx-after-create-key-ignored", "dropped-answer"],
)
async def test_an_uncertain_create_is_looked_up_not_repeated(
    world: World, crm: Crm, rule: FaultRule, ignore_key: bool
) -> None:
    crm.state.faults.ignore_idempotency = ignore_key
    crm.state.faults.rules.append(rule)
    await post_sale(world.pos, CUSTOMER_SALE)
    worker = world.hub.hub.create_worker()
    await worker.run_until_idle()  # the CRM made the invoice; the hub never heard
    assert len(crm.state.invoices) == 1

    async def invoiced() -> bool:
        await worker.run_until_idle()
        return (await _status(world, CUSTOMER_SALE["saleId"]))["crmStatus"]["invoiceCreated"]

    await eventually(invoiced, within=15)
    assert len(crm.state.invoices) == 1
    assert [c.method for c in crm.state.calls] == ["GET", "POST", "GET"]  # check, create, lookup
    [job] = await invoice_jobs(world.hub.hub)
    assert job.provider_reference == crm.state.invoices[0].number


async def test_a_wrong_key_fails_the_job_with_one_notice_and_leaves_the_sale(
    world: World, crm: Crm
) -> None:
    crm.state.revoke_key(crm.api_key)
    first = await post_sale(world.pos, CUSTOMER_SALE)
    second = await post_sale(world.pos, dict(CUSTOMER_SALE, saleId="POS_2"))
    await _deliver(world)

    jobs = await invoice_jobs(world.hub.hub)
    assert [(j.state, j.error_class, j.attempts) for j in jobs] == [("failed", "auth", 1)] * 2
    notices = await notifications(world.hub.hub, world.tenant_id)
    assert [n.kind for n in notices] == ["reauth_required"]
    assert crm.api_key not in notices[0].message
    assert crm.state.invoices == []
    async with world.hub.hub.uows.read() as session:
        connection = await session.get(Connection, jobs[0].connection_id)
        sale = await session.get(Sale, first["id"])
        lines = list(await session.scalars(select(SaleLine).where(SaleLine.sale_id == first["id"])))
    assert connection is not None
    assert connection.status == "reauth_required"
    assert sale is not None
    assert sale.total == Decimal("73.98")
    assert sorted(line.quantity for line in lines) == [1, 2]
    status = await _status(world, CUSTOMER_SALE["saleId"])
    assert status["success"] is True
    assert status["crmStatus"]["state"] == "failed"
    assert status["inventoryStatus"]["state"] == "pushed"
    assert second["success"] is True
    assert len(await sales_with_external_id(world.cin7, "POS_2")) == 1


async def test_a_sale_id_a_header_cannot_carry_is_sent_percent_encoded(
    world: World, crm: Crm
) -> None:
    await post_sale(world.pos, dict(CUSTOMER_SALE, saleId="Café 7/A"))
    await _deliver(world)
    [invoice] = crm.state.invoices
    assert invoice.reference == "Café 7/A"
    assert [c.idempotency_key for c in crm.state.creates()] == ["Caf%C3%A9%207%2FA"]
