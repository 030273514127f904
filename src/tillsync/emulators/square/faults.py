"""Fault injection: random failures, latency and one-shot rules around a call's effect."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from tillsync.emulators.faults import RuleAction, check_action, check_times, take_rule

FaultKind = Literal["500", "503", "429", "reset"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


@dataclass(slots=True)
class FaultRule:
    """A fault for the next `times` calls matching method and path (`times=None`: every call).

    Paths are exact, as sent (`/v2/orders`); `*` matches any method. A `fail_*` rule with
    status 429 answers Square's throttle body.
    """

    method: str
    path: str
    action: RuleAction
    seconds: float = 0.0
    status: int = 500
    times: int | None = 1

    def __post_init__(self) -> None:
        check_action(self.action)
        check_times(self.times)
        self.method = self.method.upper()
        self.path = "/" + self.path.strip("/")

    def matches(self, method: str, path: str) -> bool:
        return self.method in (method, "*") and self.path == path


@dataclass(frozen=True, slots=True)
class FaultPlan:
    latency_seconds: float = 0.0
    kind: FaultKind | None = None
    action: RuleAction | None = None
    seconds: float = 0.0
    status: int = 500


NO_FAULT = FaultPlan()


class Faults:
    def __init__(self) -> None:
        self.error_rate = 0.0
        self.kinds: list[FaultKind] = ["500"]
        self.latency_ms = 0
        self.seed: int | None = None
        self.rules: list[FaultRule] = []
        self._random = random.Random()

    def configure(
        self,
        *,
        error_rate: float = 0.0,
        kinds: Iterable[str] = ("500",),
        latency_ms: int = 0,
        seed: int | None = None,
        rules: Iterable[FaultRule] = (),
    ) -> None:
        """Replace the whole fault set-up."""
        chosen = list(kinds)
        if not chosen or any(kind not in FAULT_KINDS for kind in chosen):
            raise ValueError(f"kinds must be a non-empty subset of {', '.join(FAULT_KINDS)}")
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        self.error_rate = error_rate
        self.kinds = cast(list[FaultKind], chosen)
        self.latency_ms = latency_ms
        self.seed = seed
        self.rules = list(rules)
        self._random = random.Random(seed)

    def add_rule(self, rule: FaultRule) -> None:
        self.rules.append(rule)

    def clear(self) -> None:
        self.configure()

    def plan(self, method: str, path: str) -> FaultPlan:
        """Decide the faults of one call, using up a matching rule's `times`."""
        rule = take_rule(self.rules, lambda r: r.matches(method, path))
        kind: FaultKind | None = None
        if self.error_rate and self._random.random() < self.error_rate:
            kind = self._random.choice(self.kinds)
        latency = self.latency_ms / 1000
        if rule is None and kind is None and not latency:
            return NO_FAULT
        return FaultPlan(
            latency_seconds=latency,
            kind=kind,
            action=None if rule is None else rule.action,
            seconds=0.0 if rule is None else rule.seconds,
            status=500 if rule is None else rule.status,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "error_rate": self.error_rate,
            "kinds": list(self.kinds),
            "latency_ms": self.latency_ms,
            "seed": self.seed,
            "rules": [dataclasses.asdict(rule) for rule in self.rules],
        }
