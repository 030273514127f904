"""The CIN7 Core emulator over real loopback HTTP, as a connector would meet it."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from tillsync.clock import Clock, FakeClock
from tillsync.emulators.cin7 import Cin7State, FaultRule, Settings, create_cin7_emulator
from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.serving import serve as serve_app

ACCOUNT = "acct-bookbarber"
KEY = "key-pos"
AUTH = {"api-auth-accountid": ACCOUNT, "api-auth-applicationkey": KEY}
CREAM = "TOMB45-CREAM"
OIL = "BEARD-OIL"
POLL_SECONDS = 0.02
LINE = {"Name": "Tomb45 Shaving Cream", "Price": 10, "TaxRule": "Tax Exempt"}


# --- fixtures ---------------------------------------------------------------------------


def seeded_state(clock: Clock | None = None, **settings: Any) -> Cin7State:
    state = Cin7State(clock=clock, settings=Settings(**{"rate_limit": None, **settings}))
    state.create_account(account_id=ACCOUNT, application_key=KEY, company="BookBarber")
    state.seed_products(
        ACCOUNT,
        [
            ProductSeed(
                sku=CREAM,
                name="Tomb45 Shaving Cream",
                category="Shaving",
                average_cost=Decimal(5),
                stock={"Main Warehouse": Decimal(12)},
            ),
            ProductSeed(sku=OIL, name="Beard Oil", category="Beard Care", stock={}),
        ],
    )
    return state


@pytest.fixture
def state() -> Cin7State:
    return seeded_state()


@pytest.fixture
async def base_url(state: Cin7State) -> AsyncIterator[str]:
    async with serve_app(create_cin7_emulator(state)) as url:
        yield url


@pytest.fixture
async def cin7(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=f"{base_url}/ExternalApi/v2", headers=AUTH, timeout=10
    ) as client:
        yield client


@pytest.fixture
async def control(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{base_url}/_emulator", timeout=30) as client:
        yield client


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    """A webhook endpoint that records what arrives and answers with `status`."""

    url: str = ""
    status: int = 200
    requests: list[Received] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def receive(path: str, request: Request) -> Response:
            self.requests.append(Received(f"/{path}", dict(request.headers), await request.json()))
            return Response(status_code=self.status)

        return app

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    async with serve_app(receiver.app()) as url:
        receiver.url = url
        yield receiver


async def eventually(check: Callable[[], bool], *, within: float = 10.0) -> None:
    """Poll until `check()` holds; `within` only guards against hanging."""
    for _ in range(int(within / POLL_SECONDS)):
        if check():
            return
        await asyncio.sleep(POLL_SECONDS)
    raise AssertionError("condition never held")


async def availability(cin7: httpx.AsyncClient, sku: str) -> dict[str, Any]:
    response = await cin7.get("/ref/productavailability", params={"Sku": sku})
    rows = response.json()["ProductAvailabilityList"]
    assert len(rows) == 1
    return rows[0]


async def create_sale(cin7: httpx.AsyncClient, external_id: str) -> dict[str, Any]:
    response = await cin7.post(
        "/sale",
        json={
            "Customer": "Walk-in Customer",
            "Location": "Main Warehouse",
            "ExternalID": external_id,
            "SkipQuote": True,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


async def authorise(
    cin7: httpx.AsyncClient, sale_id: str, quantity: int, mode: str = "NOPICK"
) -> httpx.Response:
    return await cin7.post(
        "/sale/order",
        json={
            "SaleID": sale_id,
            "Status": "AUTHORISED",
            "AutoPickPackShipMode": mode,
            "Lines": [{"SKU": CREAM, **LINE, "Quantity": quantity, "Total": 10 * quantity}],
        },
    )


async def add_webhook(cin7: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await cin7.post("/webhooks", json={"IsActive": True, **fields})
    assert response.status_code == 200, response.text
    webhook: dict[str, Any] = response.json()["Webhooks"][0]
    return webhook


# --- protocol ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"api-auth-accountid": ACCOUNT},
        {"api-auth-accountid": ACCOUNT, "api-auth-applicationkey": "wrong"},
        {"api-auth-accountid": "other", "api-auth-applicationkey": KEY},
    ],
)
async def test_calls_without_matching_credentials_are_refused(
    base_url: str, headers: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.get("/ExternalApi/v2/me", headers=headers)
    assert response.status_code == 403
    assert response.text == "Incorrect credentials!"


async def test_paths_parameters_and_fields_match_without_case(cin7: httpx.AsyncClient) -> None:
    me = await cin7.get("/ME")
    products = await cin7.get("/Product", params={"sKu": CREAM, "PAGE": "1", "Bogus": "x"})
    created = await cin7.post(
        "/SALE", json={"customer": "Walk-in Customer", "LOCATION": "Main Warehouse"}
    )
    assert me.json()["Company"] == "BookBarber"
    assert [p["SKU"] for p in products.json()["Products"]] == [CREAM]
    assert created.status_code == 200
    assert created.json()["Location"] == "Main Warehouse"


async def test_unknown_path_answers_an_html_page_with_http_200(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    response = await cin7.get("/Products")
    assert response.status_code == 200
    assert "Page not found" in response.text
    assert response.headers["content-type"].startswith("text/html")
    await control.put("/settings", json={"unknown_path_status": 404})
    assert (await cin7.get("/Products")).status_code == 404


async def test_unsupported_verb_answers_405_in_cin7_words(cin7: httpx.AsyncClient) -> None:
    response = await cin7.put("/sale", json={})
    assert response.status_code == 405
    assert response.json() == [
        {"ErrorCode": 405, "Exception": "The requested resource does not support http method 'PUT'"}
    ]


# --- catalogue and stock ----------------------------------------------------------------


async def test_products_page_with_total_and_clamp_the_limit(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.post("/products/generate", json={"account_id": ACCOUNT, "count": 1200})
    third = (await cin7.get("/product", params={"Page": 3, "Limit": 500})).json()
    huge = (await cin7.get("/product", params={"Limit": 5000})).json()
    assert third["Total"] == 1202
    assert third["Page"] == 3
    assert len(third["Products"]) == 202
    assert len(huge["Products"]) == 1000


async def test_generating_a_hundred_thousand_products(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    generated = await control.post(
        "/products/generate", json={"account_id": ACCOUNT, "count": 100_000, "prefix": "BULK"}
    )
    last = await cin7.get("/ref/productavailability", params={"Page": 91, "Limit": 1000})
    assert generated.json() == {"created": 100_000}
    assert last.json()["Total"] == 90_001  # every tenth generated product has no stock
    assert len(last.json()["ProductAvailabilityList"]) == 1


async def test_deprecated_products_are_hidden_unless_asked_for(cin7: httpx.AsyncClient) -> None:
    product = (await cin7.get("/product", params={"Sku": OIL})).json()["Products"][0]
    updated = await cin7.put("/product", json={"ID": product["ID"], "Status": "Deprecated"})
    hidden = (await cin7.get("/product", params={"Sku": OIL})).json()
    shown = (await cin7.get("/product", params={"Sku": OIL, "IncludeDeprecated": "true"})).json()
    assert updated.json()["Products"][0]["Status"] == "Deprecated"
    assert hidden["Total"] == 0
    assert shown["Total"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Category": "Cars"}, "Category not found."),
        ({"SKU": CREAM}, f"Product with SKU '{CREAM}' already exists"),
        ({"UOM": None}, "Required attribute UOM is not provided."),
        ({"Type": "Robot"}, "Type 'Robot' is not valid"),
    ],
)
async def test_product_creation_is_validated(
    cin7: httpx.AsyncClient, change: dict[str, Any], message: str
) -> None:
    body = {
        "SKU": "NEW-1",
        "Name": "Clipper",
        "Category": "Tools",
        "CostingMethod": "FIFO",
        "UOM": "Item",
        "Status": "Active",
        "Type": "Stock",
        **change,
    }
    response = await cin7.post("/product", json=body)
    assert response.status_code == 400
    assert response.json()[0]["Exception"] == message


async def test_availability_omits_rows_whose_quantities_are_all_zero(
    cin7: httpx.AsyncClient,
) -> None:
    listing = (await cin7.get("/ref/productavailability")).json()
    assert listing["Total"] == 1
    assert [row["SKU"] for row in listing["ProductAvailabilityList"]] == [CREAM]
    row = listing["ProductAvailabilityList"][0]
    assert (row["OnHand"], row["Allocated"], row["Available"]) == (12, 0, 12)
    assert row["StockOnHand"] == 60  # GUESS: value at average cost 5


async def test_locations_and_customers_list_the_seeded_defaults(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.post(
        "/locations", json={"account_id": ACCOUNT, "name": "Shop Floor", "bins": ["A1"]}
    )
    locations = (await cin7.get("/ref/location")).json()
    customers = (await cin7.get("/customer")).json()
    assert [loc["Name"] for loc in locations["LocationList"]] == ["Main Warehouse", "Shop Floor"]
    assert locations["LocationList"][1]["Bins"][0]["Name"] == "A1"
    assert [c["Name"] for c in customers["CustomerList"]] == ["Walk-in Customer"]


# --- sales ------------------------------------------------------------------------------


async def test_sale_flow_ships_invoices_and_takes_stock_off_hand(cin7: httpx.AsyncClient) -> None:
    sale = await create_sale(cin7, "pos-sale-1")
    order = await authorise(cin7, sale["ID"], 3, mode="AUTOPICKPACKSHIP")
    invoice = await cin7.post("/sale/invoice", json={"SaleID": sale["ID"], "Status": "AUTHORISED"})
    full = (await cin7.get("/sale", params={"ID": sale["ID"]})).json()
    stock = await availability(cin7, CREAM)

    assert sale["Order"]["SaleOrderNumber"] == "SO-00001"
    assert order.json()["Status"] == "AUTHORISED"
    assert invoice.json()["Invoices"][0]["InvoiceNumber"] == "INV-00001"
    assert full["ExternalID"] == "pos-sale-1"
    assert full["Order"]["Status"] == "AUTHORISED"
    assert full["Fulfilments"][0]["Ship"]["Status"] == "AUTHORISED"
    assert full["CombinedInvoiceStatus"] == "INVOICED"
    assert (stock["OnHand"], stock["Allocated"], stock["Available"]) == (9, 0, 9)


async def test_authorised_order_allocates_and_over_ordering_is_a_silent_backorder(
    cin7: httpx.AsyncClient,
) -> None:
    first = await create_sale(cin7, "a")
    second = await create_sale(cin7, "b")
    await authorise(cin7, first["ID"], 5)
    after_first = await availability(cin7, CREAM)
    over = await authorise(cin7, second["ID"], 10)
    after_second = await availability(cin7, CREAM)
    listed = (await cin7.get("/saleList", params={"ExternalID": "b"})).json()["SaleList"]

    assert (after_first["OnHand"], after_first["Allocated"], after_first["Available"]) == (12, 5, 7)
    assert over.status_code == 200
    assert over.json()["Lines"][0]["BackorderQuantity"] == 3
    assert (after_second["Allocated"], after_second["Available"]) == (12, 0)
    assert listed[0]["Status"] == "BACKORDERED"


async def test_voiding_a_sale_releases_its_allocation(cin7: httpx.AsyncClient) -> None:
    sale = await create_sale(cin7, "void-me")
    await authorise(cin7, sale["ID"], 4)
    voided = await cin7.delete("/sale", params={"ID": sale["ID"], "Void": "true"})
    stock = await availability(cin7, CREAM)
    assert voided.json()["Status"] == "VOIDED"
    assert (stock["Allocated"], stock["Available"]) == (0, 12)


async def test_sale_list_finds_a_sale_by_external_id_only(cin7: httpx.AsyncClient) -> None:
    await create_sale(cin7, "ext-1")
    wanted = await create_sale(cin7, "ext-2")
    found = (await cin7.get("/saleList", params={"ExternalID": "ext-2"})).json()
    missing = (await cin7.get("/saleList", params={"ExternalID": "ext-3"})).json()
    assert found["Total"] == 1
    assert found["SaleList"][0]["SaleID"] == wanted["ID"]
    assert found["SaleList"][0]["OrderStatus"] == "NOT AVAILABLE"
    assert missing == {"Total": 0, "Page": 1, "SaleList": []}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/sale", {"Customer": "Walk-in Customer"}, "'Location' is required"),
        (
            "/sale",
            {"Customer": "Nobody", "Location": "Main Warehouse"},
            "Customer 'Nobody' not found",
        ),
        ("/sale/invoice", {"Status": "AUTHORISED"}, "Sale order is not authorised"),
        ("/sale/fulfilment/pick", {"Status": "AUTHORISED"}, "Sale order is not authorised"),
        (
            "/sale/order",
            {"Status": "AUTHORISED", "Lines": [{"SKU": "NOPE", **LINE, "Quantity": 1}]},
            "Product with SKU 'NOPE' was not found",
        ),
    ],
)
async def test_sale_steps_out_of_order_or_incomplete_are_refused(
    cin7: httpx.AsyncClient, path: str, body: dict[str, Any], message: str
) -> None:
    sale = await create_sale(cin7, "steps")
    ids = {"SaleID": sale["ID"], "TaskID": sale["ID"]}
    response = await cin7.post(path, json={**ids, **body})
    assert response.status_code == 400
    assert response.json() == [{"ErrorCode": 400, "Exception": message}]


async def test_fulfilment_goes_pick_then_pack_then_ship_and_on_hand_falls_at_pick(
    cin7: httpx.AsyncClient,
) -> None:
    sale = await create_sale(cin7, "manual")
    await authorise(cin7, sale["ID"], 2)
    task = {"TaskID": sale["ID"], "Status": "AUTHORISED"}
    early_pack = await cin7.post("/sale/fulfilment/pack", json=task)
    picked = await cin7.post(
        "/sale/fulfilment/pick", json={"TaskID": sale["ID"], "AutoPickMode": "AUTOPICK"}
    )
    after_pick = await availability(cin7, CREAM)
    early_ship = await cin7.post("/sale/fulfilment/ship", json=task)
    packed = await cin7.post("/sale/fulfilment/pack", json=task)
    shipped = await cin7.post("/sale/fulfilment/ship", json=task)
    row = (await cin7.get("/saleList", params={"ExternalID": "manual"})).json()["SaleList"][0]

    assert early_pack.json()[0]["Exception"] == "Pick is not authorised"
    assert picked.json()["Status"] == "AUTHORISED"
    assert (after_pick["OnHand"], after_pick["Allocated"], after_pick["Available"]) == (10, 0, 10)
    assert early_ship.json()[0]["Exception"] == "Pack is not authorised"
    assert (packed.status_code, shipped.status_code) == (200, 200)
    assert row["CombinedShippingStatus"] == "SHIPPED"


async def test_an_authorised_order_cannot_be_replaced(cin7: httpx.AsyncClient) -> None:
    sale = await create_sale(cin7, "twice")
    await authorise(cin7, sale["ID"], 1)
    again = await authorise(cin7, sale["ID"], 2)
    assert again.status_code == 400
    assert (await availability(cin7, CREAM))["Allocated"] == 1


async def test_unknown_sale_is_a_400(cin7: httpx.AsyncClient) -> None:
    response = await cin7.get("/sale", params={"ID": "3f1c8a8e-0000-0000-0000-000000000000"})
    assert response.status_code == 400
    assert response.json()[0]["Exception"] == "Sale not found"


# --- stock adjustments ------------------------------------------------------------------


async def test_stock_adjustment_quantity_is_the_new_absolute_on_hand(
    cin7: httpx.AsyncClient,
) -> None:
    body = {
        "EffectiveDate": "2026-01-02T00:00:00",
        "Status": "COMPLETED",
        "Lines": [{"SKU": CREAM, "Quantity": 7, "UnitCost": 5, "Location": "Main Warehouse"}],
    }
    response = await cin7.post("/stockadjustment", json=body)
    stock = await availability(cin7, CREAM)
    fetched = await cin7.get("/stockadjustment", params={"TaskID": response.json()["TaskID"]})
    listed = (await cin7.get("/stockadjustmentList")).json()

    line = response.json()["ExistingStockLines"][0]
    assert (line["QuantityOnHand"], line["Adjustment"]) == (12, -5)
    assert stock["OnHand"] == 7
    assert fetched.json()["Status"] == "COMPLETED"
    assert listed["Total"] == 1


async def test_draft_stock_adjustment_moves_no_stock(cin7: httpx.AsyncClient) -> None:
    body = {
        "EffectiveDate": "2026-01-02",
        "Status": "DRAFT",
        "Lines": [{"SKU": OIL, "Quantity": 30, "UnitCost": 2, "Location": "Main Warehouse"}],
    }
    response = await cin7.post("/stockadjustment", json=body)
    listing = (await cin7.get("/ref/productavailability", params={"Sku": OIL})).json()
    assert response.json()["NewStockLines"][0]["Quantity"] == 30
    assert listing["Total"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"EffectiveDate": None}, "'EffectiveDate' is required"),
        ({"Lines": []}, "'Lines' is required"),
        (
            {"Lines": [{"SKU": CREAM, "Quantity": 1, "UnitCost": 1}]},
            "'Location' is required for 'Lines' line",
        ),
        (
            {"Lines": [{"SKU": CREAM, "Quantity": 1, "Location": "Main Warehouse"}]},
            "'UnitCost' is required for 'Lines' line",
        ),
    ],
)
async def test_stock_adjustment_required_fields(
    cin7: httpx.AsyncClient, change: dict[str, Any], message: str
) -> None:
    body = {"EffectiveDate": "2026-01-02", "Status": "COMPLETED", **change}
    response = await cin7.post("/stockadjustment", json=body)
    assert response.status_code == 400
    assert response.json()[0]["Exception"] == message


# --- webhooks: subscriptions ------------------------------------------------------------


async def test_webhook_crud_echoes_secrets_and_allows_five_per_type(
    cin7: httpx.AsyncClient,
) -> None:
    made = [
        await add_webhook(
            cin7,
            Type="Sale/OrderAuthorised",
            ExternalURL=f"https://hooks.example/{n}",
            ExternalAuthorizationType="bearerauth",
            ExternalBearerToken=f"secret-{n}",
        )
        for n in range(5)
    ]
    sixth = await cin7.post(
        "/webhooks", json={"Type": "Sale/OrderAuthorised", "ExternalURL": "https://x.example/"}
    )
    other_type = await add_webhook(cin7, Type="Product/Updated", ExternalURL="https://x.example/")
    replaced = await cin7.put(
        "/webhooks",
        json={
            "ID": made[0]["ID"],
            "Type": "Sale/OrderAuthorised",
            "ExternalURL": "https://y.example/",
        },
    )
    deleted = await cin7.delete("/webhooks", params={"ID": made[1]["ID"]})
    listed = (await cin7.get("/webhooks")).json()

    assert made[2]["ExternalBearerToken"] == "secret-2"
    assert sixth.status_code == 400
    assert other_type["Type"] == "Product/Updated"
    assert replaced.json()["Webhooks"][0]["ExternalURL"] == "https://y.example/"
    assert deleted.json() == {"Webhooks": []}
    assert set(listed) == {"Webhooks"}
    assert len(listed["Webhooks"]) == 5


async def test_unknown_webhook_type_is_refused(cin7: httpx.AsyncClient) -> None:
    response = await cin7.post(
        "/webhooks", json={"Type": "Stock.Updated", "ExternalURL": "https://x.example/"}
    )
    assert response.status_code == 400
    assert "Stock.Updated" in response.json()[0]["Exception"]


# --- webhooks: delivery -----------------------------------------------------------------


async def test_each_kind_of_delivery_reaches_the_receiver_with_its_auth(
    cin7: httpx.AsyncClient, receiver: Receiver
) -> None:
    basic = base64.b64encode(b"cin7:pa55").decode()
    bearer = {"ExternalAuthorizationType": "bearerauth", "ExternalBearerToken": "tok-1"}
    await add_webhook(
        cin7, Type="Sale/OrderAuthorised", ExternalURL=f"{receiver.url}/order", **bearer
    )
    await add_webhook(
        cin7,
        Type="Stock/AvailableStockLevelChanged",
        ExternalURL=f"{receiver.url}/stock",
        ExternalAuthorizationType="basicauth",
        ExternalUserName="cin7",
        ExternalPassword="pa55",
    )
    await add_webhook(
        cin7,
        Type="Product/Updated",
        ExternalURL=f"{receiver.url}/product",
        ExternalHeaders=[{"Key": "X-Tillsync-Secret", "Value": "s3"}],
    )
    for event in ("PickAuthorised", "PackAuthorised", "ShipmentAuthorised", "InvoiceAuthorised"):
        await add_webhook(cin7, Type=f"Sale/{event}", ExternalURL=f"{receiver.url}/{event}")

    product = await cin7.post(
        "/product",
        json={
            "SKU": "CLIPPER",
            "Name": "Clipper",
            "Category": "Tools",
            "CostingMethod": "FIFO",
            "UOM": "Item",
            "Status": "Active",
            "Type": "Stock",
        },
    )
    sale = await create_sale(cin7, "deliver-1")
    await authorise(cin7, sale["ID"], 2, mode="AUTOPICKPACKSHIP")
    await cin7.post("/sale/invoice", json={"SaleID": sale["ID"], "Status": "AUTHORISED"})
    await eventually(lambda: len(receiver.requests) >= 7)

    [order] = receiver.at("/order")
    assert order.headers["authorization"] == "Bearer tok-1"
    assert order.body == {
        "SaleID": sale["ID"],
        "SaleOrderNumber": "SO-00001",
        "EventType": "Sale/OrderAuthorised",
    }
    [stock] = receiver.at("/stock")
    assert stock.headers["authorization"] == f"Basic {basic}"
    assert isinstance(stock.body, list)
    assert product.status_code == 200
    [created] = receiver.at("/product")
    assert created.headers["x-tillsync-secret"] == "s3"
    assert "authorization" not in created.headers
    assert created.body["EventType"] == "Product/Updated"
    assert created.body["ProductDetailsList"][0]["Event"] == "Creation"
    assert created.body["ProductDetailsList"][0]["SKU"] == "CLIPPER"
    [pick] = receiver.at("/PickAuthorised")
    assert pick.body["TaskID"] == sale["ID"]
    assert pick.body["SaleTaskID"] == sale["ID"]
    [shipment] = receiver.at("/ShipmentAuthorised")
    assert shipment.body["TenantID"] == ACCOUNT
    assert shipment.body["EventType"] == "Sale/ShipmentAuthorised"
    assert len(receiver.at("/PackAuthorised")) == 1
    [invoice] = receiver.at("/InvoiceAuthorised")
    assert invoice.body["OrderNumber"] == "SO-00001"


async def test_stock_payload_is_one_bare_array_per_call_with_every_bin_and_batch(
    state: Cin7State, cin7: httpx.AsyncClient, control: httpx.AsyncClient, receiver: Receiver
) -> None:
    await control.post(
        "/locations", json={"account_id": ACCOUNT, "name": "Shop Floor", "bins": ["A1", "B2"]}
    )
    await add_webhook(
        cin7, Type="Stock/AvailableStockLevelChanged", ExternalURL=f"{receiver.url}/stock"
    )
    shop = {"Location": "Shop Floor", "UnitCost": 4}
    await cin7.post(
        "/stockadjustment",
        json={
            "EffectiveDate": "2026-01-02",
            "Status": "COMPLETED",
            "Lines": [
                {"SKU": CREAM, "Quantity": 3, "Bin": "A1", **shop},
                {"SKU": CREAM, "Quantity": 0, "Bin": "B2", **shop},
                {"SKU": OIL, "Quantity": 8, "Bin": "B2", **shop},
            ],
        },
    )
    await eventually(lambda: len(receiver.requests) >= 1)
    await asyncio.sleep(0.2)  # a second delivery would be a defect; give it the chance

    [delivery] = receiver.requests
    rows = {(row["SKU"], row["Bin"]): row for row in delivery.body}
    assert set(rows) == {(CREAM, "A1"), (CREAM, "B2"), (OIL, "B2")}
    assert rows[(CREAM, "B2")]["OnHand"] == 0  # zero rows are sent, unlike the listing
    assert rows[(OIL, "B2")]["Available"] == 8
    assert rows[(OIL, "B2")]["Category"] == "Beard Care"
    assert {row["MaxRows"] for row in delivery.body} == {3}
    assert all("EventType" not in row for row in delivery.body)


async def test_webhook_is_silently_deactivated_after_seven_failed_tries(
    state: Cin7State, cin7: httpx.AsyncClient, control: httpx.AsyncClient, receiver: Receiver
) -> None:
    await control.put("/settings", json={"time_scale": 0.0002})
    receiver.status = 500
    hook = await add_webhook(cin7, Type="Sale/Created", ExternalURL=f"{receiver.url}/created")
    await create_sale(cin7, "fails")

    def deactivated() -> bool:
        return not state.accounts[ACCOUNT].webhooks[hook["ID"]].is_active

    await eventually(deactivated)
    deliveries = (await control.get("/deliveries")).json()
    listed = (await cin7.get("/webhooks")).json()["Webhooks"]
    assert [d["attempt"] for d in deliveries] == [1, 2, 3, 4, 5, 6, 7]
    assert {d["status"] for d in deliveries} == {500}
    assert listed[0]["IsActive"] is False

    receiver.status = 200
    await cin7.put("/webhooks", json={**hook, "IsActive": True})
    await create_sale(cin7, "after re-enabling")
    await eventually(lambda: len(receiver.requests) == 8)


async def test_unreachable_receiver_counts_as_a_failed_delivery(
    state: Cin7State, cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.put("/settings", json={"time_scale": 0.00001})
    await add_webhook(cin7, Type="Sale/Created", ExternalURL="http://127.0.0.1:9/closed")
    await create_sale(cin7, "nobody listens")
    await eventually(lambda: len(state.deliveries) == 7)
    assert all(d.status is None and d.error for d in state.deliveries)


# --- rate limit -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "status", "text"),
    [
        ("503", 503, "You reached 3 calls per minute API limit"),
        ("429", 429, "You reached 3 calls per minute API limit"),
        ("400", 400, "You have reached 3 calls per 60 seconds API limit."),
    ],
)
async def test_rate_limit_is_a_rolling_minute_per_key_in_each_throttle_style(
    style: str, status: int, text: str
) -> None:
    clock = FakeClock()
    state = seeded_state(clock, rate_limit=3, throttle_style=style)
    other_key = state.add_application_key(ACCOUNT).application_key
    async with (
        serve_app(create_cin7_emulator(state)) as url,
        httpx.AsyncClient(base_url=f"{url}/ExternalApi/v2", headers=AUTH) as cin7,
    ):
        first = [(await cin7.get("/me")).status_code for _ in range(3)]
        clock.advance(30)
        refused = await cin7.get("/me")
        other = await cin7.get("/me", headers={"api-auth-applicationkey": other_key})
        clock.advance(31)  # the first three calls leave the window; the refused one never entered
        later = [(await cin7.get("/me")).status_code for _ in range(4)]

    assert first == [200, 200, 200]
    assert refused.status_code == status
    assert text in refused.text
    assert "retry-after" not in refused.headers
    assert other.status_code == 200
    assert later == [200, 200, 200, status]
    assert [c.throttled for c in state.calls if c.application_key == KEY].count(True) == 2


# --- faults -----------------------------------------------------------------------------


async def test_reset_fault_gives_the_client_a_transport_error(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.put("/faults", json={"error_rate": 1.0, "kinds": ["reset"], "paths": ["/me"]})
    with pytest.raises(httpx.TransportError):
        await cin7.get("/me")
    assert (await cin7.get("/product")).status_code == 200
    await control.delete("/faults")
    assert (await cin7.get("/me")).status_code == 200


@pytest.mark.parametrize("kind", ["500", "502", "503"])
async def test_random_error_faults_answer_their_status(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient, kind: str
) -> None:
    await control.put("/faults", json={"error_rate": 1.0, "kinds": [kind], "seed": 1})
    assert (await cin7.get("/me")).status_code == int(kind)


async def test_throttle_fault_uses_the_configured_throttle_style(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.put("/settings", json={"throttle_style": "400"})
    await control.put("/faults", json={"error_rate": 1.0, "kinds": ["throttle"]})
    response = await cin7.get("/saleList")
    assert response.status_code == 400
    assert "calls per 60 seconds" in response.json()[0]["Exception"]


async def test_timeout_fault_outlasts_the_client_timeout(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.put("/settings", json={"fault_timeout_seconds": 5})
    await control.put("/faults", json={"error_rate": 1.0, "kinds": ["timeout"]})
    with pytest.raises(httpx.ReadTimeout):
        await cin7.get("/me", timeout=0.3)


async def test_delay_after_applies_the_effect_before_the_client_gives_up(
    state: Cin7State, cin7: httpx.AsyncClient
) -> None:
    state.faults.add_rule(FaultRule(method="POST", path="/sale", action="delay_after", seconds=5))
    with pytest.raises(httpx.ReadTimeout):
        await cin7.post(
            "/sale",
            json={"Customer": "Walk-in Customer", "Location": "Main Warehouse", "ExternalID": "u1"},
            timeout=0.3,
        )
    found = (await cin7.get("/saleList", params={"ExternalID": "u1"})).json()
    assert found["Total"] == 1


@pytest.mark.parametrize(
    ("action", "outcome"),
    [("fail_after", 503), ("reset_after", httpx.RemoteProtocolError)],
)
async def test_after_faults_keep_the_effect_but_hide_the_answer(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient, action: str, outcome: Any
) -> None:
    rule = {"method": "POST", "path": "/sale/order", "action": action, "status": 503}
    await control.put("/faults", json={"rules": [rule]})
    sale = await create_sale(cin7, "uncertain")
    if isinstance(outcome, int):
        assert (await authorise(cin7, sale["ID"], 2)).status_code == outcome
    else:
        with pytest.raises(outcome):
            await authorise(cin7, sale["ID"], 2)
    after = (await cin7.get("/sale", params={"ID": sale["ID"]})).json()
    retried = await authorise(cin7, sale["ID"], 2)  # times=1: the rule is used up
    assert after["Order"]["Status"] == "AUTHORISED"
    assert (await availability(cin7, CREAM))["Allocated"] == 2
    assert retried.status_code == 400


async def test_delay_before_fault_holds_the_answer_but_not_the_result(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    rule = {"method": "GET", "path": "/ExternalApi/v2/Me", "action": "delay_before", "seconds": 5}
    await control.put("/faults", json={"rules": [rule]})
    with pytest.raises(httpx.ReadTimeout):
        await cin7.get("/me", timeout=0.3)
    assert (await cin7.get("/me")).status_code == 200


# --- control surface --------------------------------------------------------------------


async def test_control_creates_accounts_with_their_own_keys(
    base_url: str, control: httpx.AsyncClient
) -> None:
    created = (await control.post("/accounts", json={"company": "Second Shop"})).json()
    extra = (await control.post(f"/accounts/{created['account_id']}/keys", json={})).json()
    async with httpx.AsyncClient(base_url=f"{base_url}/ExternalApi/v2") as client:
        me = await client.get(
            "/me",
            headers={
                "api-auth-accountid": created["account_id"],
                "api-auth-applicationkey": extra["application_key"],
            },
        )
    assert extra["application_key"] != created["application_key"]
    assert me.json()["Company"] == "Second Shop"


async def test_call_log_records_every_call_and_can_be_cleared(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await cin7.get("/me")
    await cin7.get("/nowhere")
    calls = (await control.get("/calls")).json()
    await control.delete("/calls")
    assert [(c["path"], c["status"], c["throttled"]) for c in calls] == [
        ("/ExternalApi/v2/me", 200, False),
        ("/ExternalApi/v2/nowhere", 200, False),
    ]
    assert calls[0]["application_key"] == KEY
    assert (await control.get("/calls")).json() == []


async def test_reset_returns_to_the_seeded_defaults_and_keeps_the_accounts(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await create_sale(cin7, "gone")
    await control.put("/settings", json={"unknown_path_status": 404})
    await control.post("/reset")
    counts = (await control.get("/state")).json()["accounts"][ACCOUNT]
    settings = (await control.get("/settings")).json()
    assert counts["products"] == 0
    assert counts["sales"] == 0
    assert counts["locations"] == 1
    assert settings["unknown_path_status"] == 200
    assert (await cin7.get("/me")).status_code == 200


async def test_control_seeds_products_with_stock(
    cin7: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    seeded = await control.post(
        "/products",
        json={
            "account_id": ACCOUNT,
            "products": [
                {"SKU": "COMB", "Name": "Comb", "Category": "Tools", "stock": {"Main Warehouse": 4}}
            ],
        },
    )
    stock = await availability(cin7, "COMB")
    assert seeded.json()["Products"][0]["SKU"] == "COMB"
    assert stock["OnHand"] == 4


async def test_settings_and_faults_reject_nonsense(control: httpx.AsyncClient) -> None:
    bad_setting = await control.put("/settings", json={"throttle_style": "418"})
    bad_kind = await control.put("/faults", json={"error_rate": 0.5, "kinds": ["explode"]})
    assert bad_setting.status_code == 422
    assert bad_kind.status_code == 422
