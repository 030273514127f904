"""Changes the rules announce (an item's stock, a sales order), handed to listeners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tillsync.emulators.events import EventBus as SharedBus

ENTITIES = ("item", "salesorder")


@dataclass(frozen=True, slots=True)
class Event:
    organization_id: str
    entity: str
    entity_id: str
    document: dict[str, Any]


class EventBus(SharedBus[Event]):
    """Item and sales order changes of every organization."""
