"""The sandbox's CIN7 Core: the barbershop's warehouse, with its catalog, its connection, and
the warehouse team's own API application to read the barbershop's sales back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from tillsync.emulators.cin7 import Cin7State
from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.emulators.cin7.state import Credentials
from tillsync.sandbox.catalog import BARBERSHOP
from tillsync.services.connections.lifecycle import connect
from tillsync.services.context import Services

if TYPE_CHECKING:  # the runner imports the watcher, which imports this module
    from tillsync.sandbox.runner import Sandbox

API = "/ExternalApi/v2"
NAME = "cin7"


def cin7_demo(state: Cin7State) -> Credentials:
    """The barbershop's supplier account, its catalog stocked at the main warehouse."""
    credentials = state.create_account(company="BookBarber Supply Warehouse")
    state.seed_products(
        credentials.account_id,
        [
            ProductSeed(
                sku=p.sku,
                name=p.name,
                category=p.category,
                barcode=p.barcode,
                price_tier1=p.price,
                average_cost=(p.price * Decimal("0.45")).quantize(Decimal("0.01")),
                minimum_before_reorder=Decimal(p.reorder_level),
                stock={"Main Warehouse": Decimal(p.stock)} if p.stock else {},
            )
            for p in BARBERSHOP
        ],
    )
    return credentials


async def connect_cin7(
    services: Services,
    credentials: Credentials,
    *,
    url: str,
    tenant_id: str,
    settings: Mapping[str, object],
) -> None:
    await connect(
        services,
        provider=NAME,
        tenant_id=tenant_id,
        credentials={
            "account_id": credentials.account_id,
            "application_key": credentials.application_key,
        },
        base_url=url,
        settings=settings,
    )


@dataclass(frozen=True)
class Cin7Stock:
    """The barbershop's sales as CIN7 holds them, read with the warehouse team's key."""

    client: httpx.AsyncClient
    provider: str = NAME
    title: str = "CIN7"
    noun: str = "CIN7 sale"

    async def sale(self, sale_id: str) -> dict[str, Any] | None:
        """CIN7's document of a sale, or None if CIN7 does not answer with it now."""
        try:
            answer = await self.client.get("/sale", params={"ID": sale_id})
        except httpx.HTTPError:
            return None
        if not answer.is_success:
            return None
        document: dict[str, Any] = answer.json()
        return document

    async def details(self, external_id: str) -> str | None:
        found = await self.sale(external_id)
        if found is None:
            return None
        return f"{found['Order']['SaleOrderNumber']}, {found['Status']}"


@asynccontextmanager
async def cin7_staff(sandbox: Sandbox) -> AsyncIterator[Cin7Stock]:
    """CIN7 as the warehouse team uses it: their own API application and budget."""
    staff = sandbox.cin7.add_application_key(sandbox.cin7_account_id)
    headers = {
        "api-auth-accountid": staff.account_id,
        "api-auth-applicationkey": staff.application_key,
    }
    async with httpx.AsyncClient(base_url=sandbox.cin7_url, headers=headers, timeout=30) as client:
        yield Cin7Stock(client)
