"""The CRM's own client for a connection, for the invoice job not yet on the Crm contract.

Every call passes the shared rate budget; it goes once the invoice job speaks
`connectors.contract.Crm`.
"""

from __future__ import annotations

from tillsync.connectors.crm.client import CrmClient
from tillsync.connectors.crm.invoices import CrmInvoices
from tillsync.jobs.worker import InvalidPayload
from tillsync.services.connections.links import crm_for
from tillsync.services.context import Services
from tillsync.store.tables import Connection


def client_for(services: Services, connection: Connection) -> CrmClient:
    crm = crm_for(services, connection, lane="normal")
    if not isinstance(crm, CrmInvoices):
        raise InvalidPayload(f"{connection.provider} is not the CRM")
    return crm.client
