"""Connecting through a provider's consent screen: a signed `state` out, the code back in.

`start` records a state row and signs `{state id, tenant, provider, time}` with a key the
vault derives for this purpose (as the dashboard's cookie is signed): the callback, which
arrives from the merchant's browser without the tenant's key, learns the tenant from it.
`finish` refuses a missing, forged (bad signature, or another provider's), expired or
already used state before anything else, marks it used in the same conditional UPDATE
that checks it (so two callbacks with one state cannot both pass), then exchanges the
code and connects as a connect with keys does: checked, sealed, shown masked. A flow
started from the dashboard signs the page to come back to (`back`, a path of this hub), so
the callback can send the merchant's browser there rather than answer JSON, and a consent
that needs the merchant's choice waits there for it (`choices`).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import update

from tillsync.connectors.contract import Provider
from tillsync.connectors.grants import OAuth
from tillsync.connectors.oauth import authorize_url, credentials_of, exchange_code, server_of
from tillsync.errors import (
    AuthFailed,
    ChoiceNeeded,
    CredentialsRefused,
    InvalidInput,
    InvalidState,
    ProviderError,
    ProviderUnavailable,
)
from tillsync.services.connections import choices, lifecycle
from tillsync.services.connections.choices import Choosing
from tillsync.services.connections.tokens import client_app
from tillsync.services.context import Services
from tillsync.store.tables import Connection, OAuthState

PURPOSE = "tillsync.oauth.state"
SKEW = dt.timedelta(minutes=1)
CALLBACK = "/api/v1/pos/oauth/{provider}/callback"
ERROR_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
"""An OAuth error code (`access_denied`) is repeated in the refusal; other text is not."""


@dataclass(frozen=True, slots=True)
class _Claims:
    state_id: str
    tenant_id: str
    provider: str
    issued_at: dt.datetime
    back: str | None = None


def _is_local_path(path: str) -> bool:
    """A path of this hub: not another host's (`//host`, `/\\host`), no scheme."""
    return path.startswith("/") and not path.startswith(("//", "/\\")) and ":" not in path


def _signer(services: Services) -> URLSafeSerializer:
    # itsdangerous signs with the last key and verifies with any of them
    return URLSafeSerializer(list(reversed(services.vault.derive(PURPOSE))), salt="oauth-state")


def redirect_uri(services: Services, provider: Provider) -> str:
    oauth = provider.oauth
    path = oauth.callback_path if oauth is not None and oauth.callback_path else CALLBACK
    return services.settings.resolved_public_url + path.format(provider=provider.name)


def provider_address(services: Services, provider: Provider) -> str:
    return services.settings.provider_urls.get(provider.name) or provider.default_base_url


async def start(
    services: Services, *, tenant_id: str, provider: str, back: str | None = None
) -> str:
    """The consent screen's address for this tenant, with a fresh single-use state; `back`
    is the hub's page the callback sends the browser to (None: the callback answers JSON)."""
    if back is not None and not _is_local_path(back):
        raise ValueError("back must be a path of this hub")
    declared = services.providers.get(provider)
    oauth, app = client_app(services, declared)
    state_id = secrets.token_urlsafe(24)
    async with services.uows.begin() as uow:
        ttl = dt.timedelta(seconds=services.settings.oauth_state_seconds)
        uow.session.add(
            OAuthState(
                id=state_id,
                tenant_id=tenant_id,
                provider=declared.name,
                issued_at=uow.now,
                expires_at=uow.now + ttl,
            )
        )
        claims = {"s": state_id, "t": tenant_id, "p": declared.name, "at": uow.now.timestamp()}
        signed = _signer(services).dumps(claims | ({"b": back} if back else {}))
        await uow.commit()
    return authorize_url(
        server_of(oauth, provider_address(services, declared), {}),
        oauth,
        app,
        state=str(signed),
        redirect_uri=redirect_uri(services, declared),
    )


async def finish(
    services: Services,
    *,
    provider: str,
    state: str | None,
    code: str | None,
    error: str | None,
    params: Mapping[str, str] | None = None,
) -> Connection | Choosing:
    """Check and use the state, exchange the code, connect; nothing is stored on a refusal.

    A flow the dashboard started whose provider needs a choice (`ChoiceNeeded`) is parked
    instead (`choices.park`): the merchant chooses on the page it came from.

    `params`: the callback's query, for a provider that keeps some of it
    (`OAuth.from_callback`: the account's data centre).
    """
    declared = services.providers.get(provider)
    oauth, app = client_app(services, declared)
    claims = _read(services, state, declared)
    await _use(services, claims)
    if error:
        said = f" ({error})" if ERROR_CODE.fullmatch(error) else ""
        raise InvalidInput(f"the merchant did not authorise tillsync{said}", field="error")
    if not code:
        raise InvalidInput("code is missing", field="code")
    address = provider_address(services, declared)
    kept = _kept(oauth, params or {}, address)
    try:
        tokens = await exchange_code(
            services.http.of(declared.name),
            base_url=server_of(oauth, address, kept),
            oauth=oauth,
            app=app,
            code=code,
            redirect_uri=redirect_uri(services, declared),
        )
    except AuthFailed:
        raise CredentialsRefused(
            f"{declared.title} refused the authorisation code", field="code"
        ) from None
    except ProviderError as exc:
        raise ProviderUnavailable(
            f"{declared.title} could not be reached to exchange the code: {exc.message}",
            field="code",
        ) from None
    credentials = {**credentials_of(tokens, oauth), **kept}
    try:
        return await lifecycle.connect(
            services,
            provider=declared.name,
            tenant_id=claims.tenant_id,
            credentials=credentials,
            base_url=address,
        )
    except ChoiceNeeded as needed:
        if claims.back is None:  # no page to choose on: the refusal lists the choices
            raise
        return await choices.park(
            services,
            state_id=claims.state_id,
            tenant_id=claims.tenant_id,
            provider=declared,
            credentials=credentials,
            address=address,
            needed=needed,
        )


def _kept(oauth: OAuth, params: Mapping[str, str], address: str) -> dict[str, str]:
    """What the provider keeps of the callback's query; a refused value is a 400 naming it."""
    if oauth.from_callback is None:
        return {}
    try:
        return dict(oauth.from_callback(params, address))
    except ValueError as exc:
        field = str(exc).split(" ", 1)[0]
        raise InvalidInput(str(exc), field=field) from None


def return_path(services: Services, state: str | None, provider: Provider) -> str | None:
    """The dashboard page a state signed by this hub for `provider` asks to come back to;
    None for any other state. Whether the state is still good is `finish`'s to say."""
    try:
        back = _read(services, state, provider, checking_age=False).back
    except InvalidState:
        return None
    return back if back is not None and _is_local_path(back) else None


def _read(
    services: Services, state: str | None, provider: Provider, *, checking_age: bool = True
) -> _Claims:
    if not state:
        raise InvalidState("state is missing", field="state")
    try:
        data = _signer(services).loads(state)
        claims = _Claims(
            state_id=str(data["s"]),
            tenant_id=str(data["t"]),
            provider=str(data["p"]),
            issued_at=dt.datetime.fromtimestamp(float(data["at"]), dt.UTC),
            back=str(data["b"]) if data.get("b") else None,
        )
    except (BadData, KeyError, TypeError, ValueError, OverflowError, AttributeError):
        raise InvalidState("state is not one this hub issued", field="state") from None
    if claims.provider != provider.name:
        raise InvalidState(f"state was not issued for {provider.title}", field="state")
    if not checking_age:
        return claims
    age = services.uows.clock.now() - claims.issued_at
    if not -SKEW <= age <= dt.timedelta(seconds=services.settings.oauth_state_seconds):
        raise InvalidState("state has expired: start the authorisation again", field="state")
    return claims


async def _use(services: Services, claims: _Claims) -> None:
    async with services.uows.begin() as uow:
        used = await uow.session.execute(
            update(OAuthState)
            .where(
                OAuthState.id == claims.state_id,
                OAuthState.tenant_id == claims.tenant_id,
                OAuthState.provider == claims.provider,
                OAuthState.used_at.is_(None),
                OAuthState.expires_at > uow.now,
            )
            .values(used_at=uow.now)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidState("state was already used: start the authorisation again", field="state")
