"""The CRM emulator's state: API keys, invoices, faults and the call log; no HTTP."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Literal, get_args

from tillsync.clock import Clock, SystemClock
from tillsync.emulators.crm.invoices import Draft, Invoice, Ledger
from tillsync.emulators.faults import RuleAction, check_action, check_times, take_rule
from tillsync.emulators.logs import LOG_SIZE

Call = Literal["create", "lookup"]
CALLS: tuple[str, ...] = get_args(Call)


@dataclass(slots=True)
class FaultRule:
    """A fault for the next `times` calls of one kind (`times=None`: every call).

    `*_before` happens before the call's effect, `*_after` after it: the invoice exists but
    the caller gets a delay, an error status or a dropped connection.
    """

    action: RuleAction
    call: Call = "create"
    seconds: float = 0.0
    status: int = 500
    times: int | None = 1

    def __post_init__(self) -> None:
        check_action(self.action)
        if self.call not in CALLS:
            raise ValueError(f"call must be one of {', '.join(CALLS)}")
        check_times(self.times)


@dataclass(slots=True)
class Faults:
    """What goes wrong: the whole API down (503), latency, ignored keys and one-shot rules."""

    down: bool = False
    latency_ms: int = 0
    ignore_idempotency: bool = False
    rules: list[FaultRule] = field(default_factory=list)

    def take(self, call: Call) -> FaultRule | None:
        """The rule for this call, using up one of its `times`."""
        return take_rule(self.rules, lambda r: r.call == call)

    def as_dict(self) -> dict[str, object]:
        return {
            "down": self.down,
            "latency_ms": self.latency_ms,
            "ignore_idempotency": self.ignore_idempotency,
            "rules": [
                {
                    "action": r.action,
                    "call": r.call,
                    "seconds": r.seconds,
                    "status": r.status,
                    "times": r.times,
                }
                for r in self.rules
            ],
        }


@dataclass(frozen=True, slots=True)
class CallRecord:
    at: dt.datetime
    method: str
    path: str
    status: int
    """0 when the connection was dropped instead of answered."""
    idempotency_key: str | None
    reference: str | None


class CrmState:
    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.keys: set[str] = set()
        self.ledger = Ledger()
        self.faults = Faults()
        self.calls: deque[CallRecord] = deque(maxlen=LOG_SIZE)

    def add_key(self, key: str | None = None) -> str:
        key = key or f"crm_{secrets.token_hex(16)}"
        self.keys.add(key)
        return key

    def revoke_key(self, key: str) -> bool:
        if key not in self.keys:
            return False
        self.keys.remove(key)
        return True

    def authenticate(self, key: str | None) -> bool:
        return key is not None and any(secrets.compare_digest(key, k) for k in self.keys)

    def reset(self, *, keep_keys: bool = True) -> None:
        if not keep_keys:
            self.keys.clear()
        self.ledger = Ledger()
        self.faults = Faults()
        self.calls.clear()

    @property
    def invoices(self) -> list[Invoice]:
        return list(self.ledger.invoices)

    def create_invoice(self, draft: Draft, *, key: str | None) -> tuple[Invoice, bool]:
        """The invoice and whether it was replayed from an earlier request with the same key."""
        honoured = None if self.faults.ignore_idempotency else key
        earlier = self.ledger.replay(honoured, draft)
        if earlier is not None:
            return earlier, True
        return self.ledger.create(draft, key=honoured, now=self.clock.now()), False

    def record_call(
        self,
        *,
        method: str,
        path: str,
        status: int,
        idempotency_key: str | None = None,
        reference: str | None = None,
    ) -> None:
        self.calls.append(
            CallRecord(
                at=self.clock.now(),
                method=method,
                path=path,
                status=status,
                idempotency_key=idempotency_key,
                reference=reference,
            )
        )

    def creates(self) -> list[CallRecord]:
        return [c for c in self.calls if c.method == "POST"]
