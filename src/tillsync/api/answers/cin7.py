"""Answers of seed 001's CIN7 credential endpoints and its webhook receiver's check."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from tillsync.api.answers import Answer
from tillsync.api.answers.connections import WebhookFailure, WebhookState


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


class Cin7Disconnected(Answer):
    success: bool
    connected: bool
    message: str
    webhooksRemoved: int
    webhookFailures: list[WebhookFailure]


class ReceiverHealth(Answer):
    """GET /api/cin7/webhook: the receiver answers (CIN7's own check of a URL)."""

    status: Literal["ok"]
    receiver: Literal["cin7"]
    message: str
