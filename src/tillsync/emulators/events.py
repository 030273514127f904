"""The event bus every emulator shares: its rules publish, webhook delivery listens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

E = TypeVar("E")


class EventBus(Generic[E]):
    """Hands each published event to every listener, in the publisher's thread."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[E], None]] = []

    def subscribe(self, listener: Callable[[E], None]) -> Callable[[], None]:
        """Add a listener; the returned callable removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, event: E) -> None:
        for listener in list(self._listeners):
            listener(event)
