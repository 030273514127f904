"""The CRM of seed 003, declared: invoices for known customers, reached with an API key."""

from __future__ import annotations

from tillsync.connectors.contract import Connector, CredentialField, Link, Provider
from tillsync.connectors.crm.client import CrmClient
from tillsync.connectors.crm.invoices import CrmInvoices
from tillsync.connectors.crm.settings import CrmSettings


def _open(link: Link) -> Connector:
    client = CrmClient(
        link.http,
        base_url=link.base_url,
        api_key=link.credentials["api_key"],
        policy=link.policy,
        gate=link.gate,
    )
    invoices = CrmInvoices(client)
    return Connector(check=invoices.account, crm=invoices)


PROVIDER = Provider(
    name="crm",
    title="CRM",
    roles=frozenset({"crm"}),
    credentials=(CredentialField("api_key", "apiKey"),),
    settings=CrmSettings,
    open=_open,
)
