"""What connecting checks before anything is stored: keys, address, settings, the account.

The provider's answer to the keys is translated the same way for every provider:

    refused (AuthFailed, or another refusal)    400 CredentialsRefused naming the field
    throttled, or our budget used up            429 RateLimited
    unreachable, failing                        502 ProviderUnavailable
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, ValidationError

from tillsync.connectors import outbound
from tillsync.connectors.contract import Account, Connector, Provider
from tillsync.connectors.settings import ConnectionSettings
from tillsync.errors import (
    AuthFailed,
    BudgetExhausted,
    CredentialsRefused,
    InvalidFields,
    InvalidInput,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Retryable,
    Throttled,
)
from tillsync.services.context import Services

SETTINGS = "settings"
"""Where a refused setting is named: `settings.max_retries`."""
HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
"""Credentials travel in headers: printable ASCII without spaces, or they would split one."""


def credentials(
    provider: Provider, given: Mapping[str, str], *, kept: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every credential the provider declares, each header-safe; named by its label.

    None given and `kept` (the connection's stored ones, opened): those, whole, so a
    connection made through a consent screen can change its roles or settings without
    the caller ever seeing its tokens (and a refresh token is not dropped).
    """
    if not given and kept:
        return dict(kept)
    keys: dict[str, str] = {}
    for credential in provider.credentials:
        value = given.get(credential.name, "")
        if not value and not credential.required:
            continue
        if not value:
            raise InvalidInput(f"{credential.label} is required", field=credential.label)
        if not HEADER_SAFE.fullmatch(value):
            raise InvalidInput(
                f"{credential.label} must be printable ASCII without spaces",
                field=credential.label,
            )
        keys[credential.name] = value
    return keys


def address(url: str, *, field: str | None) -> str:
    """The base URL without a trailing /; a caller's (`field`) must be a plain http(s) URL."""
    if field is None:
        return url.rstrip("/")
    try:
        parsed = outbound.parse_url(url)
    except outbound.AddressRefused as exc:
        raise InvalidInput(f"{field}: {exc.message}", field=field) from None
    if parsed.query or parsed.fragment:
        raise InvalidInput(f"{field} must not have a query string or fragment", field=field)
    return str(parsed).rstrip("/")


def defaults(provider: Provider) -> dict[str, object]:
    """The provider's own settings with their defaults, stored with every connection."""
    shared = ConnectionSettings.model_fields
    return {
        name: declared.default
        for name, declared in provider.settings.model_fields.items()
        if name not in shared and not declared.is_required()
    }


def settings(
    provider: Provider,
    stored: Mapping[str, object] | None,
    given: Mapping[str, object] | None,
) -> dict[str, object]:
    """Defaults, then what is stored, then what is given; checked by the provider's model."""
    merged = {**defaults(provider), **(stored or {}), **(given or {})}
    validated(provider, merged)
    return merged


def validated(provider: Provider, values: Mapping[str, object]) -> BaseModel:
    """`values` read by the provider's settings model; InvalidFields naming every refused
    one as `settings.<name>`."""
    try:
        return provider.settings.model_validate(dict(values))
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors():
            field = ".".join([SETTINGS, *(str(part) for part in error["loc"])])
            problems.setdefault(field, str(error["msg"]).removeprefix("Value error, "))
        raise InvalidFields(problems) from None


async def account(
    services: Services,
    provider: Provider,
    *,
    probe: Connector,
    address: str | None,
    address_field: str | None,
) -> Account:
    """Ask the provider whose the keys are; nothing is stored when it says no."""
    title = provider.title
    key = next((c.label for c in provider.credentials if c.secret), None)
    ident = next((c.label for c in provider.credentials if not c.secret), None)
    policy = outbound.OutboundPolicy(allow_private=services.settings.allow_private_addresses)
    try:
        if address is not None:
            await outbound.check_url(address, policy=policy)
        return await probe.check()
    except outbound.AddressRefused as exc:
        raise InvalidInput(
            f"{address_field} is refused: {exc.message}", field=address_field
        ) from None
    except AuthFailed as exc:
        raise CredentialsRefused(
            f"{title} refused the credentials: {exc.message}", field=key
        ) from exc
    except Throttled as exc:
        raise RateLimited(f"{title} asked to slow down: {exc.message}", field=key) from exc
    except BudgetExhausted as exc:
        raise RateLimited(
            f"{title}'s rate limit for this account is used up; try again in "
            f"{max(1, round(exc.wait_seconds))} s",
            field=key,
        ) from exc
    except Retryable as exc:
        raise ProviderUnavailable(
            f"{title} could not be reached: {exc.message}; nothing was stored, try again later",
            field=address_field,
        ) from exc
    except ProviderError as exc:
        raise CredentialsRefused(
            f"{title} refused the account: {exc.message}", field=ident or address_field or key
        ) from exc
