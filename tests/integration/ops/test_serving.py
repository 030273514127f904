"""A port taken before the app exists stays this process's until the app serves on it."""

import errno
import socket

import httpx
import pytest
from fastapi import FastAPI

from tillsync.errors import PortInUse
from tillsync.serving import listening_socket, serve


async def test_a_port_held_before_the_app_is_built_is_nobody_elses_and_then_served() -> None:
    held = listening_socket()
    port = held.getsockname()[1]
    other = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    with pytest.raises(OSError, match="in use") as taken:  # an emulator starting meanwhile
        other.bind(("127.0.0.1", port))
    other.close()
    assert taken.value.errno == errno.EADDRINUSE
    with pytest.raises(PortInUse):
        listening_socket(port=port)

    app = FastAPI()
    app.get("/here")(lambda: {"here": True})
    async with serve(app, sock=held) as url, httpx.AsyncClient() as client:
        assert url == f"http://127.0.0.1:{port}"
        assert (await client.get(f"{url}/here")).json() == {"here": True}
