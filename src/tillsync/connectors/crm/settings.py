"""A CRM connection's settings: what to put on invoices of sales that do not say."""

from __future__ import annotations

from pydantic import Field

from tillsync.connectors.settings import ConnectionSettings


class CrmSettings(ConnectionSettings):
    currency: str = Field(default="USD", min_length=3, max_length=3)
    payment_method: str = Field(default="other", min_length=1, max_length=100)
