"""Where a recorded sale stands with the CRM and the warehouse, and the words the POS shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tillsync.domain.sales import RecordedSale

CrmState = Literal["not_needed", "not_configured", "queued", "created", "failed"]
InventoryState = Literal["local_only", "queued", "pushed", "failed"]
Occasion = Literal["recorded", "repeated", "read"]
"""Why the status is given: a sale just recorded, a POST repeated, or a read (GET)."""

OPENINGS: dict[Occasion, str] = {
    "recorded": "Sale completed successfully",
    "repeated": "Sale already recorded",
    "read": "Sale found",
}
INVENTORY_WORDS: dict[InventoryState, str] = {
    "local_only": " with inventory updates",
    "queued": " with inventory updates (warehouse push queued)",
    "pushed": " with inventory updates",
    "failed": " with inventory updates (warehouse push failed)",
}
CRM_WORDS: dict[CrmState, str] = {
    "not_needed": "",
    "not_configured": "; no CRM is connected, so no invoice",
    "queued": "; the CRM invoice is queued",
    "created": " and CRM invoice {invoice_number}",
    "failed": "; the CRM invoice failed",
}


@dataclass(frozen=True, slots=True)
class CrmDelivery:
    """The sale's invoice: its number and id once `created`, else why not."""

    state: CrmState
    service_available: bool
    invoice_id: str | None = None
    invoice_number: str | None = None
    error: str | None = None

    @property
    def invoice_created(self) -> bool:
        return self.state == "created"


@dataclass(frozen=True, slots=True)
class InventoryDelivery:
    """The sale's warehouse push: all of its `items` fail together or none do."""

    state: InventoryState
    service_available: bool
    items: int
    error: str | None = None

    @property
    def updates_successful(self) -> bool:
        return self.state != "failed"

    @property
    def failed_items(self) -> int:
        return self.items if self.state == "failed" else 0


@dataclass(frozen=True, slots=True)
class SaleStatus:
    sale: RecordedSale
    occasion: Occasion
    crm: CrmDelivery
    inventory: InventoryDelivery

    @property
    def duplicate(self) -> bool:
        return self.occasion == "repeated"

    @property
    def message(self) -> str:
        crm = CRM_WORDS[self.crm.state].format(invoice_number=self.crm.invoice_number)
        return OPENINGS[self.occasion] + INVENTORY_WORDS[self.inventory.state] + crm
