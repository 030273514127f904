"""Answers of /api/connections/{provider}: a connection shown, connected, removed, its health."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from tillsync.api.answers import Answer, when
from tillsync.services.connections import health


class WebhookState(Answer):
    type: str
    status: str
    error: str | None


class WebhookFailure(Answer):
    type: str | None
    id: str
    error: str


class HealthWebhook(WebhookState):
    updatedAt: dt.datetime


class WindowUse(Answer):
    """A further window the provider counts calls in (a day's quota)."""

    name: str
    used: int
    limit: int
    windowSeconds: float
    denied: int
    reserve: float = Field(description="The share kept for order and sale pushes")


class RateLimitUse(Answer):
    used: int
    limit: int
    windowSeconds: float
    denied: int
    windows: list[WindowUse]


class JobCounts(Answer):
    pending: int
    running: int
    retrying: int
    failed: int
    failedRecently: int


class ConnectionHealth(Answer):
    connected: bool
    healthy: bool
    status: str
    accountName: str | None
    lastSuccessfulSync: dt.datetime | None
    errorCount: int
    failingSince: dt.datetime | None
    lastError: str | None
    webhooks: list[HealthWebhook]
    rateLimit: RateLimitUse | None
    jobs: JobCounts
    problems: list[str]
    checkedAt: dt.datetime
    cached: bool = Field(description="Remembered from an answer of the last 30 s")


class ConnectionShown(Answer):
    provider: str
    title: str
    roles: list[str] = Field(description="The roles the connection plays (or would, by default)")
    availableRoles: list[str] = Field(description="Every role the provider can play")
    connected: bool
    status: str
    credentials: dict[str, str] = Field(description="By name; secrets masked (first 8, last 4)")
    url: str | None
    accountName: str | None
    settings: dict[str, Any] | None
    errorCount: int
    lastError: str | None
    lastSync: dt.datetime | None
    connectedAt: dt.datetime | None
    updatedAt: dt.datetime | None
    webhooks: list[WebhookState]
    problem: str | None = Field(
        default=None, description="Present only when the stored credentials cannot be opened"
    )


class Connected(ConnectionShown):
    success: bool
    message: str


class AuthorisedConnection(Answer):
    """Seed 004's envelope around the connection an OAuth callback made."""

    success: bool
    data: ConnectionShown
    message: str


class Disconnected(Answer):
    success: bool
    connected: bool
    provider: str
    message: str
    webhooksRemoved: int
    webhookFailures: list[WebhookFailure]


def connection_health_json(shown: health.ConnectionHealth) -> dict[str, Any]:
    """The answer of every health route: /api/connections/{provider}/health and its alias."""
    budget = shown.rate_budget
    return {
        "connected": shown.connected,
        "healthy": shown.healthy,
        "status": shown.status,
        "accountName": shown.account_name,
        "lastSuccessfulSync": when(shown.last_successful_sync),
        "errorCount": shown.error_streak,
        "failingSince": when(shown.failing_since),
        "lastError": shown.last_error,
        "webhooks": [
            {
                "type": webhook.event_type,
                "status": webhook.status,
                "error": webhook.error,
                "updatedAt": webhook.updated_at.isoformat(),
            }
            for webhook in shown.webhooks
        ],
        "rateLimit": None
        if budget is None
        else {
            "used": budget.used,
            "limit": budget.limit,
            "windowSeconds": budget.window_seconds,
            "denied": budget.denied,
            "windows": [
                {
                    "name": window.name,
                    "used": window.used,
                    "limit": window.limit,
                    "windowSeconds": window.window_seconds,
                    "denied": window.denied,
                    "reserve": window.reserve,
                }
                for window in budget.windows
            ],
        },
        "jobs": {
            "pending": shown.jobs.pending,
            "running": shown.jobs.running,
            "retrying": shown.jobs.retrying,
            "failed": shown.jobs.failed,
            "failedRecently": shown.jobs.failed_recently,
        },
        "problems": list(shown.problems),
        "checkedAt": shown.checked_at.isoformat(),
        "cached": shown.cached,
    }
