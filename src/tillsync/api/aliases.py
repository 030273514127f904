"""The seeds' own paths, answering exactly as the client apps written against them expect.

Each is a provider's route from the seed documents (seed 000's sale-sync, seed 001's
credentials, health, syncs and webhook, seed 002's Poster syncs, webhook and OAuth, seed
003's CRM connection); the same operations for every provider of the registry are under
/api/connections/{provider}.
"""

from __future__ import annotations

from fastapi import APIRouter

from tillsync.api import (
    cin7_credentials,
    cin7_health,
    cin7_sync,
    cin7_webhook,
    crm,
    poster,
    sale_sync,
)

ROUTERS: tuple[APIRouter, ...] = (
    sale_sync.router,
    crm.router,
    cin7_webhook.router,
    cin7_credentials.router,
    cin7_health.router,
    cin7_sync.router,
    poster.router,
)
UNION_TAGS = frozenset(sale_sync.ACTIONS)
"""Bodies told apart by their `action` (seed 000): their errors name the action's fields."""
