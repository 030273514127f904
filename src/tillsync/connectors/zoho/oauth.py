"""Zoho's OAuth, declared: the code flow at the account's data centre, form-encoded tokens.

The consent screen is on Zoho's accounts server (`accounts.zoho.com`, or where the
operator's Zoho address points). The callback adds `location` and `accounts-server`: the
data centre of the merchant's account, where the code is exchanged and every later
refresh goes; the token answer's `api_domain` is where its API calls go. Both are kept as
credentials (identifiers, not secrets). An `accounts-server` that is not one of Zoho's,
nor the configured one, is refused: the hub's client secret is sent there.

Access tokens live an hour (`expires_in` 3600). The scheduled duty refreshes one five
minutes ahead of its expiry, and its job is keyed by that expiry, so a token is refreshed
by the duty once, making a token that is not due for another 55 minutes: at most one
refresh an hour per connection, far inside Zoho's 10 per refresh token per 10 minutes. A
refresh after code 57 happens only for the token still stored (the lease in
`services/connections/tokens.py`), so a burst of refused calls asks once. The margin must
stay under the token's life, or every tick of the duty would refresh again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from tillsync.connectors.grants import OAuth, Tokens
from tillsync.errors import AuthFailed

__all__ = ["ACCOUNTS_SERVER", "API_DOMAIN", "LOCATION", "OAUTH", "SCOPES", "accounts_base"]

ACCOUNTS_SERVER, LOCATION, API_DOMAIN = "accounts_server", "location", "api_domain"
SCOPES = (
    "ZohoInventory.settings.READ",
    "ZohoInventory.items.READ",
    "ZohoInventory.contacts.CREATE",
    "ZohoInventory.contacts.READ",
    "ZohoInventory.salesorders.CREATE",
    "ZohoInventory.salesorders.READ",
    "ZohoInventory.salesorders.UPDATE",
)
REFRESH_AHEAD = dt.timedelta(minutes=5)
TOKEN_LIFE = dt.timedelta(hours=1)
_ACCOUNTS_HOST = re.compile(r"accounts\.(zoho\.(com|eu|in|com\.au|jp|com\.cn|sa)|zohocloud\.ca)")
_API_HOST = re.compile(r"www\.zohoapis\.(com|eu|in|com\.au|jp|ca|com\.cn|sa)")
_LOCATION = re.compile(r"[a-z]{2,5}")
API_PATH = "/inventory/v1"


def accounts_base(address: str, held: Mapping[str, str]) -> str:
    """Where the consent, token and revoke paths are: the account's own accounts server
    once known, else the one beside the configured API address."""
    server = held.get(ACCOUNTS_SERVER, "")
    if server:
        return server.rstrip("/")
    parts = urlsplit(address)
    host = parts.hostname or ""
    if _API_HOST.fullmatch(host):
        return "https://accounts.zoho." + host.removeprefix("www.zohoapis.")
    # An address of the operator's (an emulator) plays both hosts: the API under its path.
    return f"{parts.scheme}://{parts.netloc}"


def from_callback(params: Mapping[str, str], address: str) -> dict[str, str]:
    """`accounts-server` and `location` of the callback, checked; ValueError if refused."""
    kept: dict[str, str] = {}
    server = params.get("accounts-server", "").rstrip("/")
    if server:
        parts = urlsplit(server)
        ours = accounts_base(address, {})
        trusted = parts.scheme == "https" and _ACCOUNTS_HOST.fullmatch(parts.hostname or "")
        if not (trusted or server == ours) or parts.path or parts.query:
            raise ValueError("accounts-server is not one of Zoho's accounts servers")
        kept[ACCOUNTS_SERVER] = server
    location = params.get("location", "")
    if location:
        if not _LOCATION.fullmatch(location):
            raise ValueError("location is not a Zoho data centre")
        kept[LOCATION] = location
    return kept


def api_base(address: str, held: Mapping[str, str]) -> str:
    """The API base for the account's data centre: its `api_domain` when it is Zoho's (or
    the configured address's own host), else the configured address."""
    domain = held.get(API_DOMAIN, "").rstrip("/")
    if not domain:
        return address
    parts, configured = urlsplit(domain), urlsplit(address)
    if parts.path or parts.query:
        return address
    if parts.scheme == "https" and _API_HOST.fullmatch(parts.hostname or ""):
        return domain + API_PATH
    if parts.netloc == configured.netloc and parts.scheme == configured.scheme:
        return address
    return address


def read_tokens(answer: Mapping[str, object]) -> Tokens:
    """`{access_token, refresh_token (code grant only), api_domain, expires_in}`; a refusal
    comes as HTTP 200 `{"error": ...}` and reads as no token."""
    if "error" in answer:  # a code or refresh token Zoho does not know (or no longer)
        raise AuthFailed("Zoho's accounts server refused the grant")
    if not answer.get("access_token"):
        raise ValueError("the token answer holds no access token")
    lifetime = answer.get("expires_in")
    seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else None
    domain = answer.get(API_DOMAIN)
    return Tokens(
        access_token=str(answer["access_token"]),
        refresh_token=str(answer.get("refresh_token") or ""),
        expires_at=(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds) if seconds else None),
        extras={API_DOMAIN: domain} if isinstance(domain, str) and domain else {},
    )


OAUTH = OAuth(
    authorize_path="/oauth/v2/auth",
    token_path="/oauth/v2/token",  # noqa: S106 (a path, not a password)
    read_tokens=read_tokens,
    scopes=SCOPES,
    scope_separator=",",
    authorize_params=(("access_type", "offline"), ("prompt", "consent")),
    grant_encoding="form",
    refresh_ahead=REFRESH_AHEAD,
    server=accounts_base,
    from_callback=from_callback,
)
