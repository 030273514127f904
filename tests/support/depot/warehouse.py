"""Depot in the warehouse role: the contract's calls in Depot's endpoints and shapes."""

from __future__ import annotations

import datetime as dt

from tests.support.depot import mapping
from tests.support.depot.client import MAX_LIMIT, DepotClient
from tests.support.depot.mapping import CONFIRM, CREATE
from tests.support.depot.settings import DepotSettings
from tillsync.connectors.contract import Account, Page, RemoteWebhook
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.sale_documents import ExternalSale, RemoteSale, SaleDocument, ShippedSale
from tillsync.errors import Permanent

NOT_FOUND = 404


class DepotWarehouse:
    """A sale document is two calls: create it (with our reference), then confirm it, after
    which Depot's stock includes it. Depot does not keep references unique, so after an
    uncertain create the sale is looked up by reference before it is created again."""

    page_limit: int = MAX_LIMIT
    sale_steps: tuple[str, ...] = (CREATE, CONFIRM)
    stock_step: str = CONFIRM

    def __init__(self, client: DepotClient, settings: DepotSettings) -> None:
        self._client = client
        self._settings = settings

    async def account(self) -> Account:
        return mapping.account(await self._client.account())

    async def products(
        self, *, page: int, limit: int, changed_since: dt.datetime | None
    ) -> Page[ProductFields]:
        envelope = await self._client.products(page=page, limit=limit, updated_since=changed_since)
        found = [mapping.product_fields(row) for row in mapping.data_of(envelope)]
        return mapping.page(envelope, found, limit=limit)

    async def availability(self, *, page: int, limit: int) -> Page[StockRow]:
        envelope = await self._client.stock(page=page, limit=limit)
        found = [mapping.stock_row(row) for row in mapping.data_of(envelope)]
        return mapping.page(envelope, found, limit=limit)

    async def availability_of(self, sku: str) -> list[StockRow]:
        """Depot leaves out rows with nothing in them: no row for a location means zero."""
        rows: list[StockRow] = []
        page = 1
        while True:
            envelope = await self._client.stock(page=page, limit=MAX_LIMIT, sku=sku)
            listed = mapping.page(envelope, [], limit=MAX_LIMIT)
            rows += [mapping.stock_row(row) for row in mapping.data_of(envelope)]
            if listed.last:
                return [row for row in rows if row.sku == sku]
            page += 1

    async def find_sale(
        self,
        reference: str,
        *,
        external_id: str | None = None,
        document: SaleDocument | None = None,
    ) -> RemoteSale | None:
        """The oldest sale with our reference (a second one would be a duplicate); with its
        Depot id known, that sale is read instead."""
        if external_id is not None:
            try:
                return mapping.remote_sale(await self._client.sale(external_id))
            except Permanent as error:
                if error.status != NOT_FOUND:
                    raise
        found = mapping.data_of(await self._client.sales_by_reference(reference))
        exact = [row for row in found if row.get("reference") == reference]
        return mapping.remote_sale(exact[0]) if exact else None

    async def sale_step(
        self, step: str, document: SaleDocument, *, external_id: str | None
    ) -> str | None:
        if step == CREATE:
            body = mapping.sale_body(document, location=self._settings.location)
            created = await self._client.create_sale(body)
            return mapping.remote_sale(created).external_id
        if step != CONFIRM:
            raise Permanent(f"Depot has no sale step '{step}'")
        if external_id is None:
            raise Permanent("the confirm step needs the Depot sale made first")
        await self._client.confirm_sale(external_id)  # None: it was confirmed already
        return None

    async def shipped_sales(
        self, *, page: int, limit: int, changed_since: dt.datetime
    ) -> Page[ShippedSale]:
        envelope = await self._client.shipped_sales(
            shipped_since=changed_since, page=page, limit=limit
        )
        found = [mapping.shipped_sale(row) for row in mapping.data_of(envelope)]
        return mapping.page(envelope, found, limit=limit)

    async def sale(self, external_id: str) -> ExternalSale:
        return mapping.external_sale(await self._client.sale(external_id))

    async def webhooks(self) -> list[RemoteWebhook]:
        return [mapping.remote_webhook(hook) for hook in await self._client.webhooks()]

    async def register_webhook(
        self, event_type: str, *, url: str, token: str, external_id: str | None
    ) -> str | None:
        """Updating also switches a hook Depot turned off back on; a hook deleted at Depot
        is made again."""
        if external_id is not None:
            body = {"event": event_type, "url": url, "token": token, "active": True}
            try:
                hook = await self._client.update_webhook(external_id, body)
            except Permanent as error:
                if error.status != NOT_FOUND:
                    raise
            else:
                return mapping.remote_webhook(hook).external_id
        hook = await self._client.create_webhook(event=event_type, url=url, token=token)
        return mapping.remote_webhook(hook).external_id

    async def delete_webhook(self, external_id: str) -> None:
        try:
            await self._client.delete_webhook(external_id)
        except Permanent as error:
            if error.status != NOT_FOUND:
                raise
