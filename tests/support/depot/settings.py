"""A Depot connection's settings: the shared ones, and where sales leave stock."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from tillsync.connectors.settings import ConnectionSettings


class DepotSettings(ConnectionSettings):
    model_config = ConfigDict(extra="allow")

    location: str = Field(default="Main", min_length=1, max_length=100)
    """Where a sale leaves stock when its document names no location."""
