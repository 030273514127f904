"""Zoho Inventory as the `Warehouse` capability: items and their stock, sales as sales orders.

For a connection made its tenant's stock source (the `warehouse` role, chosen at connect).

- Products: `GET /items`, 200 a page, `has_more_page`; changed ones by `last_modified_time`.
- Availability: the listing filtered by the connection's `location_id` (else the
  organization's primary location), so one listing is one location's figures; one SKU's
  figures at every location come from the single item's `locations[]`. The location is
  read (`GET /locations`) at a listing's first page and kept for the process: a pull that
  steps aside for the rate budget resumes on a new connector, and a read each time would
  spend a call of the 100 a minute on every resumption (sales use the kept one too).
- A sale is a sales order made with our reference (`create`), then confirmed (`confirm`),
  which commits its stock: `find_sale` reads the status to know which steps are done.
- Zoho has no shipments in the emulator and no webhook API: shipped sales list empty, and
  workflow webhooks are set up by the user (`webhooks.py`), not registered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tillsync.connectors.contract import Page, RemoteWebhook
from tillsync.connectors.zoho import mapping
from tillsync.connectors.zoho.client import MAX_PER_PAGE, ZohoClient
from tillsync.connectors.zoho.pos import customer_id
from tillsync.connectors.zoho.settings import ZohoSettings
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.sale_documents import ExternalSale, RemoteSale, SaleDocument, ShippedSale
from tillsync.errors import NotFound, Permanent

CREATE, CONFIRM = "create", "confirm"
_KNOWN: dict[tuple[str, str, str], tuple[str, str]] = {}
"""Each connection's location (id, name), by API, organization and chosen location: as the
latest listing's first page read it. Small: one entry per connection the process served."""


class ZohoWarehouse:
    page_limit = MAX_PER_PAGE
    sale_steps: tuple[str, ...] = (CREATE, CONFIRM)
    stock_step = CONFIRM

    def __init__(self, client: ZohoClient, settings: ZohoSettings) -> None:
        self._client, self._settings = client, settings
        self._location: tuple[str, str] | None = None

    async def products(
        self, *, page: int, limit: int, changed_since: dt.datetime | None
    ) -> Page[ProductFields]:
        since = mapping.changed_since(changed_since) if changed_since else None
        answer = await self._client.items(page=page, per_page=limit, changed_since=since)
        return _page(answer, mapping.products(answer))

    async def availability(self, *, page: int, limit: int) -> Page[StockRow]:
        location_id, name = await self.location(fresh=page == 1)
        answer = await self._client.items(page=page, per_page=limit, location_id=location_id)
        return _page(answer, mapping.stock_rows(answer, location=name))

    async def availability_of(self, sku: str) -> list[StockRow]:
        listed = await self._client.items(page=1, per_page=MAX_PER_PAGE, sku=sku)
        found: list[StockRow] = []
        for product in mapping.products(listed):
            if product.sku == sku and product.external_id:
                found.extend(mapping.item_stock(await self._client.item(product.external_id)))
        return found

    async def find_sale(
        self,
        reference: str,
        *,
        external_id: str | None = None,
        document: SaleDocument | None = None,
    ) -> RemoteSale | None:
        if external_id is not None:
            found = mapping.salesorder(await self._client.salesorder(external_id))
        else:
            found = mapping.with_reference(
                await self._client.salesorders(reference_number=reference), reference
            )
        if not found or not found.get("salesorder_id"):
            return None
        done = {CREATE} | ({CONFIRM} if found.get("status") in mapping.CONFIRMED else set())
        return RemoteSale(external_id=str(found["salesorder_id"]), steps_done=frozenset(done))

    async def sale_step(
        self, step: str, document: SaleDocument, *, external_id: str | None
    ) -> str | None:
        if step == CREATE:
            return await self._create(document)
        if step == CONFIRM:
            if external_id is None:
                raise Permanent("a sales order is confirmed only once it is made")
            await self._client.confirm(external_id)
            return None
        raise ValueError(f"unknown step {step!r}")

    async def _create(self, document: SaleDocument) -> str:
        item_ids: dict[str, str] = {}
        for sku in {line.sku for line in document.lines}:
            listed = mapping.products(await self._client.items(page=1, per_page=10, sku=sku))
            match = next((p.external_id for p in listed if p.sku == sku and p.external_id), None)
            if match:
                item_ids[sku] = match
        customer = await customer_id(self._client, name=self._settings.walk_in_customer, phone=None)
        location_id, _ = await self.location()
        body = mapping.sale_body(
            reference=document.reference,
            customer_id=customer,
            lines=document.lines,
            item_ids=item_ids,
            location_id=location_id,
            date=document.date,
            note=document.note,
        )
        made = mapping.salesorder_id(await self._client.create_salesorder(body))
        if made is None:
            raise Permanent("Zoho answered the new sales order without its id")
        return made

    async def shipped_sales(
        self, *, page: int, limit: int, changed_since: dt.datetime
    ) -> Page[ShippedSale]:
        return Page(rows=[], last=True)

    async def sale(self, external_id: str) -> ExternalSale:
        _, name = await self.location()
        found = mapping.external_sale(await self._client.salesorder(external_id), location=name)
        if found is None:
            raise NotFound(f"Zoho has no sales order {external_id}", field="external_id")
        return found

    async def webhooks(self) -> list[RemoteWebhook]:
        return []  # Zoho has no API for workflow webhooks: the user sets them up

    async def register_webhook(
        self, event_type: str, *, url: str, token: str, external_id: str | None
    ) -> str | None:
        return None

    async def delete_webhook(self, external_id: str) -> None:
        return None

    async def location(self, *, fresh: bool = False) -> tuple[str, str]:
        """The connection's location (id, name): its `location_id`, else the primary one;
        read afresh when `fresh`, else as this process last read it."""
        key = (
            self._client.base_url,
            self._client.organization_id or "",
            self._settings.location_id or "",
        )
        if self._location is None and not fresh:
            self._location = _KNOWN.get(key)
        if self._location is None or fresh:
            rows = (await self._client.locations()).get("locations")
            places = (
                [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
            )
            wanted = self._settings.location_id
            chosen = next(
                (
                    row
                    for row in places
                    if (row.get("location_id") == wanted if wanted else row.get("is_primary"))
                ),
                None,
            )
            if chosen is None:
                raise Permanent(
                    f"Zoho has no location {wanted or '(primary)'} for this organization"
                )
            self._location = (str(chosen["location_id"]), str(chosen.get("location_name") or ""))
            _KNOWN[key] = self._location
        return self._location


def _page(answer: dict[str, Any], rows: list[Any]) -> Page[Any]:
    items = answer.get("items")
    return Page(
        rows=rows,
        last=not mapping.has_more(answer),
        raw_count=len(items) if isinstance(items, list) else 0,
    )
