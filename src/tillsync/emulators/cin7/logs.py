"""What the emulator logs of each call and each webhook delivery, beyond the shared records."""

from __future__ import annotations

from dataclasses import dataclass

from tillsync.emulators.logs import Call, Delivery


@dataclass(frozen=True, slots=True)
class CallRecord(Call):
    application_key: str
    query: str = ""
    """The query string as sent, so a test can see which filters and pages a caller asked."""


@dataclass(frozen=True, slots=True)
class DeliveryRecord(Delivery):
    account_id: str
    webhook_id: str
    type: str
