"""A stock check answered from one process's memory counts what another process committed.

This test's hub serves in-process; a second `tillsync serve` runs on the same database.
What one sells or holds, the other's checks count within the stated bound: an answer's
`asOf` is never older than the bound, and every answer whose `asOf` is past the moment a
sale was answered counts that sale.
"""

import datetime as dt
from typing import Any

import httpx
import pytest

from tests.support.hubs import TenantClient, running_hub
from tests.support.ledger import seed_stock
from tests.support.processes import environment, tillsync_process
from tests.support.world import eventually
from tillsync.config import Settings
from tillsync.serving import free_port

pytestmark = [pytest.mark.timeout(120), pytest.mark.long(8)]
SKU = "TOMB45SHAVECBLCK"


async def _answers(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(url)).status_code == 200
    except httpx.TransportError:
        return False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _counted(shop: TenantClient, since: dt.datetime, bound: dt.timedelta) -> dict[str, Any]:
    """The first check answered with figures at least as fresh as `since`."""

    async def probe() -> dict[str, Any] | None:
        asked = _now()
        answer = await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1})
        assert answer.status_code == 200, answer.text
        figures: dict[str, Any] = answer.json()
        as_of = dt.datetime.fromisoformat(figures["asOf"])
        assert as_of >= asked - bound, figures  # never staler than the stated bound
        return figures if as_of >= since else None

    result: dict[str, Any] = await eventually(probe, within=30)
    return result


async def test_a_sale_and_a_hold_in_another_process_are_counted_within_the_bound(
    settings: Settings,
) -> None:
    bound = dt.timedelta(seconds=settings.stock_freshness_seconds)
    other = f"http://127.0.0.1:{free_port()}"
    async with running_hub(settings) as served, served.tenant() as shop:
        await seed_stock(served.hub, shop.tenant_id, SKU, 10)
        assert (await _counted(shop, _now(), bound))["currentStock"] == 10
        env = environment(settings, TILLSYNC_PUBLIC_URL=other)
        port = other.rsplit(":", 1)[1]
        async with (
            tillsync_process("serve", "--port", port, env=env),
            httpx.AsyncClient(
                base_url=other, headers={"Authorization": f"Bearer {shop.api_key}"}, timeout=30
            ) as elsewhere,
        ):
            await eventually(lambda: _answers(elsewhere, "/healthz"), within=90)
            sale = {
                "action": "RECORD_SALE",
                "saleId": "ELSEWHERE-1",
                "items": [{"sku": SKU, "quantity": 3, "price": 5}],
            }
            assert (await elsewhere.post("/api/cin7/sale-sync", json=sale)).status_code == 200
            sold = await _counted(shop, _now(), bound)
            assert (sold["currentStock"], sold["pending"]) == (7, 3)

            hold = {"action": "RESERVE", "sku": SKU, "quantity": 2, "ttlSeconds": 600}
            assert (await elsewhere.post("/api/cin7/sale-sync", json=hold)).status_code == 200
            held = await _counted(shop, _now(), bound)
            assert (held["currentStock"], held["reserved"]) == (5, 2)
