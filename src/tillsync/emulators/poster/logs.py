"""What the emulator logs of each call and each webhook try, beyond the shared records."""

from __future__ import annotations

from dataclasses import dataclass

from tillsync.emulators.logs import Call, Delivery


@dataclass(frozen=True, slots=True)
class CallRecord(Call):
    code: int | None
    """The error code inside the answer, None on success."""
    account: str | None
    token_hint: str
    """The token's last four characters: enough to tell tokens apart, never the token."""


@dataclass(frozen=True, slots=True)
class DeliveryRecord(Delivery):
    hook_id: int
    account: str
    object: str
    object_id: int
    action: str
