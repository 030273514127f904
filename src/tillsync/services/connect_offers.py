"""Providers a business may connect from the dashboard and has not yet: those declaring OAuth
(through their consent screen, each with the origin it is served from), and POS providers
taking keys (a form with the keys they declare)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from tillsync.connectors.oauth import server_of
from tillsync.services.connections.links import DISCONNECTED
from tillsync.services.connections.oauth import provider_address
from tillsync.services.context import Services
from tillsync.store.tables import Connection

KEYED_ROLE = "pos"
"""Keys are offered for POS providers only: the dashboard's connect form is the POS page's."""


@dataclass(frozen=True, slots=True)
class ConnectOffer:
    provider: str
    title: str
    configured: bool
    """The hub can start it: it has an OAuth app for a consent (without one, starting is
    refused); always, for keys."""
    origin: str
    """Where the consent screen is: a form sent there by a redirect must be allowed to go;
    empty for keys."""
    fields: tuple[tuple[str, str], ...] = ()
    """For a provider taking keys: `(name, label)` of each credential the form asks for."""

    @property
    def by_consent(self) -> bool:
        return bool(self.origin)


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
        if provider.name in connected:
            continue
        if provider.oauth is None:
            if KEYED_ROLE in provider.roles:
                fields = tuple((c.name, c.label) for c in provider.credentials if c.required)
                offers.append(ConnectOffer(provider.name, provider.title, True, "", fields))
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
