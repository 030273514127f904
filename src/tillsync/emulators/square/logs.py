"""What the emulator logs of each call and each webhook delivery, beyond the shared records."""

from __future__ import annotations

from dataclasses import dataclass

from tillsync.emulators.logs import Call, Delivery


@dataclass(frozen=True, slots=True)
class CallRecord(Call):
    merchant_id: str | None
    token_hint: str
    """The token's last four characters: enough to tell tokens apart, never the token."""
    query: str = ""
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord(Delivery):
    subscription_id: str
    event_id: str
    type: str
