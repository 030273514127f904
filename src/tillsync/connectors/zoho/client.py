"""Zoho Inventory v1 over an injected `httpx.AsyncClient`: one method per endpoint the hub uses.

Every call but `GET /organizations` carries the connection's `organization_id`, and every
call carries the access token as `Zoho-oauthtoken` through `Bearer`, so code 57 renews the
grant once and repeats the call once. Answers are Zoho's JSON as plain dicts; failures are
tillsync `ProviderError`s. Nothing here retries or paces: the job queue retries, the shared
rate budget paces (`gate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from tillsync.connectors.budget import Gate
from tillsync.connectors.http import dump_json, send
from tillsync.connectors.oauth import Bearer
from tillsync.connectors.zoho.errors import read
from tillsync.errors import Permanent

__all__ = ["DEFAULT_BASE_URL", "MAX_PER_PAGE", "ZohoClient"]

DEFAULT_BASE_URL = "https://www.zohoapis.com/inventory/v1"
MAX_PER_PAGE = 200


class ZohoClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        organization_id: str | None,
        bearer: Bearer,
        gate: Gate,
    ) -> None:
        self._http, self._gate, self._bearer = http, gate, bearer
        self._base_url = base_url.rstrip("/")
        self.organization_id = organization_id

    def __repr__(self) -> str:
        return f"ZohoClient(base_url={self._base_url!r})"  # never the token

    @property
    def base_url(self) -> str:
        return self._base_url

    async def organizations(self) -> dict[str, Any]:
        """GET /organizations: `{organizations[]}`, every one the token's account may call."""
        return await self._call("GET", "/organizations", organization=False)

    async def locations(self) -> dict[str, Any]:
        return await self._call("GET", "/locations")

    async def items(
        self,
        *,
        page: int,
        per_page: int,
        changed_since: str | None = None,
        sku: str | None = None,
        location_id: str | None = None,
    ) -> dict[str, Any]:
        """GET /items: `{items[], page_context{has_more_page}}`, by name."""
        params = {"page": str(page), "per_page": str(min(per_page, MAX_PER_PAGE))}
        for name, value in (
            ("last_modified_time", changed_since),
            ("sku", sku),
            ("location_id", location_id),
        ):
            if value:
                params[name] = value
        return await self._call("GET", "/items", params=params)

    async def item(self, item_id: str) -> dict[str, Any]:
        """GET /items/{id}: `{item}` with `locations[]` and each location's stock."""
        return await self._call("GET", f"/items/{item_id}")

    async def contacts(self, **search: str) -> dict[str, Any]:
        """GET /contacts with exact searches (`contact_name`, `phone`)."""
        return await self._call("GET", "/contacts", params={**search, "contact_type": "customer"})

    async def create_contact(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/contacts", body=body)

    async def create_salesorder(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /salesorders: HTTP 201 with `{salesorder}` (or `sales_order`), a draft."""
        return await self._call("POST", "/salesorders", body=body)

    async def salesorders(self, *, reference_number: str) -> dict[str, Any]:
        """GET /salesorders?reference_number=: `{salesorders[]}`, Zoho filters by it."""
        params = {"reference_number": reference_number}
        return await self._call("GET", "/salesorders", params=params)

    async def salesorder(self, salesorder_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/salesorders/{salesorder_id}")

    async def confirm(self, salesorder_id: str) -> dict[str, Any]:
        """POST /salesorders/{id}/status/confirmed: commits its stock; again is a no-op."""
        return await self._call("POST", f"/salesorders/{salesorder_id}/status/confirmed")

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        organization: bool = True,
    ) -> dict[str, Any]:
        query = dict(params or {})
        if organization:
            if not self.organization_id:
                raise Permanent("the Zoho connection has no organization_id: connect again")
            query["organization_id"] = self.organization_id
        headers = {"Accept": "application/json"}
        content = None
        if body is not None:
            content = dump_json(body)
            headers["Content-Type"] = "application/json"

        async def attempt(token: str) -> Any:
            await self._gate()  # no call leaves without a grant from the shared budget
            request = self._http.build_request(
                method,
                self._base_url + path,
                params=query,
                headers={**headers, "Authorization": f"Zoho-oauthtoken {token}"},
                content=content,
            )
            return read(await send(self._http, request))

        answer = await self._bearer.call(attempt)
        if not isinstance(answer, dict):
            raise Permanent(f"{method} {path} answered something other than a JSON object")
        return answer
