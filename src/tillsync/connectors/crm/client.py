"""The CRM's external invoice API (seed 003): one method per call over an injected client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from tillsync.connectors.budget import Gate
from tillsync.connectors.crm.errors import read
from tillsync.connectors.http import dump_json, send
from tillsync.connectors.outbound import OutboundPolicy
from tillsync.errors import Permanent

__all__ = ["INVOICES_PATH", "CrmClient"]

INVOICES_PATH = "/api/external/invoices"


class CrmClient:
    """Answers are the CRM's JSON as plain dicts; failures are tillsync `ProviderError`s.

    Nothing here retries: the job queue does, and looks an invoice up before creating it
    again after an uncertain outcome. The base URL is a tenant's, so every request carries
    the outbound policy: its connection is judged when it opens (`AddressRefused`). With a
    `gate`, no call leaves without a grant from the connection's rate budget.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: str,
        policy: OutboundPolicy,
        gate: Gate | None = None,
    ) -> None:
        self._http = http
        self._gate = gate
        self._base_url = base_url.rstrip("/")
        self._headers = {"x-api-key": api_key, "Accept": "application/json"}
        self._extensions = policy.extensions()

    def __repr__(self) -> str:
        return f"CrmClient(base_url={self._base_url!r})"  # never the key

    async def check(self) -> None:
        """A cheap authenticated read: raises `AuthFailed` for a refused key."""
        await self._call("GET", INVOICES_PATH, params={"limit": "1"})

    async def create_invoice(
        self, body: Mapping[str, Any], *, idempotency_key: str
    ) -> dict[str, Any]:
        answer = await self._call(
            "POST", INVOICES_PATH, body=body, headers={"Idempotency-Key": idempotency_key}
        )
        return _object(answer, f"POST {INVOICES_PATH}")

    async def find_invoices(self, reference: str) -> list[dict[str, Any]]:
        """Invoices whose POS sale reference is exactly `reference`."""
        answer = _object(
            await self._call("GET", INVOICES_PATH, params={"reference": reference}),
            f"GET {INVOICES_PATH}",
        )
        rows = answer.get("invoices")
        if not isinstance(rows, list):
            raise Permanent(f"GET {INVOICES_PATH} answered without an invoice list")
        return [row for row in rows if isinstance(row, dict) and row.get("reference") == reference]

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        if self._gate is not None:
            await self._gate()
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
            extensions=self._extensions,
        )
        if self._gate is not None:
            await self._gate()
        return read(await send(self._http, request))


def _object(answer: Any, where: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise Permanent(f"{where} answered with something other than a JSON object")
    return answer
