"""Sync history and statistics over HTTP: seed 004's logs and stats, views of the jobs table."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.support.hubs import RunningHub, TenantClient
from tests.support.jobs import add_connection, add_job, add_sale, at
from tillsync.services.stats import success_rate
from tillsync.store.tables import Job, JobAttempt
from tillsync.store.uow import UnitsOfWork


@pytest.fixture
async def seller(served: RunningHub) -> AsyncIterator[TenantClient]:
    async with served.tenant("Fade Factory") as client:
        yield client


@pytest.fixture
def uows(served: RunningHub) -> UnitsOfWork:
    return served.hub.uows


async def _history(client: TenantClient, **params: Any) -> dict[str, Any]:
    answer = await client.http.get(f"/api/v1/pos/history/{client.tenant_id}", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["success"] is True
    return dict(body["data"])


async def _stats(client: TenantClient) -> dict[str, Any]:
    answer = await client.http.get(f"/api/v1/pos/stats/{client.tenant_id}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["success"] is True
    return dict(answer.json()["data"]["stats"])


async def _batch_pair(
    uows: UnitsOfWork,
    tenant_id: str,
    *,
    batch_state: str,
    minutes: float,
    connection_id: str | None = None,
    **batch: Any,
) -> tuple[str, str]:
    """A batch job in `batch_state` and a sale push that handed its effect to it."""
    batch_id = await add_job(
        uows,
        kind="cin7.push_sales_batch",
        tenant_id=tenant_id,
        connection_id=connection_id,
        state=batch_state,
        created_at=at(minutes),
        **batch,
    )
    pushed = await add_job(
        uows,
        kind="cin7.push_sale",
        tenant_id=tenant_id,
        connection_id=connection_id,
        state="batched",
        attempts=1,
        checkpoint={"batch_job_id": batch_id},
        completed_at=at(minutes),
        created_at=at(minutes - 0.5),
    )
    return batch_id, pushed


async def test_each_log_carries_the_seed_fields_and_where_it_came_from(
    seller: TenantClient, uows: UnitsOfWork
) -> None:
    tenant = seller.tenant_id
    cin7 = await add_connection(uows, tenant)
    sale = await add_sale(uows, tenant, "POS-1001")
    other_sale = await add_sale(uows, tenant, "POS-1002")
    pushed = await add_job(
        uows,
        kind="cin7.push_sale",
        tenant_id=tenant,
        connection_id=cin7,
        subject=f"sale:{sale}",
        state="success",
        attempts=1,
        provider_reference="SO-00042",
        duration_ms=250,
        completed_at=at(0.25),
        created_at=at(0),
    )
    retrying = await add_job(
        uows,
        kind="cin7.push_sale",
        tenant_id=tenant,
        connection_id=cin7,
        subject=f"sale:{other_sale}",
        state="retry",
        attempts=3,
        next_attempt_at=at(15),
        last_error="Connection timeout",
        error_class="retryable",
        created_at=at(1),
    )
    webhook = await add_job(
        uows, kind="cin7.apply_webhook", tenant_id=tenant, subject="inbox:1", created_at=at(2)
    )
    mail = await add_job(
        uows,
        kind="mail.send",
        tenant_id=tenant,
        state="failed",
        attempts=12,
        last_error="SMTP refused",
        error_class="permanent",
        completed_at=at(4),
        created_at=at(3),
    )
    await add_job(uows, kind="tillsync.retention", created_at=at(5))  # no tenant: not shown

    data = await _history(seller)

    assert (data["total"], data["limit"], data["offset"]) == (4, 50, 0)
    assert [log["id"] for log in data["logs"]] == [mail, webhook, retrying, pushed]
    logs = {log["id"]: log for log in data["logs"]}
    assert logs[pushed] == {
        "id": pushed,
        "order_id": "POS-1001",
        "status": "success",
        "provider": "cin7",
        "pos_order_id": "SO-00042",
        "retry_count": 0,
        "duration_ms": 250,
        "completed_at": at(0.25).isoformat(),
        "created_at": at(0).isoformat(),
        "next_retry_at": None,
        "error_message": None,
        "error_class": None,
        "kind": "cin7.push_sale",
        "connection_id": cin7,
        "batch_id": None,
    }
    assert {k: logs[retrying][k] for k in ("order_id", "status", "retry_count")} == {
        "order_id": "POS-1002",
        "status": "retry",
        "retry_count": 2,
    }
    assert logs[retrying]["next_retry_at"] == at(15).isoformat()
    assert logs[retrying]["error_message"] == "Connection timeout"
    assert logs[retrying]["completed_at"] is None
    assert (logs[webhook]["order_id"], logs[webhook]["provider"]) == (None, "cin7")
    assert (logs[webhook]["status"], logs[webhook]["retry_count"]) == ("pending", 0)
    assert logs[webhook]["next_retry_at"] is None
    assert (logs[mail]["provider"], logs[mail]["retry_count"]) == ("mail", 11)
    assert (logs[mail]["status"], logs[mail]["error_message"]) == ("failed", "SMTP refused")
    assert logs[mail]["connection_id"] is None


async def test_a_batched_sale_push_reads_as_its_batch(
    seller: TenantClient, uows: UnitsOfWork
) -> None:
    batch, pushed = await _batch_pair(
        uows, seller.tenant_id, batch_state="success", minutes=1, completed_at=at(2)
    )

    log = next(log for log in (await _history(seller))["logs"] if log["id"] == pushed)
    assert (log["status"], log["batch_id"]) == ("success", batch)
    assert log["completed_at"] == at(2).isoformat()

    async with uows.begin() as uow:
        await uow.session.execute(
            update(Job)
            .where(Job.id == batch)
            .values(state="retry", completed_at=None, next_attempt_at=at(9), last_error="502")
        )
        await uow.commit()
    log = next(log for log in (await _history(seller))["logs"] if log["id"] == pushed)
    assert (log["status"], log["next_retry_at"], log["error_message"]) == (
        "retry",
        at(9).isoformat(),
        "502",
    )
    assert log["completed_at"] is None
    only_batched = await _history(seller, status="batched")
    assert [log["id"] for log in only_batched["logs"]] == [pushed]
    retrying = await _history(seller, status="retry")
    assert {log["id"] for log in retrying["logs"]} == {batch, pushed}
    assert (await _history(seller, status="success"))["total"] == 0


async def test_status_filter_and_paging_go_newest_first(
    seller: TenantClient, uows: UnitsOfWork
) -> None:
    states = ["failed", "success", "failed", "pending", "failed", "syncing", "failed"]
    ids = [
        await add_job(
            uows, kind="cin7.push_sale", tenant_id=seller.tenant_id, state=s, created_at=at(n)
        )
        for n, s in enumerate(states)
    ]
    newest_failed = [ids[6], ids[4], ids[2], ids[0]]

    failed = await _history(seller, status="failed")
    assert [log["id"] for log in failed["logs"]] == newest_failed
    assert failed["total"] == 4
    page = await _history(seller, status="failed", limit=2, offset=1)
    assert [log["id"] for log in page["logs"]] == newest_failed[1:3]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    beyond = await _history(seller, limit=5, offset=7)
    assert (beyond["logs"], beyond["total"]) == ([], 7)
    assert [log["id"] for log in (await _history(seller, limit=3))["logs"]] == ids[:3:-1]
    assert (await _history(seller, status=""))["total"] == 7  # `?status=` is no filter
    assert (await _history(seller, status="syncing"))["total"] == 1


async def test_another_business_id_is_not_found_and_nothing_leaks(
    served: RunningHub, seller: TenantClient, uows: UnitsOfWork
) -> None:
    await add_job(uows, kind="cin7.push_sale", tenant_id=seller.tenant_id, state="success")
    async with served.tenant("Other Shop") as other:
        for path in ("history", "stats"):
            theirs = await other.http.get(f"/api/v1/pos/{path}/{seller.tenant_id}")
            unknown = await other.http.get(f"/api/v1/pos/{path}/no-such-business")
            assert theirs.status_code == unknown.status_code == 404
            assert theirs.json() == unknown.json()
            assert theirs.json()["field"] == "business_id"
        assert (await _history(other))["logs"] == []
        assert (await _stats(other))["total_syncs"] == 0
    async with httpx.AsyncClient(base_url=served.url) as nobody:
        assert (await nobody.get(f"/api/v1/pos/history/{seller.tenant_id}")).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "2.5"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 1_000_001}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"status": "done"}, "status"),
        ({"status": "SUCCESS"}, "status"),
    ],
)
async def test_bad_query_parameters_are_refused_naming_them(
    seller: TenantClient, params: dict[str, Any], field: str
) -> None:
    answer = await seller.http.get(f"/api/v1/pos/history/{seller.tenant_id}", params=params)
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid_input"
    assert body["field"].split(".")[-1] == field
    assert field in body["message"]


async def test_stats_count_each_job_once_and_a_batched_one_as_its_batch(
    served: RunningHub, seller: TenantClient, uows: UnitsOfWork
) -> None:
    tenant = seller.tenant_id
    assert await _stats(seller) == {
        "total_syncs": 0,
        "successful_syncs": 0,
        "failed_syncs": 0,
        "pending_retries": 0,
        "success_rate": 0.0,
    }
    for state in ("success", "success", "failed", "retry", "retry", "pending", "syncing"):
        await add_job(uows, kind="cin7.push_sale", tenant_id=tenant, state=state)
    await _batch_pair(uows, tenant, batch_state="success", minutes=1)
    await _batch_pair(uows, tenant, batch_state="failed", minutes=2)
    await add_job(uows, kind="cin7.push_sale", state="success")
    async with served.tenant("Other Shop") as other:
        await add_job(uows, kind="cin7.push_sale", tenant_id=other.tenant_id, state="failed")

    assert await _stats(seller) == {
        "total_syncs": 11,
        "successful_syncs": 4,
        "failed_syncs": 3,
        "pending_retries": 2,
        "success_rate": 36.4,
    }


@pytest.mark.parametrize(
    ("successful", "total", "rate"),
    [(0, 0, 0.0), (145, 150, 96.7), (2, 3, 66.7), (1, 16, 6.3), (3, 3, 100.0), (0, 7, 0.0)],
)
def test_success_rate_is_rounded_half_up_to_one_decimal(
    successful: int, total: int, rate: float
) -> None:
    assert success_rate(successful, total) == rate


async def test_connection_stats_count_jobs_per_connection(
    served: RunningHub, seller: TenantClient, uows: UnitsOfWork
) -> None:
    tenant = seller.tenant_id
    cin7 = await add_connection(uows, tenant)
    crm = await add_connection(uows, tenant, provider="zoho", role="crm")
    states = ("success", "failed", "retry", "pending", "syncing", "syncing")
    for n, state in enumerate(states):
        await add_job(
            uows,
            kind="cin7.push_sale",
            tenant_id=tenant,
            connection_id=cin7,
            state=state,
            completed_at=at(n) if state == "success" else None,
        )
    await _batch_pair(
        uows, tenant, batch_state="success", minutes=30, connection_id=cin7, completed_at=at(31)
    )
    async with served.tenant("Other Shop") as other:
        await add_connection(uows, other.tenant_id)

    answer = await seller.http.get("/api/connections/stats")
    assert answer.status_code == 200
    rows = {row["connection_id"]: row for row in answer.json()["connections"]}
    assert set(rows) == {cin7, crm}
    assert rows[cin7] == {
        "connection_id": cin7,
        "provider": "cin7",
        "role": "warehouse",
        "status": "active",
        "account_name": "cin7 account",
        "error_count": 0,
        "last_error": None,
        "last_sync_at": None,
        "last_success_at": at(31).isoformat(),
        "total_syncs": 8,
        "successful_syncs": 3,
        "failed_syncs": 1,
        "pending_retries": 1,
        "queued": 3,
        "success_rate": 37.5,
    }
    assert (rows[crm]["total_syncs"], rows[crm]["success_rate"]) == (0, 0.0)
    assert (rows[crm]["last_success_at"], rows[crm]["queued"]) == (None, 0)


async def test_a_sales_history_shows_each_job_and_attempt(
    served: RunningHub, seller: TenantClient, uows: UnitsOfWork
) -> None:
    tenant = seller.tenant_id
    cin7 = await add_connection(uows, tenant)
    sale = await add_sale(uows, tenant, "POS/2026/7", lines=2)
    other = await add_sale(uows, tenant, "POS-8")
    pushed = await add_job(
        uows,
        kind="cin7.push_sale",
        tenant_id=tenant,
        connection_id=cin7,
        subject=f"sale:{sale}",
        state="success",
        attempts=2,
        provider_reference="SO-7",
    )
    await add_job(uows, kind="cin7.push_sale", tenant_id=tenant, subject=f"sale:{other}")
    async with uows.begin() as uow:
        for number, outcome, error in ((1, "retryable", "POST /sale: 502"), (2, "success", None)):
            uow.session.add(
                JobAttempt(
                    job_id=pushed,
                    tenant_id=tenant,
                    number=number,
                    worker=f"worker-{number}",
                    started_at=at(number),
                    finished_at=at(number + 0.5),
                    outcome=outcome,
                    error=error,
                )
            )
        await uow.commit()

    answer = await seller.http.get("/api/sales/POS/2026/7/history")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["sale"]["reference"] == "POS/2026/7"
    assert (body["sale"]["id"], body["sale"]["total"]) == (sale, 38)
    assert body["sale"]["lines"][1] == {
        "sku": "SKU-1",
        "name": "Product 1",
        "quantity": 2,
        "price": 9.5,
        "tax": 0,
    }
    assert [job["id"] for job in body["jobs"]] == [pushed]
    job = body["jobs"][0]
    assert (job["status"], job["pos_order_id"], job["order_id"]) == (
        "success",
        "SO-7",
        "POS/2026/7",
    )
    assert job["attempts"] == [
        {
            "number": 1,
            "worker": "worker-1",
            "started_at": at(1).isoformat(),
            "finished_at": at(1.5).isoformat(),
            "outcome": "retryable",
            "error": "POST /sale: 502",
        },
        {
            "number": 2,
            "worker": "worker-2",
            "started_at": at(2).isoformat(),
            "finished_at": at(2.5).isoformat(),
            "outcome": "success",
            "error": None,
        },
    ]
    encoded = await seller.http.get("/api/sales/POS%2F2026%2F7/history")
    assert encoded.status_code == 200
    assert encoded.json()["sale"]["id"] == sale


async def test_a_sale_of_another_tenant_is_not_found(
    served: RunningHub, seller: TenantClient, uows: UnitsOfWork
) -> None:
    await add_sale(uows, seller.tenant_id, "POS-1")
    async with served.tenant("Other Shop") as other:
        theirs = await other.http.get("/api/sales/POS-1/history")
        unknown = await other.http.get("/api/sales/POS-404/history")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["field"] == unknown.json()["field"] == "sale_id"
    assert (await seller.http.get("/api/sales/POS-1/history")).status_code == 200
