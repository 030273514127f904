"""The ASGI app around an emulator: its control routes, one catch-all gateway, and
webhook delivery for as long as the app's lifespan runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Protocol

import httpx
from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import Response


class Dispatcher(Protocol):
    def start(self) -> None: ...

    async def stop(self) -> None: ...


def emulator_app(
    *,
    title: str,
    control: APIRouter,
    gateway: Callable[[Request], Awaitable[Response]],
    methods: list[str],
    dispatcher: Callable[[httpx.AsyncClient], Dispatcher],
) -> FastAPI:
    """Controls and their docs under `/_emulator/`; every other path goes to `gateway`.

    The dispatcher, built on the lifespan's HTTP client, is `app.state.webhook_dispatcher`.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient() as client:
            delivering = dispatcher(client)
            app.state.webhook_dispatcher = delivering
            delivering.start()
            try:
                yield
            finally:
                await delivering.stop()

    app = FastAPI(
        title=title,
        lifespan=lifespan,
        docs_url="/_emulator/docs",
        redoc_url=None,
        openapi_url="/_emulator/openapi.json",
    )
    app.include_router(control)
    app.add_api_route("/{path:path}", gateway, methods=methods, include_in_schema=False)
    return app
