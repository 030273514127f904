"""Reading a Server-Sent Events stream in a test."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Frame:
    id: int | None
    event: str
    data: Any


class Stream:
    def __init__(self) -> None:
        self.frames: asyncio.Queue[Frame] = asyncio.Queue()

    async def next(self, event: str, *, timeout: float, where: Any = None) -> Frame:
        """The next frame of this type (matching `where`), or TimeoutError."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.frames.get()
                if frame.event == event and (where is None or where(frame.data)):
                    return frame


@asynccontextmanager
async def listen(
    client: httpx.AsyncClient, path: str = "/api/events", *, headers: dict[str, str] | None = None
) -> AsyncIterator[Stream]:
    stream = Stream()
    connected = asyncio.Event()

    async def read() -> None:
        async with client.stream("GET", path, headers=headers, timeout=None) as response:
            response.raise_for_status()
            fields: dict[str, str] = {}
            async for line in response.aiter_lines():
                if line.startswith(": connected"):
                    connected.set()
                if not line:
                    if "data" in fields:
                        event_id = fields.get("id")
                        await stream.frames.put(
                            Frame(
                                id=int(event_id) if event_id else None,
                                event=fields.get("event", "message"),
                                data=json.loads(fields["data"]),
                            )
                        )
                    fields = {}
                    continue
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")

    task = asyncio.create_task(read())
    try:
        async with asyncio.timeout(10):
            await asyncio.wait(
                [task, asyncio.ensure_future(connected.wait())],
                return_when=asyncio.FIRST_COMPLETED,
            )
        if task.done():
            task.result()
        yield stream
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
