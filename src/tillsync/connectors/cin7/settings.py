"""A CIN7 connection's settings: where sales go and how they are booked."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from tillsync.connectors.settings import ConnectionSettings


class Cin7Settings(ConnectionSettings):
    model_config = ConfigDict(extra="allow")

    location: str = Field(default="Main Warehouse", min_length=1, max_length=200)
    customer: str = Field(default="Walk-in Customer", min_length=1, max_length=200)
    tax_rule: str = Field(default="Tax Exempt", min_length=1, max_length=100)
    revenue_account: str = Field(default="200", min_length=1, max_length=50)
