"""Dine's world: a hub connected with an API key to the Dine emulator on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from tests.support.depot_world import FAST
from tests.support.pos.world import Fault, MadeLine, MadeOrder, PosWorld
from tests.support.secrets import remember
from tests.support.till.world import FAST_POS
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.emulators.dine import DineState, Restaurant, RouteRule, create_dine_emulator
from tillsync.providers import default_providers
from tillsync.services.connections.settings import update_settings
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve

ORDERS = "/v1/orders"


@dataclass
class DineWorld(PosWorld):
    dine: DineState | None = None
    restaurant: Restaurant | None = None

    @property
    def _state(self) -> DineState:
        assert self.dine is not None
        return self.dine

    @property
    def _restaurant(self) -> Restaurant:
        assert self.restaurant is not None
        return self.restaurant

    async def connect(self, **extra: Any) -> httpx.Response:
        body = {
            "business_id": self.tenant_id,
            "provider": "dine",
            "api_key": self._restaurant.api_key,
            **extra,
        }
        return await self.api.post("/api/v1/pos/connect", json=body)

    async def connect_fast(self, **extra: Any) -> None:
        answer = await self.connect(**extra)
        assert answer.status_code == 200, answer.text
        await update_settings(
            self.hub.services, tenant_id=self.tenant_id, provider="dine", given=FAST | FAST_POS
        )

    def made(self) -> list[MadeOrder]:
        return [_made(order) for order in self._restaurant.orders.values()]

    def fail_next_create(self, fault: Fault) -> None:
        action = "reset_after" if fault == "lost" else "fail_before"
        status = 500 if fault == "lost" else int(fault)
        self._state.faults.configure(rules=[RouteRule("POST", ORDERS, action, status=status)])

    def creates(self) -> list[int]:
        return self._state.calls_of("POST", ORDERS)

    def lookups(self) -> list[int]:
        return self._state.calls_of("GET", ORDERS)

    def catalog_ids(self) -> set[str]:
        return set(self._restaurant.menu)


def _made(order: dict[str, Any]) -> MadeOrder:
    customer = order.get("customer") or {}
    return MadeOrder(
        id=order["id"],
        reference=order["reference"],
        lines=[
            MadeLine(
                catalog_id=line.get("menu_item_id"),
                name=line["name"],
                quantity=Decimal(line["quantity"]),
                unit_price=Decimal(line["unit_price"]),
                note=line.get("note"),
            )
            for line in order["lines"]
        ],
        note=order.get("note"),
        customer_name=customer.get("name"),
        customer_phone=customer.get("phone"),
        raw=order,
    )


@asynccontextmanager
async def dine_world(settings: Settings) -> AsyncIterator[PosWorld]:
    # A fault's 429 asks for no wait, so a retry comes due at once.
    state = DineState()
    state.update_settings(fault_retry_after_seconds=0)
    restaurant = state.create_restaurant(name="Dine Demo Kitchen", currency="USD")
    remember(restaurant.api_key)
    async with serve(create_dine_emulator(state)) as emulator:
        settings.provider_urls = {**settings.provider_urls, "dine": emulator + "/v1"}
        app = create_app(settings, providers=default_providers())
        async with serve(app) as url:
            settings.public_url = url
            hub: Hub = app.state.hub
            tenant = await create_tenant(hub.uows, name="Dine Demo Kitchen")
            remember(tenant.api_key)
            headers = {"Authorization": f"Bearer {tenant.api_key}"}
            async with httpx.AsyncClient(
                verify=tls_context(), base_url=url, headers=headers, timeout=30
            ) as api:
                yield DineWorld(
                    hub,
                    api,
                    tenant.tenant_id,
                    provider="dine",
                    created_status=201,
                    dine=state,
                    restaurant=restaurant,
                )
