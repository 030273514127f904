"""Random failures and latency for an emulator, the plan they make for one call, and what
a call meets before its effect."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from starlette.requests import Request
from starlette.responses import Response

from tillsync.emulators.connection import DroppedConnection, sleep_unless_disconnected
from tillsync.emulators.faults import RouteRule, RuleAction, carry_out, take_rule

K = TypeVar("K", bound=str)
Rule = TypeVar("Rule", bound=RouteRule)


@dataclass(frozen=True, slots=True)
class FaultPlan(Generic[K]):
    """What to do to one call: wait, then fail at random, then apply a rule's action."""

    latency_seconds: float = 0.0
    kind: K | None = None
    action: RuleAction | None = None
    seconds: float = 0.0
    status: int = 500


class RandomFaults(Generic[K, Rule]):
    """A share of calls fails with one of `kinds`, every call waits `latency_ms`, and
    method-and-path rules fire once (or `times`) each. `seed` makes the failures repeatable.
    """

    def __init__(self, kinds: tuple[K, ...]) -> None:
        self._allowed = kinds
        self.error_rate = 0.0
        self.kinds: list[K] = cast(list[K], ["500"])
        self.latency_ms = 0
        self.seed: int | None = None
        self.rules: list[Rule] = []
        self._random = random.Random()

    def configure(
        self,
        *,
        error_rate: float = 0.0,
        kinds: Iterable[str] = ("500",),
        latency_ms: int = 0,
        seed: int | None = None,
        rules: Iterable[Rule] = (),
    ) -> None:
        """Replace the whole fault set-up."""
        chosen = list(kinds)
        if not chosen or any(kind not in self._allowed for kind in chosen):
            raise ValueError(f"kinds must be a non-empty subset of {', '.join(self._allowed)}")
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        self.error_rate = error_rate
        self.kinds = cast(list[K], chosen)
        self.latency_ms = latency_ms
        self.seed = seed
        self.rules = list(rules)
        self._random = random.Random(seed)

    def add_rule(self, rule: Rule) -> None:
        self.rules.append(rule)

    def clear(self) -> None:
        self.configure()

    def plan(self, method: str, path: str, *, in_scope: bool = True) -> FaultPlan[K]:
        """Decide the faults of one call, using up a matching rule's `times`.

        Out of scope, a call still meets its rules but no random failure and no latency.
        """
        rule = take_rule(self.rules, lambda r: r.matches(method, path))
        kind: K | None = None
        if in_scope and self.error_rate and self._random.random() < self.error_rate:
            kind = self._random.choice(self.kinds)
        latency = self.latency_ms / 1000 if in_scope else 0.0
        if rule is None and kind is None and not latency:
            return FaultPlan()
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


async def before_effect(
    request: Request,
    plan: FaultPlan[Any],
    *,
    failure: Callable[[int], Response],
    random_failure: Callable[[str], Response] | None = None,
) -> Response | None:
    """What a call meets before its effect: the plan's latency, then a rule due now, then a
    random failure (`reset` drops the connection; another kind answers
    `random_failure(kind)`, by default `failure(int(kind))`). None: carry on."""
    await sleep_unless_disconnected(request, plan.latency_seconds)
    ruled = await carry_out(request, plan, moment="before", failure=failure)
    if ruled is not None or plan.kind is None:
        return ruled
    if plan.kind == "reset":
        return DroppedConnection()
    return failure(int(plan.kind)) if random_failure is None else random_failure(plan.kind)
