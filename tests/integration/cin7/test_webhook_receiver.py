"""POST /api/cin7/webhook: verified by our secret, stored once, applied by a job."""

import asyncio
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.world import available, sell_elsewhere
from tillsync.sandbox.runner import Sandbox
from tillsync.services.connections.registrations import webhook_secret
from tillsync.store.tables import AuditEntry, Connection, InboxEntry, Job, Sale, StockLevel

SKU = "TOMB45SHAVECBLCK"


async def _hook(sandbox: Sandbox) -> tuple[str, str]:
    async with sandbox.hub.uows.read() as session:
        connection = await session.scalar(
            select(Connection).where(
                Connection.tenant_id == sandbox.tenant_id, Connection.provider == "cin7"
            )
        )
    assert connection is not None
    url = f"{sandbox.hub_url}/api/cin7/webhook?connection={connection.id}"
    return url, webhook_secret(sandbox.hub.services, connection)


def _stock_rows(available: int) -> list[dict[str, Any]]:
    return [
        {
            "ID": "p1",
            "SKU": SKU,
            "Name": "Tomb45 Shaving Cream",
            "Location": "Main Warehouse",
            "Bin": "A1",
            "Batch": "",
            "OnHand": available - 1,
            "Allocated": 0,
            "Available": available - 1,
        },
        {
            "ID": "p1",
            "SKU": SKU,
            "Name": "Tomb45 Shaving Cream",
            "Location": "Main Warehouse",
            "Bin": "B2",
            "Batch": "",
            "OnHand": 1,
            "Allocated": 0,
            "Available": 1,
        },
    ]


async def _settled(sandbox: Sandbox) -> None:
    """Wait until the embedded worker has run every job that is due."""
    async with asyncio.timeout(10):
        while await _count(sandbox, Job, Job.state.in_(("pending", "syncing"))):
            await asyncio.sleep(0.05)


async def _count(sandbox: Sandbox, model: Any, *where: Any) -> int:
    async with sandbox.hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _warehouse(sandbox: Sandbox) -> Any:
    async with sandbox.hub.uows.read() as session:
        return await session.scalar(
            select(StockLevel.warehouse_available).where(
                StockLevel.tenant_id == sandbox.tenant_id, StockLevel.sku == SKU
            )
        )


async def test_the_receiver_answers_a_health_get(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{sandbox.hub_url}/api/cin7/webhook")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


async def test_a_stock_delivery_brings_cin7s_figure_summed_over_bins(sandbox: Sandbox) -> None:
    """The delivery names the SKU; the figure taken is CIN7's, read afresh, over every bin."""
    url, secret = await _hook(sandbox)
    cin7_figure = await _cin7_available(sandbox)
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            url, json=_stock_rows(9), headers={"Authorization": f"Bearer {secret}"}
        )
    assert answer.status_code == 202
    await _settled(sandbox)
    assert await _warehouse(sandbox) == cin7_figure != 9


async def test_a_duplicate_delivery_changes_nothing(sandbox: Sandbox) -> None:
    url, secret = await _hook(sandbox)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    body = json.dumps(_stock_rows(5)).encode()
    async with httpx.AsyncClient() as client:
        await client.post(url, content=body, headers=headers)
        await _settled(sandbox)
        audits = await _count(sandbox, AuditEntry)
        again = await client.post(url, content=body, headers=headers)
        await _settled(sandbox)
    assert again.status_code == 202
    assert await _warehouse(sandbox) == await _cin7_available(sandbox)
    assert await _count(sandbox, AuditEntry) == audits


async def _cin7_available(sandbox: Sandbox) -> Any:
    async with httpx.AsyncClient(
        base_url=sandbox.cin7_url,
        headers={
            "api-auth-accountid": sandbox.cin7_account_id,
            "api-auth-applicationkey": sandbox.cin7_application_key,
        },
    ) as cin7:
        return await available(cin7, SKU)


async def test_a_duplicate_sale_event_records_one_external_sale(
    sandbox: Sandbox, cin7_sale_elsewhere: str
) -> None:
    url, secret = await _hook(sandbox)
    headers = {"Authorization": f"Bearer {secret}"}
    event = {
        "SaleTaskID": cin7_sale_elsewhere,
        "TenantID": "t",
        "OrderNumber": "SO-9",
        "EventType": "Sale/ShipmentAuthorised",
    }
    async with httpx.AsyncClient() as client:
        first = await client.post(url, json=event, headers=headers)
        second = await client.post(url, json=event, headers=headers)
    assert first.json()["stored"] == 1
    assert second.json()["duplicates"] == 1
    await _settled(sandbox)
    assert await _count(sandbox, Sale, Sale.source == "external") == 1


@pytest.fixture
async def cin7_sale_elsewhere(sandbox: Sandbox) -> str:
    return await sell_elsewhere(sandbox.cin7, sandbox.cin7_account_id, sandbox.cin7_url)


async def test_the_emulators_own_deliveries_record_an_external_sale(
    sandbox: Sandbox, cin7_sale_elsewhere: str
) -> None:
    async def recorded() -> bool:
        return await _count(sandbox, Sale, Sale.source == "external") == 1

    async with asyncio.timeout(5):
        while not await recorded():
            await asyncio.sleep(0.05)
    async with sandbox.hub.uows.read() as session:
        sale = await session.scalar(select(Sale).where(Sale.source == "external"))
    assert sale is not None
    assert sale.reference == cin7_sale_elsewhere


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic d3Jvbmc6d3Jvbmc="}],
)
async def test_a_forged_delivery_is_refused_and_stores_nothing(
    sandbox: Sandbox, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    url, _ = await _hook(sandbox)
    inbox_before = await _count(sandbox, InboxEntry)
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, json=_stock_rows(1), headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"] == "not_authenticated"
    assert await _count(sandbox, InboxEntry) == inbox_before
    assert "webhook refused" in caplog.text


async def test_a_delivery_for_an_unknown_connection_is_refused(sandbox: Sandbox) -> None:
    _, secret = await _hook(sandbox)
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{sandbox.hub_url}/api/cin7/webhook?connection=nope",
            json=_stock_rows(1),
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert answer.status_code == 401


async def test_a_malformed_delivery_is_a_400(sandbox: Sandbox) -> None:
    url, secret = await _hook(sandbox)
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            url,
            content=b"{not json",
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
    assert answer.status_code == 400
    assert answer.json()["field"] == "body"
