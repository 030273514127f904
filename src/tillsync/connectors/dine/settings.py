"""A Dine connection's settings: seed 004's POS settings, and the menu's page size."""

from __future__ import annotations

from pydantic import Field

from tillsync.connectors.settings import PosSettings


class DineSettings(PosSettings):
    menu_page_size: int = Field(default=100, ge=1, le=100)
    """Menu items asked for per page (Dine gives at most 100, as assumed)."""
