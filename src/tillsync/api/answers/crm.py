"""Answers of the CRM connection endpoints (seed 003): the connection, its key masked."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from tillsync.api.answers import Answer


class CrmSettingsView(Answer):
    """The defaults, then what the tenant set; settings of earlier versions may add keys."""

    model_config = ConfigDict(extra="allow")

    currency: str
    payment_method: str
    retry_interval_seconds: float | None = None
    max_retries: int | None = None


class CrmConnection(Answer):
    connected: Literal[True]
    provider: str
    id: str
    url: str
    apiKey: str = Field(description="Masked")
    status: str
    errorCount: int
    lastError: str | None
    settings: CrmSettingsView
    createdAt: dt.datetime
    updatedAt: dt.datetime


class CrmDisconnected(Answer):
    connected: Literal[False]
    provider: str


class CrmTest(Answer):
    success: bool
    problem: str | None
    message: str
