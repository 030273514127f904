"""Tally, the tests' own OAuth provider: a CRM whose every call carries a bearer token."""

from __future__ import annotations

from typing import Any

from tests.support.tally.oauth import ACCOUNT, OAUTH
from tillsync.connectors.contract import (
    Account,
    Connector,
    CredentialField,
    Link,
    Provider,
)
from tillsync.connectors.grants import ACCESS_TOKEN, REFRESH_TOKEN, TOKEN_EXPIRES_AT
from tillsync.connectors.http import classify, decode_json, dump_json, send
from tillsync.connectors.oauth import Bearer
from tillsync.connectors.settings import ConnectionSettings
from tillsync.domain.invoices import InvoiceRef, InvoiceRequest


class TallyInvoices:
    def __init__(self, link: Link) -> None:
        self._link = link
        self._bearer = Bearer(link)

    async def _call(self, method: str, path: str, **options: Any) -> Any:
        async def attempt(token: str) -> Any:
            await self._link.gate()
            request = self._link.http.build_request(
                method,
                f"{self._link.base_url}{path}",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                extensions=self._link.policy.extensions(),
                **options,
            )
            response = await send(self._link.http, request)
            classify(response)
            return decode_json(response)

        return await self._bearer.call(attempt)

    async def account(self) -> Account:
        answer = await self._call("GET", "/v1/me")
        return Account(name=str(answer["name"]))

    async def create_invoice(self, invoice: InvoiceRequest) -> InvoiceRef:
        body = {"reference": invoice.reference, "customer": invoice.customer_name}
        answer = await self._call("POST", "/v1/invoices", content=dump_json(body))
        return InvoiceRef(external_id=str(answer["id"]), number=str(answer["number"]))

    async def find_invoice(self, reference: str) -> InvoiceRef | None:
        found = await self._call("GET", "/v1/invoices", params={"reference": reference})
        return InvoiceRef(str(found[0]["id"]), str(found[0]["number"])) if found else None


def _open(link: Link) -> Connector:
    invoices = TallyInvoices(link)
    return Connector(check=invoices.account, crm=invoices)


PROVIDER = Provider(
    name="tally",
    title="Tally",
    roles=frozenset({"crm"}),
    credentials=(
        CredentialField(ACCOUNT, "accountId", secret=False, masked=False),
        CredentialField(ACCESS_TOKEN, "accessToken"),
        CredentialField(REFRESH_TOKEN, "refreshToken"),
        CredentialField(TOKEN_EXPIRES_AT, "expiresAt", secret=False, masked=False),
    ),
    settings=ConnectionSettings,
    open=_open,
    oauth=OAUTH,
)
