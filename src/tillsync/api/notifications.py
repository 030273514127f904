"""Seller notifications (list, mark read) and where the tenant's notification e-mail goes."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import select, update

from tillsync.api.answers import ok
from tillsync.api.answers.notices import (
    MarkedRead,
    NotificationList,
    NotificationSettingsView,
    NotificationView,
    notification_json,
)
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.errors import NotFound
from tillsync.store.tables import Notification, Tenant

router = APIRouter(route_class=KeyFirstRoute, tags=["notifications"])
# Deliberately plain: one @, no spaces, line breaks or NUL (nothing can reach a mail header or
# be refused by the database), a dot in the domain. Whether the mailbox exists only the
# receiving server can say.
ADDRESS = re.compile(r"[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+")
ADDRESS_LENGTH = 320


class NotificationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None

    @field_validator("email")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if len(value) > ADDRESS_LENGTH or not ADDRESS.fullmatch(value):
            raise ValueError("must be an e-mail address such as owner@example.com, or null")
        return value


@router.get(
    "/api/notifications",
    summary="The tenant's notifications, newest first",
    response_model=None,
    responses=ok(NotificationList),
)
async def list_notifications(
    hub: HubDep,
    caller: CallerDep,
    unread: Annotated[
        bool | None, Query(description="true: unread only; false: read only; absent: all")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    statement = select(Notification).where(Notification.tenant_id == caller.tenant_id)
    if unread is not None:
        read_at = Notification.read_at
        statement = statement.where(read_at.is_(None) if unread else read_at.is_not(None))
    async with hub.uows.read() as session:
        rows = await session.scalars(
            statement.order_by(Notification.created_at.desc(), Notification.id).limit(limit)
        )
        return {"notifications": [notification_json(row) for row in rows]}


@router.post(
    "/api/notifications/read-all",
    summary="Mark every notification read",
    response_model=None,
    responses=ok(MarkedRead),
)
async def mark_all_read(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    async with hub.uows.begin() as uow:
        result = await uow.session.execute(
            update(Notification)
            .where(Notification.tenant_id == caller.tenant_id, Notification.read_at.is_(None))
            .values(read_at=uow.now)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return {"marked": int(getattr(result, "rowcount", 0) or 0)}


@router.post(
    "/api/notifications/{notification_id}/read",
    summary="Mark one notification read",
    response_model=None,
    responses=ok(NotificationView) | problems({404: "No such notification"}),
)
async def mark_read(hub: HubDep, caller: CallerDep, notification_id: str) -> dict[str, Any]:
    async with hub.uows.begin() as uow:
        notification = await uow.session.get(Notification, notification_id)
        if notification is None or notification.tenant_id != caller.tenant_id:
            raise NotFound(f"no notification {notification_id}", field="notification_id")
        if notification.read_at is None:
            notification.read_at = uow.now
        await uow.commit()
    return notification_json(notification)


@router.get(
    "/api/settings/notifications",
    summary="Where notification e-mails go",
    response_model=None,
    responses=ok(NotificationSettingsView),
)
async def get_notification_settings(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    async with hub.uows.read() as session:
        tenant = await session.get(Tenant, caller.tenant_id)
        return _settings_view(hub.settings.smtp_host, tenant)


@router.put(
    "/api/settings/notifications",
    summary="Set (or, with null, clear) the e-mail",
    response_model=None,
    responses=ok(NotificationSettingsView),
)
async def put_notification_settings(
    hub: HubDep, caller: CallerDep, body: NotificationSettings
) -> dict[str, Any]:
    async with hub.uows.begin() as uow:
        tenant = await uow.session.get(Tenant, caller.tenant_id)
        if tenant is None:
            raise NotFound("the caller's tenant no longer exists", field="Authorization")
        tenant.notify_email = body.email
        await uow.commit()
    return _settings_view(hub.settings.smtp_host, tenant)


def _settings_view(smtp_host: str, tenant: Tenant | None) -> dict[str, Any]:
    return {
        "email": tenant.notify_email if tenant else None,
        "email_enabled": bool(smtp_host),
    }
