"""Answers of the alerts, notifications and notification settings endpoints.

An alert is written by `services/event_payloads.alert_payload`: the stream's events carry
the same shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tillsync.api.answers import Answer, when
from tillsync.services.notices import Notice


class AlertView(Answer):
    id: str
    product_sku: str
    product_name: str
    location: str
    alert_type: str
    severity: str
    message: str
    resolved: bool
    created_at: dt.datetime
    resolved_at: dt.datetime | None


class AlertList(Answer):
    alerts: list[AlertView]


class NotificationView(Answer):
    id: str
    kind: str
    severity: str
    title: str
    message: str
    connection_id: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    read: bool


class NotificationList(Answer):
    notifications: list[NotificationView]


class MarkedRead(Answer):
    marked: int


class NotificationSettingsView(Answer):
    email: str | None
    email_enabled: bool


def notification_json(notification: Notice) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "severity": notification.severity,
        "title": notification.title,
        "message": notification.message,
        "connection_id": notification.connection_id,
        "created_at": notification.created_at.isoformat(),
        "read_at": when(notification.read_at),
        "read": notification.read,
    }
