"""GET /api/catalog: products by SKU, searched and paged, with available to sell per location."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from tests.support.hubs import RunningHub, TenantClient
from tests.support.ledger import report_stock, seed_stock
from tillsync.store.tables import Product

SKU = "TOMB45SHAVECBLCK"  # the shop fixture's product: 10 available at Main Warehouse


async def _product(served: RunningHub, tenant_id: str, sku: str, **values: Any) -> None:
    async with served.hub.uows.begin() as uow:
        await uow.session.execute(
            update(Product)
            .where(Product.tenant_id == tenant_id, Product.sku == sku)
            .values(**values)
        )
        await uow.commit()


async def _catalog(shop: TenantClient, **params: Any) -> dict[str, Any]:
    answer = await shop.http.get("/api/catalog", params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _stock(served: RunningHub, shop: TenantClient) -> None:
    tenant = shop.tenant_id
    await seed_stock(served.hub, tenant, "POMADE-01", 4, name="Matte Pomade")
    await report_stock(served.hub, tenant, "POMADE-01", 6, location="Back Room")
    await seed_stock(served.hub, tenant, "CLIPPER-X", 2, name="Clipper X 100%")
    await seed_stock(served.hub, tenant, "OLD-RAZOR", 0, name="Old Razor")
    await _product(served, tenant, "POMADE-01", barcode="0850005190029", price=Decimal("18.5"))
    await _product(served, tenant, "OLD-RAZOR", active=False)


async def test_products_come_by_sku_with_available_to_sell_per_location(
    served: RunningHub, shop: TenantClient
) -> None:
    await _stock(served, shop)
    hold = {"action": "RESERVE", "sku": "POMADE-01", "quantity": 1}
    sale = {
        "action": "RECORD_SALE",
        "saleId": "POS-1",
        "items": [{"sku": "POMADE-01", "quantity": 2, "price": 18.5}],
    }
    assert (await shop.sale_sync(hold)).status_code == 200
    assert (await shop.sale_sync(sale)).status_code == 200

    body = await _catalog(shop)
    assert [p["sku"] for p in body["products"]] == ["CLIPPER-X", "OLD-RAZOR", "POMADE-01", SKU]
    assert body["total"] == 4
    pomade = body["products"][2]
    assert pomade["name"] == "Matte Pomade"
    assert pomade["barcode"] == "0850005190029"
    assert Decimal(pomade["price"]) == Decimal("18.5")
    by_location = {row["location"]: row for row in pomade["locations"]}
    assert set(by_location) == {"Back Room", "Main Warehouse"}
    main = by_location["Main Warehouse"]
    assert Decimal(main["warehouse_available"]) == 4
    assert Decimal(main["reserved"]) == 1
    assert Decimal(main["pending"]) == 2
    assert Decimal(main["available_to_sell"]) == 1
    assert Decimal(by_location["Back Room"]["available_to_sell"]) == 6
    assert Decimal(pomade["available_to_sell"]) == 7

    only_main = await _catalog(shop, search="pomade", location="Back Room")
    assert [row["location"] for row in only_main["products"][0]["locations"]] == ["Back Room"]


@pytest.mark.parametrize(
    ("search", "skus"),
    [
        ("pomade", ["POMADE-01"]),
        ("MATTE", ["POMADE-01"]),
        ("clipper-x", ["CLIPPER-X"]),
        ("519002", ["POMADE-01"]),
        ("100%", ["CLIPPER-X"]),
        ("%", ["CLIPPER-X"]),
        ("_", []),
        ("nothing like it", []),
        ("   ", ["CLIPPER-X", "OLD-RAZOR", "POMADE-01", SKU]),
    ],
)
async def test_search_matches_part_of_a_sku_name_or_barcode_in_any_case(
    served: RunningHub, shop: TenantClient, search: str, skus: list[str]
) -> None:
    await _stock(served, shop)
    body = await _catalog(shop, search=search)
    assert [p["sku"] for p in body["products"]] == skus
    assert body["total"] == len(skus)


@pytest.mark.parametrize(
    ("active", "skus"),
    [("true", ["CLIPPER-X", "POMADE-01", SKU]), ("false", ["OLD-RAZOR"])],
)
async def test_the_active_filter(
    served: RunningHub, shop: TenantClient, active: str, skus: list[str]
) -> None:
    await _stock(served, shop)
    body = await _catalog(shop, active=active)
    assert [p["sku"] for p in body["products"]] == skus


async def test_paging_walks_the_whole_catalog_once(served: RunningHub, shop: TenantClient) -> None:
    await _stock(served, shop)
    seen: list[str] = []
    for offset in range(0, 6, 3):
        page = await _catalog(shop, limit=3, offset=offset)
        assert page["total"] == 4
        assert (page["limit"], page["offset"]) == (3, offset)
        seen += [p["sku"] for p in page["products"]]
    assert seen == ["CLIPPER-X", "OLD-RAZOR", "POMADE-01", SKU]
    assert (await _catalog(shop, offset=1_000_000))["products"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 1_000_001}, "offset"),
        ({"active": "maybe"}, "active"),
        ({"search": "x" * 101}, "search"),
        ({"search": "nul\x00"}, "search"),
        ({"location": "Main\nWarehouse"}, "location"),
    ],
)
async def test_bad_paging_and_filters_are_refused_naming_the_field(
    shop: TenantClient, params: dict[str, Any], field: str
) -> None:
    answer = await shop.http.get("/api/catalog", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == f"query.{field}"


async def test_a_tenant_sees_only_its_own_catalog(served: RunningHub, shop: TenantClient) -> None:
    async with served.tenant("Another Shop") as other:
        assert (await _catalog(other))["products"] == []
        assert (await _catalog(other, search=SKU))["total"] == 0
    assert (await _catalog(shop))["total"] == 1
