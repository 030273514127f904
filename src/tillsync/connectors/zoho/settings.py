"""A Zoho connection's settings: seed 004's POS settings, the organization, the day's quota."""

from __future__ import annotations

from pydantic import Field

from tillsync.connectors.settings import PosSettings

DAILY_QUOTA = 1000
"""Zoho's Free plan, the lowest the notes give (the others' figures disagree): a connection
on a larger plan raises it, and a smaller figure than the plan's only costs bulk work."""


class ZohoSettings(PosSettings):
    organization_id: str | None = Field(
        default=None, min_length=1, max_length=19, pattern=r"^[0-9]+$"
    )
    """The organization every call names; chosen at connect (the only one, or the one given)."""
    daily_quota: int = Field(default=DAILY_QUOTA, ge=1, le=1_000_000)
    """Calls a day the organization's plan allows (per organization, the UTC day)."""
    walk_in_customer: str = Field(default="Online orders", min_length=1, max_length=100)
    """The contact a sales order names when the customer may not be sent, or is unnamed."""
