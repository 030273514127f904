"""Alerts and the live stream: a POS screen learns at once that a product ran out."""

import contextlib
from typing import Any

import httpx

from tests.integration.api.conftest import SKU
from tests.support.hubs import RunningHub, TenantClient
from tests.support.ledger import report_stock
from tests.support.sse import listen


async def _warehouse_reports(served: RunningHub, tenant_id: str, available: int) -> None:
    await report_stock(served.hub, tenant_id, SKU, available)


def _available(figure: int) -> Any:
    return lambda data: data["warehouse_available"] == figure


async def test_selling_the_last_units_raises_out_of_stock_live(
    shop: TenantClient, served: RunningHub
) -> None:
    async with listen(shop.http) as stream:
        sale = {
            "action": "RECORD_SALE",
            "saleId": "LAST-10",
            "items": [{"sku": SKU, "quantity": 10, "price": 29.99}],
        }
        assert (await shop.sale_sync(sale)).status_code == 200
        changed = await stream.next("stock.changed", timeout=5)
        assert changed.data["sku"] == SKU
        assert changed.data["available_to_sell"] == 0
        raised = await stream.next("alert.raised", timeout=5)
        assert raised.data["alert_type"] == "out_of_stock"
        assert raised.data["product_name"] == "Tomb45 Shaving Cream"
    alerts = (await shop.http.get("/api/alerts")).json()["alerts"]
    assert [a["alert_type"] for a in alerts] == ["out_of_stock"]
    assert set(alerts[0]) >= {
        "id",
        "product_sku",
        "product_name",
        "alert_type",
        "severity",
        "message",
        "resolved",
        "created_at",
        "resolved_at",
    }
    assert alerts[0]["severity"] == "critical"


async def test_restock_resolves_alerts(shop: TenantClient, served: RunningHub) -> None:
    await _warehouse_reports(served, shop.tenant_id, 2)
    low = (await shop.http.get("/api/alerts")).json()["alerts"]
    assert [a["alert_type"] for a in low] == ["low_stock"]
    await _warehouse_reports(served, shop.tenant_id, 0)
    out = (await shop.http.get("/api/alerts")).json()["alerts"]
    assert [a["alert_type"] for a in out] == ["out_of_stock"]
    await _warehouse_reports(served, shop.tenant_id, 30)
    assert (await shop.http.get("/api/alerts")).json()["alerts"] == []
    history = (await shop.http.get("/api/alerts", params={"resolved": "true"})).json()["alerts"]
    assert sorted(a["alert_type"] for a in history) == ["low_stock", "out_of_stock"]
    assert all(a["resolved"] and a["resolved_at"] for a in history)


async def test_the_stream_only_carries_the_callers_tenant(
    shop: TenantClient, served: RunningHub
) -> None:
    async with served.tenant("Other Shop") as other, listen(other.http) as stream:
        await _warehouse_reports(served, shop.tenant_id, 0)
        frames = []
        with contextlib.suppress(TimeoutError):
            frames.append(await stream.next("stock.changed", timeout=1))
        assert frames == []


async def test_the_stream_resumes_after_last_event_id(
    shop: TenantClient, served: RunningHub
) -> None:
    async with listen(shop.http) as stream:
        await _warehouse_reports(served, shop.tenant_id, 7)
        # a live stream may begin with events committed just before it connected
        first = await stream.next("stock.changed", timeout=5, where=_available(7))
    await _warehouse_reports(served, shop.tenant_id, 6)
    headers = {"Last-Event-ID": str(first.id)}
    async with listen(shop.http, headers=headers) as resumed:
        missed = await resumed.next("stock.changed", timeout=5)
    assert missed.data["warehouse_available"] == 6


async def test_the_stream_needs_a_key(served: RunningHub) -> None:
    async with httpx.AsyncClient(base_url=served.url) as anonymous:
        answer = await anonymous.get("/api/events")
    assert answer.status_code == 401
