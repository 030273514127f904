"""Square as the `Pos` capability: orders made once by our reference, the catalog, locations."""

from __future__ import annotations

import datetime as dt

from tillsync.connectors.contract import Account, Page
from tillsync.connectors.square import mapping
from tillsync.connectors.square.client import SquareClient
from tillsync.connectors.square.mapping import Location
from tillsync.connectors.square.settings import SquareSettings
from tillsync.domain.catalog import ProductFields
from tillsync.domain.orders import PosOrder
from tillsync.errors import InvalidInput, Permanent

CATALOG_TYPES = "ITEM"
"""Items with their variations nested: one listing gives names and the variation ids."""
MAX_CATALOG_PAGES = 1000
MAIN_LOCATION = "main"
"""RetrieveLocation's name for the merchant's main location (the first ever created)."""


class SquarePos:
    def __init__(self, client: SquareClient, settings: SquareSettings) -> None:
        self._client, self._settings = client, settings

    async def account(self) -> Account:
        """The merchant's locations (Square's own advice for checking a token), and the
        settings a connection learns from them: where orders go when no location was chosen
        (the main location, or the first active one if the main is not), and the merchant
        the locations belong to, which Square's webhooks name. A location the settings hold
        for another merchant (connected before, then authorised by another seller) is not
        this account's to check: the main one is taken instead."""
        found = await self.locations()
        merchant = next((location.merchant_id for location in found if location.merchant_id), None)
        wanted = self._settings.location_id
        if merchant is not None and self._settings.merchant_id not in (None, merchant):
            wanted = None
        if wanted is None:
            chosen = await self._main(found)
        else:
            given = next((location for location in found if location.id == wanted), None)
            if given is None:
                shown = wanted[:40]  # what the caller gave, cut short
                raise InvalidInput(
                    f"Square has no location '{shown}' for this account", field="location_id"
                )
            chosen = given
        filled: dict[str, object] = {"location_id": chosen.id}
        if chosen.merchant_id:
            filled["merchant_id"] = chosen.merchant_id
        return Account(name=chosen.name, settings=filled)

    async def _main(self, found: list[Location]) -> Location:
        main = mapping.location(await self._client.location(MAIN_LOCATION))
        if main is not None and main.active:
            return main
        active = [location for location in found if location.active]
        if not active:
            raise InvalidInput(
                "Square has no active location for this account to send orders to",
                field="location_id",
            )
        return active[0]

    async def locations(self) -> list[Location]:
        return mapping.locations(await self._client.locations())

    async def push_order(self, order: PosOrder) -> str:
        body = mapping.order_body(order, location_id=self._location())
        answer = await self._client.create_order(idempotency_key=order.reference, order=body)
        made = mapping.order_id(answer)
        if made is None:
            raise Permanent("Square answered the new order without its id")
        return made

    async def find_order(self, reference: str) -> str | None:
        """Search the location's recent orders for our reference, newest first, bounded."""
        since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=self._settings.find_window_hours)
        cursor: str | None = None
        for _ in range(self._settings.find_max_pages):
            body = mapping.order_search(location_id=self._location(), since=since, cursor=cursor)
            answer = await self._client.search_orders(body)
            found = mapping.with_reference(answer, reference)
            if found is not None:
                return found
            cursor = answer.get("cursor") if isinstance(answer.get("cursor"), str) else None
            if not cursor:
                return None
        raise Permanent(
            f"order '{reference}' not among the newest {self._settings.find_max_pages} pages "
            "of Square orders: too many to search"
        )

    async def catalog(self, *, page: int, limit: int) -> Page[ProductFields]:
        """Page `page` (from 1) of Square's catalog; Square fixes a page at 100 items, so
        `limit` is not sent, and reaching a page walks the cursors before it."""
        if page < 1:
            raise ValueError("page starts at 1")
        cursor: str | None = None
        for _ in range(min(page - 1, MAX_CATALOG_PAGES)):
            cursor = (await self._client.list_catalog(types=CATALOG_TYPES, cursor=cursor)).get(
                "cursor"
            )
            if not cursor:
                return Page(rows=[], last=True)
        answer = await self._client.list_catalog(types=CATALOG_TYPES, cursor=cursor)
        objects = answer.get("objects") or []
        rows = mapping.catalog_products(objects)
        raw = len(objects) if isinstance(objects, list) else 0
        return Page(rows=rows, last=not answer.get("cursor"), raw_count=raw)

    def _location(self) -> str:
        if not self._settings.location_id:
            raise Permanent("the Square connection has no location_id: set it in its settings")
        return self._settings.location_id
