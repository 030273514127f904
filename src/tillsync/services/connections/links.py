"""From a stored connection to its provider's capabilities, every call through the budget."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import partial

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import BudgetSpec, Gate
from tillsync.connectors.contract import Connector, Crm, Link, Pos, Provider, Renew, Warehouse
from tillsync.connectors.outbound import OutboundPolicy
from tillsync.connectors.settings import ConnectionSettings
from tillsync.errors import NotFound
from tillsync.jobs.worker import InvalidPayload
from tillsync.services.connections.tokens import renew
from tillsync.services.context import Services
from tillsync.store.tables import Connection

DISCONNECTED = "disconnected"


def provider_of(services: Services, connection: Connection) -> Provider:
    return services.providers.get(connection.provider)


def credentials(services: Services, connection: Connection) -> dict[str, str]:
    """The connection's credentials, opened; a disconnected connection has none."""
    if not connection.credentials or connection.status == DISCONNECTED:
        title = provider_of(services, connection).title
        raise NotFound(f"the {title} connection is disconnected", field="connection")
    opened: dict[str, str] = services.vault.open_json(connection.credentials)
    return opened


def settings_of(provider: Provider, stored: Mapping[str, object] | None) -> BaseModel:
    return provider.settings.model_validate(dict(stored or {}))


def budget_of(
    provider: Provider, *, owner: str, credentials: Mapping[str, str], settings: BaseModel
) -> tuple[str, BudgetSpec]:
    """The budget the calls count against: the provider's account (its `per` credentials),
    or the connection (`owner`) when the provider counts per nothing it tells us."""
    key = (
        provider.account_key(credentials, settings.model_dump()) if provider.rate_limit.per else ""
    )
    digest = hashlib.sha256(((key.strip(":") and key) or owner).encode()).hexdigest()[:16]
    spec = provider.rate_limit.spec()
    limit = settings.rate_limit if isinstance(settings, ConnectionSettings) else None
    if limit is not None:
        spec = BudgetSpec(
            calls=limit.calls or spec.calls,
            window_seconds=limit.window_seconds or spec.window_seconds,
        )
    return f"{provider.name}:{digest}", spec


def windows_of(
    provider: Provider, budget: str, settings: BaseModel
) -> list[tuple[str, BudgetSpec]]:
    """The provider's further windows (a day's quota) on the same account as `budget`."""
    values = settings.model_dump()
    found: list[tuple[str, BudgetSpec]] = []
    for window in provider.rate_limit.windows:
        calls = values.get(window.setting) if window.setting else None
        calls = calls if isinstance(calls, int) and calls > 0 else window.calls
        spec = BudgetSpec(calls, window.window_seconds, reserve=window.reserve)
        found.append((f"{budget}:{window.name}", spec))
    return found


def gate_of(
    services: Services, budgets: list[tuple[str, BudgetSpec]], *, lane: str, wait: bool
) -> Gate:
    """One gate through every budget, the widest window first: a call refused by the
    minute's limit has then spent a grant of the day's, which errs on the side of the quota."""
    gates = [services.budgets.gate(name, spec, lane=lane, wait=wait) for name, spec in budgets]
    if len(gates) == 1:
        return gates[0]

    async def gate() -> None:
        for one in gates:
            await one()

    return gate


def budget_for(services: Services, connection: Connection) -> tuple[str, BudgetSpec]:
    provider = provider_of(services, connection)
    return budget_of(
        provider,
        owner=connection.id,
        credentials=credentials(services, connection),
        settings=settings_of(provider, connection.settings),
    )


def open_connector(
    services: Services,
    provider: Provider,
    *,
    owner: str,
    base_url: str,
    credentials: Mapping[str, str],
    settings: BaseModel,
    lane: str,
    wait: bool = False,
    renewal: Renew | None = None,
) -> Connector:
    """The provider's capabilities for these keys; `owner` names the budget if need be.

    `renewal`: how a stored OAuth connection gets a fresh token after a 401.
    """
    budget, spec = budget_of(provider, owner=owner, credentials=credentials, settings=settings)
    link = Link(
        http=services.http.of(provider.name),
        base_url=base_url,
        credentials=credentials,
        settings=settings,
        gate=gate_of(
            services,
            [*windows_of(provider, budget, settings), (budget, spec)],
            lane=lane,
            wait=wait,
        ),
        policy=OutboundPolicy(allow_private=services.settings.allow_private_addresses),
        renew=renewal,
    )
    return provider.open(link)


def connector_for(
    services: Services, connection: Connection, *, lane: str, wait: bool = False
) -> Connector:
    provider = provider_of(services, connection)
    return open_connector(
        services,
        provider,
        owner=connection.id,
        base_url=connection.base_url,
        credentials=credentials(services, connection),
        settings=settings_of(provider, connection.settings),
        lane=lane,
        wait=wait,
        renewal=partial(renew, services, connection.id) if provider.oauth else None,
    )


def warehouse_for(
    services: Services, connection: Connection, *, lane: str, wait: bool = False
) -> Warehouse:
    warehouse = connector_for(services, connection, lane=lane, wait=wait).warehouse
    if warehouse is None:
        raise InvalidPayload(f"{connection.provider} is not a warehouse")
    return warehouse


def crm_for(services: Services, connection: Connection, *, lane: str) -> Crm:
    crm = connector_for(services, connection, lane=lane).crm
    if crm is None:
        raise InvalidPayload(f"{connection.provider} is not a CRM")
    return crm


def pos_for(services: Services, connection: Connection, *, lane: str) -> Pos:
    pos = connector_for(services, connection, lane=lane).pos
    if pos is None:
        raise InvalidPayload(f"{connection.provider} is not a POS")
    return pos


async def load_connection(session: AsyncSession, connection_id: str | None) -> Connection:
    connection = await session.get(Connection, connection_id) if connection_id else None
    if connection is None:
        raise InvalidPayload(f"the job's connection {connection_id} does not exist")
    return connection


async def find_connection(
    session: AsyncSession, tenant_id: str, provider: str
) -> Connection | None:
    """The tenant's connection to this provider, connected or not (one per provider)."""
    return await session.scalar(
        select(Connection).where(Connection.tenant_id == tenant_id, Connection.provider == provider)
    )
