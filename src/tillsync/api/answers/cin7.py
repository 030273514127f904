"""Answers of the CIN7 connection endpoints (seed 001): its credentials, masked, and health."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from tillsync.api.answers import Answer


class WebhookState(Answer):
    type: str
    status: str
    error: str | None


class Cin7Credentials(Answer):
    connected: bool
    accountId: str | None = Field(description="Masked")
    apiKey: str | None = Field(description="Masked")
    accountName: str | None
    status: str
    isActive: bool
    lastSync: dt.datetime | None
    connectedAt: dt.datetime | None
    updatedAt: dt.datetime | None
    webhooks: list[WebhookState]
    problem: str | None = Field(
        default=None, description="Present only when the stored pair cannot be opened"
    )


class Cin7Connected(Cin7Credentials):
    success: bool
    message: str


class WebhookFailure(Answer):
    type: str | None
    id: str
    error: str


class Cin7Disconnected(Answer):
    success: bool
    connected: bool
    message: str
    webhooksRemoved: int
    webhookFailures: list[WebhookFailure]


class HealthWebhook(WebhookState):
    updatedAt: dt.datetime


class RateLimitUse(Answer):
    used: int
    limit: int
    windowSeconds: float
    denied: int


class JobCounts(Answer):
    pending: int
    running: int
    retrying: int
    failed: int
    failedRecently: int


class Cin7Health(Answer):
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


class ReceiverHealth(Answer):
    """GET /api/cin7/webhook: the receiver answers (CIN7's own check of a URL)."""

    status: Literal["ok"]
    receiver: Literal["cin7"]
    message: str
