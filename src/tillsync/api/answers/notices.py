"""Answers of the alerts, notifications and notification settings endpoints."""

from __future__ import annotations

import datetime as dt

from tillsync.api.answers import Answer


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
