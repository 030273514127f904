"""CIN7 Core in the warehouse role: the contract's calls, in CIN7's endpoints and shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tillsync.connectors.cin7 import mapping
from tillsync.connectors.cin7.client import MAX_LIMIT, Cin7Client, last_page
from tillsync.connectors.cin7.settings import Cin7Settings
from tillsync.connectors.contract import Account, Page, RemoteWebhook
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.sale_documents import (
    ExternalLine,
    ExternalSale,
    RemoteSale,
    SaleDocument,
    ShippedSale,
)
from tillsync.errors import Permanent

ZERO = Decimal(0)
SALE, ORDER, INVOICE = "sale", "order", "invoice"


class Cin7Warehouse:
    """A sale document is three calls: the sale (ExternalID = our reference), its order,
    authorised (CIN7's stock now includes it), then its invoice."""

    page_limit: int = MAX_LIMIT
    sale_steps: tuple[str, ...] = (SALE, ORDER, INVOICE)
    stock_step: str = ORDER

    def __init__(self, client: Cin7Client, settings: Cin7Settings) -> None:
        self._client = client
        self._settings = settings

    @property
    def client(self) -> Cin7Client:
        """CIN7's own endpoints, for engine code not yet speaking the contract."""
        return self._client

    async def account(self) -> Account:
        me = await self._client.me()
        return Account(name=str(me.get("Company") or ""))

    async def products(
        self, *, page: int, limit: int, changed_since: dt.datetime | None
    ) -> Page[ProductFields]:
        envelope = await self._client.products(
            page=page, limit=limit, modified_since=changed_since, include_deprecated=True
        )
        rows = _rows(envelope, "Products")
        found = [mapping.product_fields(product) for product in rows]
        return _page(envelope, rows, found, page=page, limit=limit)

    async def availability(self, *, page: int, limit: int) -> Page[StockRow]:
        envelope = await self._client.availability(page=page, limit=limit)
        rows = _rows(envelope, "ProductAvailabilityList")
        return _page(envelope, rows, mapping.stock_rows(rows), page=page, limit=limit)

    async def availability_of(self, sku: str) -> list[StockRow]:
        """CIN7's `Sku` filter is exact on this listing; rows are kept only if they agree."""
        answer = [row async for row in self._client.iter_availability(sku=sku)]
        return [row for row in mapping.stock_rows(answer) if row.sku == sku]

    async def find_sale(
        self,
        reference: str,
        *,
        external_id: str | None = None,
        document: SaleDocument | None = None,
    ) -> RemoteSale | None:
        sale_id = external_id
        if sale_id is None:
            found = await self._client.find_sales_by_external_id(reference)
            if not found:
                return None
            sale_id = str(found[0]["SaleID"])
        remote = await self._client.get_sale(sale_id)
        done = {SALE}
        if mapping.order_authorised(remote):
            done.add(ORDER)
        if mapping.invoiced(remote):
            done.add(INVOICE)
        return RemoteSale(external_id=sale_id, steps_done=frozenset(done))

    async def sale_step(
        self, step: str, document: SaleDocument, *, external_id: str | None
    ) -> str | None:
        settings = self._settings
        if step == SALE:
            created = await self._client.create_sale(
                mapping.sale_body(
                    external_id=document.reference,
                    customer=settings.customer,
                    location=document.location,
                    reference=document.number,
                    note=document.note,
                )
            )
            return str(created["ID"])
        if external_id is None:
            raise Permanent(f"the {step} step needs the CIN7 sale made first")
        if step == ORDER:
            await self._client.save_order(
                mapping.order_body(
                    sale_id=external_id, lines=document.lines, tax_rule=settings.tax_rule
                )
            )
        elif step == INVOICE:
            await self._client.create_invoice(
                mapping.invoice_body(
                    sale_id=external_id,
                    lines=document.lines,
                    invoice_date=document.date,
                    due_date=document.date,
                    account=settings.revenue_account,
                    tax_rule=settings.tax_rule,
                )
            )
        else:
            raise Permanent(f"CIN7 has no sale step '{step}'")
        return None

    async def shipped_sales(
        self, *, page: int, limit: int, changed_since: dt.datetime
    ) -> Page[ShippedSale]:
        envelope = await self._client.sales(page=page, limit=limit, updated_since=changed_since)
        rows = _rows(envelope, "SaleList")
        shipped = [
            ShippedSale(
                external_id=str(row["SaleID"]),
                reference=str(row["ExternalID"]) if row.get("ExternalID") else None,
            )
            for row in rows
            if isinstance(row, dict) and row.get("SaleID") and mapping.shipment_authorised(row)
        ]
        return _page(envelope, rows, shipped, page=page, limit=limit)

    async def sale(self, external_id: str) -> ExternalSale:
        remote = await self._client.get_sale(external_id)
        lines = (remote.get("Order") or {}).get("Lines") or []
        return ExternalSale(
            external_id=external_id,
            reference=str(remote["ExternalID"]) if remote.get("ExternalID") else None,
            number=remote.get("OrderNumber"),
            customer=remote.get("Customer"),
            location=str(remote.get("Location") or ""),
            lines=[
                ExternalLine(
                    sku=str(line.get("SKU") or ""),
                    name=str(line.get("Name") or ""),
                    quantity=_decimal(line.get("Quantity")),
                    price=_decimal(line.get("Price")),
                    tax=_decimal(line.get("Tax")),
                    total=_decimal(line.get("Total")),
                    product_id=line.get("ProductID"),
                )
                for line in lines
            ],
        )

    async def webhooks(self) -> list[RemoteWebhook]:
        return [
            RemoteWebhook(
                external_id=str(hook.get("ID")),
                event_type=str(hook.get("Type")),
                url=str(hook.get("ExternalURL")),
                active=hook.get("IsActive") is True,
                token=hook.get("ExternalBearerToken") or None,
            )
            for hook in await self._client.list_webhooks()
        ]

    async def register_webhook(
        self, event_type: str, *, url: str, token: str, external_id: str | None
    ) -> str | None:
        body: dict[str, Any] = {
            "Type": event_type,
            "IsActive": True,
            "ExternalURL": url,
            "ExternalAuthorizationType": "bearerauth",
            "ExternalBearerToken": token,
        }
        if external_id is not None:
            hooks = await self._client.update_webhook({**body, "ID": external_id})
        else:
            hooks = await self._client.create_webhook(body)
        return str(hooks[0].get("ID")) if hooks else None

    async def delete_webhook(self, external_id: str) -> None:
        await self._client.delete_webhook(external_id)


def _rows(envelope: dict[str, Any], key: str) -> list[Any]:
    rows = envelope.get(key) or []
    if not isinstance(rows, list):
        raise Permanent(f"CIN7 answered a page without a '{key}' list")
    return rows


def _page(
    envelope: dict[str, Any], rows: list[Any], found: list[Any], *, page: int, limit: int
) -> Page[Any]:
    total = envelope.get("Total")
    return Page(
        rows=found,
        last=last_page(envelope, rows, page=page, limit=limit),
        total=total if isinstance(total, int) else None,
        raw_count=len(rows),
    )


def _decimal(value: object) -> Decimal:
    return mapping.parse_decimal(value) or ZERO
