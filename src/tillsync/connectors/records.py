"""Records in the provider contract: a connector that lists a provider's objects as records.

Part of the provider contract (`contract.py`, whose `Connector.records` is a
`RecordSource` and `Provider.record_entities` names what it lists), kept in its own module
so each stays small; provider packages import from here.
"""

from __future__ import annotations

from typing import Protocol

from tillsync.domain.records import Listing, RemoteRecord


class RecordSource(Protocol):
    """The provider's objects of each entity it keeps as records (`Provider.record_entities`)."""

    async def listing(self, entity: str) -> Listing:
        """Every object of `entity` the provider lists, removed ones it still lists included."""
        ...

    async def one(self, entity: str, external_id: str) -> RemoteRecord | None:
        """The object with this id as the provider has it now; None when it has none."""
        ...
