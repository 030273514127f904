"""OAuth 2.0 on the wire, for every provider that declares it: consent URL, token, revoke.

The token endpoint's refusals (400, 401, 403: an unknown or revoked grant, RFC 6749's
`invalid_grant`) are `AuthFailed`: the merchant has to authorise again. Anything else
that fails is classified as every provider call is (`http.classify`), so a 5xx or a 429
at the token endpoint is retried by the job queue, not taken for a lost grant.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar
from urllib.parse import urlencode

import httpx

from tillsync.clock import moment_of
from tillsync.connectors.contract import Link
from tillsync.connectors.grants import (
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    TOKEN_EXPIRES_AT,
    ClientApp,
    OAuth,
    Tokens,
)
from tillsync.connectors.http import classify, decode_json, describe, dump_json, send
from tillsync.errors import AuthFailed, Permanent

__all__ = [
    "Bearer",
    "authorize_url",
    "credentials_of",
    "exchange_code",
    "refresh",
    "revoke",
    "server_of",
    "tokens_of",
]

T = TypeVar("T")
REFUSED = frozenset({400, 401, 403})


def server_of(oauth: OAuth, address: str, held: Mapping[str, str]) -> str:
    """The base URL of the provider's OAuth paths for a grant holding `held` (see
    `OAuth.server`)."""
    return address if oauth.server is None else oauth.server(address, held)


def authorize_url(
    base_url: str, oauth: OAuth, app: ClientApp, *, state: str, redirect_uri: str
) -> str:
    """Where the merchant's browser is sent to consent."""
    query = {
        oauth.client_fields[0]: app.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "state": state,
        **({"scope": oauth.scope_separator.join(oauth.scopes)} if oauth.scopes else {}),
        **dict(oauth.authorize_params),
    }
    return f"{base_url.rstrip('/')}{oauth.authorize_path}?{urlencode(query)}"


async def exchange_code(
    http: httpx.AsyncClient,
    *,
    base_url: str,
    oauth: OAuth,
    app: ClientApp,
    code: str,
    redirect_uri: str,
) -> Tokens:
    grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    return await _token(http, base_url=base_url, oauth=oauth, app=app, grant=grant)


async def refresh(
    http: httpx.AsyncClient, *, base_url: str, oauth: OAuth, app: ClientApp, refresh_token: str
) -> Tokens:
    """A new access token; a provider that answers no new refresh token keeps the old one."""
    grant = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    tokens = await _token(http, base_url=base_url, oauth=oauth, app=app, grant=grant)
    if not tokens.refresh_token:
        return Tokens(
            tokens.access_token, refresh_token, tokens.expires_at, tokens.account_id, tokens.extras
        )
    return tokens


async def revoke(
    http: httpx.AsyncClient, *, base_url: str, oauth: OAuth, app: ClientApp, access_token: str
) -> bool:
    """Revoke the grant at the provider; False when the provider has no way to."""
    if oauth.revocation is None or not oauth.revoke_path:
        return False
    asked = oauth.revocation(app, access_token)
    request = http.build_request(
        "POST",
        f"{base_url.rstrip('/')}{oauth.revoke_path}",
        content=dump_json(dict(asked.body)),
        headers={"Content-Type": "application/json", **asked.headers},
    )
    classify(await send(http, request))
    return True


async def _token(
    http: httpx.AsyncClient,
    *,
    base_url: str,
    oauth: OAuth,
    app: ClientApp,
    grant: Mapping[str, str],
) -> Tokens:
    id_field, secret_field = oauth.client_fields
    fields = {id_field: app.client_id, secret_field: app.client_secret, **grant}
    url = f"{base_url.rstrip('/')}{oauth.token_path}"
    if oauth.grant_encoding == "json":
        request = http.build_request(
            "POST", url, content=dump_json(fields), headers={"Content-Type": "application/json"}
        )
    elif oauth.grant_encoding == "multipart":
        parts = {name: (None, value) for name, value in fields.items()}
        request = http.build_request("POST", url, files=parts)
    else:
        request = http.build_request("POST", url, data=fields)
    response = await send(http, request)
    if response.status_code in REFUSED:
        raise AuthFailed(
            f"{describe(request)} refused the {grant['grant_type'].replace('_', ' ')} grant "
            f"(HTTP {response.status_code}): the merchant must authorise tillsync again",
            status=response.status_code,
        )
    classify(response)
    answer = decode_json(response)
    if not isinstance(answer, Mapping):
        raise Permanent(f"{describe(request)} answered no JSON object")
    try:
        tokens = oauth.read_tokens(answer)
    except (ValueError, KeyError, TypeError) as exc:
        raise Permanent(f"{describe(request)} answered a token we cannot read") from exc
    if not tokens.access_token:
        raise Permanent(f"{describe(request)} answered no access token")
    return tokens


def credentials_of(tokens: Tokens, oauth: OAuth) -> dict[str, str]:
    """The credentials a connection stores for a grant (sealed like any other keys)."""
    found = {
        ACCESS_TOKEN: tokens.access_token,
        REFRESH_TOKEN: tokens.refresh_token,
        TOKEN_EXPIRES_AT: tokens.expires_at.isoformat() if tokens.expires_at else "never",
        **tokens.extras,
    }
    if oauth.account_field:
        found[oauth.account_field] = tokens.account_id
    return found


def tokens_of(credentials: Mapping[str, str], oauth: OAuth) -> Tokens:
    """The grant a connection's credentials hold; an expiry we cannot read counts as none."""
    return Tokens(
        access_token=credentials.get(ACCESS_TOKEN, ""),
        refresh_token=credentials.get(REFRESH_TOKEN, ""),
        expires_at=moment_of(credentials.get(TOKEN_EXPIRES_AT, "")),
        account_id=credentials.get(oauth.account_field, "") if oauth.account_field else "",
    )


class Bearer:
    """The access token a connector's calls carry; after a 401, renewed once and retried.

    A connector opened for a stored connection gets `Link.renew`; opened for tokens being
    checked (a connect), it gets none, and a 401 is the answer.
    """

    def __init__(self, link: Link) -> None:
        self.token = link.credentials.get(ACCESS_TOKEN, "")
        self._renew = link.renew

    def __repr__(self) -> str:
        return "Bearer(...)"  # never the token

    async def call(self, send_with: Callable[[str], Awaitable[T]]) -> T:
        try:
            return await send_with(self.token)
        except AuthFailed:
            if self._renew is None:
                raise
        renewed = await self._renew(self.token)
        self.token = renewed[ACCESS_TOKEN]
        return await send_with(self.token)
