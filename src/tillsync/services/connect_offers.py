"""Providers a business may connect through their consent screen: those declaring OAuth and
not connected yet, each with the origin its consent screen is served from."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from tillsync.connectors.oauth import server_of
from tillsync.services.connections.links import DISCONNECTED
from tillsync.services.connections.oauth import provider_address
from tillsync.services.context import Services
from tillsync.store.tables import Connection


@dataclass(frozen=True, slots=True)
class ConnectOffer:
    provider: str
    title: str
    configured: bool
    """The hub has an OAuth app for it (without one, starting is refused)."""
    origin: str
    """Where the consent screen is: a form sent there by a redirect must be allowed to go."""


async def connect_offers(services: Services, tenant_id: str) -> tuple[ConnectOffer, ...]:
    async with services.uows.read() as session:
        connected = set(
            await session.scalars(
                select(Connection.provider).where(
                    Connection.tenant_id == tenant_id, Connection.status != DISCONNECTED
                )
            )
        )
    offers = []
    for provider in services.providers:
        if provider.oauth is None or provider.name in connected:
            continue
        # The consent screen's host: a provider's accounts server may not be its API's.
        address = urlsplit(server_of(provider.oauth, provider_address(services, provider), {}))
        offers.append(
            ConnectOffer(
                provider=provider.name,
                title=provider.title,
                configured=provider.name in services.settings.oauth_apps,
                origin=f"{address.scheme}://{address.netloc}",
            )
        )
    return tuple(offers)
