"""The CIN7 Core client against the emulator over real loopback HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tillsync.connectors.cin7.client import Cin7Client
from tillsync.connectors.cin7.mapping import (
    SaleLine,
    invoice_body,
    invoiced,
    order_authorised,
    order_body,
    sale_body,
    stock_rows,
)
from tillsync.connectors.http import create_http_client
from tillsync.emulators.cin7 import Cin7State, FaultRule, Settings, create_cin7_emulator
from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.errors import AuthFailed, Permanent, Retryable, Throttled
from tillsync.serving import serve as serve_app

ACCOUNT = "acct-bookbarber"
KEY = "key-pos"
CREAM = "TOMB45-CREAM"
OIL = "BEARD-OIL"
WAREHOUSE = "Main Warehouse"
CUSTOMER = "Walk-in Customer"
DAY = dt.date(2026, 1, 5)


@pytest.fixture
def state() -> Cin7State:
    state = Cin7State(settings=Settings(rate_limit=None))
    state.create_account(account_id=ACCOUNT, application_key=KEY, company="BookBarber")
    state.seed_products(
        ACCOUNT,
        [
            ProductSeed(
                sku=CREAM,
                name="Tomb45 Shaving Cream",
                category="Shaving",
                price_tier1=Decimal("18.95"),
                stock={WAREHOUSE: Decimal(12)},
            ),
            ProductSeed(sku=OIL, name="Beard Oil", category="Beard Care", stock={}),
        ],
    )
    return state


@pytest.fixture
async def base_url(state: Cin7State) -> AsyncIterator[str]:
    async with serve_app(create_cin7_emulator(state)) as url:
        yield f"{url}/ExternalApi/v2"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with create_http_client(timeout=10.0) as client:
        yield client


@pytest.fixture
def cin7(http: httpx.AsyncClient, base_url: str) -> Cin7Client:
    return Cin7Client(http, base_url=base_url, account_id=ACCOUNT, application_key=KEY)


def cream(quantity: str) -> SaleLine:
    return SaleLine(
        sku=CREAM,
        name="Tomb45 Shaving Cream",
        quantity=Decimal(quantity),
        price=Decimal("18.95"),
        tax=Decimal(0),
    )


async def available(cin7: Cin7Client, sku: str) -> Decimal:
    rows = stock_rows([row async for row in cin7.iter_availability(sku=sku)])
    return sum((row.available for row in rows), Decimal(0))


async def new_sale(cin7: Cin7Client, external_id: str) -> dict[str, Any]:
    return await cin7.create_sale(
        sale_body(
            external_id=external_id,
            customer=CUSTOMER,
            location=WAREHOUSE,
            reference=f"POS {external_id}",
            note=None,
        )
    )


async def test_me_answers_with_the_company(cin7: Cin7Client) -> None:
    assert (await cin7.me())["Company"] == "BookBarber"


async def test_full_sale_flow_reaches_an_authorised_invoice(cin7: Cin7Client) -> None:
    before = await available(cin7, CREAM)
    sale = await new_sale(cin7, "tillsync:sale:1")
    sale_id = sale["ID"]
    assert sale["ExternalID"] == "tillsync:sale:1"
    assert not order_authorised(sale)

    await cin7.save_order(order_body(sale_id=sale_id, lines=[cream("2")]))
    ordered = await cin7.get_sale(sale_id)
    assert order_authorised(ordered)
    assert not invoiced(ordered)
    assert await available(cin7, CREAM) == before - 2

    await cin7.create_invoice(
        invoice_body(
            sale_id=sale_id, lines=[cream("2")], invoice_date=DAY, due_date=DAY, account="4000"
        )
    )
    done = await cin7.get_sale(sale_id)
    assert invoiced(done)
    [invoice] = done["Invoices"]
    assert Decimal(str(invoice["Lines"][0]["Total"])) == Decimal("37.90")


async def test_find_sales_by_external_id_matches_exactly(cin7: Cin7Client) -> None:
    first = await new_sale(cin7, "tillsync:sale:7")
    await new_sale(cin7, "tillsync:sale:77")
    await new_sale(cin7, "other:sale:7")
    found = await cin7.find_sales_by_external_id("tillsync:sale:7")
    assert [row["SaleID"] for row in found] == [first["ID"]]
    assert await cin7.find_sales_by_external_id("tillsync:sale:8") == []


async def test_a_sale_created_behind_a_dropped_answer_is_found_by_its_key(
    cin7: Cin7Client, state: Cin7State
) -> None:
    state.faults.add_rule(FaultRule(method="POST", path="/sale", action="reset_after"))
    with pytest.raises(Retryable, match="outcome unknown"):
        await new_sale(cin7, "tillsync:sale:lost")
    [found] = await cin7.find_sales_by_external_id("tillsync:sale:lost")
    assert found["ExternalID"] == "tillsync:sale:lost"


async def test_iter_products_pages_until_the_total_is_reached(
    cin7: Cin7Client, state: Cin7State
) -> None:
    state.generate_products(ACCOUNT, count=23)  # 25 products in all: pages of 10, 10, 5
    calls_before = len(state.calls)
    skus = [product["SKU"] async for product in cin7.iter_products(limit=10)]
    assert len(skus) == 25
    assert len(set(skus)) == 25
    assert len(state.calls) - calls_before == 3


async def test_iter_products_stops_on_a_full_last_page_by_total(
    cin7: Cin7Client, state: Cin7State
) -> None:
    state.generate_products(ACCOUNT, count=28)  # 30 products: exactly three pages of 10
    calls_before = len(state.calls)
    assert len([p async for p in cin7.iter_products(limit=10)]) == 30
    assert len(state.calls) - calls_before == 3


async def test_iter_products_with_sku_yields_only_the_exact_match(
    cin7: Cin7Client, state: Cin7State
) -> None:
    state.seed_products(ACCOUNT, [ProductSeed(sku=f"{CREAM}-XL", name="Big cream")])
    page = await cin7.products(page=1, sku=CREAM)
    assert {p["SKU"] for p in page["Products"]} == {CREAM, f"{CREAM}-XL"}
    assert [p["SKU"] async for p in cin7.iter_products(sku=CREAM)] == [CREAM]


async def test_iter_availability_pages_over_many_rows(cin7: Cin7Client, state: Cin7State) -> None:
    state.seed_products(
        ACCOUNT,
        [
            ProductSeed(sku=f"STOCK-{n:02d}", name=f"Stock {n}", stock={WAREHOUSE: Decimal(n + 1)})
            for n in range(7)
        ],
    )
    rows = [row async for row in cin7.iter_availability(limit=3)]
    figures = {row.sku: row.available for row in stock_rows(rows)}
    assert figures[CREAM] == Decimal(12)
    assert figures["STOCK-06"] == Decimal(7)
    assert len(figures) == 8


async def test_stock_adjustment_sets_the_absolute_on_hand(cin7: Cin7Client) -> None:
    await cin7.stock_adjustment(
        {
            "EffectiveDate": "2026-01-05T00:00:00",
            "Status": "COMPLETED",
            "Lines": [
                {
                    "SKU": CREAM,
                    "Quantity": Decimal(5),
                    "UnitCost": Decimal("4.5"),
                    "Location": WAREHOUSE,
                }
            ],
        }
    )
    assert await available(cin7, CREAM) == Decimal(5)


async def test_webhooks_can_be_created_listed_updated_and_deleted(cin7: Cin7Client) -> None:
    body = {
        "Type": "Sale/OrderAuthorised",
        "ExternalURL": "https://hub.example.test/webhooks/cin7/c-1",
        "IsActive": True,
        "ExternalAuthorizationType": "bearerauth",
        "ExternalBearerToken": "whk-secret",
    }
    [created] = await cin7.create_webhook(body)
    assert [hook["ID"] for hook in await cin7.list_webhooks()] == [created["ID"]]
    [updated] = await cin7.update_webhook({**body, "ID": created["ID"], "IsActive": False})
    assert updated["IsActive"] is False
    await cin7.delete_webhook(created["ID"])
    assert await cin7.list_webhooks() == []


async def test_wrong_keys_are_auth_failed(http: httpx.AsyncClient, base_url: str) -> None:
    stranger = Cin7Client(http, base_url=base_url, account_id=ACCOUNT, application_key="nope")
    with pytest.raises(AuthFailed) as caught:
        await stranger.me()
    assert caught.value.status == 403
    assert "nope" not in str(caught.value)


@pytest.mark.parametrize("style", ["503", "429", "400"])
async def test_each_throttle_style_is_throttled_without_a_wait(
    cin7: Cin7Client, state: Cin7State, style: str
) -> None:
    state.update_settings(rate_limit=1, throttle_style=style)
    await cin7.me()
    with pytest.raises(Throttled) as caught:
        await cin7.me()
    assert caught.value.status == int(style)
    assert caught.value.wait_seconds is None


async def test_cin7_validation_message_reaches_a_permanent_error(cin7: Cin7Client) -> None:
    with pytest.raises(Permanent) as caught:
        await cin7.create_sale(
            sale_body(
                external_id="k", customer=CUSTOMER, location="Atlantis", reference=None, note=None
            )
        )
    assert caught.value.status == 400
    assert "Atlantis" in str(caught.value)
    assert str(caught.value).startswith("POST /ExternalApi/v2/sale answered HTTP 400: ")


async def test_unknown_path_page_with_200_is_permanent(
    http: httpx.AsyncClient, base_url: str
) -> None:
    wrong = Cin7Client(
        http, base_url=base_url.replace("/v2", "/v9"), account_id=ACCOUNT, application_key=KEY
    )
    with pytest.raises(Permanent, match="not JSON"):
        await wrong.me()


@pytest.mark.parametrize(("status", "expected"), [(500, Retryable), (502, Retryable)])
async def test_server_failures_are_retryable(
    cin7: Cin7Client, state: Cin7State, status: int, expected: type[Exception]
) -> None:
    state.faults.add_rule(FaultRule(method="GET", path="/me", action="fail_before", status=status))
    with pytest.raises(expected):
        await cin7.me()
    assert (await cin7.me())["Company"] == "BookBarber"
