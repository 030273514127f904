"""A connection's settings changed on their own: its keys, account and webhooks untouched.

Connecting again (`lifecycle.connect`) needs the keys, and checks them with the provider;
changing how often to sync or retry needs neither. The provider's settings model checks
the whole result, as connecting does, and every refused field is named at once; nothing is
stored unless all of it passes. The changes take effect at the scheduler's next tick and
the next failure's retry, which read the stored settings.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from tillsync.connectors.contract import Provider
from tillsync.errors import NotFound
from tillsync.services.connections.checks import defaults, validated
from tillsync.services.connections.links import DISCONNECTED
from tillsync.services.connections.roles import roles_of
from tillsync.services.context import Services
from tillsync.store.tables import Connection


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """A provider of the registry and the settings of the tenant's connection to it (never
    its keys)."""

    provider: Provider
    connected: bool
    stored: Mapping[str, object]
    """As stored (empty when not connected); a setting absent takes its default."""
    roles: frozenset[str] = frozenset()
    """What the connection plays; the provider's usual roles when not connected."""


async def tenant_settings(services: Services, tenant_id: str) -> tuple[ProviderSettings, ...]:
    """Every provider of the registry, in its order, with the tenant's connection's settings."""
    async with services.uows.read() as session:
        rows = await session.scalars(select(Connection).where(Connection.tenant_id == tenant_id))
        found = {row.provider: row for row in rows}
    shown = []
    for provider in services.providers:
        row = found.get(provider.name)
        connected = _connected(row)
        stored = dict(row.settings or {}) if row is not None and connected else {}
        roles = roles_of(row) if row is not None and connected else provider.usual_roles
        shown.append(
            ProviderSettings(
                provider=provider, connected=connected, stored=stored, roles=frozenset(roles)
            )
        )
    return tuple(shown)


def _connected(connection: Connection | None) -> bool:
    return (
        connection is not None
        and connection.status != DISCONNECTED
        and bool(connection.credentials)
    )


async def update_settings(
    services: Services,
    *,
    tenant_id: str,
    provider: str,
    given: Mapping[str, object],
    cleared: Collection[str] = (),
) -> dict[str, object]:
    """Set the `given` settings and put the `cleared` ones back to their defaults; the
    connection's settings as stored. Values given as text (a form's) are stored as the
    provider's model reads them, so readers of the stored settings find numbers."""
    declared = services.providers.get(provider)
    async with services.uows.begin() as uow:
        connection = await uow.session.scalar(
            select(Connection)
            .where(Connection.tenant_id == tenant_id, Connection.provider == declared.name)
            .with_for_update()
        )
        if connection is None or not _connected(connection):
            raise NotFound(f"{declared.title} is not connected", field="provider")
        kept = {
            name: value
            for name, value in (connection.settings or {}).items()
            if name not in cleared and name not in given
        }
        merged = {**defaults(declared), **kept, **given}
        model = validated(declared, merged)
        stored = {**merged, **model.model_dump(mode="json", include=set(given))}
        connection.settings = stored
        connection.updated_at = uow.now
        await uow.commit()
    return stored
