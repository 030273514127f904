"""What the CIN7 client puts on the wire and how it pages, over an in-memory transport."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tillsync.connectors.cin7.client import DEFAULT_BASE_URL, Cin7Client
from tillsync.errors import Permanent

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, seen: list[httpx.Request]) -> Cin7Client:
    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return Cin7Client(http, account_id="acc-1", application_key="key-1")


def products_page(
    request: httpx.Request, *, total: int, ignore_page: bool = False
) -> httpx.Response:
    page = 1 if ignore_page else int(request.url.params["Page"])
    limit = int(request.url.params["Limit"])
    start = (page - 1) * limit
    rows = [{"SKU": f"P{n}"} for n in range(start, min(start + limit, total))]
    return httpx.Response(200, json={"Total": total, "Page": page, "Products": rows})


async def test_every_call_carries_both_keys_and_goes_to_the_real_api_by_default() -> None:
    seen: list[httpx.Request] = []
    cin7 = client(lambda _: httpx.Response(200, json={"Company": "X"}), seen)
    await cin7.me()
    [request] = seen
    assert str(request.url) == f"{DEFAULT_BASE_URL}/me"
    assert request.headers["api-auth-accountid"] == "acc-1"
    assert request.headers["api-auth-applicationkey"] == "key-1"
    assert "key-1" not in repr(cin7)


async def test_product_filters_are_written_the_way_cin7_reads_them() -> None:
    seen: list[httpx.Request] = []
    cin7 = client(lambda r: products_page(r, total=0), seen)
    since = dt.datetime(2026, 1, 5, 14, 30, 5, 123000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    await cin7.products(page=2, limit=50, modified_since=since, include_deprecated=True, sku="A")
    params = seen[0].url.params
    assert params["Page"] == "2"
    assert params["Limit"] == "50"
    assert params["ModifiedSince"] == "2026-01-05T12:30:05"
    assert params["IncludeDeprecated"] == "true"
    assert params["Sku"] == "A"


async def test_naive_modified_since_is_refused() -> None:
    cin7 = client(lambda r: products_page(r, total=0), [])
    with pytest.raises(ValueError, match="timezone-aware"):
        await cin7.products(page=1, modified_since=dt.datetime(2026, 1, 5))  # noqa: DTZ001


@pytest.mark.parametrize(("page", "limit"), [(0, 10), (1, 0), (1, 1001)])
async def test_out_of_range_paging_is_refused_before_any_call(page: int, limit: int) -> None:
    seen: list[httpx.Request] = []
    cin7 = client(lambda r: products_page(r, total=0), seen)
    with pytest.raises(ValueError, match=r"page|limit"):
        await cin7.products(page=page, limit=limit)
    assert seen == []


async def test_bodies_are_json_with_exact_decimals() -> None:
    seen: list[httpx.Request] = []
    cin7 = client(lambda _: httpx.Response(200, json={"ID": "s-1"}), seen)
    await cin7.save_order({"SaleID": "s-1", "Lines": [{"Price": Decimal("18.9500")}]})
    assert seen[0].headers["Content-Type"] == "application/json"
    assert seen[0].content == b'{"SaleID":"s-1","Lines":[{"Price":18.9500}]}'


@pytest.mark.parametrize(
    ("total", "limit", "calls"), [(0, 10, 1), (9, 10, 1), (10, 10, 1), (25, 10, 3), (30, 10, 3)]
)
async def test_paging_stops_on_a_short_page_or_the_total(
    total: int, limit: int, calls: int
) -> None:
    seen: list[httpx.Request] = []
    cin7 = client(lambda r: products_page(r, total=total), seen)
    skus = [p["SKU"] async for p in cin7.iter_products(limit=limit)]
    assert skus == [f"P{n}" for n in range(total)]
    assert len(seen) == calls


async def test_paging_without_a_total_stops_on_the_first_short_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        answer = json.loads(products_page(request, total=15).content)
        del answer["Total"]
        return httpx.Response(200, json=answer)

    seen: list[httpx.Request] = []
    cin7 = client(handler, seen)
    assert len([p async for p in cin7.iter_products(limit=10)]) == 15
    assert len(seen) == 2


async def test_a_server_that_ignores_page_is_caught_instead_of_looping() -> None:
    seen: list[httpx.Request] = []
    cin7 = client(lambda r: products_page(r, total=5000, ignore_page=True), seen)
    got: list[dict[str, Any]] = []

    async def drain() -> None:
        async for product in cin7.iter_products(limit=10):
            got.append(product)

    with pytest.raises(Permanent, match="repeats an earlier page"):
        await drain()
    assert len(seen) == 2
    assert len(got) == 10


async def test_a_page_without_its_list_is_permanent() -> None:
    cin7 = client(lambda _: httpx.Response(200, json={"Total": 1, "Products": "oops"}), [])
    with pytest.raises(Permanent, match="'Products' is not a list"):
        _ = [p async for p in cin7.iter_products()]


async def test_an_error_list_inside_a_200_raises() -> None:
    error = [{"ErrorCode": 400, "Exception": "Lines is invalid"}]
    cin7 = client(lambda _: httpx.Response(200, json=error), [])
    with pytest.raises(Permanent, match="Lines is invalid"):
        await cin7.save_order({"SaleID": "s-1"})


async def test_a_list_where_an_object_is_expected_is_permanent() -> None:
    cin7 = client(lambda _: httpx.Response(200, json=[{"ID": "s-1"}]), [])
    with pytest.raises(Permanent, match="expected a JSON object"):
        await cin7.get_sale("s-1")


async def test_find_by_external_id_asks_cin7_to_filter_and_still_checks() -> None:
    rows = [
        {"SaleID": "a", "ExternalID": "k-1"},
        {"SaleID": "b", "ExternalID": "k-10"},
        {"SaleID": "c", "ExternalID": None},
    ]
    seen: list[httpx.Request] = []
    cin7 = client(
        lambda _: httpx.Response(200, json={"Total": 3, "Page": 1, "SaleList": rows}), seen
    )
    assert await cin7.find_sales_by_external_id("k-1") == [rows[0]]
    assert seen[0].url.path.endswith("/saleList")
    assert seen[0].url.params["ExternalID"] == "k-1"


async def test_sales_updated_since_are_asked_for_in_cin7s_utc_format() -> None:
    seen: list[httpx.Request] = []
    cin7 = client(lambda _: httpx.Response(200, json={"Total": 0, "Page": 3, "SaleList": []}), seen)
    since = dt.datetime(2026, 1, 5, 14, 30, 5, 123000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    answer = await cin7.sales(page=3, limit=200, updated_since=since)
    assert answer["SaleList"] == []
    assert seen[0].url.path.endswith("/saleList")
    assert dict(seen[0].url.params) == {
        "UpdatedSince": "2026-01-05T12:30:05",
        "Page": "3",
        "Limit": "200",
    }
