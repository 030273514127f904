"""The webhook watchdog: hooks CIN7 switched off come back, and what was missed arrives."""

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tests.support.world import SKU, World, eventually, open_world, sell_elsewhere
from tillsync.config import Settings
from tillsync.emulators.cin7 import FaultRule
from tillsync.jobs.store import NewJob, enqueue
from tillsync.services.connections.watchdog import watchdog_kind
from tillsync.store.tables import (
    Connection,
    Notification,
    Product,
    Run,
    Sale,
    SaleLine,
    StockLevel,
    WebhookRegistration,
)

FAST = {"rate_limit": {"calls": 100_000, "window_seconds": 1}}
BROKEN = ("Stock/AvailableStockLevelChanged", "Product/Updated")
SHIPPED = "Sale/ShipmentAuthorised"


async def _hooks(world: World) -> dict[str, dict[str, Any]]:
    hooks = (await world.cin7.get("/webhooks")).json()["Webhooks"]
    return {hook["Type"]: hook for hook in hooks}


async def _watch(world: World, key: str) -> None:
    hub = world.hub.hub
    async with hub.uows.begin() as uow:
        connection = await uow.session.scalar(select(Connection))
        assert connection is not None
        job = NewJob(
            kind=watchdog_kind("cin7"),
            payload={},
            idempotency_key=key,
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
        )
        await enqueue(uow.session, job, now=uow.now)
        await uow.commit()
    await hub.create_worker().run_until_idle()


async def _switch_off(world: World, event_type: str) -> None:
    """What CIN7 does, silently, once a webhook's deliveries have failed for long enough."""
    (account_id,) = world.state.accounts
    world.state.deactivate_webhook(account_id, (await _hooks(world))[event_type]["ID"])


async def _sell_elsewhere(world: World) -> str:
    (account_id,) = world.state.accounts
    return await sell_elsewhere(world.state, account_id, str(world.cin7.base_url))


async def _external_sales(world: World) -> list[tuple[str, list[tuple[str, Decimal, Decimal]]]]:
    """Each external sale's CIN7 id with its lines (SKU, quantity, price)."""
    async with world.hub.hub.uows.read() as session:
        sales = list(await session.scalars(select(Sale).where(Sale.source == "external")))
        lines = list(await session.scalars(select(SaleLine).order_by(SaleLine.position)))
    return [
        (sale.reference, [(ln.sku, ln.quantity, ln.price) for ln in lines if ln.sale_id == sale.id])
        for sale in sales
    ]


async def _quick_runs(world: World) -> list[Run]:
    async with world.hub.hub.uows.read() as session:
        query = select(Run).where(Run.details["mode"].as_string() == "quick")
        return list(await session.scalars(query.order_by(Run.started_at)))


def _sale_calls(world: World) -> list[str]:
    """The queries of the hub's GET /sale calls since the log was last cleared."""
    return [
        c.query
        for c in world.state.calls
        if c.method == "GET" and c.path.lower().endswith("/v2/sale")
    ]


async def _adjust(world: World, quantity: int) -> None:
    adjustment = {
        "EffectiveDate": "2026-11-21T10:00:00",
        "Status": "COMPLETED",
        "Lines": [{"SKU": SKU, "Quantity": quantity, "UnitCost": 5, "Location": "Main Warehouse"}],
    }
    assert (await world.cin7.post("/stockadjustment", json=adjustment)).status_code == 200


async def _rename(world: World, name: str) -> None:
    (account,) = world.state.accounts.values()
    product = account.product_by_sku(SKU)
    assert product is not None
    assert (
        await world.cin7.put("/product", json={"ID": product.id, "Name": name})
    ).status_code == 200


async def test_a_webhook_cin7_switched_off_is_restored_and_the_missed_changes_arrive(
    settings: Settings,
) -> None:
    async with open_world(settings, connection_settings=FAST) as world:
        world.state.update_settings(time_scale=0.00001)  # CIN7's 76 minutes of retries: 46 ms
        hooks = await _hooks(world)
        for event_type in BROKEN:  # deliveries now fail: the hub refuses the wrong token
            body = {**hooks[event_type], "ExternalBearerToken": "not-the-hubs-token"}
            assert (await world.cin7.put("/webhooks", json=body)).status_code == 200
        await _adjust(world, 5)
        await _rename(world, "Shaving Cream, new label")

        async def switched_off() -> bool:
            hooks = await _hooks(world)
            return not any(hooks[event_type]["IsActive"] for event_type in BROKEN)

        await eventually(switched_off, within=20)
        await _adjust(world, 3)  # no webhook tells the hub about these
        await _rename(world, "Shaving Cream, final label")
        hub = world.hub.hub
        await hub.create_worker().run_until_idle()
        async with hub.uows.read() as session:
            stale = await session.scalar(select(StockLevel).where(StockLevel.sku == SKU))
        assert stale is not None
        assert stale.warehouse_available != 3

        await _watch(world, "watchdog:1")
        hooks = await _hooks(world)
        async with hub.uows.read() as session:
            level = await session.scalar(select(StockLevel).where(StockLevel.sku == SKU))
            name = await session.scalar(select(Product.name).where(Product.sku == SKU))
            notes = list(await session.scalars(select(Notification.title)))
            quick = list(
                await session.scalars(select(Run).where(Run.details["mode"].as_string() == "quick"))
            )
        assert all(hooks[t]["IsActive"] for t in BROKEN)
        assert {hooks[t]["ExternalBearerToken"] for t in BROKEN} != {"not-the-hubs-token"}
        assert sorted(notes) == sorted(f"CIN7 switched off the {t} webhook" for t in BROKEN)
        assert [(r.status, r.type) for r in quick] == [("success", "automatic")]
        assert level is not None
        assert level.warehouse_available == Decimal(3)
        assert name == "Shaving Cream, final label"

        await _watch(world, "watchdog:2")  # all is well: no second notification, no sync
        async with hub.uows.read() as session:
            assert len(list(await session.scalars(select(Notification)))) == len(BROKEN)
        await _adjust(world, 8)  # and deliveries flow again

        async def delivered() -> bool:
            await hub.create_worker().run_until_idle()
            async with hub.uows.read() as session:
                row = await session.scalar(select(StockLevel).where(StockLevel.sku == SKU))
            return row is not None and row.warehouse_available == 8

        await eventually(delivered, within=10)


async def test_one_type_failing_to_come_back_does_not_stop_the_others(settings: Settings) -> None:
    async with open_world(settings, connection_settings=FAST) as world:
        (account_id,) = world.state.accounts
        hooks = await _hooks(world)
        for event_type in BROKEN:
            world.state.deactivate_webhook(account_id, hooks[event_type]["ID"])
        world.state.faults.add_rule(
            FaultRule(method="PUT", path="/webhooks", action="fail_before", status=500, times=1)
        )
        await _watch(world, "watchdog:1")
        hooks = await _hooks(world)
        assert [t for t in BROKEN if hooks[t]["IsActive"]] == [BROKEN[1]]
        async with world.hub.hub.uows.read() as session:
            states = {
                r.event_type: (r.status, bool(r.last_error))
                for r in await session.scalars(select(WebhookRegistration))
            }
        assert states[BROKEN[0]] == ("failed", True)
        assert states[BROKEN[1]] == ("active", False)
        health = (await world.pos.get("/api/cin7/health")).json()
        assert f"webhook {BROKEN[0]} is failed" in health["problems"]

        await _watch(world, "watchdog:2")
        hooks = await _hooks(world)
        assert all(hooks[t]["IsActive"] for t in BROKEN)
        async with world.hub.hub.uows.read() as session:
            statuses = set(await session.scalars(select(WebhookRegistration.status)))
        assert statuses == {"active"}


async def test_sales_made_elsewhere_while_the_sale_webhook_was_off_are_recorded_once(
    settings: Settings,
) -> None:
    async with open_world(settings, connection_settings=FAST) as world:
        hub = world.hub.hub
        await _switch_off(world, SHIPPED)
        await world.sell("pos-1")  # our own sale, pushed and shipped while the hook is off
        await hub.create_worker().run_until_idle()
        async with hub.uows.read() as session:
            pushed = await session.scalar(select(Sale.provider_reference))
        assert pushed is not None
        elsewhere = await _sell_elsewhere(world)
        await hub.create_worker().run_until_idle()
        assert await _external_sales(world) == []  # no webhook told the hub

        world.state.calls.clear()
        await _watch(world, "watchdog:1")
        line = (SKU, Decimal(1), Decimal("29.99"))
        assert await _external_sales(world) == [(elsewhere, [line])]
        assert _sale_calls(world) == [f"ID={elsewhere}"]  # our own sale cost no call
        assert (await _hooks(world))[SHIPPED]["IsActive"]
        async with hub.uows.read() as session:
            notes = list(await session.scalars(select(Notification.title)))
        assert notes == [f"CIN7 switched off the {SHIPPED} webhook"]
        (run,) = await _quick_runs(world)
        assert (run.status, run.details["sales"]) == ("success", 1)
        progress = (await world.pos.get(f"/api/cin7/sync/{run.id}")).json()
        assert progress["salesFound"] == 1

        await _switch_off(world, SHIPPED)  # off again: the same sales are listed once more
        world.state.calls.clear()
        await _watch(world, "watchdog:2")
        assert await _external_sales(world) == [(elsewhere, [line])]
        assert _sale_calls(world) == []
        assert [(r.status, r.details["sales"]) for r in await _quick_runs(world)] == [
            ("success", 1),
            ("success", 0),
        ]


async def test_a_sale_shipped_while_cin7_still_retried_is_caught_up_past_the_latest_pull(
    settings: Settings,
) -> None:
    async with open_world(settings, connection_settings=FAST) as world:
        await _switch_off(world, SHIPPED)
        elsewhere = await _sell_elsewhere(world)
        (account,) = world.state.accounts.values()
        # Shipped half an hour ago while CIN7 retried its delivery in vain: the hub's latest
        # pull (the first, just now) began after it, and pulls do not fetch sales.
        account.sales[elsewhere].last_modified -= dt.timedelta(minutes=30)
        await _watch(world, "watchdog:1")
        assert [reference for reference, _ in await _external_sales(world)] == [elsewhere]
