"""CIN7 Core External API v2: one method per endpoint over an injected `httpx.AsyncClient`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from tillsync.connectors.budget import Gate
from tillsync.connectors.cin7.errors import read
from tillsync.connectors.http import dump_json, send
from tillsync.errors import Permanent

__all__ = ["DEFAULT_BASE_URL", "MAX_LIMIT", "Cin7Client", "last_page"]

DEFAULT_BASE_URL = "https://inventory.dearsystems.com/ExternalApi/v2"
MAX_LIMIT = 1000

Params = Mapping[str, str | int | bool | dt.datetime | None]


class Cin7Client:
    """Answers are CIN7's JSON as plain dicts and lists; failures are tillsync `ProviderError`s.

    Nothing here retries or paces: the job queue retries, the shared rate budget paces.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        account_id: str,
        application_key: str,
        gate: Gate | None = None,
    ) -> None:
        self._http = http
        self._gate = gate
        self._base_url = base_url.rstrip("/")
        self._headers = {
            "api-auth-accountid": account_id,
            "api-auth-applicationkey": application_key,
            "Accept": "application/json",
        }

    def __repr__(self) -> str:
        return f"Cin7Client(base_url={self._base_url!r})"  # never the keys

    async def me(self) -> dict[str, Any]:
        """The company profile: a cheap check that the keys work."""
        return _object(await self._call("GET", "/me"), "GET /me")

    async def products(
        self,
        *,
        page: int,
        limit: int = MAX_LIMIT,
        modified_since: dt.datetime | None = None,
        include_deprecated: bool = False,
        sku: str | None = None,
    ) -> dict[str, Any]:
        """One page: `{"Total", "Page", "Products"}`. CIN7 matches `sku` as "contains"."""
        params = _product_params(modified_since, include_deprecated, sku)
        return await self._page("/product", params, page=page, limit=limit)

    async def iter_products(
        self,
        *,
        limit: int = MAX_LIMIT,
        modified_since: dt.datetime | None = None,
        include_deprecated: bool = False,
        sku: str | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every matching product; with `sku`, only the product whose SKU is exactly that."""
        params = _product_params(modified_since, include_deprecated, sku)
        async for product in self._paginate("/product", "Products", params, limit=limit):
            if sku is None or product.get("SKU") == sku:
                yield product

    async def availability(
        self,
        *,
        page: int,
        limit: int = MAX_LIMIT,
        sku: str | None = None,
        location: str | None = None,
    ) -> dict[str, Any]:
        """One page of `/ref/productavailability`: a row per product, location, bin and batch."""
        params = {"Sku": sku, "Location": location}
        return await self._page("/ref/productavailability", params, page=page, limit=limit)

    async def iter_availability(
        self, *, limit: int = MAX_LIMIT, sku: str | None = None, location: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        params = {"Sku": sku, "Location": location}
        path = "/ref/productavailability"
        async for row in self._paginate(path, "ProductAvailabilityList", params, limit=limit):
            yield row

    async def create_sale(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return _object(await self._call("POST", "/sale", body=body), "POST /sale")

    async def get_sale(self, sale_id: str) -> dict[str, Any]:
        return _object(await self._call("GET", "/sale", params={"ID": sale_id}), "GET /sale")

    async def sales(
        self, *, page: int, limit: int = MAX_LIMIT, updated_since: dt.datetime | None = None
    ) -> dict[str, Any]:
        """One page of /saleList: `{"Total", "Page", "SaleList"}`, one row per sale.

        `updated_since` filters on the sale's LastModifiedOn (sent as UTC, CIN7's format).
        """
        params = {"UpdatedSince": updated_since}
        return await self._page("/saleList", params, page=page, limit=limit)

    async def find_sales_by_external_id(self, external_id: str) -> list[dict[str, Any]]:
        """/saleList rows whose ExternalID is exactly `external_id` (the filter may be loose)."""
        params = {"ExternalID": external_id}
        return [
            row
            async for row in self._paginate("/saleList", "SaleList", params, limit=100)
            if row.get("ExternalID") == external_id
        ]

    async def save_order(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /sale/order, which replaces the order's lines."""
        return _object(await self._call("POST", "/sale/order", body=body), "POST /sale/order")

    async def create_invoice(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return _object(await self._call("POST", "/sale/invoice", body=body), "POST /sale/invoice")

    async def stock_adjustment(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /stockadjustment. Its line `Quantity` is the new absolute level, not a delta."""
        answer = await self._call("POST", "/stockadjustment", body=body)
        return _object(answer, "POST /stockadjustment")

    async def list_webhooks(self) -> list[dict[str, Any]]:
        return _webhooks(await self._call("GET", "/webhooks"))

    async def create_webhook(self, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        """POST /webhooks; CIN7 answers with `{"Webhooks": […]}`, returned as that list."""
        return _webhooks(await self._call("POST", "/webhooks", body=body))

    async def update_webhook(self, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        """PUT /webhooks with the webhook's `ID`; also how a deactivated one is re-enabled."""
        return _webhooks(await self._call("PUT", "/webhooks", body=body))

    async def delete_webhook(self, webhook_id: str) -> None:
        await self._call("DELETE", "/webhooks", params={"ID": webhook_id})

    async def _page(self, path: str, params: Params, *, page: int, limit: int) -> dict[str, Any]:
        if page < 1:
            raise ValueError("page starts at 1")
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        answer = await self._call("GET", path, params={**params, "Page": page, "Limit": limit})
        return _object(answer, f"GET {path}")

    async def _paginate(
        self, path: str, key: str, params: Params, *, limit: int
    ) -> AsyncIterator[dict[str, Any]]:
        """Page until a short page or `Page * Limit >= Total`.

        A page identical to an earlier one means CIN7 is ignoring `Page` (or a proxy caches
        it): stopping with `Permanent` beats looping forever or yielding duplicates.
        """
        seen: set[str] = set()
        page = 1
        while True:
            envelope = await self._page(path, params, page=page, limit=limit)
            rows = envelope.get(key)
            if rows is None:
                rows = []
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise Permanent(f"GET {path} page {page}: '{key}' is not a list of objects")
            if rows:
                fingerprint = _fingerprint(rows)
                if fingerprint in seen:
                    raise Permanent(f"GET {path} page {page} repeats an earlier page: stopping")
                seen.add(fingerprint)
            for row in rows:
                yield row
            if last_page(envelope, rows, page=page, limit=limit):
                return
            page += 1

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        headers = dict(self._headers)
        content = None
        if body is not None:
            content = dump_json(body)
            headers["Content-Type"] = "application/json"
        if self._gate is not None:
            await self._gate()  # no call leaves without a grant from the shared budget
        request = self._http.build_request(
            method,
            self._base_url + path,
            params=_query(params or {}),
            headers=headers,
            content=content,
        )
        return read(await send(self._http, request))


def last_page(envelope: dict[str, Any], rows: list[Any], *, page: int, limit: int) -> bool:
    """Whether `page` is a listing's last: a short page, or `Page * Limit >= Total`."""
    total = envelope.get("Total")
    return len(rows) < limit or (isinstance(total, int) and page * limit >= total)


def _product_params(
    modified_since: dt.datetime | None, include_deprecated: bool, sku: str | None
) -> Params:
    return {
        "ModifiedSince": modified_since,
        "IncludeDeprecated": include_deprecated or None,
        "Sku": sku,
    }


def _query(params: Params) -> dict[str, str | int]:
    query: dict[str, str | int] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            query[name] = "true" if value else "false"
        elif isinstance(value, dt.datetime):
            query[name] = _utc_text(value, name)
        else:
            query[name] = value
    return query


def _utc_text(moment: dt.datetime, name: str) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _object(answer: Any, where: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise Permanent(f"{where} answered {type(answer).__name__}, expected a JSON object")
    return answer


def _webhooks(answer: Any) -> list[dict[str, Any]]:
    hooks = _object(answer, "/webhooks").get("Webhooks")
    if not isinstance(hooks, list) or not all(isinstance(h, dict) for h in hooks):
        raise Permanent("/webhooks answered without a 'Webhooks' list")
    return hooks


def _fingerprint(rows: list[dict[str, Any]]) -> str:
    canonical = json.dumps(rows, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
