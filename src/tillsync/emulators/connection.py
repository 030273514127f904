"""The client's connection: waiting on it without outliving it, and dropping it mid-answer."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

DECLARED_LENGTH = 4096
DROPPED_STATUS = 0
"""The status a call log keeps for a connection dropped instead of answered."""


async def sleep_unless_disconnected(request: Request, seconds: float) -> bool:
    """Sleep `seconds`; stop early if the client hangs up. True when the full time passed.

    The request body must have been read already: this listens on the same channel.
    """
    if seconds <= 0:
        return True

    async def hang_up() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(hang_up())
    sleeper = asyncio.ensure_future(asyncio.sleep(seconds))
    try:
        done, _ = await asyncio.wait({watcher, sleeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        sleeper.cancel()
    return sleeper in done


def logged_status(response: Response) -> int:
    """The answer's status, or `DROPPED_STATUS` when the connection was dropped."""
    return DROPPED_STATUS if isinstance(response, DroppedConnection) else response.status_code


class DroppedConnection(Response):
    """Starts an answer, sends part of the promised body, then lets the server close.

    The server sees an incomplete response and closes the socket; an httpx client raises
    `RemoteProtocolError`, a transport error with no way to know what the call did.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(DECLARED_LENGTH).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b'[{"Err', "more_body": True})
