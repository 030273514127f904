"""A business's POS integration (seed 004): connect, disconnect, show, settings, item mapping.

A POS integration is the tenant's connection to a provider in the pos role, handled by
the one connection lifecycle (`connections.lifecycle`): tokens checked with the provider,
sealed, never shown. Its seed 004 settings (`auto_sync_orders`, `sync_customer_info`,
`location_id`, `merchant_id`, `item_mapping`) are the connection's settings
(`connectors.settings.PosSettings`). The integration shown is the tenant's most recently
connected POS; disconnecting keeps its row and its history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy import func, select

from tillsync.connectors.grants import TOKEN_EXPIRES_AT
from tillsync.connectors.settings import PosSettings
from tillsync.errors import InvalidInput, NotFound, ProviderError
from tillsync.providers import Providers
from tillsync.services.connections import lifecycle
from tillsync.services.connections.links import DISCONNECTED, connector_for
from tillsync.services.connections.registrations import PastedWebhook, pasted_webhook
from tillsync.services.connections.roles import plays
from tillsync.services.connections.settings import update_settings
from tillsync.services.context import Services
from tillsync.store.tables import Connection, Job

log = logging.getLogger(__name__)
POS_ROLE: Final = "pos"
TOKEN_FIELDS = ("access_token", "refresh_token", "api_key")
"""What seed 004's connect body may carry; the provider's declared ones are required."""


@dataclass(frozen=True, slots=True)
class Integration:
    id: str
    business_id: str
    provider: str
    is_active: bool
    status: str
    settings: PosSettings
    last_sync_at: dt.datetime | None
    error_count: int
    last_error: str | None
    created_at: dt.datetime
    webhook: PastedWebhook | None = None
    """Only in the connect answer: what the user pastes at a provider with no webhook API."""


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    provider: str
    tokens: Mapping[str, str]
    """As given (`TOKEN_FIELDS`); the provider's declared ones are kept."""
    token_expires_at: dt.datetime | None
    location_id: str | None = None
    merchant_id: str | None = None
    organization_id: str | None = None
    """For a provider whose account holds several (Zoho's organizations)."""
    settings: Mapping[str, object] | None = None


def pos_provider(providers: Providers, name: str) -> str:
    """A registry provider in the pos role, or a 422 naming `provider`."""
    names = [p.name for p in providers.with_role(POS_ROLE)]
    if name not in names:
        raise InvalidInput(
            f"provider '{name}' is not a POS tillsync knows (known: {', '.join(names) or 'none'})",
            field="provider",
        )
    return name


async def connect(
    services: Services, tenant_id: str, request: ConnectRequest, *, now: dt.datetime
) -> Integration:
    provider = pos_provider(services.providers, request.provider)
    if request.token_expires_at is not None and request.token_expires_at <= now:
        raise InvalidInput("token_expires_at is in the past", field="token_expires_at")
    declared = services.providers.get(provider)
    for credential in declared.credentials:
        needed = credential.required and credential.name in TOKEN_FIELDS
        if needed and not request.tokens.get(credential.name):
            raise InvalidInput(f"{credential.name} is required", field=credential.name)
    credentials = dict(request.tokens)
    if declared.oauth is not None:  # the grant's expiry and account, as a callback stores them
        expires = request.token_expires_at
        credentials[TOKEN_EXPIRES_AT] = expires.isoformat() if expires else "never"
        if declared.oauth.account_field:
            if not request.merchant_id:
                raise InvalidInput("merchant_id is required", field="merchant_id")
            credentials[declared.oauth.account_field] = request.merchant_id
    settings: dict[str, object] = {**(request.settings or {})}
    for name, value in (
        ("location_id", request.location_id),
        ("merchant_id", request.merchant_id),
        ("organization_id", request.organization_id),
        ("token_expires_at", request.token_expires_at),
    ):
        if value is not None:
            settings[name] = value.isoformat() if isinstance(value, dt.datetime) else value
    connection = await lifecycle.connect(
        services,
        provider=provider,
        tenant_id=tenant_id,
        credentials=credentials,
        base_url=services.settings.provider_urls.get(provider),
        settings=settings,
    )
    shown = await integration(services, tenant_id)
    return replace(shown, webhook=pasted_webhook(services, connection))


async def disconnect(services: Services, tenant_id: str) -> Integration:
    """Revoke the grant at the provider where it can, forget the keys; history stays."""
    found = await _current(services, tenant_id)
    if found is None or found.status == DISCONNECTED:
        raise NotFound("the business has no connected POS integration", field="business_id")
    revoke = connector_for(services, found, lane="urgent", wait=True).revoke
    if revoke is not None:
        try:
            await revoke()
        except ProviderError as exc:  # the keys are forgotten anyway; the grant may linger
            log.warning(
                "revoking the POS grant failed",
                extra={"connection_id": found.id, "error": exc.message},
            )
    await lifecycle.disconnect(services, tenant_id=tenant_id, provider=found.provider)
    return await integration(services, tenant_id)


async def integration(services: Services, tenant_id: str) -> Integration:
    """The tenant's POS integration: never a token."""
    connection = await _current(services, tenant_id)
    if connection is None:
        raise NotFound("the business has no POS integration", field="business_id")
    async with services.uows.read() as session:
        last_sync_at = await session.scalar(
            select(func.max(Job.completed_at)).where(
                Job.connection_id == connection.id, Job.state == "success"
            )
        )
    return Integration(
        id=connection.id,
        business_id=connection.tenant_id,
        provider=connection.provider,
        is_active=connection.status != DISCONNECTED,
        status=connection.status,
        settings=PosSettings.model_validate(connection.settings or {}),
        last_sync_at=last_sync_at,
        error_count=connection.error_count,
        last_error=connection.last_error,
        created_at=connection.created_at,
    )


async def change(services: Services, tenant_id: str, given: Mapping[str, object]) -> Integration:
    """Set seed 004's settings or the item mapping (a mapping given replaces the old one)."""
    connection = await _current(services, tenant_id)
    if connection is None or connection.status == DISCONNECTED:
        raise NotFound("the business has no connected POS integration", field="business_id")
    await update_settings(
        services, tenant_id=tenant_id, provider=connection.provider, given=dict(given)
    )
    return await integration(services, tenant_id)


async def _current(services: Services, tenant_id: str) -> Connection | None:
    """The tenant's POS connection: a connected one first, the latest changed first."""
    async with services.uows.read() as session:
        rows = list(
            await session.scalars(
                select(Connection)
                .where(Connection.tenant_id == tenant_id)
                .order_by(Connection.updated_at.desc(), Connection.id)
            )
        )
        rows = [row for row in rows if plays(row, POS_ROLE)]
    active = [row for row in rows if row.status != DISCONNECTED]
    found = active or rows
    return found[0] if found else None
