"""Loads of requests: closed loop (each caller waits for its answer) and open loop (a fixed rate).

A call says how its request ended: "ok", "refused" (the hub said no, as it may) or "error".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

Call = Callable[[], Awaitable[str]]
"""One request; says "ok", "refused" or "error"."""
Calls = Callable[[], Call]
"""Makes one client's calls (a client may keep state: the hold it will release)."""


@dataclass
class Tally:
    latencies: list[float]
    refused: int = 0
    errors: int = 0

    def add(self, outcome: str, seconds: float) -> None:
        self.latencies.append(seconds)
        self.refused += outcome == "refused"
        self.errors += outcome == "error"


async def timed(call: Call, tally: Tally, started: float) -> None:
    try:
        outcome = await call()
    except (aiohttp.ClientError, TimeoutError):
        outcome = "error"
    tally.add(outcome, time.perf_counter() - started)


async def closed_loop(calls: Calls, *, seconds: float, clients: int) -> tuple[Tally, float]:
    """`clients` callers, each sending its next request when the last one is answered."""
    tally = Tally([])
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        call = calls()
        while time.perf_counter() < deadline:
            await timed(call, tally, time.perf_counter())

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return tally, time.perf_counter() - began


async def open_loop(calls: Calls, *, seconds: float, rate: float) -> tuple[Tally, float]:
    """Requests started at `rate` a second whatever the answers; each latency counts from the
    request's planned start, so a stalled hub shows in p99 instead of slowing the sender."""
    tally, call, running = Tally([]), calls(), set()
    began = time.perf_counter()
    for number in range(round(seconds * rate)):
        planned = began + number / rate
        await asyncio.sleep(max(0.0, planned - time.perf_counter()))
        task = asyncio.create_task(timed(call, tally, planned))
        running.add(task)
        task.add_done_callback(running.discard)
    await asyncio.gather(*running)
    return tally, time.perf_counter() - began
