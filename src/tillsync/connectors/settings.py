"""Settings every connection has, whatever its provider: syncing, pushing, retrying, pacing.

A provider's own settings model extends this one (`Provider.settings`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class RateLimitSetting(BaseModel):
    """Another limit than the provider's: a lower one (an account shared with other apps), or
    one a test or a load run sets far above it, as a stored connection may; unset: its own."""

    model_config = ConfigDict(extra="forbid")

    calls: int | None = Field(default=None, ge=1)
    window_seconds: float | None = Field(default=None, gt=0, le=86_400)


class ConnectionSettings(BaseModel):
    # Infinity or NaN would pass `gt=0` and be stored as null: refused instead.
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    auto_sync: bool = True
    sync_interval_minutes: float = Field(default=15, gt=0, le=7 * 24 * 60)
    page_size: int | None = Field(default=None, ge=1, le=10_000)
    webhook_watchdog_minutes: float | None = Field(default=None, gt=0)
    push_mode: Literal["auto", "per_sale", "batched"] = "auto"
    batch_threshold: int = Field(default=5, ge=1)
    batch_max_sales: int = Field(default=100, ge=1)
    batch_linger_seconds: float | None = Field(default=None, ge=0)
    retry_interval_seconds: float | None = Field(default=None, gt=0, le=86_400)
    """Between retries of a failed call; unset: seed 004's 5 minutes."""
    max_retries: int | None = Field(default=None, ge=0, le=1000)
    """Retries before a job fails for good; unset: seed 004's 12 (an hour, every 5 minutes)."""
    rate_limit: RateLimitSetting | None = None


class PosSettings(ConnectionSettings):
    """Settings every POS connection has (seed 004's integration); a POS provider's own
    settings model extends this one."""

    auto_sync_orders: bool = True
    """New orders are pushed as they arrive; off: only when synced by hand."""
    sync_customer_info: bool = True
    """The customer's name and phone go with the order."""
    location_id: str | None = Field(default=None, min_length=1, max_length=200)
    merchant_id: str | None = Field(default=None, min_length=1, max_length=200)
    item_mapping: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=200)],
        Annotated[str, StringConstraints(min_length=1, max_length=200)],
    ] = Field(default={}, max_length=10_000)
    """The ordering app's dish id → the POS's catalog item id."""
    token_expires_at: dt.datetime | None = None
    """When the access token given at connect runs out, where the provider said."""
