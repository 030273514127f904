"""The connected POS's own catalog, read through its `Pos` capability, to map dishes onto."""

from __future__ import annotations

from dataclasses import dataclass

from tillsync.domain.catalog import ProductFields
from tillsync.errors import NotFound
from tillsync.services.connections.links import connector_for
from tillsync.services.context import Services
from tillsync.services.orders import pos_connections

PAGE_LIMIT = 100
MAX_PAGES = 10
"""At most this many pages are read: a catalog beyond them is shown cut short."""


@dataclass(frozen=True, slots=True)
class PosCatalog:
    items: tuple[ProductFields, ...]
    complete: bool
    """False when the listing stopped at `MAX_PAGES`."""


async def pos_catalog(services: Services, tenant_id: str) -> PosCatalog:
    """The catalog of the POS the business syncs orders to (the one a manual sync uses)."""
    async with services.uows.read() as session:
        connections = await pos_connections(session, tenant_id)
    if not connections:
        raise NotFound("the business has no connected POS integration", field="business_id")
    pos = connector_for(services, connections[-1], lane="urgent", wait=True).pos
    if pos is None:
        raise NotFound("the connected POS lists no catalog", field="business_id")
    items: list[ProductFields] = []
    for number in range(1, MAX_PAGES + 1):
        page = await pos.catalog(page=number, limit=PAGE_LIMIT)
        items.extend(row for row in page.rows if row.external_id)
        if page.last:
            return PosCatalog(items=tuple(items), complete=True)
    return PosCatalog(items=tuple(items), complete=False)
