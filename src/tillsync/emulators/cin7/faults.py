"""Fault injection: random failures, latency and one-shot rules around a call's effect."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from tillsync.emulators.cin7.wire import api_path
from tillsync.emulators.fault_plans import FaultPlan as SharedPlan
from tillsync.emulators.fault_plans import RandomFaults
from tillsync.emulators.faults import RouteRule

FaultKind = Literal["500", "502", "503", "throttle", "timeout", "reset"]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

FaultPlan = SharedPlan[FaultKind]


@dataclass(slots=True)
class FaultRule(RouteRule):
    """A fault for the next `times` calls matching method and path (`times=None`: every call).

    `*_before` actions happen before the call's effect, `*_after` ones after it: the state
    has changed but the caller gets a delay, an error status or a dropped connection. Paths
    are CIN7's, matched without case and without the `/ExternalApi/v2` prefix.
    """

    def __post_init__(self) -> None:
        RouteRule.__post_init__(self)
        self.path = api_path(self.path)


class Faults(RandomFaults[FaultKind, FaultRule]):
    """CIN7's failure kinds, and `paths` to keep random failures and latency to some calls."""

    def __init__(self) -> None:
        super().__init__(FAULT_KINDS)
        self.paths: list[str] | None = None

    def configure(
        self,
        *,
        error_rate: float = 0.0,
        kinds: Iterable[str] = ("500",),
        latency_ms: int = 0,
        seed: int | None = None,
        paths: Iterable[str] | None = None,
        rules: Iterable[FaultRule] = (),
    ) -> None:
        """Replace the whole fault set-up; paths are exact API paths such as `/sale/order`."""
        super().configure(
            error_rate=error_rate, kinds=kinds, latency_ms=latency_ms, seed=seed, rules=rules
        )
        self.paths = None if paths is None else [api_path(p) for p in paths]

    def plan(self, method: str, path: str, *, in_scope: bool = True) -> FaultPlan:
        in_scope = in_scope and (self.paths is None or path in self.paths)
        return super().plan(method, path, in_scope=in_scope)

    def as_dict(self) -> dict[str, Any]:
        setup = super().as_dict()
        rules = setup.pop("rules")
        return {**setup, "paths": self.paths, "rules": rules}
