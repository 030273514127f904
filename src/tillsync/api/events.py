"""GET /api/events: the live stream of stock and alert changes (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.numbers import STOCK_FIGURES, wire
from tillsync.api.routing import KeyFirstRoute
from tillsync.bootstrap import Hub
from tillsync.services.feed import FeedEvent

router = APIRouter(route_class=KeyFirstRoute, tags=["events"])
KEEPALIVE_SECONDS = 15.0
MAX_EVENT_ID = 2**63 - 1
"""Event ids are 64-bit: a larger Last-Event-ID names no event and could not be queried."""
LastEventId = Annotated[int | None, Header(ge=0, le=MAX_EVENT_ID)]
"""Sent by a reconnecting EventSource: the stream resumes after that event."""


def frame(event: FeedEvent) -> str:
    """One SSE frame; stock figures are stored as decimal text and sent as numbers."""
    data = json.dumps(wire(event.data, text=STOCK_FIGURES))
    return f"id: {event.id}\nevent: {event.type}\ndata: {data}\n\n"


@router.get(
    "/api/events",
    summary="Live stock and alert changes as Server-Sent Events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Frames `stock.changed` and `alert.*`, each with its `id`; a comment "
            "line every 15 s keeps the connection open",
            "content": {"text/event-stream": {}},
        }
    },
)
async def events(
    hub: HubDep,
    caller: CallerDep,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    return event_stream(hub, caller.tenant_id, after=last_event_id)


def event_stream(hub: Hub, tenant_id: str, *, after: int | None) -> StreamingResponse:
    """One tenant's events as SSE, from the hub's one feed (the API's and the dashboard's)."""

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n: connected\n\n"
        source = hub.feed.subscribe(tenant_id, after=after).__aiter__()
        pending: asyncio.Task[FeedEvent] | None = None
        try:
            while True:
                pending = pending or asyncio.ensure_future(anext(source))
                done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_SECONDS)
                if not done:
                    yield ": keepalive\n\n"
                    continue
                try:
                    event = pending.result()
                except StopAsyncIteration:
                    return
                pending = None
                yield frame(event)
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):
                    await pending
            await source.aclose()  # type: ignore[attr-defined]

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
