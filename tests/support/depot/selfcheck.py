"""Run by hand: Depot's connector against its emulator on loopback, every `Warehouse` call.

.venv/bin/python -m tests.support.depot.selfcheck
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from tests.support.depot import PROVIDER, DepotState, served_depot, webhooks
from tillsync.connectors.contract import Link, Warehouse
from tillsync.connectors.outbound import OutboundPolicy
from tillsync.domain.sale_documents import SaleDocument
from tillsync.domain.sales import SaleLine
from tillsync.errors import AuthFailed, Retryable, Throttled
from tillsync.serving import serve

TOKEN = "hook-token-0123456789"


async def no_gate() -> None:
    """Every call may leave: the self-check spends no budget of the hub's."""


def receiver(received: list[webhooks.DepotEvent]) -> FastAPI:
    app = FastAPI()

    @app.post("/hooks/depot")
    async def deliver(request: Request) -> Response:
        if not webhooks.verify(request.headers, expected_token=TOKEN):
            return Response(status_code=401)
        received.append(webhooks.parse(await request.body()))
        return Response(status_code=202)

    return app


def open_warehouse(
    http: httpx.AsyncClient, url: str, account_id: str, api_key: str
) -> tuple[Warehouse, Link]:
    link = Link(
        http=http,
        base_url=url,
        credentials={"account_id": account_id, "api_key": api_key},
        settings=PROVIDER.settings.model_validate({"location": "Main"}),
        gate=no_gate,
        policy=OutboundPolicy(allow_private=True),
    )
    warehouse = PROVIDER.open(link).warehouse
    assert warehouse is not None
    return warehouse, link


def document(reference: str, *, sku: str = "A-1") -> SaleDocument:
    return SaleDocument(
        reference=reference,
        number="POS-1",
        location="Main",
        note="self-check",
        lines=[SaleLine(sku=sku, name="Apple", quantity=Decimal(2), price=Decimal("1.50"))],
        date=dt.date(2026, 1, 2),
    )


async def check_catalog(depot: DepotState, account_id: str, warehouse: Warehouse) -> None:
    start = depot.clock.now()
    for index in range(5):
        depot.seed_product(account_id, sku=f"A-{index}", name=f"Item {index}", price=Decimal(3))
    depot.set_stock(account_id, sku="A-1", location="Main", on_hand=Decimal(10))
    depot.set_stock(account_id, sku="A-1", location="Back", on_hand=Decimal(4))
    depot.set_stock(account_id, sku="A-2", location="Main", on_hand=Decimal(0))
    first = await warehouse.products(page=1, limit=2, changed_since=None)
    assert [p.sku for p in first.rows] == ["A-0", "A-1"]
    assert (first.last, first.total) == (False, 5)
    last = await warehouse.products(page=3, limit=2, changed_since=start)
    assert [p.sku for p in last.rows] == ["A-4"]
    assert last.last
    stock = await warehouse.availability(page=1, limit=50)
    assert [(r.sku, r.location, r.available) for r in stock.rows] == [
        ("A-1", "Back", Decimal(4)),
        ("A-1", "Main", Decimal(10)),
    ], stock.rows  # the zero row is left out
    assert len(await warehouse.availability_of("A-1")) == 2
    assert await warehouse.availability_of("A-2") == []


async def check_push(depot: DepotState, account_id: str, warehouse: Warehouse) -> None:
    depot.traffic.lose_next_sale("drop")
    with pytest.raises(Retryable, match="outcome unknown"):
        await warehouse.sale_step("create", document("ts-1"), external_id=None)
    found = await warehouse.find_sale("ts-1")
    assert found is not None
    assert found.steps_done == {"create"}
    await warehouse.sale_step("confirm", document("ts-1"), external_id=found.external_id)
    await warehouse.sale_step("confirm", document("ts-1"), external_id=found.external_id)
    again = await warehouse.find_sale("ts-1")
    assert again is not None
    assert again.steps_done == {"create", "confirm"}
    assert await warehouse.find_sale("ts-2") is None
    (main,) = [r for r in await warehouse.availability_of("A-1") if r.location == "Main"]
    assert main.available == 8
    before = depot.clock.now() - dt.timedelta(seconds=1)
    depot.ship(account_id, found.external_id)
    shipped = await warehouse.shipped_sales(page=1, limit=10, changed_since=before)
    assert [(s.external_id, s.reference) for s in shipped.rows] == [(found.external_id, "ts-1")]
    sale = await warehouse.sale(found.external_id)
    assert sale.reference == "ts-1"
    assert sale.lines[0].quantity == 2
    assert sale.lines[0].total == Decimal("3.00")


async def check_webhooks(depot: DepotState, account_id: str, warehouse: Warehouse) -> None:
    received: list[webhooks.DepotEvent] = []
    async with serve(receiver(received)) as url:
        target = f"{url}/hooks/depot"
        hook_id = await warehouse.register_webhook(
            "stock.changed", url=target, token=TOKEN, external_id=None
        )
        assert hook_id is not None
        depot.set_stock(account_id, sku="A-3", location="Main", on_hand=Decimal(7))
        await depot.settle()
        assert [(e.sku, e.location) for e in received] == [("A-3", "Main")]
        depot.deactivate_webhook(account_id, hook_id)
        assert [h.active for h in await warehouse.webhooks()] == [False]
        same = await warehouse.register_webhook(
            "stock.changed", url=target, token=TOKEN, external_id=hook_id
        )
        assert same == hook_id
        assert [h.active for h in await warehouse.webhooks()] == [True]
        await warehouse.delete_webhook(hook_id)
        assert await warehouse.webhooks() == []
        remade = await warehouse.register_webhook(
            "stock.changed", url=target, token=TOKEN, external_id=hook_id
        )
        assert remade not in (None, hook_id)  # deleted at Depot: made again


async def check_faults(
    depot: DepotState, http: httpx.AsyncClient, url: str, account_id: str, warehouse: Warehouse
) -> None:
    wrong, _ = open_warehouse(http, url, account_id, "dpk_wrong")
    with pytest.raises(AuthFailed):
        await wrong.availability(page=1, limit=1)
    depot.traffic.fail_next("/stock", times=1)
    with pytest.raises(Retryable) as failed:
        await warehouse.availability(page=1, limit=1)
    assert failed.value.status == 500
    depot.traffic.rate_calls = 1  # the window already holds more calls than that
    with pytest.raises(Throttled) as throttled:
        await warehouse.availability(page=1, limit=1)
    assert (throttled.value.wait_seconds or 0) >= 1
    depot.traffic.rate_calls = 1000


async def check_control(http: httpx.AsyncClient, url: str) -> None:
    """The same controls over HTTP, as a test in another process would use them."""
    made = (await http.post(f"{url}/_control/accounts", json={"name": "Wire Ltd"})).json()
    owner = f"{url}/_control/accounts/{made['account_id']}"
    seeded = await http.post(f"{owner}/products", json=[{"sku": "W-1", "name": "W", "price": 2}])
    assert seeded.json()["data"][0]["price"] == "2"
    rows = await http.put(f"{owner}/stock", json=[{"sku": "W-1", "location": "L", "on_hand": 3}])
    assert rows.json()["data"][0]["available"] == "3"
    await http.post(f"{url}/_control/lose-next-sale", json={"mode": "502"})
    warehouse, _ = open_warehouse(http, url, made["account_id"], made["api_key"])
    with pytest.raises(Retryable) as lost:
        await warehouse.sale_step("create", document("wire-1", sku="W-1"), external_id=None)
    assert lost.value.status == 502
    assert await warehouse.find_sale("wire-1") is not None
    calls = (await http.get(f"{url}/_control/calls")).json()
    assert [c["status"] for c in calls if c["method"] == "POST"][-1] == 502


async def main() -> None:
    async with served_depot(name="Self-check Ltd") as served, httpx.AsyncClient() as http:
        depot, url = served.state, served.url
        account_id, api_key = served.account_id, served.api_key
        warehouse, link = open_warehouse(http, url, account_id, api_key)
        connector = PROVIDER.open(link)
        assert (await connector.check()).name == "Self-check Ltd"
        await check_catalog(depot, account_id, warehouse)
        await check_push(depot, account_id, warehouse)
        await check_webhooks(depot, account_id, warehouse)
        await check_faults(depot, http, url, account_id, warehouse)
        await check_control(http, url)
        creates = depot.traffic.calls_of("POST", "/sales")
        assert [call.status for call in creates] == [0, 502]  # each made once, answer lost
    print(f"depot self-check passed: {len(depot.traffic.calls)} calls")


if __name__ == "__main__":
    asyncio.run(main())
