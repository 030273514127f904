"""Dine's API (assumed, see `provider`) over an injected `httpx.AsyncClient`: one method per
endpoint the hub uses.

Answers are Dine's JSON as plain dicts; failures are tillsync `ProviderError`s. Nothing here
retries or paces: the job queue retries, the shared rate budget paces (`gate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from tillsync.connectors.budget import Gate
from tillsync.connectors.dine.errors import read
from tillsync.connectors.http import dump_json, send
from tillsync.errors import Permanent

__all__ = ["DEFAULT_BASE_URL", "KEY_HEADER", "DineClient"]

DEFAULT_BASE_URL = "https://api.dine.invalid/v1"
"""No public address is known: the operator points `TILLSYNC_PROVIDER_URLS` at Dine."""
KEY_HEADER = "X-Api-Key"


class DineClient:
    def __init__(self, http: httpx.AsyncClient, *, base_url: str, api_key: str, gate: Gate) -> None:
        self._http, self._gate = http, gate
        self._base_url = base_url.rstrip("/")
        self._headers = {KEY_HEADER: api_key, "Accept": "application/json"}

    def __repr__(self) -> str:
        return f"DineClient(base_url={self._base_url!r})"  # never the key

    async def restaurant(self) -> dict[str, Any]:
        """GET /restaurant: `{restaurant: {id, name, currency}}`."""
        return await self._call("GET", "/restaurant")

    async def create_order(
        self, order: Mapping[str, Any], *, idempotency_key: str
    ) -> dict[str, Any]:
        """POST /orders: `{order}`. The same key and body answer the first order again."""
        return await self._call(
            "POST", "/orders", body=order, headers={"Idempotency-Key": idempotency_key}
        )

    async def orders_by_reference(self, reference: str) -> dict[str, Any]:
        """GET /orders?reference=: `{orders[]}`, every order with that reference."""
        return await self._call("GET", "/orders", params={"reference": reference})

    async def menu_items(self, *, page: int, per_page: int) -> dict[str, Any]:
        """GET /menu/items: `{items[], page, per_page, total, has_more}`, pages from 1."""
        params = {"page": str(page), "per_page": str(per_page)}
        return await self._call("GET", "/menu/items", params=params)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        await self._gate()  # no call leaves without a grant from the shared budget
        request = self._http.build_request(
            method,
            self._base_url + path,
            params=params,
            content=None if body is None else dump_json(body),
            headers={
                **self._headers,
                **(headers or {}),
                **({"Content-Type": "application/json"} if body is not None else {}),
            },
        )
        answer = read(await send(self._http, request))
        if not isinstance(answer, dict):
            raise Permanent(f"{method} {path} answered something other than a JSON object")
        return answer
