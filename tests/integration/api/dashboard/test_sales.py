"""The sales pages: each sale's push and invoice, a sale's jobs and history, retrying a job."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.integration.api.conftest import SKU
from tests.integration.api.dashboard.conftest import OTHER_SKU
from tests.support.dashboard import HTML, Visitor
from tests.support.hubs import RunningHub, TenantClient
from tests.support.jobs import add_connection
from tillsync.store.tables import Job, JobAttempt, Sale

PUSH, INVOICE = "cin7.push_sale", "crm.create_invoice"
REFUSED = "POST /sale: 400 the customer is on hold"


async def _connect(served: RunningHub, tenant_id: str) -> None:
    await add_connection(served.hub.uows, tenant_id, provider="cin7", role="warehouse")
    await add_connection(served.hub.uows, tenant_id, provider="crm", role="crm")


async def _sell(
    client: TenantClient, sale_id: str, *, sku: str = SKU, customer: bool = False
) -> None:
    body: dict[str, Any] = {
        "saleId": sale_id,
        "items": [{"sku": sku, "name": "Shaving cream", "quantity": 2, "price": 9.5}],
    }
    if customer:
        body |= {"customerId": "cust-42", "customerName": "Marcus Fade", "currency": "USD"}
    answer = await client.http.post("/api/sales", json=body)
    assert answer.status_code == 200, answer.text


async def _job(served: RunningHub, tenant_id: str, sale_id: str, kind: str) -> Job:
    async with served.hub.uows.read() as session:
        sale = await session.scalar(
            select(Sale).where(Sale.tenant_id == tenant_id, Sale.reference == sale_id)
        )
        assert sale is not None
        job = await session.scalar(
            select(Job).where(Job.subject == f"sale:{sale.id}", Job.kind == kind)
        )
    assert job is not None
    return job


async def _set(
    served: RunningHub,
    tenant_id: str,
    sale_id: str,
    kind: str,
    *,
    failed_with: str = "",
    **values: Any,
) -> str:
    """Put a sale's job in a state (as the worker would), with one attempt that failed."""
    job = await _job(served, tenant_id, sale_id, kind)
    now = served.hub.uows.clock.now()
    async with served.hub.uows.begin() as uow:
        await uow.session.execute(update(Job).where(Job.id == job.id).values(**values))
        if failed_with:
            uow.session.add(
                JobAttempt(
                    job_id=job.id,
                    tenant_id=tenant_id,
                    number=1,
                    worker="worker-1",
                    started_at=now,
                    finished_at=now,
                    outcome="permanent",
                    error=failed_with,
                )
            )
        await uow.commit()
    return job.id


@pytest.fixture
async def sales(served: RunningHub, shop: TenantClient) -> dict[str, str]:
    """Three sales: a refused push with a created invoice, a pushed one, one retrying."""
    await _connect(served, shop.tenant_id)
    await _sell(shop, "POS-FAILED", customer=True)
    await _sell(shop, "POS-PUSHED")
    await _sell(shop, "POS-RETRYING")
    now = served.hub.uows.clock.now()
    failed = await _set(
        served,
        shop.tenant_id,
        "POS-FAILED",
        PUSH,
        failed_with=REFUSED,
        state="failed",
        attempts=1,
        last_error=REFUSED,
        error_class="permanent",
        completed_at=now,
    )
    invoice = await _set(
        served,
        shop.tenant_id,
        "POS-FAILED",
        INVOICE,
        state="success",
        attempts=1,
        provider_reference="INV-0042",
        completed_at=now,
    )
    await _set(
        served,
        shop.tenant_id,
        "POS-PUSHED",
        PUSH,
        state="success",
        attempts=1,
        provider_reference="SO-00017",
        completed_at=now,
    )
    await _set(
        served,
        shop.tenant_id,
        "POS-RETRYING",
        PUSH,
        failed_with="POST /sale: 503",
        state="retry",
        attempts=1,
        last_error="POST /sale: 503",
        error_class="retryable",
        next_attempt_at=now + dt.timedelta(minutes=4, seconds=30),
    )
    return {"failed": failed, "invoice": invoice}


def _row(text: str, sale_id: str) -> str:
    return text.split(f'data-sale="{sale_id}"', 1)[1].split("</tr>", 1)[0]


def _cell(row: str, role: str) -> str:
    return row.split(f'data-role="{role}"', 1)[1].split("</td>", 1)[0]


async def _text(visitor: Visitor, path: str, **params: str) -> str:
    answer = await visitor.page(path, **params)
    assert answer.status_code == 200, answer.text
    return html.unescape(answer.text)


async def test_the_list_shows_each_sales_push_and_invoice(
    visitor: Visitor, shop: TenantClient, sales: dict[str, str]
) -> None:
    await visitor.sign_in(shop.api_key)
    text = await _text(visitor, "/sales")

    failed = _row(text, "POS-FAILED")
    assert 'data-state="failed"' in _cell(failed, "warehouse")
    assert REFUSED in _cell(failed, "warehouse")
    invoice = _cell(failed, "crm")
    assert 'data-state="done"' in invoice
    assert "created" in invoice
    assert "INV-0042" in invoice
    assert "paid" in invoice
    assert "Marcus Fade" in failed
    assert "19.00 USD" in failed
    pushed = _row(text, "POS-PUSHED")
    assert "pushed" in _cell(pushed, "warehouse")
    assert "document <code>SO-00017</code>" in _cell(pushed, "warehouse")
    assert 'data-state="' not in _cell(pushed, "crm")  # no customer: no invoice
    retrying = _cell(_row(text, "POS-RETRYING"), "warehouse")
    assert 'data-state="retrying"' in retrying
    assert "in 4 min" in retrying
    assert "POST /sale: 503" in retrying
    assert 'href="/sales/POS-FAILED"' in failed
    assert 'hx-trigger="every 2s"' in text  # a delivery under way: the list polls


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        ("failed", {"POS-FAILED"}),
        ("retrying", {"POS-RETRYING"}),
        ("under_way", {"POS-RETRYING"}),
        ("done", {"POS-PUSHED"}),
        ("", {"POS-FAILED", "POS-PUSHED", "POS-RETRYING"}),
    ],
)
async def test_the_list_filters_by_state(
    visitor: Visitor, shop: TenantClient, sales: dict[str, str], state: str, shown: set[str]
) -> None:
    await visitor.sign_in(shop.api_key)
    text = await _text(visitor, "/sales", state=state)
    listed = {
        ref for ref in ("POS-FAILED", "POS-PUSHED", "POS-RETRYING") if f'data-sale="{ref}"' in text
    }
    assert listed == shown
    assert f"{len(shown)} sale" in text


async def test_a_settled_list_does_not_poll(
    visitor: Visitor, shop: TenantClient, sales: dict[str, str]
) -> None:
    await visitor.sign_in(shop.api_key)
    assert "hx-trigger" not in await _text(visitor, "/sales", state="done")


async def test_a_sales_page_shows_its_lines_jobs_attempts_and_history(
    visitor: Visitor, shop: TenantClient, sales: dict[str, str]
) -> None:
    await visitor.sign_in(shop.api_key)
    text = await _text(visitor, "/sales/POS-FAILED")

    assert "<h1>Sale POS-FAILED</h1>" in text
    assert f'<tr data-sku="{SKU}">' in text
    push = text.split(f'<article class="card job" data-job="{sales["failed"]}"', 1)[1]
    push = push.split("</article>", 1)[0]
    assert 'data-state="failed"' in push
    assert REFUSED in push
    assert f"/sales/POS-FAILED/jobs/{sales['failed']}/retry" in push
    assert "csrf_token" in push
    invoice = text.split(f'data-job="{sales["invoice"]}"', 1)[1].split("</article>", 1)[0]
    assert "/retry" not in invoice  # only a failed job has a Retry button
    history = text.split('id="sale-history"', 1)[1].split("</ol>", 1)[0]
    for said in (
        "Sale recorded at Main Warehouse: 1 line, total 19.00 USD",
        f"Held 2 × {SKU} at Main Warehouse",
        "Warehouse push queued",
        f"Attempt: refused ({REFUSED})",
        "Warehouse push: failed, no retry left",
        "Invoice queued",
        "Invoice: created, invoice INV-0042",
    ):
        assert said in history
    assert "hx-trigger" not in text  # every delivery settled: nothing to poll for


async def test_retrying_a_failed_job_queues_it_again(
    served: RunningHub, visitor: Visitor, shop: TenantClient, sales: dict[str, str]
) -> None:
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/sales/POS-FAILED")
    answer = await visitor.http.post(
        f"/sales/POS-FAILED/jobs/{sales['failed']}/retry", data={"csrf_token": token}, headers=HTML
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/sales/POS-FAILED?retried={sales['failed']}"

    job = await _job(served, shop.tenant_id, "POS-FAILED", PUSH)
    assert (job.state, job.attempts, job.last_error) == ("pending", 0, None)
    followed = await visitor.http.get(answer.headers["location"], headers=HTML)
    text = html.unescape(followed.text)
    assert f"Job <code>{sales['failed']}</code> is queued again" in text
    push = text.split(f'data-job="{sales["failed"]}"', 1)[1].split("</article>", 1)[0]
    assert 'data-state="pending"' in push
    assert "/retry" not in push
    assert 'hx-trigger="every 2s"' in text  # it follows the job until it settles
    assert f"Attempt: refused ({REFUSED})" in text  # the earlier attempt stays on record


@pytest.mark.parametrize("whose_sale", ["ours", "theirs"])
async def test_another_tenants_job_is_not_found(
    served: RunningHub,
    visitor: Visitor,
    *,
    shop: TenantClient,
    other_shop: TenantClient,
    sales: dict[str, str],
    whose_sale: str,
) -> None:
    await _connect(served, other_shop.tenant_id)
    await _sell(other_shop, "THEIR-SALE", sku=OTHER_SKU)
    theirs = await _set(served, other_shop.tenant_id, "THEIR-SALE", PUSH, state="failed")
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/sales")
    sale = "POS-FAILED" if whose_sale == "ours" else "THEIR-SALE"
    answer = await visitor.http.post(
        f"/sales/{sale}/jobs/{theirs}/retry", data={"csrf_token": token}, headers=HTML
    )
    assert answer.status_code == 404
    assert "THEIR-SALE" not in (await _text(visitor, "/sales"))
    assert (await visitor.page("/sales/THEIR-SALE")).status_code == 404
    assert (await _job(served, other_shop.tenant_id, "THEIR-SALE", PUSH)).state == "failed"


@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_a_retry_without_the_sessions_token_is_refused(
    served: RunningHub,
    visitor: Visitor,
    shop: TenantClient,
    sales: dict[str, str],
    token: str | None,
) -> None:
    await visitor.sign_in(shop.api_key)
    data = {} if token is None else {"csrf_token": token}
    answer = await visitor.http.post(
        f"/sales/POS-FAILED/jobs/{sales['failed']}/retry", data=data, headers=HTML
    )
    assert answer.status_code == 403
    assert answer.json()["field"] == "csrf_token"
    assert (await _job(served, shop.tenant_id, "POS-FAILED", PUSH)).state == "failed"


async def test_retrying_a_job_that_did_not_fail_is_a_conflict(
    served: RunningHub, visitor: Visitor, shop: TenantClient, sales: dict[str, str]
) -> None:
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/sales/POS-FAILED")
    answer = await visitor.http.post(
        f"/sales/POS-FAILED/jobs/{sales['invoice']}/retry", data={"csrf_token": token}, headers=HTML
    )
    assert answer.status_code == 409
    assert "is success, not failed: only a failed job can be retried" in html.unescape(answer.text)
    assert (await _job(served, shop.tenant_id, "POS-FAILED", INVOICE)).state == "success"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/sales/NO-SUCH-SALE", 404),
        ("/sales?state=lost", 422),
        ("/sales?page=0", 422),
        ("/sales/" + "x" * 201, 422),
    ],
)
async def test_a_bad_address_is_a_4xx(
    visitor: Visitor, shop: TenantClient, sales: dict[str, str], path: str, status: int
) -> None:
    await visitor.sign_in(shop.api_key)
    assert (await visitor.http.get(path, headers=HTML)).status_code == status


@pytest.mark.parametrize(
    ("job_id", "status"),
    [("not-a-job", 422), ("0" * 36, 404), ("00000000-0000-0000-0000-00000000000", 422)],
)
async def test_retrying_an_unknown_job_is_a_4xx(
    visitor: Visitor, shop: TenantClient, sales: dict[str, str], job_id: str, status: int
) -> None:
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/sales")
    answer = await visitor.http.post(
        f"/sales/POS-FAILED/jobs/{job_id}/retry", data={"csrf_token": token}, headers=HTML
    )
    assert answer.status_code == status


async def test_the_pages_ask_a_visitor_to_sign_in(visitor: Visitor, sales: dict[str, str]) -> None:
    for path in ("/sales", "/sales/POS-FAILED"):
        answer = await visitor.page(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in")
