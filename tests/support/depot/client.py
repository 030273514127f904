"""Depot's REST API: one method per endpoint over an injected `httpx.AsyncClient`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import httpx

from tillsync.connectors.budget import Gate
from tillsync.connectors.http import classify, decode_json, dump_json, send
from tillsync.connectors.outbound import OutboundPolicy
from tillsync.errors import Permanent

__all__ = ["DEFAULT_BASE_URL", "MAX_LIMIT", "DepotClient", "read"]

DEFAULT_BASE_URL = "https://api.depot.example"
MAX_LIMIT = 200
ALREADY_CONFIRMED = "already_confirmed"
_MAX_DETAIL = 300

Query = Mapping[str, str | int | dt.datetime | None]


class DepotClient:
    """Answers are Depot's JSON as plain dicts; failures are tillsync `ProviderError`s.

    Every call first awaits `gate` (the account's shared rate budget); nothing here retries.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str,
        account_id: str,
        gate: Gate,
        policy: OutboundPolicy | None = None,
    ) -> None:
        self._http = http
        self._gate = gate
        self._base_url = base_url.rstrip("/")
        self._headers = {
            "X-Depot-Account": account_id,
            "X-Depot-Key": api_key,
            "Accept": "application/json",
        }
        # The address is one a tenant gives: the outbound policy judges its connections.
        self._extensions = (policy or OutboundPolicy()).extensions()

    def __repr__(self) -> str:
        return f"DepotClient(base_url={self._base_url!r})"  # never the key

    async def account(self) -> dict[str, Any]:
        return _object(await self._call("GET", "/account"), "GET /account")

    async def products(
        self, *, page: int, limit: int, updated_since: dt.datetime | None = None
    ) -> dict[str, Any]:
        """One page: `{"data", "page", "limit", "total", "has_more"}`, oldest change first."""
        query: Query = {"page": page, "limit": limit, "updated_since": updated_since}
        return _object(await self._call("GET", "/products", query=query), "GET /products")

    async def stock(self, *, page: int, limit: int, sku: str | None = None) -> dict[str, Any]:
        """One page of stock rows (per SKU and location); `sku` matches exactly."""
        query: Query = {"page": page, "limit": limit, "sku": sku}
        return _object(await self._call("GET", "/stock", query=query), "GET /stock")

    async def create_sale(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return _object(await self._call("POST", "/sales", body=body), "POST /sales")

    async def sales_by_reference(self, reference: str, *, limit: int = 20) -> dict[str, Any]:
        query: Query = {"reference": reference, "page": 1, "limit": limit}
        return _object(await self._call("GET", "/sales", query=query), "GET /sales")

    async def shipped_sales(
        self, *, shipped_since: dt.datetime, page: int, limit: int
    ) -> dict[str, Any]:
        query: Query = {"shipped_since": shipped_since, "page": page, "limit": limit}
        return _object(await self._call("GET", "/sales", query=query), "GET /sales")

    async def sale(self, sale_id: str) -> dict[str, Any]:
        return _object(await self._call("GET", f"/sales/{_segment(sale_id)}"), "GET /sales/{id}")

    async def confirm_sale(self, sale_id: str) -> dict[str, Any] | None:
        """The confirmed sale; None when Depot says it was confirmed already (by us, earlier)."""
        path = f"/sales/{_segment(sale_id)}/confirm"
        answer = await self._call("POST", path, tolerate=ALREADY_CONFIRMED)
        return None if answer is None else _object(answer, "POST /sales/{id}/confirm")

    async def webhooks(self) -> list[dict[str, Any]]:
        return _data(await self._call("GET", "/webhooks"), "GET /webhooks")

    async def create_webhook(self, *, event: str, url: str, token: str) -> dict[str, Any]:
        body = {"event": event, "url": url, "token": token}
        return _object(await self._call("POST", "/webhooks", body=body), "POST /webhooks")

    async def update_webhook(self, webhook_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        path = f"/webhooks/{_segment(webhook_id)}"
        return _object(await self._call("PUT", path, body=body), "PUT /webhooks/{id}")

    async def delete_webhook(self, webhook_id: str) -> None:
        await self._call("DELETE", f"/webhooks/{_segment(webhook_id)}")

    async def _call(
        self,
        method: str,
        path: str,
        *,
        query: Query | None = None,
        body: Mapping[str, Any] | None = None,
        tolerate: str | None = None,
    ) -> Any:
        headers = dict(self._headers)
        content = None
        if body is not None:
            content = dump_json(body)
            headers["Content-Type"] = "application/json"
        await self._gate()  # no call leaves without a grant from the shared budget
        request = self._http.build_request(
            method,
            self._base_url + path,
            params=_params(query or {}),
            headers=headers,
            content=content,
            extensions=self._extensions,
        )
        return read(await send(self._http, request), tolerate=tolerate)


def read(response: httpx.Response, *, tolerate: str | None = None) -> Any:
    """The JSON of a 2xx answer; None for an error whose code is `tolerate`; else the error.

    Depot refuses with `{"error": {"code", "message", "field"}}`; the message is kept short.
    """
    error = _error(response)
    if error is not None and tolerate is not None and error.get("code") == tolerate:
        return None
    message = error.get("message") if error else None
    detail = str(message)[:_MAX_DETAIL] if message else None
    classify(response, detail=detail)
    return decode_json(response)


def _error(response: httpx.Response) -> dict[str, Any] | None:
    if response.is_success:
        return None
    try:
        payload = json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, dict) else None


def _params(query: Query) -> dict[str, str | int]:
    params: dict[str, str | int] = {}
    for name, value in query.items():
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")
            params[name] = value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        else:
            params[name] = value
    return params


def _segment(value: str) -> str:
    """An id as one path segment: Depot's ids are word characters only."""
    if not value or not value.replace("_", "").replace("-", "").isalnum():
        raise Permanent(f"'{value[:40]}' is not a Depot id")
    return value


def _object(answer: Any, where: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise Permanent(f"{where} answered {type(answer).__name__}, expected a JSON object")
    return answer


def _data(answer: Any, where: str) -> list[dict[str, Any]]:
    rows = _object(answer, where).get("data")
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise Permanent(f"{where} answered without a 'data' list of objects")
    return rows
