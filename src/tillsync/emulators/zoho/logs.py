"""What the emulator logs of each call and each workflow webhook try, beyond the shared records."""

from __future__ import annotations

from dataclasses import dataclass

from tillsync.emulators.logs import Call, Delivery


@dataclass(frozen=True, slots=True)
class CallRecord(Call):
    code: int | None
    """The envelope's `code`, when the answer had one."""
    organization_id: str | None
    token_hint: str
    """The token's last four characters: enough to tell tokens apart, never the token."""
    query: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryRecord(Delivery):
    webhook_id: str
    entity: str
    entity_id: str
