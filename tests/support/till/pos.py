"""Till, declared: a POS reached with an access token, which takes orders by our reference."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tillsync.connectors.budget import Gate
from tillsync.connectors.contract import (
    Account,
    Connector,
    CredentialField,
    Link,
    Page,
    Provider,
)
from tillsync.connectors.http import classify, decode_json, dump_json, send
from tillsync.connectors.settings import PosSettings
from tillsync.domain.catalog import ProductFields
from tillsync.domain.orders import PosOrder, plain
from tillsync.errors import Permanent


class TillSettings(PosSettings):
    pass


class TillPos:
    """Till's endpoints as the `Pos` capability; every call first awaits the gate."""

    def __init__(self, http: httpx.AsyncClient, *, base_url: str, token: str, gate: Gate) -> None:
        self._http, self._base_url, self._gate = http, base_url.rstrip("/"), gate
        self._headers = {"Authorization": f"Bearer {token}"}

    async def account(self) -> Account:
        answer = await self._call("GET", "/me")
        return Account(name=str(answer.get("merchant", "")))

    async def push_order(self, order: PosOrder) -> str:
        answer = await self._call("POST", "/orders", body=order_body(order), key=order.reference)
        return str(answer["id"])

    async def find_order(self, reference: str) -> str | None:
        answer = await self._call("GET", "/orders", params={"reference": reference})
        found = answer.get("orders") or []
        return str(found[0]["id"]) if found else None

    async def catalog(self, *, page: int, limit: int) -> Page[ProductFields]:
        return Page(rows=[], last=True)

    async def revoke(self) -> None:
        await self._call("POST", "/oauth/revoke")

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        await self._gate()
        headers = {**self._headers, **({"Idempotency-Key": key} if key else {})}
        request = self._http.build_request(
            method,
            self._base_url + path,
            params=params,
            content=None if body is None else dump_json(body),
            headers=headers,
        )
        response = await send(self._http, request)
        classify(response)
        answer = decode_json(response)
        if not isinstance(answer, dict):
            raise Permanent(f"{method} {path} answered something other than an object")
        return answer


def order_body(order: PosOrder) -> dict[str, Any]:
    """Till's order: lines by catalog id where mapped, else by name and price."""
    lines: list[dict[str, Any]] = []
    for line in order.lines:
        shown: dict[str, Any] = {"quantity": plain(line.quantity), "note": line.note}
        if line.catalog_id:
            shown["catalog_id"] = line.catalog_id
        else:
            shown |= {"name": line.name, "price": plain(line.unit_price)}
        lines.append(shown)
    customer = order.customer
    return {
        "reference": order.reference,
        "currency": order.currency,
        "lines": lines,
        "note": order.note,
        "customer": None if customer is None else {"name": customer.name, "phone": customer.phone},
        "total": plain(sum((line.quantity * line.unit_price for line in order.lines), Decimal(0))),
    }


def _open(link: Link) -> Connector:
    till = TillPos(
        link.http, base_url=link.base_url, token=link.credentials["access_token"], gate=link.gate
    )
    return Connector(check=till.account, revoke=till.revoke, pos=till)


PROVIDER = Provider(
    name="till",
    title="Till",
    roles=frozenset({"pos"}),
    credentials=(CredentialField("access_token", "access_token"),),
    settings=TillSettings,
    open=_open,
    default_base_url="https://api.till.example",
)
