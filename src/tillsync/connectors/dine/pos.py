"""Dine as the `Pos` capability: orders made once by our reference, and the menu."""

from __future__ import annotations

from tillsync.connectors.contract import Account, Page
from tillsync.connectors.dine import mapping
from tillsync.connectors.dine.client import DineClient
from tillsync.connectors.dine.settings import DineSettings
from tillsync.domain.catalog import ProductFields
from tillsync.domain.orders import PosOrder
from tillsync.errors import Permanent


class DinePos:
    def __init__(self, client: DineClient, settings: DineSettings) -> None:
        self._client, self._settings = client, settings

    async def account(self) -> Account:
        """The restaurant the key opens: the cheapest call that proves the key."""
        return Account(name=mapping.restaurant_name(await self._client.restaurant()))

    async def push_order(self, order: PosOrder) -> str:
        answer = await self._client.create_order(
            mapping.order_body(order), idempotency_key=order.reference
        )
        made = mapping.order_id(answer)
        if made is None:
            raise Permanent("Dine answered the new order without its id")
        return made

    async def find_order(self, reference: str) -> str | None:
        """Dine filters by reference itself: one call, whatever the order's age."""
        return mapping.with_reference(await self._client.orders_by_reference(reference), reference)

    async def catalog(self, *, page: int, limit: int) -> Page[ProductFields]:
        """Page `page` (from 1) of the menu, at most `limit` (and the setting's size) a page."""
        if page < 1:
            raise ValueError("page starts at 1")
        per_page = max(1, min(limit, self._settings.menu_page_size))
        answer = await self._client.menu_items(page=page, per_page=per_page)
        items = answer.get("items")
        total = answer.get("total")
        return Page(
            rows=mapping.menu_products(answer),
            last=answer.get("has_more") is not True,
            total=total if isinstance(total, int) else None,
            raw_count=len(items) if isinstance(items, list) else 0,
        )
