"""GET /api/catalog's figures from the process's stock read model: the database's, and when.

As in test_stock_read_model.py, the refresher polls once an hour and the memory is trusted
for an hour, so only a commit in this process brings it up to date; the clock is a test's.
A page from memory carries the time of the memory's last round (`asOf`), one read from the
database the time of the read, which is how these tests tell them apart.
"""

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.hubs import RunningHub, TenantClient, running_hub
from tests.support.ledger import report_stock, seed_stock
from tests.support.world import eventually
from tillsync.api.answers.catalog import catalog_page_json
from tillsync.bootstrap import open_hub
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.services.products import CatalogPage, catalog_page
from tillsync.services.stock_model import StockModel

SKU = "TOMB45SHAVECBLCK"
POMADE = "POMADE-01"
MAIN, BACK = "Main Warehouse", "Back Room"
HOUR = 3600.0


@pytest.fixture
async def shop(held: RunningHub) -> AsyncIterator[TenantClient]:
    async with held.tenant() as client:
        await _stock(held, client.tenant_id)
        yield client


async def _stock(held: RunningHub, tenant_id: str) -> None:
    await seed_stock(held.hub, tenant_id, SKU, 10)
    await seed_stock(held.hub, tenant_id, POMADE, 4)
    await report_stock(held.hub, tenant_id, POMADE, 6, location=BACK)
    await seed_stock(held.hub, tenant_id, "UNSTOCKED", 0)


async def _catalog(shop: TenantClient, **params: Any) -> dict[str, Any]:
    answer = await shop.http.get("/api/catalog", params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _from_memory(
    shop: TenantClient, clock: FakeClock, *, shows: int | None = None, location: str | None = None
) -> dict[str, Any]:
    """The first page the memory gives (rows this process just changed are read afresh);
    with `shows`, the first where the shop's product has that much available at Main."""

    async def probe() -> dict[str, Any] | None:
        asked = clock.advance(1)
        body = await _catalog(shop, **({"location": location} if location else {}))
        if shows is not None and _rows(body, SKU)[MAIN]["available_to_sell"] != shows:
            return None
        return body if dt.datetime.fromisoformat(body["asOf"]) < asked else None

    result: dict[str, Any] = await eventually(probe, within=10)
    return result


async def _page(
    held: RunningHub, tenant_id: str, model: StockModel | None, location: str | None = None
) -> CatalogPage:
    return await catalog_page(
        held.hub.uows,
        tenant_id,
        search=None,
        active=None,
        location=location,
        limit=50,
        offset=0,
        model=model,
    )


def _rows(body: dict[str, Any], sku: str) -> dict[str, dict[str, Any]]:
    product = next(p for p in body["products"] if p["sku"] == sku)
    return {row["location"]: row for row in product["locations"]}


@pytest.mark.parametrize("location", [None, BACK])
async def test_figures_from_memory_are_the_databases_with_a_lapsed_hold_counted_free(
    held: RunningHub, shop: TenantClient, clock: FakeClock, location: str | None
) -> None:
    lapsing: dict[str, object] = {
        "action": "RESERVE",
        "sku": POMADE,
        "quantity": 3,
        "ttlSeconds": 60,
    }
    lasting: dict[str, object] = {
        "action": "RESERVE",
        "sku": SKU,
        "quantity": 1,
        "ttlSeconds": 3600,
    }
    sale: dict[str, object] = {
        "action": "RECORD_SALE",
        "saleId": "S-1",
        "items": [{"sku": SKU, "quantity": 2, "price": 5}],
    }
    for body in (lapsing, lasting, sale):
        assert (await shop.sale_sync(body)).status_code == 200, body
    clock.advance(60)  # no sweep runs here (no worker): the pomade's hold has lapsed

    remembered = await _from_memory(shop, clock, location=location)
    read = catalog_page_json(await _page(held, shop.tenant_id, None, location))

    assert remembered["products"] == read["products"]
    assert read["asOf"] == clock.now().isoformat()
    assert dt.datetime.fromisoformat(remembered["asOf"]) < clock.now()
    if location is None:
        pomade, tomb = _rows(remembered, POMADE)[MAIN], _rows(remembered, SKU)[MAIN]
        assert (pomade["reserved"], pomade["available_to_sell"]) == (0, 4)
        assert (tomb["reserved"], tomb["pending"], tomb["available_to_sell"]) == (1, 2, 7)
    else:
        assert [list(_rows(remembered, sku)) for sku in (POMADE, SKU)] == [[BACK], []]


async def test_a_sale_is_in_the_catalog_at_once_then_from_memory(
    shop: TenantClient, clock: FakeClock
) -> None:
    assert _rows(await _from_memory(shop, clock), SKU)[MAIN]["available_to_sell"] == 10
    sale: dict[str, object] = {
        "action": "RECORD_SALE",
        "saleId": "S-1",
        "items": [{"sku": SKU, "quantity": 3, "price": 5}],
    }
    assert (await shop.sale_sync(sale)).status_code == 200

    assert _rows(await _catalog(shop), SKU)[MAIN]["available_to_sell"] == 7
    remembered = _rows(await _from_memory(shop, clock), SKU)[MAIN]
    assert (remembered["available_to_sell"], remembered["pending"]) == (7, 3)


async def test_a_report_committed_by_another_process_reaches_the_catalog_from_memory(
    settings: Settings, clock: FakeClock
) -> None:
    settings.stock_poll_seconds = 0.05  # nothing in this process wakes the refresher
    settings.stock_freshness_seconds = HOUR
    async with running_hub(settings, clock=clock) as held, held.tenant() as shop:
        await _stock(held, shop.tenant_id)
        assert _rows(await _from_memory(shop, clock), SKU)[MAIN]["available_to_sell"] == 10
        async with open_hub(settings, clock=clock) as elsewhere:
            await report_stock(elsewhere, shop.tenant_id, SKU, 25)

        reported = _rows(await _from_memory(shop, clock, shows=25), SKU)[MAIN]
        assert reported["warehouse_available"] == 25


async def test_the_database_answers_until_the_memory_is_loaded_and_once_it_is_stale(
    held: RunningHub, shop: TenantClient, clock: FakeClock
) -> None:
    model = StockModel(held.hub.uows, bound_seconds=60)  # not loaded, not running
    unloaded = await _page(held, shop.tenant_id, model)
    assert (unloaded.as_of, _available(unloaded, SKU)) == (clock.now(), 10)

    await model.load()
    loaded_at = clock.now()
    clock.advance(30)
    assert (await _page(held, shop.tenant_id, model)).as_of == loaded_at
    await report_stock(held.hub, shop.tenant_id, SKU, 25)  # unseen by this model
    assert _available(await _page(held, shop.tenant_id, model), SKU) == 10

    clock.advance(31)
    stale = await _page(held, shop.tenant_id, model)
    assert (stale.as_of, _available(stale, SKU)) == (clock.now(), 25)


async def test_a_product_this_process_just_changed_is_read_from_the_database(
    held: RunningHub, shop: TenantClient, clock: FakeClock
) -> None:
    model = StockModel(held.hub.uows)  # told of commits below by hand, as bootstrap does
    await model.load()
    loaded_at = clock.now()
    await report_stock(held.hub, shop.tenant_id, SKU, 25)
    changed = {"sku": SKU, "location": MAIN}
    model.committed([{"type": "stock.changed", "tenant_id": shop.tenant_id, "data": changed}])

    page = await _page(held, shop.tenant_id, model)
    assert (_available(page, SKU), _available(page, POMADE)) == (25, 10)
    assert page.as_of == loaded_at  # the other products' figures are the memory's


def _available(page: CatalogPage, sku: str) -> int:
    product = next(p for p in page.products if p.sku == sku)
    return int(product.available_to_sell)
