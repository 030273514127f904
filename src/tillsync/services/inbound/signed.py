"""A signed delivery (`WebhookAuth.HMAC`): the signature over our receiver's URL and the raw
body, by the key of the hub's subscription at the provider, checked before anything else.

The subscription is the hub's, not a connection's (Square's are the application's), so
the key is a hub setting (`webhook_signature_keys`), and a delivery names its connection by
the account it is about, unless the URL it was sent to names one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy import select

from tillsync.connectors.contract import Provider
from tillsync.connectors.deliveries import Delivery, SignedDeliveries
from tillsync.errors import ClientError, InvalidInput, NotAuthenticated, NotFound
from tillsync.services.connections.links import DISCONNECTED
from tillsync.services.context import Services
from tillsync.services.inbound.reading import read_events
from tillsync.store.tables import Connection

log = logging.getLogger("tillsync.services.inbound.receiver")
CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far ahead of ours a provider's clock may run."""


async def receive(
    services: Services,
    declared: Provider,
    *,
    connection_id: str | None,
    headers: Mapping[str, str],
    read_body: Callable[[], Awaitable[bytes]],
) -> tuple[Connection, list[Delivery]]:
    deliveries = declared.deliveries
    key = _key(services, declared)
    if key is None or not isinstance(deliveries, SignedDeliveries):
        log.warning("%s webhook refused: the hub has no key for it", declared.title)
        raise NotAuthenticated("webhook signature cannot be checked", field="signature")
    try:
        body = await read_body()
    except ClientError as exc:  # refused whole (nested too deeply) before it can be checked
        log.warning("%s webhook refused: %s", declared.title, exc.message)
        raise
    url = receiver_url(services, declared, connection_id)
    if not deliveries.verify_signed(headers, body, key=key, url=url):
        log.warning(
            "%s webhook refused: signature missing or wrong",
            declared.title,
            extra={"connection_id": connection_id},
        )
        field = deliveries.signature_header
        raise NotAuthenticated("webhook signature missing or wrong", field=field)

    async def read_again() -> bytes:  # read once already: the signature covers it
        return body

    events = await read_events(declared, deliveries, headers, read_again, connection_id)
    _refuse_replays(services, declared, deliveries, events)
    accounts = {deliveries.account(event) for event in events}
    connection = await _connection(services, declared, connection_id, accounts)
    return connection, events


def _key(services: Services, declared: Provider) -> str | None:
    """The hub's signature key for the provider, else its OAuth app's secret (a provider
    that signs with the application's secret, as its consent screen knows it)."""
    key = services.settings.webhook_signature_keys.get(declared.name)
    if key is not None:
        return key.get_secret_value()
    app = services.settings.oauth_apps.get(declared.name)
    return app.client_secret if app is not None and declared.oauth is not None else None


def _refuse_replays(
    services: Services, declared: Provider, deliveries: SignedDeliveries, events: list[Delivery]
) -> None:
    """A signed event older than the provider's retries is a replay, and one from the future
    is not the provider's either: both refused. The inbox's dedupe catches the rest."""
    now = services.uows.clock.now()
    for event in events:
        sent = deliveries.sent_at(event)
        if sent is None:
            problem = "has no time"
        elif sent < now - deliveries.replay_window:
            problem = f"is from {sent.isoformat()}, older than {declared.title} retries events"
        elif sent > now + CLOCK_SKEW:
            problem = f"is from {sent.isoformat()}, ahead of this hub's clock"
        else:
            continue
        log.warning(
            "%s webhook refused: the event %s",
            declared.title,
            problem,
            extra={"event_type": event.type},
        )
        raise InvalidInput(f"the event {problem}", field=deliveries.time_field)


def receiver_url(services: Services, declared: Provider, connection_id: str | None) -> str:
    """The URL the provider signed: our receiver's, as its subscription names it."""
    url = services.settings.resolved_public_url + declared.receiver_path
    return f"{url}?connection={connection_id}" if connection_id else url


async def _connection(
    services: Services, declared: Provider, connection_id: str | None, accounts: set[str | None]
) -> Connection:
    field = (
        declared.deliveries.account_field
        if isinstance(declared.deliveries, SignedDeliveries)
        else "merchant_id"
    )
    if len(accounts) != 1 or None in accounts:
        raise InvalidInput("a delivery names exactly one account", field=field)
    (account,) = accounts
    async with services.uows.read() as session:
        if connection_id:
            found = await session.get(Connection, connection_id)
            candidates = [found] if found is not None else []
        else:
            candidates = list(
                await session.scalars(
                    select(Connection).where(
                        Connection.provider == declared.name, Connection.status != DISCONNECTED
                    )
                )
            )
    for connection in candidates:
        if (
            connection.provider == declared.name
            and connection.status != DISCONNECTED
            and (connection.settings or {}).get("merchant_id") == account
        ):
            return connection
    log.warning(
        "%s webhook for an account no connection has",
        declared.title,
        extra={"connection_id": connection_id},
    )
    raise NotFound("no connection of this account", field=field)
