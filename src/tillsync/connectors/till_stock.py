"""What a POS that keeps stock does not do as a warehouse: its webhooks belong to the hub's
application (made once at the provider, not per connection), and the sales its own till
makes are its own ledger's, not read into the hub's history.

A stock source built on a POS takes these as they are; `title` names the
provider in the refusals.
"""

from __future__ import annotations

import datetime as dt

from tillsync.connectors.contract import Page, RemoteWebhook
from tillsync.domain.sale_documents import ExternalSale, ShippedSale
from tillsync.errors import Permanent


class TillStock:
    title = "the POS"

    async def shipped_sales(
        self, *, page: int, limit: int, changed_since: dt.datetime
    ) -> Page[ShippedSale]:
        return Page(rows=[], last=True)

    async def sale(self, external_id: str) -> ExternalSale:
        raise Permanent(f"sales made at {self.title} are not read into the hub's history")

    async def webhooks(self) -> list[RemoteWebhook]:
        return []

    async def register_webhook(
        self, event_type: str, *, url: str, token: str, external_id: str | None
    ) -> str | None:
        raise Permanent(f"{self.title}'s webhooks are the hub application's, not a connection's")

    async def delete_webhook(self, external_id: str) -> None:
        return None
