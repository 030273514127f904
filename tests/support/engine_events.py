"""What a hub's database engine did while a test looked on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tillsync.bootstrap import Hub


@contextmanager
def heard(hub: Hub, name: str) -> Iterator[list[tuple[Any, ...]]]:
    """The arguments of every `name` event of the hub's engine while inside."""
    seen: list[tuple[Any, ...]] = []

    def listener(*arguments: Any) -> None:
        seen.append(arguments)

    engine = hub.uows.database.engine.sync_engine
    event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        event.remove(engine, name, listener)
