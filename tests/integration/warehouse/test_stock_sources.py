"""The warehouse scenario table: the same stock tests against every stock source's emulator.

A full pull brings the warehouse's figures into the ledger, as a POS reads them; concurrent
sales never sell more than the pulled figure; a sale made at the hub reaches the warehouse
once, through a lost answer and a 500; a stock change at the warehouse reaches the hub's
figure, the live stream and the stock alerts; reconciliation repairs planted drift and
reports it.

What each world maps the steps to (`tests/support/warehouse/`):

- CIN7: its connection (per-sale pushes); a sale is `POST /sale` then its order and invoice,
  ExternalID ours, looked up by `GET /saleList?ExternalID=`; the answer lost is the
  emulator's `reset_after` rule, the 500 its `fail_before`; a stock change is a completed
  `POST /stockadjustment`, told by CIN7's webhooks; its figure is Available at "Main
  Warehouse".
- Depot: its connection; a sale is `POST /sales` then its confirm, reference ours, looked up
  by `GET /sales?reference=`; the answer lost is `lose_next_sale("drop")`, the 500
  `fail_next`; a stock change is a stock take (`set_stock`), told by its `stock.changed`
  hook.
- Square: a connection made with the roles `pos` and `warehouse`; a sale is an adjustment
  (`POST /v2/inventory/changes/batch-create`, reference_id ours), looked up by
  `batch-retrieve`; faults are the emulator's `reset_after` and `fail_before` rules; a
  stock change is a count set by the seller, told by `inventory.count.updated`; the
  location is the seller's, "Main Street".
- Zoho Inventory: a connection made with the roles `pos` and `warehouse`, its item workflow
  webhook pasted at Zoho as the connect answer shows it; a sale is a sales order
  (`POST /salesorders`, reference_number ours) then its confirm, looked up by
  `GET /salesorders?reference_number=`; faults are the emulator's `reset_after` and
  `fail_before` rules; a stock change is an edit of the item's stock, told by the workflow
  webhook; the location is the organization's primary one.
- Poster: a connection made with the roles `records` and `warehouse`; a product is an
  ingredient (SKU its barcode, else `ingredient-<id>`), a figure its leftover at a storage;
  a sale is one write-off (`storage.createWriteOff`, our reference as each line's comment),
  looked up by `storage.getWastes` then `storage.getWaste`; faults are the emulator's
  `reset_after` and `fail_before` rules; a stock change is a stocktake on the control
  surface, told by the signed `stock` hook; the location is the "Kitchen" storage.

Every world reads the hub the same way: CHECK_INVENTORY on seed 000's sale-sync path and
`GET /api/catalog` for the POS's read, `POST /api/sales` for a sale, and
`/api/connections/{provider}/sync`, `/runs/{id}` and `/reports/{id}` for pulls and
reconciliation, with drift planted in the ledger's stock row.
A world without a notice of stock changes (`hints` false) is pulled instead.
"""

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from tests.support.sse import listen
from tests.support.warehouse import Fault, WarehouseWorld


async def test_a_full_pull_brings_the_warehouses_figures_to_a_pos_check(
    world: WarehouseWorld,
) -> None:
    await world.connect()
    run = await world.pull("full")
    assert run["status"] == "success", run
    for sku, figure in world.seeded.items():
        checked = await world.check(sku)
        assert (checked["warehouseAvailable"], checked["currentStock"]) == (figure, figure), sku
    listed = await world.api.get("/api/catalog", params={"location": world.location})
    assert listed.status_code == 200, listed.text
    skus = {product["sku"] for product in listed.json()["products"]}
    assert set(world.seeded) <= skus


async def test_concurrent_sales_never_sell_more_than_the_pulled_figure(
    world: WarehouseWorld,
) -> None:
    await world.connect()
    each = int(world.seeded[world.sku]) // 10  # every world seeds a multiple of ten

    async def sell(n: int) -> int:
        body = {
            "saleId": f"RACE-{n}",
            "location": world.location,
            "items": [{"sku": world.sku, "quantity": each, "price": 9.5}],
        }
        return (await world.api.post("/api/sales", json=body)).status_code

    statuses = await asyncio.gather(*(sell(n) for n in range(12)))
    assert sorted(statuses) == [200] * 10 + [409] * 2
    assert (await world.check(world.sku))["currentStock"] == 0


@pytest.mark.parametrize("fault", ["lost", "500"])
async def test_a_sale_reaches_the_warehouse_once_when_its_first_answer_fails(
    world: WarehouseWorld, fault: Fault
) -> None:
    await world.connect()
    before = world.available(world.sku)
    world.fail_next_sale(fault)
    await world.sell("SALE-W1", quantity=2)
    pushed = await world.pushed("SALE-W1")
    assert pushed["status"] == "success", pushed
    assert world.sales("SALE-W1") == 1
    assert world.available(world.sku) == before - 2
    assert world.creates() == ([0] if fault == "lost" else [500, world.created_status])
    # after a try that reached for the warehouse, the sale is looked for before it is again
    assert world.lookups() == [200]


async def test_a_stock_change_at_the_warehouse_reaches_the_hubs_figure(
    world: WarehouseWorld,
) -> None:
    await world.connect()
    await world.change_stock(world.sku, 7)
    assert world.available(world.sku) == Decimal(7)

    async def changed() -> bool:
        if not world.hints:
            await world.pull("full")
        return bool((await world.check(world.sku))["warehouseAvailable"] == 7)

    assert await world.work_until(changed)


async def test_a_stock_change_at_the_warehouse_reaches_the_stream_and_the_alerts(
    world: WarehouseWorld,
) -> None:
    await world.connect()

    async def alerts() -> list[tuple[str, str]]:
        answer = await world.api.get("/api/alerts")
        assert answer.status_code == 200, answer.text
        return [(a["product_sku"], a["alert_type"]) for a in answer.json()["alerts"]]

    async def figure(expected: int) -> bool:
        if not world.hints:
            await world.pull("full")
        return bool((await world.check(world.sku))["warehouseAvailable"] == expected)

    def of_the_sku(data: Any) -> bool:
        return bool(data.get("sku") == world.sku)

    async with listen(world.api) as stream:
        await world.change_stock(world.sku, 0)
        assert await world.work_until(lambda: figure(0))
        changed = await stream.next("stock.changed", timeout=5, where=of_the_sku)
        assert changed.data["available_to_sell"] == 0
        raised = await stream.next("alert.raised", timeout=5)
        assert raised.data["alert_type"] == "out_of_stock"
    assert await alerts() == [(world.sku, "out_of_stock")]
    await world.change_stock(world.sku, int(world.seeded[world.sku]))
    assert await world.work_until(lambda: figure(int(world.seeded[world.sku])))
    assert await alerts() == []


async def test_reconciliation_repairs_and_reports_planted_drift(world: WarehouseWorld) -> None:
    await world.connect()
    clean = await world.pull("reconcile")
    assert (clean["status"], clean["driftFound"]) == ("success", 0)  # just pulled: none
    figure = world.seeded[world.sku]
    await world.plant(world.sku, 99)
    assert await world.stored(world.sku) == 99

    run = await world.pull("reconcile")
    report = await world.report(run["runId"])
    found = {
        (i["kind"], i["sku"], i["location"], i["field"], i["hubValue"], i["providerValue"])
        for i in report["items"]
        if i["fixed"]
    }
    assert ("stock", world.sku, world.location, "available", "99", str(figure)) in found
    assert (run["status"], run["mode"]) == ("success", "reconcile")
    assert run["driftFound"] == run["driftFixed"] == report["driftFound"] >= 1
    assert (await world.check(world.sku))["warehouseAvailable"] == figure
    listed = (await world.api.get(f"/api/connections/{world.provider}/reports")).json()
    assert [r["id"] for r in listed["reports"]][:2] == [run["runId"], clean["runId"]]
    other = next(name for name in ("cin7", "square") if name != world.provider)
    elsewhere = await world.api.get(f"/api/connections/{other}/reports/{run['runId']}")
    assert elsewhere.status_code == 404  # each provider its own reports
