"""CIN7's own client for a connection, for the engine code not yet on the Warehouse contract.

It is the connection's warehouse's client: every call passes the shared rate budget. It
goes once catalog pulls, pushes and external sales speak `connectors.contract.Warehouse`.
"""

from __future__ import annotations

from tillsync.connectors.cin7.client import Cin7Client
from tillsync.connectors.cin7.warehouse import Cin7Warehouse
from tillsync.jobs.worker import InvalidPayload
from tillsync.services.connections.links import warehouse_for
from tillsync.services.context import Services
from tillsync.store.tables import Connection


def client_for(
    services: Services, connection: Connection, *, lane: str, wait: bool = False
) -> Cin7Client:
    warehouse = warehouse_for(services, connection, lane=lane, wait=wait)
    if not isinstance(warehouse, Cin7Warehouse):
        raise InvalidPayload(f"{connection.provider} is not CIN7")
    return warehouse.client
