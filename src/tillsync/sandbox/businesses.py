"""The sandbox's demo businesses: each one's tenant, API key and the providers it uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tillsync.bootstrap import Hub
from tillsync.services.connections.links import DISCONNECTED
from tillsync.store.tables import Connection

BARBERSHOP = "BookBarber Demo Barbershop"
CAFE = "Daily Grind Demo Cafe"
RESTAURANT = "Kava Demo Bistro"


@dataclass(frozen=True)
class Business:
    name: str
    tenant_id: str
    api_key: str
    providers: tuple[str, ...]
    """The providers it is connected to, by name, in order."""

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "tenant_id": self.tenant_id,
            "api_key": self.api_key,
            "providers": list(self.providers),
        }


async def business(hub: Hub, *, name: str, tenant_id: str, api_key: str) -> Business:
    """The business as the hub has it connected now."""
    async with hub.uows.read() as session:
        connected = await session.scalars(
            select(Connection.provider).where(
                Connection.tenant_id == tenant_id, Connection.status != DISCONNECTED
            )
        )
        providers = tuple(sorted(connected))
    return Business(name, tenant_id, api_key, providers)
