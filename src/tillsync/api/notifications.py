"""Seller notifications (list, mark read) and where the tenant's notification e-mail goes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, field_validator

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
from tillsync.services import notices

router = APIRouter(route_class=KeyFirstRoute, tags=["notifications"])


class NotificationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None

    @field_validator("email")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        try:
            return notices.checked_address(value)
        except ValueError as exc:
            raise ValueError(f"{exc}, or null") from None


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
    found = await notices.list_notices(hub.uows, caller.tenant_id, unread=unread, limit=limit)
    return {"notifications": [notification_json(notice) for notice in found]}


@router.post(
    "/api/notifications/read-all",
    summary="Mark every notification read",
    response_model=None,
    responses=ok(MarkedRead),
)
async def mark_all_read(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    return {"marked": await notices.mark_all_read(hub.uows, caller.tenant_id)}


@router.post(
    "/api/notifications/{notification_id}/read",
    summary="Mark one notification read",
    response_model=None,
    responses=ok(NotificationView) | problems({404: "No such notification"}),
)
async def mark_read(hub: HubDep, caller: CallerDep, notification_id: str) -> dict[str, Any]:
    return notification_json(await notices.mark_read(hub.uows, caller.tenant_id, notification_id))


@router.get(
    "/api/settings/notifications",
    summary="Where notification e-mails go",
    response_model=None,
    responses=ok(NotificationSettingsView),
)
async def get_notification_settings(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    address = await notices.notification_email(hub.uows, caller.tenant_id)
    return _settings_view(hub.settings.smtp_host, address)


@router.put(
    "/api/settings/notifications",
    summary="Set (or, with null, clear) the e-mail",
    response_model=None,
    responses=ok(NotificationSettingsView),
)
async def put_notification_settings(
    hub: HubDep, caller: CallerDep, body: NotificationSettings
) -> dict[str, Any]:
    address = await notices.set_notification_email(hub.uows, caller.tenant_id, body.email)
    return _settings_view(hub.settings.smtp_host, address)


def _settings_view(smtp_host: str, address: str | None) -> dict[str, Any]:
    return {"email": address, "email_enabled": bool(smtp_host)}
