"""Poster as a tenant's stock source: the `Warehouse` calls over ingredients and storages.

For a connection given the `warehouse` role beside `records`. Poster pages none of these
listings: products are one page; availability is one page per live storage (its
leftovers; Poster omits zeros, which the hub settles as absence, so an ingredient never
kept at a storage raises no out-of-stock alert there), so a pull settles and checkpoints
storage by storage. The
ingredients and storages are read once per object (one per job). A sale is one write-off,
so it is one step; after an uncertain outcome the storage's write-offs around the sale's
date are read newest first until one carries our reference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tillsync.connectors.contract import Page
from tillsync.connectors.poster import stock
from tillsync.connectors.poster.client import PosterClient
from tillsync.connectors.poster.mapping import INGREDIENTS, STORAGES
from tillsync.connectors.till_stock import TillStock
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.sale_documents import RemoteSale, SaleDocument
from tillsync.errors import Permanent

WRITE_OFF = "write_off"
LEFTOVERS, WASTES, WASTE = "storage.getStorageLeftovers", "storage.getWastes", "storage.getWaste"
CREATE_WRITE_OFF = "storage.createWriteOff"
FIND_SLACK = dt.timedelta(days=1)
"""Write-offs are searched from the day before the sale's date to the day after today:
Poster dates them in the account's time zone, ours are UTC."""
MAX_LOOKS = 200
"""Write-offs read one by one before our reference counts as not there."""


class PosterWarehouse(TillStock):
    title = "Poster"

    page_limit: int = 1000  # unused: Poster pages none of these listings
    sale_steps: tuple[str, ...] = (WRITE_OFF,)
    stock_step: str = WRITE_OFF

    def __init__(self, client: PosterClient) -> None:
        self._client = client
        self._products: list[ProductFields] | None = None
        self._storages: dict[str, str] | None = None

    async def products(
        self, *, page: int, limit: int, changed_since: dt.datetime | None
    ) -> Page[ProductFields]:
        """Every live ingredient (Poster has no changed-since filter: a quick pull reads all)."""
        if page > 1:
            return Page(rows=[], last=True)
        rows = await self._catalog()
        return Page(rows=rows, last=True, raw_count=len(rows))

    async def availability(self, *, page: int, limit: int) -> Page[StockRow]:
        storages = list((await self._where()).items())
        if not 1 <= page <= len(storages):
            return Page(rows=[], last=True)
        storage_id, name = storages[page - 1]
        rows = await self._leftovers(storage_id, name)
        return Page(rows=rows, last=page == len(storages), raw_count=len(rows))

    async def availability_of(self, sku: str) -> list[StockRow]:
        if sku not in {product.sku for product in await self._catalog()}:
            return []
        found: list[StockRow] = []
        for storage_id, name in (await self._where()).items():
            found += [row for row in await self._leftovers(storage_id, name) if row.sku == sku]
        return found

    async def product_skus(self, external_ids: Sequence[str]) -> list[str]:
        """The SKUs of these ingredients (a `stock` hook names the ingredient's id)."""
        wanted = set(external_ids)
        return sorted({p.sku for p in await self._catalog() if p.external_id in wanted})

    async def find_sale(
        self,
        reference: str,
        *,
        external_id: str | None = None,
        document: SaleDocument | None = None,
    ) -> RemoteSale | None:
        if external_id is not None:
            return RemoteSale(external_id=external_id, steps_done=frozenset({WRITE_OFF}))
        if document is None:
            raise Permanent(
                "a Poster write-off is looked for by its storage: the document is needed"
            )
        storage_id = await self._storage_id(document.location)
        today = dt.datetime.now(dt.UTC).date()
        listed = await self._client.call(
            WASTES,
            dateFrom=(document.date - FIND_SLACK).strftime("%Y%m%d"),
            dateTo=(max(document.date, today) + FIND_SLACK).strftime("%Y%m%d"),
        )
        for waste_id in stock.candidates(listed, storage_id=storage_id)[:MAX_LOOKS]:
            if stock.carries(await self._client.call(WASTE, waste_id=waste_id), reference):
                return RemoteSale(external_id=waste_id, steps_done=frozenset({WRITE_OFF}))
        return None

    async def sale_step(
        self, step: str, document: SaleDocument, *, external_id: str | None
    ) -> str | None:
        if step != WRITE_OFF:
            raise Permanent(f"Poster has no sale step '{step}'")
        ids = {p.sku: str(p.external_id) for p in await self._catalog()}
        missing = sorted({line.sku for line in document.lines} - set(ids))
        if missing:
            raise Permanent(f"Poster has no ingredient with SKU {', '.join(missing)}")
        body = stock.write_off(
            reference=document.reference,
            storage_id=await self._storage_id(document.location),
            lines=[(ids[line.sku], line.quantity) for line in document.lines],
            at=dt.datetime.now(dt.UTC),
        )
        made = await self._client.post(CREATE_WRITE_OFF, body)
        return str(made) if made not in (None, "") else document.reference

    async def _catalog(self) -> list[ProductFields]:
        if self._products is None:
            self._products = stock.products(await self._client.call(INGREDIENTS.listing))
        return self._products

    async def _where(self) -> dict[str, str]:
        """Live storages' ids → their names, which are the ledger's locations."""
        if self._storages is None:
            self._storages = stock.storages(await self._client.call(STORAGES.listing))
        return self._storages

    async def _leftovers(self, storage_id: str, name: str) -> list[StockRow]:
        skus = {str(p.external_id): p.sku for p in await self._catalog()}
        rows: Any = await self._client.call(LEFTOVERS, storage_id=storage_id)
        return stock.stock_rows(rows, skus=skus, location=name)

    async def _storage_id(self, name: str) -> str:
        for storage_id, shown in (await self._where()).items():
            if shown == name:
                return storage_id
        raise Permanent(f"Poster has no storage named '{name}'")
