"""Zoho's workflow webhooks: the secret the connect answer showed once, pasted into Zoho's
custom header, lets a sales order's change through as the order's POS state; a delivery
with another secret, or none, is refused and stores nothing."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from tests.support.secrets import remember
from tests.support.zoho_world import ZohoWorld
from tillsync.connectors.outbound import tls_context
from tillsync.emulators.zoho import Workflow
from tillsync.store.tables import InboxEntry


async def _pasted(world: ZohoWorld) -> dict[str, str]:
    answer = await world.connect_fast()
    pasted: dict[str, str] = answer.json()["data"]["integration"]["webhook"]
    remember(pasted["secret"])
    return pasted


async def _stored(world: ZohoWorld) -> int:
    async with world.hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxEntry)) or 0)


async def test_a_sales_order_change_becomes_the_orders_pos_state(world: ZohoWorld) -> None:
    pasted = await _pasted(world)
    org = world.org.organization_id
    world.zoho.add_workflow(
        Workflow(org, "salesorder", pasted["url"], pasted["header"], pasted["secret"])
    )
    world.zoho.add_workflow(Workflow(org, "salesorder", pasted["url"], pasted["header"], "guessed"))
    placed = await world.place(_order(world, "ORD-W"))
    assert placed.status_code == 201, placed.text

    async def stated() -> dict[str, Any] | None:
        shown = await world.shown("ORD-W")
        return shown if shown["pos_state"] else None

    shown = await world.work_until(stated)
    assert shown["pos_state"] == "draft"
    made = next(iter(world.zoho.organization(org).salesorders.values()))
    assert shown["pos_order_id"] == made["salesorder_id"]
    statuses = sorted(d.status or 0 for d in world.zoho.deliveries_since())
    assert statuses == [202, 401]


async def test_a_delivery_without_the_secret_is_refused(world: ZohoWorld) -> None:
    pasted = await _pasted(world)
    body = {"item": {"item_id": "1", "last_modified_time": "2026-03-01T12:00:00+0000"}}
    async with httpx.AsyncClient(verify=tls_context(), timeout=10) as zoho:
        for headers in ({}, {pasted["header"]: "not-the-secret"}):
            refused = await zoho.post(pasted["url"], json=body, headers=headers)
            assert refused.status_code == 401, refused.text
        assert await _stored(world) == 0
        taken = await zoho.post(
            pasted["url"], json=body, headers={pasted["header"]: pasted["secret"]}
        )
        assert taken.status_code == 202, taken.text
    assert await _stored(world) == 1


def _order(world: ZohoWorld, order_id: str) -> dict[str, Any]:
    return {
        "business_id": world.tenant_id,
        "order_id": order_id,
        "currency": "USD",
        "items": [{"dish_id": "d-1", "name": "Garlic Naan", "quantity": 1, "unit_price": 3}],
    }
