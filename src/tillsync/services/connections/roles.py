"""A connection's roles: which of its provider's roles it plays; one stock source, one POS.

A provider declares every role it can play (`Provider.roles`) and those a connection plays
unless others are chosen (`Provider.usual_roles`). What a connection does (its pulls, its
sale pushes, its stock deliveries applied) follows the roles stored on it, never the
provider's declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.contract import Provider
from tillsync.errors import Conflict, InvalidInput
from tillsync.store.tables import Connection

WAREHOUSE = "warehouse"
POS = "pos"
DISCONNECTED = "disconnected"


def roles_of(connection: Connection) -> frozenset[str]:
    """What the connection plays; a row stored with no list plays its principal role."""
    return frozenset(connection.roles or (connection.role,))


def plays(connection: Connection, role: str) -> bool:
    return role in roles_of(connection)


def chosen(
    provider: Provider, given: Sequence[str] | None, existing: Connection | None
) -> list[str]:
    """The roles to store: those given (each one the provider can play), else the ones the
    connection already plays, else the provider's usual ones."""
    if given is None:
        found: Iterable[str] = roles_of(existing) if existing is not None else provider.usual_roles
        return sorted(found)
    if not given:
        raise InvalidInput("choose at least one role", field="roles")
    unknown = sorted(set(given) - set(provider.roles))
    if unknown:
        can = ", ".join(sorted(provider.roles))
        raise InvalidInput(
            f"{provider.title} cannot play {', '.join(unknown)} (it can play: {can})",
            field="roles",
        )
    return sorted(set(given))


def principal(provider: Provider, roles: Sequence[str]) -> str:
    """The role labels name: the first of the provider's usual roles the connection plays."""
    usual: list[str] = [role for role in sorted(provider.usual_roles) if role in roles]
    return (usual or sorted(roles))[0]


def by_choice(provider: Provider, roles: Iterable[str]) -> bool:
    """Whether the connection is a warehouse because the tenant chose it, not by default."""
    return WAREHOUSE in roles and WAREHOUSE not in provider.usual_roles


async def check_roles(
    session: AsyncSession,
    providers: Iterable[Provider],
    *,
    tenant_id: str,
    provider: Provider,
    roles: Sequence[str],
) -> None:
    """Refuse a second stock source, and a second POS.

    A connection made a warehouse by choice shares the role with no other connection of the
    tenant, and none joins it; providers that are warehouses by default keep the earlier
    rule (several may be connected, each hears of every sale) among themselves. A business
    has one POS integration (seed 004's model: its settings, item mapping and manual sync
    are the integration's), so another provider's POS waits for a disconnect.
    """
    if WAREHOUSE not in roles and POS not in roles:
        return
    declared = {p.name: p for p in providers}
    others = list(
        await session.scalars(
            select(Connection).where(
                Connection.tenant_id == tenant_id,
                Connection.provider != provider.name,
                Connection.status != DISCONNECTED,
            )
        )
    )
    for other in others:
        theirs = declared.get(other.provider)
        title = theirs.title if theirs is not None else other.provider
        if POS in roles and plays(other, POS):
            raise Conflict(
                f"the business's orders already go to {title}: disconnect it before "
                f"connecting {provider.title} as its POS",
                field="provider",
            )
        if (
            WAREHOUSE in roles
            and plays(other, WAREHOUSE)
            and (
                by_choice(provider, roles)
                or (theirs is not None and by_choice(theirs, roles_of(other)))
            )
        ):
            raise Conflict(
                f"{title} is already this tenant's stock source: disconnect it, or connect "
                f"{provider.title} without the warehouse role",
                field="roles",
            )
