"""The ASGI app around an emulator's state: its control routes, one catch-all gateway, and
webhook delivery for as long as the app's lifespan runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Protocol, TypeVar

import httpx
from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import Response

S = TypeVar("S")
Gateway = Callable[[Request], Awaitable[Response]]


class Dispatcher(Protocol):
    def start(self) -> None: ...

    async def stop(self) -> None: ...


def emulator_app(
    state: S,
    *,
    title: str,
    control: Callable[[S], APIRouter],
    gateway: Callable[[S], Gateway],
    methods: list[str],
    dispatcher: Callable[[S, httpx.AsyncClient], Dispatcher] | None = None,
) -> FastAPI:
    """Controls and their docs under `/_emulator/`; every other path goes to `gateway`.

    Each of `control`, `gateway` and `dispatcher` is built on `state`, which is
    `app.state.emulator`. The dispatcher (None: the emulator sends no webhooks), built on
    the lifespan's HTTP client too, is `app.state.webhook_dispatcher`.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if dispatcher is None:
            yield
            return
        async with httpx.AsyncClient() as client:
            delivering = dispatcher(state, client)
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
    app.state.emulator = state
    app.include_router(control(state))
    app.add_api_route("/{path:path}", gateway(state), methods=methods, include_in_schema=False)
    return app
