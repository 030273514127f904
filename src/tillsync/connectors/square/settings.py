"""A Square connection's settings: seed 004's POS settings, and how far back an order is
looked for after an uncertain outcome."""

from __future__ import annotations

from pydantic import Field

from tillsync.connectors.settings import PosSettings


class SquareSettings(PosSettings):
    find_window_hours: float = Field(default=72, gt=0, le=24 * 31)
    """Orders created this long ago or since are searched for our reference (Square cannot
    filter by it); longer than the job queue's whole retry schedule."""
    find_max_pages: int = Field(default=10, ge=1, le=100)
    """Search pages read (500 orders each) before the reference counts as not found."""
