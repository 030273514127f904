"""Serving ASGI apps with uvicorn inside a running event loop (sandbox, tests, benches)."""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import Any

import uvicorn

from tillsync.errors import PortInUse


class Server(uvicorn.Server):
    """A uvicorn server that leaves signals to its owner (who may run several servers), and
    stops as soon as it is asked to.

    `stop()` wakes its main loop at once (uvicorn looks every tenth of a second). When it
    starts to stop, it calls the app's `state.end_streams()` if the app has one, before it
    waits for open connections: a live stream would otherwise hold it until the
    graceful-shutdown timeout, and then be cancelled with a traceback. It then waits for
    connections and tasks to end by looking often, not with uvicorn's fixed tenth of a second:
    every test starts and stops servers, and the sandbox stops several at once.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self.should_exit = True
        self._stopping.set()

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864_000
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), _TICK_SECONDS)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        end_streams = getattr(getattr(self.config.app, "state", None), "end_streams", None)
        if callable(end_streams):
            end_streams()
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        try:
            await asyncio.wait_for(self._drained(), self.config.timeout_graceful_shutdown)
        except TimeoutError:
            _log.warning(
                "graceful shutdown timed out; cancelling %d tasks", len(self.server_state.tasks)
            )
            for task in self.server_state.tasks:
                task.cancel(msg="the graceful shutdown timed out")
        if not self.force_exit:
            await self.lifespan.shutdown()

    async def _drained(self) -> None:
        state = self.server_state
        # uvicorn's state has no event to wait on: look often.
        while (state.connections or state.tasks) and not self.force_exit:  # noqa: ASYNC110
            await asyncio.sleep(_DRAIN_POLL_SECONDS)


_log = logging.getLogger(__name__)
_TICK_SECONDS = 0.1
"""uvicorn's tick: it refreshes the `date` header each tenth tick."""
_DRAIN_POLL_SECONDS = 0.005


def listening_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A socket bound and listening on this address, for `serve`: from now on the port is
    this process's, however long the app takes to build (port 0 takes a free one; a port
    another program holds raises `PortInUse`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this; without it small answers wait on delayed ACKs
    # (about 40 ms each), as the event loop only sets it on sockets it creates itself.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(socket.SOMAXCONN)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(host=host, port=port) from None
        raise
    return sock


@asynccontextmanager
async def serve(
    app: Any, *, host: str = "127.0.0.1", port: int = 0, sock: socket.socket | None = None
) -> AsyncIterator[str]:
    """Run `app` (with its lifespan) until the block ends; yield its base URL.

    It listens on `sock` if given (see `listening_socket`), else on `host` and `port`.
    Signals are left to the caller.
    """
    if sock is None:
        sock = listening_socket(host, port)
    else:
        host = sock.getsockname()[0]
    bound = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=3)
    server = Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the server stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://{host}:{bound}"
    finally:
        server.stop()
        await task
        sock.close()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (for settings that must know it in advance)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def settle_heap() -> None:
    """Once a long-running server has started: what start-up built lives as long as it does.

    Frozen out of the collector's sight, the modules, routes, models and pools are no
    longer walked by every full collection; such a walk took 30 to 160 ms on a serving hub,
    stalling each request in flight (the checks' p99).
    """
    gc.collect()
    gc.freeze()
