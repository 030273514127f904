"""Square API v2 over an injected `httpx.AsyncClient`: one method per endpoint the hub uses.

Answers are Square's JSON as plain dicts; failures are tillsync `ProviderError`s. Nothing
here retries or paces: the job queue retries, the shared rate budget paces (`gate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from tillsync.connectors.budget import Gate
from tillsync.connectors.http import dump_json, send
from tillsync.connectors.oauth import Bearer
from tillsync.connectors.square.errors import read
from tillsync.errors import Permanent

__all__ = ["DEFAULT_BASE_URL", "SQUARE_VERSION", "SquareClient"]

DEFAULT_BASE_URL = "https://connect.squareup.com"
SQUARE_VERSION = "2026-09-16"
"""The API version every call pins (the official SDK's default at the time of writing)."""


class SquareClient:
    def __init__(
        self, http: httpx.AsyncClient, *, base_url: str, bearer: Bearer, gate: Gate
    ) -> None:
        self._http, self._gate, self._bearer = http, gate, bearer
        self._base_url = base_url.rstrip("/")
        self._headers = {
            "Square-Version": SQUARE_VERSION,
            "Accept": "application/json",
        }

    def __repr__(self) -> str:
        return f"SquareClient(base_url={self._base_url!r})"  # never the token

    async def locations(self) -> dict[str, Any]:
        """GET /v2/locations: `{locations[]}`, every location of the merchant, no paging."""
        return await self._call("GET", "/v2/locations")

    async def location(self, location_id: str) -> dict[str, Any]:
        """GET /v2/locations/{id}: `{location}`; the id `main` names the main location."""
        return await self._call("GET", f"/v2/locations/{location_id}")

    async def create_order(
        self, *, idempotency_key: str, order: Mapping[str, Any]
    ) -> dict[str, Any]:
        """POST /v2/orders: `{order}`. The same key and body answer the first order again."""
        body = {"idempotency_key": idempotency_key, "order": order}
        return await self._call("POST", "/v2/orders", body=body)

    async def get_order(self, order_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/v2/orders/{order_id}")

    async def search_orders(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v2/orders/search: `{orders[], cursor}`; no `cursor` on the last page."""
        return await self._call("POST", "/v2/orders/search", body=body)

    async def list_catalog(self, *, types: str, cursor: str | None = None) -> dict[str, Any]:
        """GET /v2/catalog/list: `{objects[], cursor}`, 100 a page (Square fixes the size)."""
        params = {"types": types, **({"cursor": cursor} if cursor else {})}
        return await self._call("GET", "/v2/catalog/list", params=params)

    async def batch_counts(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v2/inventory/counts/batch-retrieve: `{counts[], cursor}`, newest first."""
        return await self._call("POST", "/v2/inventory/counts/batch-retrieve", body=body)

    async def batch_changes(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /v2/inventory/changes/batch-retrieve: `{changes[], cursor}`."""
        return await self._call("POST", "/v2/inventory/changes/batch-retrieve", body=body)

    async def create_changes(
        self, *, idempotency_key: str, changes: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """POST /v2/inventory/changes/batch-create: `{counts[], changes[]}`; the same key and
        body answer the first call again."""
        body = {"idempotency_key": idempotency_key, "changes": changes}
        return await self._call("POST", "/v2/inventory/changes/batch-create", body=body)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        headers = dict(self._headers)
        content = None
        if body is not None:
            content = dump_json(body)
            headers["Content-Type"] = "application/json"

        async def attempt(token: str) -> Any:
            await self._gate()  # no call leaves without a grant from the shared budget
            request = self._http.build_request(
                method,
                self._base_url + path,
                params=params,
                headers={**headers, "Authorization": f"Bearer {token}"},
                content=content,
            )
            return read(await send(self._http, request))

        # A 401 (an expired or revoked token) renews the grant once and retries once.
        answer = await self._bearer.call(attempt)
        if not isinstance(answer, dict):
            raise Permanent(f"{method} {path} answered something other than a JSON object")
        return answer
