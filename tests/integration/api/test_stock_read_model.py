"""CHECK_INVENTORY answered from the process's read model: current, and saying how fresh.

The refresher here polls once an hour and the memory is trusted for an hour, so only a
commit in this process can bring the memory up to date; the clock is a test's. An answer
from memory carries the time of the memory's last round, one from the database the time
of the check (`asOf`), which is how these tests tell them apart.
"""

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.hubs import RunningHub, TenantClient, running_hub
from tests.support.ledger import seed_stock
from tests.support.world import eventually
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.services.tenants import revoke_keys

SKU = "TOMB45SHAVECBLCK"
HOUR = 3600.0


@pytest.fixture
async def shop(held: RunningHub) -> AsyncIterator[TenantClient]:
    async with held.tenant() as client:
        await seed_stock(held.hub, client.tenant_id, SKU, 10)
        yield client


async def _check(shop: TenantClient, quantity: object = 1, sku: str = SKU) -> Any:
    return await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": sku, "quantity": quantity})


async def _from_memory(shop: TenantClient, clock: FakeClock) -> dict[str, Any]:
    """The first answer the memory gives (a row this process just changed is read afresh)."""

    async def probe() -> dict[str, Any] | None:
        asked = clock.advance(1)
        answer = await _check(shop)
        assert answer.status_code == 200, answer.text
        figures: dict[str, Any] = answer.json()
        return figures if dt.datetime.fromisoformat(figures["asOf"]) < asked else None

    result: dict[str, Any] = await eventually(probe, within=10)
    return result


async def test_a_sale_in_this_process_is_counted_at_once_and_then_from_memory(
    shop: TenantClient, clock: FakeClock
) -> None:
    assert (await _from_memory(shop, clock))["currentStock"] == 10
    sale = {
        "action": "RECORD_SALE",
        "saleId": "S-1",
        "items": [{"sku": SKU, "quantity": 3, "price": 5}],
    }
    assert (await shop.sale_sync(sale)).status_code == 200

    assert (await _check(shop)).json()["currentStock"] == 7
    remembered = await _from_memory(shop, clock)
    assert (remembered["currentStock"], remembered["pending"]) == (7, 3)


async def test_a_sale_starts_no_round_of_the_memory_until_its_row_is_checked(
    held: RunningHub, shop: TenantClient, clock: FakeClock
) -> None:
    """Sales cost no reads of the memory's: a check of a row they changed makes the round."""
    model = held.hub.stock
    assert model is not None
    await _from_memory(shop, clock)
    before = model.as_of
    sale = {
        "action": "RECORD_SALE",
        "saleId": "S-2",
        "items": [{"sku": SKU, "quantity": 2, "price": 5}],
    }
    clock.advance(1)
    assert (await shop.sale_sync(sale)).status_code == 200
    await asyncio.sleep(0.3)  # a round woken by the commit would have run by now
    assert model.as_of == before

    assert (await _check(shop)).json()["currentStock"] == 8
    assert model.as_of is not None
    assert before is not None
    assert model.as_of > before


async def test_a_hold_is_counted_from_memory_until_it_runs_out(
    shop: TenantClient, clock: FakeClock
) -> None:
    held = await shop.sale_sync({"action": "RESERVE", "sku": SKU, "quantity": 4, "ttlSeconds": 60})
    assert held.status_code == 200

    remembered = await _from_memory(shop, clock)
    assert (remembered["currentStock"], remembered["reserved"]) == (6, 4)
    clock.advance(60)  # no sweep runs here (no worker): the memory itself lets it lapse
    lapsed = await _from_memory(shop, clock)
    assert (lapsed["currentStock"], lapsed["reserved"]) == (10, 0)


async def test_a_release_in_this_process_is_counted_at_once(
    shop: TenantClient, clock: FakeClock
) -> None:
    held = await shop.sale_sync({"action": "RESERVE", "sku": SKU, "quantity": 4})
    assert (await _from_memory(shop, clock))["currentStock"] == 6
    reservation = held.json()["reservationId"]
    await shop.sale_sync({"action": "RELEASE", "reservationId": reservation})

    assert (await _check(shop)).json()["currentStock"] == 10


async def test_the_memory_refuses_what_the_ledger_refuses(
    held: RunningHub, shop: TenantClient, clock: FakeClock
) -> None:
    await seed_stock(held.hub, shop.tenant_id, "LOOSE", 5, whole_units=False)
    await _from_memory(shop, clock)  # both products are in memory now

    unknown = await _check(shop, sku="NOPE")
    assert (unknown.status_code, unknown.json()["field"]) == (404, "sku")
    fraction = await _check(shop, quantity=1.5)
    assert (fraction.status_code, fraction.json()["field"]) == (422, "quantity")
    loose = await _check(shop, quantity=1.5, sku="LOOSE")
    assert (loose.status_code, loose.json()["currentStock"]) == (200, 5)
    elsewhere = await shop.sale_sync(
        {"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1, "location": "Back Room"}
    )
    assert (elsewhere.json()["currentStock"], elsewhere.json()["available"]) == (0, False)


async def test_a_revoked_key_stops_working_within_the_freshness_bound(
    held: RunningHub, shop: TenantClient, clock: FakeClock
) -> None:
    """By default an API key is trusted as long as the stock memory: revoked, it stops."""
    bound = Settings(_env_file=None).stock_freshness_seconds  # type: ignore[call-arg]
    assert Settings(_env_file=None).key_trust_seconds == bound  # type: ignore[call-arg]
    assert (await _check(shop)).status_code == 200

    await revoke_keys(held.hub.uows, shop.tenant_id)
    clock.advance(bound)

    assert (await _check(shop)).status_code == 401


async def test_a_hub_starting_on_stock_and_holds_answers_them_from_memory(
    settings: Settings, clock: FakeClock
) -> None:
    settings.stock_poll_seconds = HOUR
    settings.stock_freshness_seconds = HOUR
    async with running_hub(settings, clock=clock) as first, first.tenant() as shop:
        await seed_stock(first.hub, shop.tenant_id, SKU, 10)
        await shop.sale_sync({"action": "RESERVE", "sku": SKU, "quantity": 4, "ttlSeconds": 60})
    async with (
        running_hub(settings, clock=clock) as second,
        httpx.AsyncClient(
            base_url=second.url, headers={"Authorization": f"Bearer {shop.api_key}"}, timeout=30
        ) as http,
    ):
        again = TenantClient(tenant_id=shop.tenant_id, api_key=shop.api_key, http=http)
        loaded = await _from_memory(again, clock)
        assert (loaded["currentStock"], loaded["reserved"]) == (6, 4)
        clock.advance(60)
        assert (await _from_memory(again, clock))["currentStock"] == 10
