"""Fault injection: random failures, latency and one-shot rules around a call's effect."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from tillsync.emulators.fault_plans import FaultPlan as SharedPlan
from tillsync.emulators.fault_plans import RandomFaults
from tillsync.emulators.faults import PathRule

FaultKind = Literal["500", "503", "429", "reset"]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

FaultPlan = SharedPlan[FaultKind]


@dataclass(slots=True)
class FaultRule(PathRule):
    """A fault for the next `times` calls matching method and path (`times=None`: every call).

    Paths are exact, as sent (`/v2/orders`); `*` matches any method. A `fail_*` rule with
    status 429 answers Square's throttle body.
    """


class Faults(RandomFaults[FaultKind, FaultRule]):
    """Square's failure kinds; random failures and latency apply to every call."""

    def __init__(self) -> None:
        super().__init__(FAULT_KINDS)
