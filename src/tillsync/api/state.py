"""What the app keeps between requests: a health cache per provider, the connection locks."""

from __future__ import annotations

from fastapi import FastAPI, Request

from tillsync.bootstrap import Hub
from tillsync.services.connections.health import HealthCache
from tillsync.services.connections.locks import TenantLocks


def install(app: FastAPI, hub: Hub) -> None:
    app.state.hub = hub
    app.state.end_streams = hub.feed.close  # called as the server starts to stop (`serving`)
    app.state.health = {p.name: HealthCache(hub.uows.clock, p.name) for p in hub.services.providers}
    app.state.connection_locks = TenantLocks()


def health_cache(request: Request, provider: str) -> HealthCache:
    caches: dict[str, HealthCache] = request.app.state.health
    return caches[provider]


def locks(request: Request) -> TenantLocks:
    """One credential change at a time per tenant in this process, whatever the provider."""
    held: TenantLocks = request.app.state.connection_locks
    return held
