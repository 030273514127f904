"""The demo cafe: its stock in Zoho Inventory, its online orders to Dine, and its day.

Its counter sells coffee beans and the day's bakes against the stock Zoho holds (each sale
becomes a confirmed sales order there); the ordering app's customers order drinks made to
order and bakes from the shelf, which go to Dine. Half-way through, the bakery's delivery
is keyed in at Zoho, whose item webhook tells the hub.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.console import Console

from tillsync.bootstrap import Hub
from tillsync.sandbox.businesses import CAFE, Business, business
from tillsync.sandbox.catalog import CAFE as SHELF
from tillsync.sandbox.dine import DineDemo, connect_dine
from tillsync.sandbox.follow import Watcher, say, watching_shop
from tillsync.sandbox.online import Dish, order_online
from tillsync.sandbox.shops import Shop
from tillsync.sandbox.till import Step, sell
from tillsync.sandbox.zoho import ZohoDemo, ZohoStock, connect_stock_source
from tillsync.services.tenants import create_tenant

if TYPE_CHECKING:  # the runner imports this module to open the cafe
    from tillsync.sandbox.runner import Sandbox

ITEMS = {p.sku: p for p in SHELF}
LATTE = Dish("dish-latte", "Latte", Decimal("4.20"))
FLAT_WHITE = Dish("dish-flat-white", "Flat White", Decimal("3.90"))
CROISSANT = Dish("dish-croissant", "Butter Croissant", Decimal("3.20"), "BAKE-CROISSANT")
MUFFIN = Dish("dish-muffin", "Blueberry Muffin", Decimal("3.40"), "BAKE-MUFFIN")
ORDERS = (((LATTE, 2), (CROISSANT, 2)), ((FLAT_WHITE, 1), (MUFFIN, 1)))
"""What the ordering app's customers order from the cafe (dish, quantity)."""
DAY = (
    Step("sale", "BAKE-CROISSANT", 2),
    Step("order", "", 1),
    Step("sale", "BEANS-HOUSE-250", 1),
    Step("sale", "BAKE-CINNAMON", 2),
    Step("sale", "BAKE-CINNAMON", 3),  # two are left: refused
    Step("restock", "BAKE-CINNAMON", 14),
    Step("sale", "COLDBREW-CAN", 2),
    Step("order", "", 2),
    Step("sale", "BAKE-PAINCHOC", 1),
    Step("sale", "BAKE-CINNAMON", 3),
)
"""The cafe's day, beside the barbershop's."""


async def open_cafe(hub: Hub, *, zoho: ZohoDemo, dine: DineDemo, retry: dict[str, int]) -> Business:
    """The cafe's tenant, Zoho connected as its stock source and Dine as its POS; its first
    pull is queued (the runner waits for it)."""
    tenant = await create_tenant(hub.uows, name=CAFE, default_location=zoho.location)
    await connect_stock_source(hub.services, zoho, tenant_id=tenant.tenant_id, settings=retry)
    await connect_dine(hub.services, dine, tenant_id=tenant.tenant_id, settings=retry)
    return await business(hub, name=CAFE, tenant_id=tenant.tenant_id, api_key=tenant.api_key)


@asynccontextmanager
async def watching_cafe(
    sandbox: Sandbox, cafe: Business, console: Console
) -> AsyncIterator[Watcher[ZohoStock]]:
    assert sandbox.zoho is not None
    shop = Shop(cafe.name, "CAFE", ZohoStock(sandbox.zoho), orders_to="Dine")
    async with watching_shop(
        shop,
        hub_url=sandbox.hub_url,
        api_key=cafe.api_key,
        tenant_id=cafe.tenant_id,
        console=console,
    ) as watcher:
        yield watcher


async def trade_at_cafe(
    cafe: Business, watcher: Watcher[ZohoStock], *, stop: asyncio.Event, pace: float
) -> None:
    for number, step in enumerate(DAY, start=1):
        if stop.is_set():
            return
        if step.kind == "sale":
            await sell(watcher, step, sale_id=f"CAFE-{number:04d}", items=ITEMS)
        elif step.kind == "order":
            lines = ORDERS[(step.quantity - 1) % len(ORDERS)]
            order_id = f"CAFE-WEB-{step.quantity:04d}"
            await order_online(watcher, business_id=cafe.tenant_id, order_id=order_id, lines=lines)
        else:
            watcher.stock.demo.set_stock(step.sku, step.quantity)
            name = ITEMS[step.sku].name
            say(watcher.console, f"ZOHO  bakery delivery keyed in: {name} now {step.quantity}")
        await asyncio.sleep(pace * 2)  # a quieter day than the barbershop's
