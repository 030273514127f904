"""Notifications as the seller reads them: listed, counted unread, marked read; and the address
their e-mails go to.

Raising a notification (once per event, with its e-mail) is `services.notifications`; the
API and the dashboard read and mark them here, always for one tenant: another tenant's
notification is simply not found.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select, update

from tillsync.errors import InvalidInput, NotFound
from tillsync.store.snapshots import snapshot
from tillsync.store.tables import Notification, Tenant
from tillsync.store.uow import UnitsOfWork

# Deliberately plain: one @, no spaces, line breaks or NUL (nothing can reach a mail header or
# be refused by the database), a dot in the domain. Whether the mailbox exists only the
# receiving server can say.
ADDRESS = re.compile(r"[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+")
ADDRESS_LENGTH = 320
ADDRESS_PROBLEM = "must be an e-mail address such as owner@example.com"


@dataclass(frozen=True, slots=True)
class Notice:
    id: str
    kind: str
    severity: str
    title: str
    message: str
    connection_id: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None

    @property
    def read(self) -> bool:
        return self.read_at is not None


async def list_notices(
    uows: UnitsOfWork, tenant_id: str, *, unread: bool | None, limit: int
) -> tuple[Notice, ...]:
    """Newest first; `unread` True: unread only, False: read only, None: all."""
    statement = select(Notification).where(Notification.tenant_id == tenant_id)
    if unread is not None:
        read_at = Notification.read_at
        statement = statement.where(read_at.is_(None) if unread else read_at.is_not(None))
    async with uows.read() as session:
        rows = await session.scalars(
            statement.order_by(Notification.created_at.desc(), Notification.id).limit(limit)
        )
        return tuple(snapshot(Notice, row) for row in rows)


async def count_unread(uows: UnitsOfWork, tenant_id: str) -> int:
    async with uows.read() as session:
        count = await session.scalar(
            select(func.count()).where(
                Notification.tenant_id == tenant_id, Notification.read_at.is_(None)
            )
        )
    return int(count or 0)


async def mark_read(uows: UnitsOfWork, tenant_id: str, notice_id: str) -> Notice:
    """Mark one read; reading it again keeps the first reading's time."""
    async with uows.begin() as uow:
        notification = await uow.session.get(Notification, notice_id)
        if notification is None or notification.tenant_id != tenant_id:
            raise NotFound(f"no notification {notice_id}", field="notification_id")
        if notification.read_at is None:
            notification.read_at = uow.now
        await uow.commit()
    return snapshot(Notice, notification)


async def mark_all_read(uows: UnitsOfWork, tenant_id: str) -> int:
    """Mark every unread one read; how many were."""
    async with uows.begin() as uow:
        result = await uow.session.execute(
            update(Notification)
            .where(Notification.tenant_id == tenant_id, Notification.read_at.is_(None))
            .values(read_at=uow.now)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def checked_address(value: str | None) -> str | None:
    """The address without surrounding spaces, or None for none; ValueError if not one."""
    if value is None:
        return None
    value = value.strip()
    if len(value) > ADDRESS_LENGTH or not ADDRESS.fullmatch(value):
        raise ValueError(ADDRESS_PROBLEM)
    return value


async def notification_email(uows: UnitsOfWork, tenant_id: str) -> str | None:
    async with uows.read() as session:
        tenant = await session.get(Tenant, tenant_id)
    return tenant.notify_email if tenant else None


async def set_notification_email(
    uows: UnitsOfWork, tenant_id: str, address: str | None
) -> str | None:
    """Set (None: clear) where the tenant's notification e-mails go; the address as stored."""
    try:
        address = checked_address(address)
    except ValueError as exc:
        raise InvalidInput(f"email: {exc}", field="email") from None
    async with uows.begin() as uow:
        tenant = await uow.session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("the caller's tenant no longer exists", field="Authorization")
        tenant.notify_email = address
        await uow.commit()
    return address
