"""A connection as it may be shown, and tried: credentials masked, never whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from tillsync.connectors.contract import Provider
from tillsync.connectors.masking import masked
from tillsync.errors import ConfigurationError, NotFound, ProviderError
from tillsync.services.connections.links import (
    DISCONNECTED,
    connector_for,
    credentials,
    find_connection,
)
from tillsync.services.context import Services
from tillsync.store.tables import Connection, WebhookRegistration

UNREADABLE = "the stored credentials cannot be opened with the hub's keys (TILLSYNC_SECRET_KEYS)"


@dataclass(frozen=True, slots=True)
class Described:
    """A tenant's connection to one provider, as it may be shown: credentials masked."""

    connection: Connection | None
    masked: Mapping[str, str] = field(default_factory=dict)
    """By the names the caller knows them (the credential fields' labels)."""
    registrations: list[WebhookRegistration] = field(default_factory=list)
    problem: str | None = None

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.status != DISCONNECTED


@dataclass(frozen=True, slots=True)
class Tested:
    success: bool
    problem: str | None
    message: str


async def describe(services: Services, *, tenant_id: str, provider: str) -> Described:
    declared = services.providers.get(provider)
    connection, hooks = await current(services, tenant_id, declared.name)
    if connection is None or connection.status == DISCONNECTED:
        return Described(connection, registrations=hooks)
    try:
        keys = credentials(services, connection)
    except ConfigurationError:
        return Described(connection, registrations=hooks, problem=UNREADABLE)
    shown = {
        c.label: masked(keys.get(c.name, "")) if c.masked else keys.get(c.name, "")
        for c in declared.credentials
    }
    return Described(connection, masked=shown, registrations=hooks)


async def test(services: Services, *, tenant_id: str, provider: str) -> Tested:
    """Call the provider with the stored keys now: whether it took them, and why not."""
    declared = services.providers.get(provider)
    connection = await connected(services, tenant_id, declared)
    try:
        await connector_for(services, connection, lane="urgent", wait=True).check()
    except ProviderError as exc:
        return Tested(success=False, problem=exc.kind, message=exc.message)
    return Tested(success=True, problem=None, message=f"{declared.title} accepted the credentials")


async def connected(services: Services, tenant_id: str, provider: Provider) -> Connection:
    async with services.uows.read() as session:
        connection = await find_connection(session, tenant_id, provider.name)
    if connection is None or connection.status == DISCONNECTED or not connection.credentials:
        raise NotFound(f"no {provider.title} credentials are stored", field="credentials")
    return connection


async def current(
    services: Services, tenant_id: str, provider: str
) -> tuple[Connection | None, list[WebhookRegistration]]:
    async with services.uows.read() as session:
        connection = await find_connection(session, tenant_id, provider)
        if connection is None:
            return None, []
        hooks = list(
            await session.scalars(
                select(WebhookRegistration)
                .where(WebhookRegistration.connection_id == connection.id)
                .order_by(WebhookRegistration.event_type)
            )
        )
    return connection, hooks


def readable(services: Services, connection: Connection | None) -> dict[str, str] | None:
    if connection is None or not connection.credentials or connection.status == DISCONNECTED:
        return None
    try:
        return credentials(services, connection)
    except ConfigurationError:
        return None
