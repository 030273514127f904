"""The live stream for the browser: the API's event stream, authenticated by the session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from tillsync.api.deps import HubDep
from tillsync.api.events import MAX_EVENT_ID, LastEventId, event_stream
from tillsync.dashboard.auth import ViewerDep

PATH = "/live/events"
router = APIRouter(include_in_schema=False)


@router.get(PATH)
async def live_events(
    hub: HubDep,
    viewer: ViewerDep,
    after: Annotated[int | None, Query(ge=0, le=MAX_EVENT_ID)] = None,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """From the page's own starting point (`after`), or after the last event the browser got
    when it reconnects."""
    return event_stream(
        hub, viewer.tenant_id, after=last_event_id if last_event_id is not None else after
    )
