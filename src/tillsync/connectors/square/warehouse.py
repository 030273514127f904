"""Square as a tenant's stock source: the `Warehouse` calls in Square's catalog and inventory.

Square pages by cursor, the contract by page number: the cursor of each page read is kept
on the object (one per job), so a pull that reads its pages in order walks no page twice;
a page asked for out of order walks the cursors before it. A sale is one batch of
adjustments with our reference as idempotency key and `reference_id`, so it is one step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tillsync.connectors.contract import Page
from tillsync.connectors.square import stock
from tillsync.connectors.square.client import SquareClient
from tillsync.connectors.square.mapping import locations
from tillsync.connectors.square.settings import SquareSettings
from tillsync.connectors.till_stock import TillStock
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.sale_documents import RemoteSale, SaleDocument
from tillsync.errors import Permanent

ADJUST = "adjust"
CATALOG_TYPES = "ITEM"
CATALOG_PAGE = 100
"""Square fixes a catalog page at 100 objects."""
COUNTS_PAGE = 1000
MAX_PAGES = 1000
FIND_SLACK = dt.timedelta(days=1)
"""Changes are read from the day before the sale's date: its date is the shop's, not UTC."""


class SquareWarehouse(TillStock):
    title = "Square"

    page_limit: int = CATALOG_PAGE
    sale_steps: tuple[str, ...] = (ADJUST,)
    stock_step: str = ADJUST

    def __init__(self, client: SquareClient, settings: SquareSettings) -> None:
        self._client, self._settings = client, settings
        self._cursors: dict[tuple[str, int], str | None] = {}
        self._catalog: list[ProductFields] | None = None
        self._pulled: dict[int, list[ProductFields]] = {}
        """The catalog pages a pull read: all of them make the catalog, read once."""
        self._locations: dict[str, str] | None = None

    async def products(
        self, *, page: int, limit: int, changed_since: dt.datetime | None
    ) -> Page[ProductFields]:
        """Every variation with a SKU, by item page; Square's catalog listing has no
        changed-since filter, so a quick pull reads it all as a full one does."""
        answer = await self._page("catalog", page, self._catalog_page)
        objects = answer.get("objects") or []
        rows = stock.stocked_products(objects)
        raw = len(objects) if isinstance(objects, list) else 0
        last = not answer.get("cursor")
        self._pulled[page] = rows
        if last and self._catalog is None and set(self._pulled) == set(range(1, page + 1)):
            self._catalog = [row for n in sorted(self._pulled) for row in self._pulled[n]]
        return Page(rows=rows, last=last, raw_count=raw)

    async def availability(self, *, page: int, limit: int) -> Page[StockRow]:
        skus, where = await self._skus(), await self._where()

        async def read(cursor: str | None) -> dict[str, Any]:
            query = stock.counts_query(limit=COUNTS_PAGE, cursor=cursor)
            return await self._client.batch_counts(query)

        answer = await self._page("counts", page, read)
        counts = answer.get("counts") or []
        rows = stock.stock_rows(counts, skus=skus, locations=where)
        raw = len(counts) if isinstance(counts, list) else 0
        return Page(rows=rows, last=not answer.get("cursor"), raw_count=raw)

    async def availability_of(self, sku: str) -> list[StockRow]:
        variations = await self._variations([sku], required=False)
        if not variations:
            return []
        skus, where = await self._skus(), await self._where()
        rows: list[StockRow] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            query = stock.counts_query(variation_ids=variations, limit=COUNTS_PAGE, cursor=cursor)
            answer = await self._client.batch_counts(query)
            rows += stock.stock_rows(answer.get("counts") or [], skus=skus, locations=where)
            cursor = answer.get("cursor") if isinstance(answer.get("cursor"), str) else None
            if not cursor:
                break
        return [row for row in rows if row.sku == sku]

    async def product_skus(self, external_ids: Sequence[str]) -> list[str]:
        """The SKUs of these variations (those without one are not the ledger's)."""
        skus = await self._skus()
        return sorted({skus[ref] for ref in external_ids if ref in skus})

    async def find_sale(
        self,
        reference: str,
        *,
        external_id: str | None = None,
        document: SaleDocument | None = None,
    ) -> RemoteSale | None:
        """Our adjustments, by their `reference_id`, among the changes of the sale's
        variations since the day before its date; the batch is one call, so found is done."""
        if external_id is not None:
            return RemoteSale(external_id=external_id, steps_done=frozenset({ADJUST}))
        if document is None:
            raise Permanent("a Square sale is looked for by its lines: the document is needed")
        variations = await self._variations([line.sku for line in document.lines])
        since = dt.datetime.combine(document.date, dt.time(), tzinfo=dt.UTC) - FIND_SLACK
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            query = stock.changes_query(variation_ids=variations, since=since, cursor=cursor)
            answer = await self._client.batch_changes(query)
            found = stock.adjustment_with_reference(answer, reference)
            if found is not None:
                return RemoteSale(external_id=found, steps_done=frozenset({ADJUST}))
            cursor = answer.get("cursor") if isinstance(answer.get("cursor"), str) else None
            if not cursor:
                return None
        raise Permanent(f"sale '{reference}': too many Square changes to search")

    async def sale_step(
        self, step: str, document: SaleDocument, *, external_id: str | None
    ) -> str | None:
        if step != ADJUST:
            raise Permanent(f"Square has no sale step '{step}'")
        skus = {sku: ids[0] for sku, ids in (await self._by_sku()).items()}
        missing = sorted({line.sku for line in document.lines} - set(skus))
        if missing:
            raise Permanent(f"Square has no item variation with SKU {', '.join(missing)}")
        changes = stock.sale_changes(
            reference=document.reference,
            lines=[(skus[line.sku], line.quantity) for line in document.lines],
            location_id=await self._location_id(document.location),
        )
        answer = await self._client.create_changes(
            idempotency_key=document.reference, changes=changes
        )
        made = stock.adjustment_with_reference(answer, document.reference)
        return made or document.reference

    async def _page(self, listing: str, page: int, read: Any) -> dict[str, Any]:
        """Page `page` (from 1) of a cursor listing, from the furthest cursor known."""
        if page < 1:
            raise ValueError("page starts at 1")
        number, cursor = 1, None
        for known in range(page, 1, -1):
            if (listing, known) in self._cursors:
                number, cursor = known, self._cursors[(listing, known)]
                break
        while True:
            if number > 1 and cursor is None:
                return {}  # past the last page
            answer: dict[str, Any] = await read(cursor)
            following = answer.get("cursor")
            cursor = following if isinstance(following, str) and following else None
            self._cursors[(listing, number + 1)] = cursor
            if number == page:
                return answer
            number += 1

    async def _catalog_page(self, cursor: str | None) -> dict[str, Any]:
        return await self._client.list_catalog(types=CATALOG_TYPES, cursor=cursor)

    async def _by_sku(self) -> dict[str, list[str]]:
        if self._catalog is None:
            found: list[ProductFields] = []
            cursor: str | None = None
            for _ in range(MAX_PAGES):
                answer = await self._catalog_page(cursor)
                found += stock.stocked_products(answer.get("objects") or [])
                cursor = answer.get("cursor") if isinstance(answer.get("cursor"), str) else None
                if not cursor:
                    break
            self._catalog = found
        by_sku: dict[str, list[str]] = {}
        for product in self._catalog:
            by_sku.setdefault(product.sku, []).append(str(product.external_id))
        return by_sku

    async def _skus(self) -> dict[str, str]:
        return {ref: sku for sku, refs in (await self._by_sku()).items() for ref in refs}

    async def _variations(self, skus: Sequence[str], *, required: bool = True) -> list[str]:
        by_sku = await self._by_sku()
        if required and (missing := sorted(set(skus) - set(by_sku))):
            raise Permanent(f"Square has no item variation with SKU {', '.join(missing)}")
        return sorted({ref for sku in skus for ref in by_sku.get(sku, [])})

    async def _where(self) -> dict[str, str]:
        """Square's location ids → their names, which are the ledger's locations."""
        if self._locations is None:
            found = locations(await self._client.locations())
            self._locations = {location.id: location.name for location in found}
        return self._locations

    async def _location_id(self, name: str) -> str:
        for location_id, shown in (await self._where()).items():
            if shown == name:
                return location_id
        raise Permanent(f"Square has no location named '{name}'")
