"""Fault injection: random failures, latency and one-shot rules around a call's effect.

Kind `200` (and a `fail_*` rule with status 200) answers HTTP 200 carrying
`{"error": {"code": 44, ...}}`, kind `700` the rate restriction in a 200, as Poster
answers its errors: a client has to read the body, not only the status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from tillsync.emulators.fault_plans import FaultPlan as SharedPlan
from tillsync.emulators.fault_plans import RandomFaults
from tillsync.emulators.faults import PathRule

FaultKind = Literal["500", "503", "200", "700", "reset"]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

FaultPlan = SharedPlan[FaultKind]


@dataclass(slots=True)
class FaultRule(PathRule):
    """A fault for the next `times` calls matching method and path (`times=None`: every call).

    Paths are exact, as sent (`/api/storage.getSuppliers`, `/api/v2/auth/access_token`).
    """


class Faults(RandomFaults[FaultKind, FaultRule]):
    """Poster's failure kinds; random failures and latency apply to every call."""

    def __init__(self) -> None:
        super().__init__(FAULT_KINDS)
