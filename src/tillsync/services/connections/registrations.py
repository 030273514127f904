"""Our webhooks at a provider: registered on connect, deleted on disconnect, one row per type.

The provider's calls come first and no transaction stays open across them; the rows
record each type's outcome, so the health page and the watchdog see what failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from tillsync.connectors.contract import Provider, Warehouse
from tillsync.errors import BudgetExhausted, Permanent, ProviderError
from tillsync.services.connections.links import credentials, provider_of, warehouse_for
from tillsync.services.context import Services
from tillsync.store.database import insert_unless_present
from tillsync.store.tables import Connection, WebhookRegistration, new_id
from tillsync.store.uow import UnitOfWork

log = logging.getLogger(__name__)
SECRET = "webhook_secret"  # noqa: S105 (the name it is stored under)
"""The credential, chosen by us, that the provider sends back with each delivery."""


@dataclass(frozen=True, slots=True)
class Hook:
    event_type: str | None
    external_id: str


@dataclass(frozen=True, slots=True)
class HookFailure:
    event_type: str | None
    external_id: str
    error: str


def webhook_url(services: Services, connection: Connection) -> str:
    base = services.settings.resolved_public_url
    path = services.providers.get(connection.provider).receiver_path
    return f"{base}{path}?connection={connection.id}"


def webhook_secret(services: Services, connection: Connection) -> str:
    return credentials(services, connection).get(SECRET, "")


@dataclass(frozen=True, slots=True)
class PastedWebhook:
    """What a user pastes at a provider that has no webhook API: where, which header, what."""

    url: str
    header: str
    secret: str

    def __repr__(self) -> str:
        return f"PastedWebhook(url={self.url!r}, header={self.header!r})"  # never the secret

    def shown(self) -> dict[str, str]:
        return {"url": self.url, "header": self.header, "secret": self.secret}


def pasted_webhook(services: Services, connection: Connection) -> PastedWebhook | None:
    """For a provider whose webhooks the user sets up (`Provider.webhook_header`)."""
    header = provider_of(services, connection).webhook_header
    if not header:
        return None
    return PastedWebhook(
        url=webhook_url(services, connection),
        header=header,
        secret=webhook_secret(services, connection),
    )


async def register_webhooks(services: Services, connection: Connection) -> dict[str, str]:
    """Create or update our hook for each type; one type failing does not stop the others."""
    provider = provider_of(services, connection)
    warehouse = warehouse_for(services, connection, lane="urgent", wait=True)
    url = webhook_url(services, connection)
    token = webhook_secret(services, connection)
    try:
        existing = {hook.event_type: hook for hook in await warehouse.webhooks() if hook.url == url}
    except ProviderError as exc:
        log.warning("listing %s webhooks failed", provider.title, extra={"error": exc.message})
        existing = {}
    results: dict[str, tuple[str | None, str | None]] = {}  # type → (their id, error)
    for event_type in provider.webhook_types:
        known = existing.get(event_type)
        try:
            external_id = await warehouse.register_webhook(
                event_type,
                url=url,
                token=token,
                external_id=known.external_id if known is not None else None,
            )
            results[event_type] = (external_id, None)
        except ProviderError as exc:
            results[event_type] = (None, exc.message)
            log.warning(
                "registering a %s webhook failed",
                provider.title,
                extra={"event_type": event_type, "error": exc.message},
            )
    async with services.uows.begin() as uow:
        for event_type, (external_id, error) in results.items():
            registration = await registration_row(uow, connection, event_type)
            registration.external_id = external_id or registration.external_id
            registration.status = "failed" if error else "active"
            registration.last_error = error
            registration.updated_at = uow.now
        await uow.commit()
    return {
        event_type: "failed" if error else "active" for event_type, (_, error) in results.items()
    }


async def registration_row(
    uow: UnitOfWork, connection: Connection, event_type: str
) -> WebhookRegistration:
    """The connection's row for one webhook type, added (pending) when there is none yet.

    Connecting and the watchdog may meet a new type at once: the insert skips a row that
    exists, and the row is read back, so one row wins.
    """
    mine = (
        WebhookRegistration.connection_id == connection.id,
        WebhookRegistration.event_type == event_type,
    )
    registration = await uow.session.scalar(select(WebhookRegistration).where(*mine))
    if registration is None:
        new = {
            "id": new_id(),
            "tenant_id": connection.tenant_id,
            "connection_id": connection.id,
            "event_type": event_type,
            "status": "pending",
            "updated_at": uow.now,
        }
        await uow.session.execute(insert_unless_present(uow.session, WebhookRegistration, new))
        registration = await uow.session.scalar(select(WebhookRegistration).where(*mine))
        assert registration is not None
    return registration


async def ours_at_provider(
    provider: Provider, warehouse: Warehouse, url: str, hooks: list[Hook]
) -> list[Hook]:
    """`hooks`, with those the provider holds for our URL that we lost track of."""
    found = {hook.external_id: hook for hook in hooks}
    try:
        for remote in await warehouse.webhooks():
            if remote.url == url and remote.external_id:
                found.setdefault(remote.external_id, Hook(remote.event_type, remote.external_id))
    except (ProviderError, BudgetExhausted) as exc:
        log.warning("listing %s webhooks failed", provider.title, extra={"error": reason(exc)})
    return list(found.values())


async def delete_hooks(
    warehouse: Warehouse, hooks: list[Hook]
) -> tuple[list[str], list[HookFailure]]:
    """DELETE each hook; one the provider no longer has counts as removed."""
    removed: list[str] = []
    failures: list[HookFailure] = []
    for hook in hooks:
        try:
            await warehouse.delete_webhook(hook.external_id)
        except Permanent as exc:
            if "not found" not in exc.message.lower():
                failures.append(HookFailure(hook.event_type, hook.external_id, reason(exc)))
                continue
        except (ProviderError, BudgetExhausted) as exc:
            failures.append(HookFailure(hook.event_type, hook.external_id, reason(exc)))
            continue
        removed.append(hook.external_id)
    return removed, failures


def reason(exc: ProviderError | BudgetExhausted) -> str:
    return exc.message if isinstance(exc, ProviderError) else str(exc)
