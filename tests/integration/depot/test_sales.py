"""A sale pushed to Depot is shown in its history (made once through faults: the warehouse
table, `tests/integration/warehouse/`)."""

from typing import Any

from tests.support.depot_world import DepotWorld

PER_SALE = {"push_mode": "per_sale"}


async def _sell(world: DepotWorld, sale_id: str) -> None:
    body = {"saleId": sale_id, "items": [{"sku": "D-1", "quantity": 2, "price": 3.5}]}
    answer = await world.api.post("/api/sales", json=body)
    assert answer.status_code == 200, answer.text


def _confirmed_sales(world: DepotWorld) -> list[Any]:
    sales = world.depot.state.account(world.account_id).sales.values()
    return [sale for sale in sales if sale.status == "confirmed"]


async def test_the_sales_history_shows_its_depot_push(world: DepotWorld) -> None:
    world.seed({"D-1": 10})
    await world.connect(PER_SALE)
    await world.work()
    await _sell(world, "POS-HIST-1")

    async def confirmed() -> list[Any]:
        return _confirmed_sales(world)

    await world.work_until(confirmed)
    await world.work()
    logs = (await world.api.get(f"/api/v1/pos/history/{world.tenant_id}")).json()["data"]["logs"]
    pushes = [log for log in logs if log["provider"] == "depot" and log["order_id"]]
    assert [(log["status"], log["kind"].split(".")[0]) for log in pushes] == [("success", "depot")]
    sale = (await world.api.get("/api/sales/POS-HIST-1/history")).json()
    (job,) = [job for job in sale["jobs"] if job["provider"] == "depot"]
    assert (job["status"], job["id"]) == ("success", pushes[0]["id"])
    assert [attempt["outcome"] for attempt in job["attempts"]] == ["success"]
    stats = (await world.api.get("/api/connections/stats")).json()["connections"]
    assert [entry["provider"] for entry in stats] == ["depot"]
