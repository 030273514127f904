"""Seller notifications: raised once per event, e-mailed through the outbox when configured.

A notification is keyed by (tenant, dedupe key), so raising the same event again (a retry,
a second worker settling a sibling job) inserts nothing. Only the transaction that inserts
the row enqueues its e-mail, as a `mail.send` job keyed by the notification: the e-mail
commits or rolls back with the notification and is never queued twice for one event.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.config import Settings
from tillsync.jobs.store import NewJob, enqueue
from tillsync.store.database import insert_unless_present
from tillsync.store.tables import Connection, Notification, Tenant, new_id

MAIL_KIND = "mail.send"
MAIL_PRIORITY = 150
TITLE_LENGTH = 200


async def notify(
    session: AsyncSession,
    *,
    tenant_id: str,
    connection_id: str | None,
    kind: str,
    severity: str,
    title: str,
    message: str,
    dedupe_key: str,
    now: dt.datetime,
    settings: Settings,
    email: bool = True,
) -> Notification | None:
    """Raise a notification unless its dedupe key was raised before; None when it was.

    `email=False` keeps it in-app only (a failed e-mail must not be e-mailed about).
    """
    values = {
        "id": new_id(),
        "tenant_id": tenant_id,
        "connection_id": connection_id,
        "kind": kind,
        "severity": severity,
        "title": title[:TITLE_LENGTH],
        "message": message,
        "dedupe_key": dedupe_key,
        "created_at": now,
        "read_at": None,
    }
    statement = insert_unless_present(session, Notification, values).returning(Notification)
    notification: Notification | None = (await session.scalars(statement)).one_or_none()
    if notification is not None and email and settings.smtp_host:
        await _enqueue_mail(session, notification, now=now, settings=settings)
    return notification


async def _enqueue_mail(
    session: AsyncSession, notification: Notification, *, now: dt.datetime, settings: Settings
) -> None:
    tenant = await session.get(Tenant, notification.tenant_id)
    if tenant is None or not tenant.notify_email:
        return
    connection = (
        await session.get(Connection, notification.connection_id)
        if notification.connection_id
        else None
    )
    await enqueue(
        session,
        NewJob(
            kind=MAIL_KIND,
            payload={
                "notification_id": notification.id,
                "to": tenant.notify_email,
                "subject": notification.title,
                "body": mail_body(notification, connection, settings=settings),
            },
            idempotency_key=f"notification:{notification.id}",
            tenant_id=notification.tenant_id,
            subject=notification.id,
            priority=MAIL_PRIORITY,
        ),
        now=now,
    )


def connection_label(connection: Connection) -> str:
    label = f"{connection.provider} ({connection.role})"
    return f"{label}, account {connection.account_name}" if connection.account_name else label


def mail_body(
    notification: Notification, connection: Connection | None, *, settings: Settings
) -> str:
    lines = [notification.message, ""]
    if connection is not None:
        lines.append(f"Connection: {connection_label(connection)}")
    lines += [
        f"Raised: {notification.created_at:%Y-%m-%d %H:%M} UTC",
        "",
        "-- ",
        f"tillsync at {settings.resolved_public_url}",
    ]
    return "\n".join(lines) + "\n"
