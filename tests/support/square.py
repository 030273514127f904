"""A served Square emulator with one seller, and a webhook receiver that keeps raw bodies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response

from tillsync.clock import Clock
from tillsync.emulators.square import Seller, Settings, SquareState, create_square_emulator
from tillsync.serving import serve

POLL_SECONDS = 0.02


@dataclass
class Emulated:
    url: str
    state: SquareState
    seller: Seller


@asynccontextmanager
async def square_emulator(
    *, clock: Clock | None = None, settings: Settings | None = None
) -> AsyncIterator[Emulated]:
    state = SquareState(clock=clock, settings=settings)
    seller = state.create_merchant(merchant_id="MLDEMOKITCHEN", business_name="Demo Kitchen")
    async with serve(create_square_emulator(state)) as url:
        yield Emulated(url, state, seller)


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook endpoint that records each request's raw bytes and answers `statuses` in
    turn (the last one from then on)."""

    url: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    received: list[Delivery] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def receive(path: str, request: Request) -> Response:
            self.received.append(Delivery(f"/{path}", dict(request.headers), await request.body()))
            status = self.statuses[min(len(self.received), len(self.statuses)) - 1]
            return Response(status_code=status)

        return app


@asynccontextmanager
async def webhook_receiver(*statuses: int) -> AsyncIterator[Receiver]:
    receiver = Receiver(statuses=list(statuses or (200,)))
    async with serve(receiver.app()) as url:
        receiver.url = url
        yield receiver


async def eventually(check: Callable[[], bool], *, within: float = 10.0) -> None:
    """Poll until `check()` holds; `within` only guards against hanging."""
    async with asyncio.timeout(within):
        while not check():
            await asyncio.sleep(POLL_SECONDS)
