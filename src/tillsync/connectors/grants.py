"""OAuth in the provider contract: how a provider declares it, and what a grant holds.

Part of the provider contract (`contract.py`, whose `Provider.oauth` is an `OAuth`), kept
in its own module so each stays small; provider packages import from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

ACCESS_TOKEN, REFRESH_TOKEN, TOKEN_EXPIRES_AT = "access_token", "refresh_token", "expires_at"
"""The credentials an OAuth connection holds, sealed like any other (plus its account id)."""


@dataclass(frozen=True, slots=True)
class Tokens:
    """What a provider's token endpoint granted, in our terms."""

    access_token: str
    refresh_token: str
    expires_at: dt.datetime | None
    account_id: str = ""
    """The merchant or account the grant is for, when the answer names it."""
    extras: Mapping[str, str] = field(default_factory=dict)
    """What else of the answer the connection keeps as credentials (a data centre's API
    domain); names the provider declares among its credentials."""


@dataclass(frozen=True, slots=True)
class ClientApp:
    """The hub's own app registered with a provider (TILLSYNC_OAUTH_APPS)."""

    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"ClientApp(client_id={self.client_id!r})"  # never the secret


@dataclass(frozen=True, slots=True)
class Revocation:
    """The request that revokes a grant at the provider: its headers and JSON body."""

    headers: Mapping[str, str]
    body: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class OAuth:
    """How a provider lets a merchant authorise the hub: OAuth 2.0's authorization code grant.

    Paths are under the provider's base URL (the hub's `provider_urls`, else its default).
    The wire details that differ between providers are the provider's (`oauth.py` in its
    package): how the token answer reads, how a revocation is asked for.
    """

    authorize_path: str
    token_path: str
    read_tokens: Callable[[Mapping[str, object]], Tokens]
    """The token endpoint's answer (to a code or to a refresh); ValueError when unreadable."""
    scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    authorize_params: tuple[tuple[str, str], ...] = ()
    """Extra query parameters of the consent screen (`session=false`)."""
    grant_encoding: Literal["json", "form", "multipart"] = "form"
    """How the token request's fields are sent: JSON, urlencoded, or multipart form-data."""
    client_fields: tuple[str, str] = ("client_id", "client_secret")
    """What the provider calls the app's id and secret, on the consent URL and the token call."""
    revoke_path: str = ""
    revocation: Callable[[ClientApp, str], Revocation] | None = None
    """The revoke request for an access token; None: the provider cannot revoke."""
    account_field: str = ""
    """The credential the grant's account id is stored as (`merchant_id`), if any."""
    refresh_ahead: dt.timedelta = dt.timedelta(days=1)
    """How long before its expiry an access token is refreshed by the scheduled duty."""
    server: Callable[[str, Mapping[str, str]], str] | None = None
    """Where the authorize, token and revoke paths are, given the provider's address and
    what the grant holds (its credentials, or what the callback gave): for a provider
    whose accounts live on another host than its API, per data centre. None: the address."""
    from_callback: Callable[[Mapping[str, str], str], Mapping[str, str]] | None = None
    """Credentials kept from the consent callback's query parameters (the account's data
    centre), given the provider's address; ValueError refuses the callback."""
    callback_path: str = ""
    """Where the provider sends the merchant back: the shared callback, unless a seed gave
    its own path (the redirect URI the merchant's app is registered with)."""
