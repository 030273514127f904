"""The live feed: idle while nobody listens, and a first subscriber hears what commits next."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event

from tillsync.bootstrap import Hub
from tillsync.services.feed import EventFeed, FeedEvent
from tillsync.services.tenants import create_tenant


@pytest.fixture
async def tenant(hub: Hub) -> str:
    return (await create_tenant(hub.uows, name="Feed Barbers")).tenant_id


async def _emit(hub: Hub, tenant: str, kind: str) -> None:
    async with hub.uows.begin() as uow:
        uow.emit(tenant_id=tenant, type=kind, data={"kind": kind})
        await uow.commit()


async def test_a_feed_nobody_listens_to_reads_nothing(hub: Hub, tenant: str) -> None:
    feed = EventFeed(hub.uows, poll_seconds=0.01)
    statements: list[str] = []

    def counted(*args: Any) -> None:
        statements.append(str(args[2]))

    stop = asyncio.Event()
    running = asyncio.create_task(feed.run(stop))
    await asyncio.sleep(0.1)  # started, and caught up with the end
    engine = hub.uows.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        await _emit(hub, tenant, "unheard")
        feed.wake()
        await asyncio.sleep(0.3)  # thirty polls' worth of time
    finally:
        event.remove(engine, "before_cursor_execute", counted)
        stop.set()
        await running
    assert [s for s in statements if "FROM events" in s] == []


async def test_a_first_subscriber_hears_what_commits_after_it_and_nothing_before(
    hub: Hub, tenant: str
) -> None:
    feed = EventFeed(hub.uows, poll_seconds=0.01)
    stop = asyncio.Event()
    running = asyncio.create_task(feed.run(stop))
    try:
        await _emit(hub, tenant, "before-the-feed-was-idle")
        await asyncio.sleep(0.05)
        await _emit(hub, tenant, "while-nobody-listened")
        stream: AsyncIterator[FeedEvent] = feed.subscribe(tenant, after=None).__aiter__()
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.05)  # subscribed, and polling again
        await _emit(hub, tenant, "heard")
        async with asyncio.timeout(10):
            heard = await first
        assert heard.type == "heard"
        await stream.aclose()  # type: ignore[attr-defined]
    finally:
        stop.set()
        await running


async def test_a_stream_opening_as_the_feed_closes_ends_with_it(hub: Hub, tenant: str) -> None:
    feed = EventFeed(hub.uows, poll_seconds=0.01)
    stream: AsyncIterator[FeedEvent] = feed.subscribe(tenant, after=None).__aiter__()
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)  # the subscriber is catching the cursor up: not registered yet
    feed.close()  # the hub starts to stop
    async with asyncio.timeout(10):  # a stream the close missed would wait here forever
        ended = await asyncio.gather(first, return_exceptions=True)
    assert isinstance(ended[0], StopAsyncIteration)
