"""A served hub whose tenant is not yet connected, and a served CIN7 emulator to connect to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.hubs import RunningHub, running_hub
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.emulators.cin7 import Cin7State, create_cin7_emulator
from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.emulators.cin7.state import Credentials
from tillsync.services.connections.registrations import webhook_secret
from tillsync.serving import serve
from tillsync.store.tables import Connection

SKU = "TOMB45SHAVECBLCK"
COMPANY = "Fade Factory Supplies"


@dataclass
class Shop:
    """One tenant's POS client, its hub and the CIN7 account it may connect to."""

    hub: RunningHub
    cin7: Cin7State
    account: Credentials
    pos: httpx.AsyncClient
    tenant_id: str
    cin7_url: str

    async def put(self, account_id: str, api_key: str) -> httpx.Response:
        return await self.pos.put(
            "/api/cin7/credentials", json={"accountId": account_id, "apiKey": api_key}
        )

    async def connect(self) -> dict[str, Any]:
        answer = await self.put(self.account.account_id, self.account.application_key)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    async def run_jobs(self) -> None:
        await self.hub.hub.create_worker().run_until_idle()

    async def connection(self) -> Connection | None:
        async with self.hub.hub.uows.read() as session:
            return await session.scalar(
                select(Connection).where(Connection.tenant_id == self.tenant_id)
            )

    async def webhook_secret(self) -> str:
        connection = await self.connection()
        assert connection is not None
        return webhook_secret(self.hub.hub.services, connection)

    async def count(self, model: Any, *where: Any) -> int:
        async with self.hub.hub.uows.read() as session:
            return int(
                await session.scalar(select(func.count()).select_from(model).where(*where)) or 0
            )

    def cin7_client(self, account: Credentials | None = None) -> httpx.AsyncClient:
        """CIN7's own API as the warehouse staff use it."""
        account = account or self.account
        return httpx.AsyncClient(
            verify=tls_context(),
            base_url=self.cin7_url,
            headers={
                "api-auth-accountid": account.account_id,
                "api-auth-applicationkey": account.application_key,
            },
        )


@pytest.fixture
async def shop(settings: Settings) -> AsyncIterator[Shop]:
    state = Cin7State()
    state.update_settings(rate_limit=None)
    account = state.create_account(company=COMPANY)
    state.seed_products(
        account.account_id,
        [
            ProductSeed(
                sku=SKU,
                name="Tomb45 Shaving Cream",
                barcode="0850005190012",
                stock={"Main Warehouse": Decimal(20)},
            )
        ],
    )
    async with serve(create_cin7_emulator(state)) as emulator_url:
        settings.provider_urls = {"cin7": f"{emulator_url}/ExternalApi/v2"}
        async with running_hub(settings) as hub, hub.tenant() as tenant:
            yield Shop(
                hub=hub,
                cin7=state,
                account=account,
                pos=tenant.http,
                tenant_id=tenant.tenant_id,
                cin7_url=settings.provider_urls["cin7"],
            )
