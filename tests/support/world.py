"""A hub (no worker of its own) connected to a served CIN7 emulator, for engine tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from tests.support.hubs import RunningHub, running_hub
from tillsync.clock import Clock
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.emulators.cin7 import Cin7State, create_cin7_emulator
from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.services.connections.lifecycle import connect
from tillsync.services.notifications import notify
from tillsync.serving import serve

SKU = "TOMB45SHAVECBLCK"


@dataclass
class World:
    hub: RunningHub
    state: Cin7State
    pos: httpx.AsyncClient
    cin7: httpx.AsyncClient
    settings: Settings
    tenant_id: str

    async def sell(self, sale_id: str, quantity: int = 3, sku: str = SKU) -> dict[str, Any]:
        body = {
            "action": "RECORD_SALE",
            "saleId": sale_id,
            "items": [{"sku": sku, "quantity": quantity, "price": 29.99}],
        }
        answer = await self.pos.post("/api/cin7/sale-sync", json=body)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result


@asynccontextmanager
async def open_world(
    settings: Settings,
    *,
    stock: int = 20,
    connection_settings: dict[str, Any] | None = None,
    webhooks: bool = True,
    clock: Clock | None = None,
) -> AsyncIterator[World]:
    state = Cin7State()
    state.update_settings(rate_limit=None)
    account = state.create_account()
    state.seed_products(
        account.account_id,
        [
            ProductSeed(
                sku=SKU, name="Tomb45 Shaving Cream", stock={"Main Warehouse": Decimal(stock)}
            )
        ],
    )
    async with (
        serve(create_cin7_emulator(state)) as cin7_url,
        running_hub(settings, clock=clock) as hub,
        hub.tenant() as tenant,
        httpx.AsyncClient(
            verify=tls_context(),
            base_url=f"{cin7_url}/ExternalApi/v2",
            headers={
                "api-auth-accountid": account.account_id,
                "api-auth-applicationkey": account.application_key,
            },
        ) as cin7,
    ):
        await connect(
            hub.hub.services,
            provider="cin7",
            tenant_id=tenant.tenant_id,
            credentials={
                "account_id": account.account_id,
                "application_key": account.application_key,
            },
            base_url=f"{cin7_url}/ExternalApi/v2",
            settings={"retry_interval_seconds": 1, **(connection_settings or {})},
        )
        if not webhooks:
            for hook in (await cin7.get("/webhooks")).json()["Webhooks"]:
                await cin7.delete("/webhooks", params={"ID": hook["ID"]})
        await hub.hub.create_worker().run_until_idle()  # the first catalog sync
        yield World(hub, state, tenant.http, cin7, settings, tenant.tenant_id)


async def eventually(probe: Callable[[], Awaitable[Any]], *, within: float) -> Any:
    """Poll until `probe` returns something truthy; fail after `within` seconds."""
    async with asyncio.timeout(within):
        while not (result := await probe()):
            await asyncio.sleep(0.05)
        return result


async def available(cin7: httpx.AsyncClient, sku: str = SKU) -> Decimal:
    rows = (await cin7.get("/ref/productavailability", params={"Sku": sku})).json()
    return sum(
        (Decimal(str(r["Available"])) for r in rows["ProductAvailabilityList"] if r["SKU"] == sku),
        Decimal(0),
    )


async def sales_with_external_id(cin7: httpx.AsyncClient, external_id: str) -> list[Any]:
    rows = (await cin7.get("/saleList", params={"ExternalID": external_id})).json()["SaleList"]
    return [row for row in rows if row["ExternalID"] == external_id]


async def sell_elsewhere(state: Cin7State, account_id: str, base_url: str) -> str:
    """A sale keyed in CIN7 by another channel (no ExternalID), authorised and shipped."""
    staff = state.add_application_key(account_id)
    headers = {
        "api-auth-accountid": staff.account_id,
        "api-auth-applicationkey": staff.application_key,
    }
    async with httpx.AsyncClient(verify=tls_context(), base_url=base_url, headers=headers) as cin7:
        sale = (
            await cin7.post(
                "/sale", json={"Customer": "Walk-in Customer", "Location": "Main Warehouse"}
            )
        ).json()
        order = await cin7.post(
            "/sale/order",
            json={
                "SaleID": sale["ID"],
                "Status": "AUTHORISED",
                "AutoPickPackShipMode": "AUTOPICKPACKSHIP",
                "Lines": [
                    {
                        "SKU": SKU,
                        "Name": "Tomb45 Shaving Cream",
                        "Quantity": 1,
                        "Price": 29.99,
                        "Tax": 0,
                        "TaxRule": "Tax Exempt",
                        "Total": 29.99,
                    }
                ],
            },
        )
        assert order.status_code == 200, order.text
    return str(sale["ID"])


async def failed_push_notice(world: World, *, dedupe_key: str) -> str:
    """A seller notification as a push that gave up leaves one; its id."""
    async with world.hub.hub.uows.begin() as uow:
        notice = await notify(
            uow.session,
            tenant_id=world.tenant_id,
            connection_id=None,
            kind="job_failed",
            severity="critical",
            title="push failed",
            message="push gave up",
            dedupe_key=dedupe_key,
            now=uow.now,
            settings=world.settings,
        )
        await uow.commit()
    assert notice is not None
    return notice.id
