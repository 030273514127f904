"""A signed-in operator sees their own tenant only: pages, alerts and the live stream."""

import pytest

from tests.integration.api.conftest import SKU
from tests.integration.api.dashboard.conftest import OTHER_SKU
from tests.support.dashboard import TOKEN, Visitor, visiting
from tests.support.hubs import RunningHub, TenantClient
from tests.support.ledger import report_stock
from tests.support.sse import listen


@pytest.mark.parametrize("path", ["/stock", "/alerts", "/stock?q=TOMB45"])
async def test_pages_show_the_signed_in_tenants_data_only(
    served: RunningHub, shop: TenantClient, other_shop: TenantClient, path: str
) -> None:
    await report_stock(served.hub, shop.tenant_id, SKU, 0)  # an out-of-stock alert for shop
    await report_stock(served.hub, other_shop.tenant_id, OTHER_SKU, 0)
    async with visiting(served.url) as ours, visiting(served.url) as theirs:
        await ours.sign_in(shop.api_key)
        await theirs.sign_in(other_shop.api_key)
        mine = (await ours.http.get(path)).text
        other = (await theirs.http.get(path)).text
    assert SKU in mine
    assert OTHER_SKU not in mine
    assert SKU not in other


async def test_the_stock_page_searches_and_shows_each_locations_figures(
    served: RunningHub, shop: TenantClient, visitor: Visitor
) -> None:
    await visitor.sign_in(shop.api_key)
    found = await visitor.page("/stock", q="shaving")
    assert f'data-sku="{SKU}"' in found.text
    assert 'data-location="Main Warehouse"' in found.text
    missing = await visitor.page("/stock", q="no such thing")
    assert "data-sku=" not in missing.text
    assert "No products match" in missing.text


async def test_the_live_stream_carries_the_sessions_tenant_only(
    served: RunningHub, shop: TenantClient, other_shop: TenantClient
) -> None:
    async with visiting(served.url) as ours, visiting(served.url) as theirs:
        await ours.sign_in(shop.api_key)
        await theirs.sign_in(other_shop.api_key)
        async with (
            listen(ours.http, "/live/events") as mine,
            listen(theirs.http, "/live/events") as other,
        ):
            await report_stock(served.hub, shop.tenant_id, SKU, 2)
            await mine.next("stock.changed", timeout=30)
            await report_stock(served.hub, other_shop.tenant_id, OTHER_SKU, 9)
            first = await other.next("stock.changed", timeout=30)
    assert first.data["sku"] == OTHER_SKU  # the first it ever got: not the other shop's


async def test_a_pages_stream_starts_where_the_page_was_read(
    served: RunningHub, shop: TenantClient, visitor: Visitor
) -> None:
    """A change committed after the page read its figures, before its stream connected."""
    await visitor.sign_in(shop.api_key)
    page = await visitor.page("/stock")
    assert TOKEN.search(page.text)
    live = page.text.split('data-live="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    await report_stock(served.hub, shop.tenant_id, SKU, 6)
    async with listen(visitor.http, live) as stream:
        changed = await stream.next("stock.changed", timeout=30)
    assert changed.data["warehouse_available"] == 6


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/stock?page=0", "page"),
        ("/stock?page=x", "page"),
        ("/stock?q=" + "x" * 201, "q"),
        ("/stock?q=a%00b", "q"),
        ("/live/events?after=-1", "after"),
    ],
)
async def test_bad_values_are_refused_naming_the_field(
    visitor: Visitor, shop: TenantClient, path: str, field: str
) -> None:
    await visitor.sign_in(shop.api_key)
    answer = await visitor.http.get(path)
    assert answer.status_code == 422
    assert answer.json()["field"] == f"query.{field}"


async def test_the_dashboard_is_not_in_the_api_document(served: RunningHub) -> None:
    async with visiting(served.url) as visitor:
        paths = set((await visitor.http.get("/openapi.json")).json()["paths"])
    assert not paths & {"/", "/sign-in", "/sign-out", "/stock", "/alerts", "/live/events"}
