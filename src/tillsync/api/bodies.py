"""Request bodies at the edge: their size and nesting are bounded before anything parses them."""

from __future__ import annotations

import re

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tillsync.errors import MalformedBody, PayloadTooLarge

MAX_DEPTH = 32
"""Deeper than any body a client or provider sends; far below what breaks a parser."""
_STRUCTURE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
"""Strings (skipped whole, so brackets inside them do not count) and brackets."""


def too_deep(body: bytes, *, limit: int = MAX_DEPTH) -> bool:
    """Whether the body's arrays and objects nest deeper than `limit`, read without parsing."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for match in _STRUCTURE.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


class BodyLimit:
    """Refuses bodies over the size limit with 413, by their header or by counting the bytes.

    Bodies are read whole before the app sees them (they are capped, so this is cheap),
    which lets an over-long chunked body be refused cleanly rather than half-parsed. A body
    nested deeper than `MAX_DEPTH` is refused (400) when the app reads it, not here: an
    operation that needs a key checks the key before it reads the body.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(message), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if too_deep(body):
            await self.app(scope, _refused(receive), send)
            return
        first: Message = {"type": "http.request", "body": body, "more_body": False}
        await self.app(scope, _replay(first, then=receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = PayloadTooLarge(f"the body is over {self.max_bytes} bytes", field="body")
        await JSONResponse(error.body(), status_code=413)(scope, receive, send)


def _replay(first: Message, *, then: Receive | None = None) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


def _refused(then: Receive) -> Receive:
    """Reading the body raises `MalformedBody`; after that, the client's own messages."""
    read = False

    async def receive() -> Message:
        nonlocal read
        if not read:
            read = True
            raise MalformedBody(f"is nested deeper than {MAX_DEPTH} levels")
        return await then()

    return receive
