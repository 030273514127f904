"""create_app: the HTTP API with its hub, live feed and (by default) an embedded worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from tillsync import __version__, dashboard
from tillsync.api import (
    access,
    alerts,
    aliases,
    catalog,
    connections,
    docs,
    drift_reports,
    errors,
    events,
    history,
    notifications,
    oauth,
    openapi,
    operations,
    orders,
    pos,
    records,
    sales,
    state,
    webhooks,
)
from tillsync.api.answers import ok
from tillsync.api.answers.liveness import Liveness
from tillsync.api.bodies import BodyLimit
from tillsync.api.parameters import refuse_nul
from tillsync.bootstrap import open_hub, run_until
from tillsync.clock import Clock
from tillsync.config import Settings
from tillsync.metrics import Metrics
from tillsync.providers import Providers

DESCRIPTION = """Keeps a business's own apps in agreement with its warehouse, POS and CRM.

App-facing operations need `Authorization: Bearer <tenant API key>`. Every error answers
`{error, message, field}` naming the field at fault; invalid input adds `errors`, every
problem found."""


def create_app(
    settings: Settings, *, clock: Clock | None = None, providers: Providers | None = None
) -> FastAPI:
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_hub(settings, clock=clock, providers=providers, metrics=metrics) as hub:
            state.install(app, hub)
            stop = asyncio.Event()
            loops = [hub.feed.run, hub.checks.run, hub.stock.run]
            if settings.embedded_worker:
                loops.append(hub.run_worker)
            background = asyncio.create_task(run_until(stop, *loops))
            try:
                yield
            finally:
                stop.set()
                await background

    app = FastAPI(
        title="tillsync",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(refuse_nul)],
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(access.Access, metrics=metrics)  # outermost: it sees every answer
    openapi.install(app)
    docs.install(app)
    errors.install(app, union_tags=aliases.UNION_TAGS)
    for router in aliases.ROUTERS:  # first: the seeds' paths carry most of the traffic
        app.include_router(router)
    for module in (
        sales,
        alerts,
        events,
        history,
        notifications,
        catalog,
        webhooks,
        operations,
        oauth,
    ):
        app.include_router(module.router)
    for module in (orders, pos):
        app.include_router(module.router)
    app.include_router(connections.router)  # after history: /api/connections/stats is its
    app.include_router(drift_reports.router)
    app.include_router(records.router)
    dashboard.install(app)

    @app.get(
        "/healthz",
        summary="Liveness: answers without touching the database",
        response_model=None,
        responses=ok(Liveness),
    )
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    return app
