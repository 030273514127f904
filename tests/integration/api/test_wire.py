"""The wire: figures as JSON numbers everywhere, a read that is a read, repeats that say so."""

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from tests.integration.api.conftest import SKU
from tests.support.hubs import RunningHub, TenantClient
from tests.support.ledger import report_stock, seed_stock
from tests.support.sse import listen
from tests.support.world import World, open_world
from tillsync.config import Settings
from tillsync.services.inventory import expire_all_overdue
from tillsync.store.tables import Product, Reservation

LOOSE = "LOOSE-LEAF-TEA"  # sold by weight: fractional quantities are allowed


def _exactly(value: Any, expected: int | float) -> None:
    """17 is an integer on the wire, never 17.0 nor "17.0000"; 1.5 stays 1.5."""
    assert (type(value), value) == (type(expected), expected)


async def _loose_tea(served: RunningHub, shop: TenantClient) -> None:
    await seed_stock(
        served.hub, shop.tenant_id, LOOSE, Decimal("2.5"), reorder_level=1, whole_units=False
    )
    async with served.hub.uows.begin() as uow:
        await uow.session.execute(
            update(Product).where(Product.sku == LOOSE).values(price=Decimal("18.5"))
        )
        await uow.commit()


async def test_the_catalog_shows_figures_as_numbers(served: RunningHub, shop: TenantClient) -> None:
    await _loose_tea(served, shop)
    held = {"action": "RESERVE", "sku": LOOSE, "quantity": 1}
    assert (await shop.sale_sync(held)).status_code == 200

    answer = await shop.http.get("/api/catalog", params={"search": "leaf"})
    assert answer.status_code == 200, answer.text
    (tea,) = answer.json()["products"]
    (row,) = tea["locations"]
    for value, expected in (
        (tea["price"], 18.5),
        (tea["reorder_level"], 1),
        (tea["available_to_sell"], 1.5),
        (row["available_to_sell"], 1.5),
        (row["warehouse_available"], 2.5),
        (row["pending"], 0),
        (row["reserved"], 1),
    ):
        _exactly(value, expected)


async def test_the_stream_shows_stock_figures_as_numbers(
    served: RunningHub, shop: TenantClient
) -> None:
    await _loose_tea(served, shop)
    async with listen(shop.http) as stream:
        await report_stock(served.hub, shop.tenant_id, LOOSE, Decimal("1.5"))
        fractional = await stream.next(
            "stock.changed", timeout=5, where=lambda d: d["sku"] == LOOSE
        )
        await report_stock(served.hub, shop.tenant_id, SKU, 17)
        whole = await stream.next("stock.changed", timeout=5, where=lambda d: d["sku"] == SKU)
    _exactly(fractional.data["warehouse_available"], 1.5)
    _exactly(fractional.data["available_to_sell"], 1.5)
    for name, expected in (
        ("warehouse_available", 17),
        ("available_to_sell", 17),
        ("pending", 0),
        ("reserved", 0),
    ):
        _exactly(whole.data[name], expected)


async def test_sale_sync_shows_fractional_quantities_as_they_are(
    served: RunningHub, shop: TenantClient
) -> None:
    await _loose_tea(served, shop)
    check = await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": LOOSE, "quantity": 0.5})
    body = check.json()
    _exactly(body["currentStock"], 2.5)
    _exactly(body["quantity"], 0.5)
    _exactly(body["reserved"], 0)
    held = (await shop.sale_sync({"action": "RESERVE", "sku": LOOSE, "quantity": 1})).json()
    _exactly(held["quantity"], 1)
    _exactly(held["availableAfter"], 1.5)


NEW_SALE: dict[str, Any] = {
    "saleId": "POS-READ-1",
    "items": [{"sku": SKU, "quantity": 2, "price": 29.99}],
}


async def test_reading_a_sale_is_no_duplicate_but_posting_it_again_is(
    shop: TenantClient,
) -> None:
    first = (await shop.http.post("/api/sales", json=NEW_SALE)).json()
    read = await shop.http.get(f"/api/sales/{NEW_SALE['saleId']}")
    again = (await shop.http.post("/api/sales", json=NEW_SALE)).json()

    assert read.status_code == 200, read.text
    body = read.json()
    assert body["duplicate"] is False
    assert body["message"].startswith("Sale found")
    assert "already" not in body["message"]
    assert set(body) == set(first)
    assert (body["id"], body["total"]) == (first["id"], first["total"])
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert again["message"].startswith("Sale already recorded")


async def _expire(served: RunningHub, reservation_id: str) -> None:
    async with served.hub.uows.begin() as uow:
        past = uow.now.replace(year=uow.now.year - 1)
        await uow.session.execute(
            update(Reservation).where(Reservation.id == reservation_id).values(expires_at=past)
        )
        await uow.commit()
    await expire_all_overdue(served.hub.uows)


@pytest.mark.parametrize(
    ("ended_by", "status"),
    [("release", "released"), ("expiry", "expired")],
)
async def test_releasing_an_ended_reservation_says_it_was_already_released(
    served: RunningHub, shop: TenantClient, ended_by: str, status: str
) -> None:
    held = (await shop.sale_sync({"action": "RESERVE", "sku": SKU, "quantity": 4})).json()
    release = {"action": "RELEASE", "reservationId": held["reservationId"]}
    if ended_by == "release":
        first = (await shop.sale_sync(release)).json()
        assert (first["released"], first["alreadyReleased"]) == (True, False)
        assert first["message"] == "Reservation released"
    else:
        await _expire(served, held["reservationId"])

    again = await shop.sale_sync(release)

    assert again.status_code == 200, again.text
    assert again.json() == {
        "released": False,
        "alreadyReleased": True,
        "reservationId": held["reservationId"],
        "status": status,
        "message": f"Reservation already {status}",
    }
    check = await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 10})
    assert check.json()["available"] is True  # given back once, not twice


COUNTS = {
    "pages",
    "itemsSynced",
    "itemsFailed",
    "itemsDeleted",
    "compared",
    "driftFound",
    "driftFixed",
}
PULLS = {
    "full": "/api/cin7/sync",
    "quick": "/api/cin7/quick-sync",
    "reconcile": "/api/cin7/reconcile",
}


async def _pull(world: World, mode: str) -> dict[str, Any]:
    queued = await world.pos.post(PULLS[mode])
    assert queued.status_code == 202, queued.text
    await world.hub.hub.create_worker().run_until_idle()
    answer = await world.pos.get(f"/api/cin7/sync/{queued.json()['runId']}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_every_pull_mode_reports_pages_and_items_the_same_way(settings: Settings) -> None:
    fast = {"rate_limit": {"calls": 100_000, "window_seconds": 1}, "page_size": 2}
    async with open_world(settings, webhooks=False, connection_settings=fast) as world:
        (account,) = world.state.accounts.values()
        world.state.generate_products(account.id, count=3, prefix="GEN")
        runs = {mode: await _pull(world, mode) for mode in ("full", "quick", "reconcile")}
        listed = (await world.pos.get("/api/cin7/reconcile/reports")).json()["reports"]
        report = (
            await world.pos.get(f"/api/cin7/reconcile/reports/{runs['reconcile']['runId']}")
        ).json()

    for mode, run in runs.items():
        assert (run["mode"], run["status"]) == (mode, "success")
        assert set(run) >= COUNTS, mode
        assert run["pages"] >= 2, mode  # a page of products and one of stock at least
        assert run["itemsSynced"] >= 4, mode
        assert run["compared"] >= 1, mode
    (summary,) = listed
    for shown in (summary, report):
        assert {name: shown[name] for name in COUNTS} == {
            name: runs["reconcile"][name] for name in COUNTS
        }
