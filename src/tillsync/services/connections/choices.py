"""A consent waiting for the merchant's choice: parked by the callback, shown, chosen once.

A provider's check may answer `ChoiceNeeded` (an account with several organizations and
none named). A consent the dashboard started does not end there: `park` keeps its grant
sealed on the state row it came back with, with what the provider offered, for
`oauth_state_seconds`, and hands back a signed `pending` naming that row, the tenant and
the provider (the browser carries it, never a token). `choose` then connects with the value
chosen, through the same `lifecycle.connect`; clearing the parked grant is the same
conditional UPDATE that claims it, so one consent makes one connection. A forged pending,
another business's, an expired or a used one is a 400 naming `pending`; a value the
provider did not offer is a 422 naming the setting, and the consent stays parked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select, update

from tillsync.connectors.contract import Provider
from tillsync.errors import ChoiceNeeded, ClientError, InvalidInput, InvalidState
from tillsync.services.connections import lifecycle
from tillsync.services.context import Services
from tillsync.store.tables import Connection, OAuthState

PURPOSE = "tillsync.oauth.choice"
PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Choosing:
    """What a parked consent waits for: a value of `field` among `choices`."""

    pending: str
    """Signed: which parked consent, whose, for which provider."""
    provider: str
    field: str
    noun: str
    choices: tuple[tuple[str, str], ...]
    """`(value, label)` pairs, as the provider offered them."""


@dataclass(frozen=True, slots=True)
class _Parked:
    state_id: str
    sealed: str
    choosing: Choosing


def _signer(services: Services) -> URLSafeSerializer:
    return URLSafeSerializer(list(reversed(services.vault.derive(PURPOSE))), salt="oauth-choice")


async def park(
    services: Services,
    *,
    state_id: str,
    tenant_id: str,
    provider: Provider,
    credentials: Mapping[str, str],
    address: str,
    needed: ChoiceNeeded,
) -> Choosing:
    """Keep the grant sealed on its (used) state row until the merchant chooses."""
    sealed = services.vault.seal_json({"credentials": dict(credentials), "base_url": address})
    choice = {"field": needed.field, "noun": needed.noun, "choices": list(needed.choices)}
    async with services.uows.begin() as uow:
        ttl = services.settings.oauth_state_seconds
        await uow.session.execute(
            update(OAuthState)
            .where(OAuthState.id == state_id, OAuthState.tenant_id == tenant_id)
            .values(
                parked_grant=sealed,
                choice=choice,
                expires_at=uow.now + dt.timedelta(seconds=ttl),
            )
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    signed = _signer(services).dumps({"s": state_id, "t": tenant_id, "p": provider.name})
    return _choosing(str(signed), provider.name, choice)


async def waiting(
    services: Services, *, tenant_id: str, provider: str | None, pending: str | None
) -> Choosing:
    """The choice a parked consent of this business waits for (`provider`: None, any)."""
    return (await _parked(services, tenant_id, provider, pending)).choosing


async def choose(
    services: Services,
    *,
    tenant_id: str,
    provider: str,
    pending: str | None,
    given: Mapping[str, object],
) -> Connection:
    """Connect with the value given for the parked consent's setting; nothing is stored on
    a refusal, and a refused connect leaves the consent parked to choose again."""
    parked = await _parked(services, tenant_id, provider, pending)
    choosing = parked.choosing
    value = given.get(choosing.field)
    offered = {offered for offered, _ in choosing.choices}
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{choosing.field}: choose which {choosing.noun}", field=choosing.field)
    if value not in offered:
        raise InvalidInput(
            f"{choosing.field}: the account has no {choosing.noun} {value[:40]!r}",
            field=choosing.field,
        )
    await _claim(services, parked)
    grant = services.vault.open_json(parked.sealed)
    try:
        return await lifecycle.connect(
            services,
            provider=choosing.provider,
            tenant_id=tenant_id,
            credentials=grant["credentials"],
            base_url=grant["base_url"],
            settings={choosing.field: value},
        )
    except ClientError:
        await _unclaim(services, parked)
        raise


def _choosing(pending: str, provider: str, choice: Mapping[str, Any]) -> Choosing:
    return Choosing(
        pending=pending,
        provider=provider,
        field=str(choice["field"]),
        noun=str(choice["noun"]),
        choices=tuple((str(value), str(label)) for value, label in choice["choices"]),
    )


async def _parked(
    services: Services, tenant_id: str, provider: str | None, pending: str | None
) -> _Parked:
    if not pending:
        raise InvalidState("pending is missing", field=PENDING)
    try:
        data = _signer(services).loads(pending)
        state_id, signed_tenant, signed_provider = str(data["s"]), str(data["t"]), str(data["p"])
    except (BadData, KeyError, TypeError, ValueError):
        raise InvalidState("pending is not one this hub issued", field=PENDING) from None
    if signed_tenant != tenant_id or (provider is not None and signed_provider != provider):
        raise InvalidState("pending was issued for another business or provider", field=PENDING)
    async with services.uows.read() as session:
        row = await session.scalar(
            select(OAuthState).where(
                OAuthState.id == state_id,
                OAuthState.tenant_id == tenant_id,
                OAuthState.provider == signed_provider,
            )
        )
    if row is None or row.parked_grant is None or row.choice is None:
        raise InvalidState("pending was already chosen: connect again", field=PENDING)
    if row.expires_at <= services.uows.clock.now():
        raise InvalidState("pending has expired: connect again", field=PENDING)
    return _Parked(row.id, row.parked_grant, _choosing(pending, signed_provider, row.choice))


async def _claim(services: Services, parked: _Parked) -> None:
    async with services.uows.begin() as uow:
        claimed = await uow.session.execute(
            update(OAuthState)
            .where(
                OAuthState.id == parked.state_id,
                OAuthState.parked_grant == parked.sealed,
                OAuthState.expires_at > uow.now,
            )
            .values(parked_grant=None)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidState("pending was already chosen: connect again", field=PENDING)


async def _unclaim(services: Services, parked: _Parked) -> None:
    async with services.uows.begin() as uow:
        await uow.session.execute(
            update(OAuthState)
            .where(OAuthState.id == parked.state_id, OAuthState.parked_grant.is_(None))
            .values(parked_grant=parked.sealed)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
