"""Zoho's calls through the connector: a refusal inside HTTP 200 is an error, the day's quota
stops bulk work before order pushes (and health shows the day's use), and the warehouse
capability reads and sells once."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.support.dashboard import visiting
from tests.support.depot_world import FAST
from tests.support.zoho_world import API, ZohoWorld
from tillsync.connectors.contract import Connector
from tillsync.domain.orders import PosLine, PosOrder
from tillsync.domain.sale_documents import SaleDocument
from tillsync.domain.sales import SaleLine
from tillsync.emulators.zoho import FaultRule
from tillsync.errors import BudgetExhausted, Permanent, Retryable
from tillsync.services.connections.links import connector_for, find_connection
from tillsync.services.connections.settings import update_settings

ORDER = PosOrder(
    reference="ORD-Q",
    currency="USD",
    lines=[PosLine(name="Garlic Naan", quantity=Decimal(1), unit_price=Decimal(3))],
)


def _item_id(world: ZohoWorld, sku: str) -> str:
    items = world.zoho.organization(world.org.organization_id).items.values()
    return next(item.id for item in items if item.sku == sku)


async def _connector(world: ZohoWorld, *, lane: str = "urgent") -> Connector:
    async with world.hub.uows.read() as session:
        connection = await find_connection(session, world.tenant_id, "zoho")
    assert connection is not None
    return connector_for(world.hub.services, connection, lane=lane)


@pytest.mark.parametrize(
    ("status", "error"), [(200, Retryable), (400, Permanent)], ids=["code-1000-in-200", "400"]
)
async def test_a_non_zero_code_is_an_error_whatever_the_status(
    world: ZohoWorld, status: int, error: type[Exception]
) -> None:
    await world.connect_fast()
    pos = (await _connector(world)).pos
    assert pos is not None
    if status == 200:
        rule = FaultRule("GET", API + "/items", "fail_after", status=200)
        world.zoho.faults.configure(rules=[rule])
        with pytest.raises(error, match="code 1000"):
            await pos.catalog(page=1, limit=10)
    else:  # an unknown item: Zoho's code 1002 with HTTP 400, never retried
        unknown = PosOrder(
            reference="ORD-X",
            currency="USD",
            lines=[PosLine("Ghost", Decimal(1), Decimal(1), catalog_id="999")],
        )
        with pytest.raises(error, match="code 1002"):
            await pos.push_order(unknown)


async def test_the_days_quota_stops_bulk_calls_keeps_room_for_pushes_and_shows_its_use(
    world: ZohoWorld,
) -> None:
    await world.connect_fast()
    given = {"daily_quota": 50, "rate_limit": FAST["rate_limit"]}
    await update_settings(
        world.hub.services, tenant_id=world.tenant_id, provider="zoho", given=given
    )
    bulk = (await _connector(world, lane="bulk")).pos
    assert bulk is not None
    made = 0  # the connect's check counted before the organization was chosen
    with pytest.raises(BudgetExhausted):  # noqa: PT012 (the call that is refused is the point)
        for _ in range(50):
            await bulk.catalog(page=1, limit=10)
            made += 1
    assert made == 40  # bulk work stops at four fifths of the day
    urgent = (await _connector(world)).pos
    assert urgent is not None
    pushed = await urgent.push_order(ORDER)  # a contact look-up, its create, the order
    assert await urgent.find_order("ORD-Q") == pushed
    counted = [c for c in world.zoho.calls_since() if c.organization_id]
    answer = await world.api.get("/api/connections/zoho/health")
    assert answer.status_code == 200, answer.text
    (day,) = answer.json()["rateLimit"]["windows"]
    assert (day["name"], day["used"], day["limit"]) == ("day", len(counted), 50)
    assert (day["windowSeconds"], day["reserve"], day["denied"]) == (86_400, 0.2, 1)
    async with visiting(world.url) as visitor:
        await visitor.sign_in(str(world.api.headers["Authorization"]).removeprefix("Bearer "))
        page = (await visitor.page("/")).text
    shown = page.split('data-window="day"', 1)[1].split("</dd>", 1)[0]
    assert f"{len(counted)} / 50, the last 20 % kept for order pushes, 1 deferred" in shown


async def test_the_warehouse_reads_items_and_stock_per_location(world: ZohoWorld) -> None:
    await world.connect_fast()
    org = world.org.organization_id
    second = world.zoho.add_location(org, "Back Kitchen")
    item = _item_id(world, "PBM-1")
    world.zoho.set_stock(org, item, world.org.location_id, Decimal(7))
    world.zoho.set_stock(org, item, second.id, Decimal(2))
    warehouse = (await _connector(world)).warehouse
    assert warehouse is not None
    products = await warehouse.products(page=1, limit=1, changed_since=None)
    assert ([p.sku for p in products.rows], products.last) == (["NAAN-1"], False)
    later = await warehouse.products(page=2, limit=1, changed_since=None)
    assert ([p.sku for p in later.rows], later.last) == (["PBM-1"], True)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert (await warehouse.products(page=1, limit=200, changed_since=future)).rows == []
    stock = await warehouse.availability(page=1, limit=200)
    figures = {row.sku: (row.location, row.on_hand) for row in stock.rows}
    assert figures["PBM-1"] == ("Main Warehouse", Decimal(7))
    every = await warehouse.availability_of("PBM-1")
    assert {(row.location, row.available) for row in every} == {
        ("Main Warehouse", Decimal(7)),
        ("Back Kitchen", Decimal(2)),
    }


async def test_a_sale_is_a_confirmed_sales_order_made_once_after_a_lost_answer(
    world: ZohoWorld,
) -> None:
    await world.connect_fast()
    org = world.org.organization_id
    world.zoho.set_stock(org, _item_id(world, "PBM-1"), world.org.location_id, Decimal(5))
    warehouse = (await _connector(world)).warehouse
    assert warehouse is not None
    document = SaleDocument(
        reference="SALE-1",
        number="SALE-1",
        location="Main Warehouse",
        note="",
        lines=[SaleLine("PBM-1", "Paneer Butter Masala", Decimal(2), Decimal("12.50"))],
        date=dt.date(2026, 3, 1),
    )
    rule = FaultRule("POST", API + "/salesorders", "reset_after")
    world.zoho.faults.configure(rules=[rule])
    with pytest.raises(Retryable):
        await warehouse.sale_step("create", document, external_id=None)
    found = await warehouse.find_sale("SALE-1")  # what the push asks before making it again
    assert found is not None
    assert found.steps_done == frozenset({"create"})
    await warehouse.sale_step("confirm", document, external_id=found.external_id)
    again = await warehouse.find_sale("SALE-1", external_id=found.external_id)
    assert again is not None
    assert again.steps_done == frozenset({"create", "confirm"})
    orders = list(world.zoho.organization(org).salesorders.values())
    assert [(o["reference_number"], o["status"]) for o in orders] == [("SALE-1", "confirmed")]
    (row,) = await warehouse.availability_of("PBM-1")
    assert (row.on_hand, row.available) == (Decimal(5), Decimal(3))


async def test_two_pushes_at_once_for_a_new_customer_share_one_contact(world: ZohoWorld) -> None:
    await world.connect_fast()
    pos = (await _connector(world)).pos
    assert pos is not None
    held = FaultRule("POST", API + "/contacts", "delay_before", seconds=0.3, times=2)
    world.zoho.faults.configure(rules=[held])  # both look the contact up before either makes it
    orders = [replace(ORDER, reference=f"ORD-C{n}") for n in range(2)]
    made = await asyncio.gather(*(pos.push_order(order) for order in orders))
    assert len(set(made)) == 2
    creates = [
        c.code
        for c in world.zoho.calls_since()
        if c.path == API + "/contacts" and c.method == "POST"
    ]
    assert creates == [0, 3062]  # Zoho refused a second contact of the same name
    organization = world.zoho.organization(world.org.organization_id)
    (contact,) = organization.contacts.values()
    assert {o["customer_id"] for o in organization.salesorders.values()} == {contact["contact_id"]}
