"""Changes the rules announce, as Poster's webhooks name them: object, id, action, data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tillsync.emulators.events import EventBus as SharedBus

ACTIONS = ("added", "changed", "removed", "transformed")


@dataclass(frozen=True, slots=True)
class Event:
    account: str
    object: str
    object_id: int
    action: str
    data: dict[str, Any] | None = None


class EventBus(SharedBus[Event]):
    """Changes of every account."""
