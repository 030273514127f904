"""The shared HTTP helpers against real sockets on loopback."""

from __future__ import annotations

import socket

import pytest

from tillsync.connectors.http import create_http_client, send
from tillsync.errors import Retryable


def closed_port() -> int:
    """A loopback port nobody listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_refused_connection_is_retryable_after_one_second_try() -> None:
    async with create_http_client(timeout=2.0) as client:
        request = client.build_request("GET", f"http://127.0.0.1:{closed_port()}/me?key=s3cret")
        with pytest.raises(Retryable, match="could not connect") as caught:
            await send(client, request)
    assert "s3cret" not in str(caught.value)
