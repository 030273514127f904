"""The route class of the API's routers: an operation that needs a key checks it first."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tillsync.api.deps import authenticate, get_caller


class KeyFirstRoute(APIRoute):
    """The key, then the body: a caller without a key learns nothing about its body.

    FastAPI reads and parses a body before it solves dependencies, so otherwise a bad body
    would be answered (400, 422) before a missing key is (401).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        keyed, reads_body = needs_key(self.dependant), self.body_field is not None
        if not (keyed or reads_body):
            return handle

        async def route(request: Request) -> Response:
            if keyed:
                await authenticate(request)
            if reads_body:
                await request.body()  # a body refused whole (nested too deeply) is, here
            return await handle(request)

        return route


def needs_key(dependant: Dependant) -> bool:
    return any(
        dependency.call is get_caller or needs_key(dependency)
        for dependency in dependant.dependencies
    )
