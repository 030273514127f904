"""Connecting a tenant to its CRM: check the key, store it sealed; show it masked; test it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors import outbound
from tillsync.connectors.crm.client import CrmClient
from tillsync.errors import AuthFailed, ClientError, InvalidInput, NotFound, ProviderError
from tillsync.jobs.worker import InvalidPayload
from tillsync.services.context import Services
from tillsync.store.tables import Connection

PROVIDER = "crm"
ROLE = "crm"
DISCONNECTED = "disconnected"
DEFAULT_SETTINGS: dict[str, Any] = {"currency": "USD", "payment_method": "other"}
SHOWN_PREFIX, SHOWN_SUFFIX = 8, 4
KEY_CHARACTERS = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True, slots=True)
class Credentials:
    api_key: str


def masked(secret: str) -> str:
    """The first 8 and last 4 characters; a key too short to hide that way is hidden whole."""
    if len(secret) < 2 * (SHOWN_PREFIX + SHOWN_SUFFIX):
        return "****"
    return f"{secret[:SHOWN_PREFIX]}****{secret[-SHOWN_SUFFIX:]}"


def base_url(url: str) -> str:
    """An http(s) URL with a host and no user info (it would be shown back), no trailing /."""
    try:
        parsed = outbound.parse_url(url)
    except outbound.AddressRefused as exc:
        raise InvalidInput(f"url: {exc.message}", field="url") from None
    if parsed.query or parsed.fragment:
        raise InvalidInput("url must not have a query string or fragment", field="url")
    return str(parsed).rstrip("/")


def policy(services: Services) -> outbound.OutboundPolicy:
    return outbound.OutboundPolicy(allow_private=services.settings.allow_private_addresses)


def client_for(services: Services, connection: Connection) -> CrmClient:
    creds = Credentials(**services.vault.open_json(connection.credentials))
    return CrmClient(
        services.http,
        base_url=connection.base_url,
        api_key=creds.api_key,
        policy=policy(services),
    )


async def find_connection(session: AsyncSession, tenant_id: str) -> Connection | None:
    return await session.scalar(
        select(Connection).where(Connection.tenant_id == tenant_id, Connection.provider == PROVIDER)
    )


async def load_connection(session: AsyncSession, connection_id: str | None) -> Connection:
    connection = await session.get(Connection, connection_id) if connection_id else None
    if connection is None:
        raise InvalidPayload(f"the job's connection {connection_id} does not exist")
    return connection


async def connect(
    services: Services,
    *,
    tenant_id: str,
    url: str,
    api_key: str,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Try the key against the CRM, then store it sealed; nothing is stored if it fails.

    The address must pass the outbound policy, when it is given and again when the hub
    connects. What answers there is never repeated (`connectors.crm.errors`).
    """
    address = base_url(url)
    if not KEY_CHARACTERS.fullmatch(api_key):
        # It travels in a header: anything else could not be sent, or would split the header.
        raise InvalidInput("apiKey must be printable ASCII without spaces", field="apiKey")
    rules = policy(services)
    probe = CrmClient(services.http, base_url=address, api_key=api_key, policy=rules)
    try:
        await outbound.check_url(address, policy=rules)
        await probe.check()
    except outbound.AddressRefused as exc:
        raise InvalidInput(f"url is refused: {exc.message}", field="url") from None
    except AuthFailed as exc:
        raise ClientError(f"the CRM refused the API key: {exc.message}", field="apiKey") from exc
    except ProviderError as exc:
        raise ClientError(f"the CRM could not be used at url: {exc.message}", field="url") from exc
    sealed = services.vault.seal_json({"api_key": api_key})
    async with services.uows.begin() as uow:
        connection = await find_connection(uow.session, tenant_id)
        if connection is None:
            connection = Connection(
                tenant_id=tenant_id, provider=PROVIDER, role=ROLE, created_at=uow.now
            )
            uow.session.add(connection)
        connection.base_url = address
        connection.credentials = sealed
        connection.settings = {
            **DEFAULT_SETTINGS,
            **(connection.settings or {}),
            **(settings or {}),
        }
        connection.status = "active"
        connection.error_count = 0
        connection.failing_since = None
        connection.last_error = None
        connection.updated_at = uow.now
        await uow.session.flush()
        await uow.commit()
    return view(connection, api_key=api_key)


async def describe(services: Services, tenant_id: str) -> dict[str, Any]:
    async with services.uows.read() as session:
        connection = await find_connection(session, tenant_id)
    if connection is None or connection.status == DISCONNECTED:
        return {"connected": False, "provider": PROVIDER}
    creds = Credentials(**services.vault.open_json(connection.credentials))
    return view(connection, api_key=creds.api_key)


async def test(services: Services, tenant_id: str) -> dict[str, Any]:
    """Call the CRM with the stored key now; the answer says whether it worked and why not."""
    connection = await _connected(services, tenant_id)
    try:
        await client_for(services, connection).check()
    except ProviderError as exc:
        return {"success": False, "problem": exc.kind, "message": exc.message}
    return {"success": True, "problem": None, "message": "the CRM accepted the API key"}


async def disconnect(services: Services, tenant_id: str) -> dict[str, Any]:
    """Forget the key; the connection row stays so the sales' history keeps its provider."""
    async with services.uows.begin() as uow:
        connection = await find_connection(uow.session, tenant_id)
        if connection is None or connection.status == DISCONNECTED:
            raise NotFound("no CRM is connected", field="connection")
        connection.credentials = services.vault.seal_json({})
        connection.status = DISCONNECTED
        connection.updated_at = uow.now
        await uow.commit()
    return {"connected": False, "provider": PROVIDER}


async def _connected(services: Services, tenant_id: str) -> Connection:
    async with services.uows.read() as session:
        connection = await find_connection(session, tenant_id)
    if connection is None or connection.status == DISCONNECTED:
        raise NotFound("no CRM is connected", field="connection")
    return connection


def view(connection: Connection, *, api_key: str) -> dict[str, Any]:
    return {
        "connected": True,
        "provider": PROVIDER,
        "id": connection.id,
        "url": connection.base_url,
        "apiKey": masked(api_key),
        "status": connection.status,
        "errorCount": connection.error_count,
        "lastError": connection.last_error,
        "settings": connection.settings,
        "createdAt": connection.created_at.isoformat(),
        "updatedAt": connection.updated_at.isoformat(),
    }
