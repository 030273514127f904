"""Fault rules every emulator shares: a one-shot action before or after a call's effect.

A `*_before` action happens before the effect, a `*_after` one after it: the state has
changed but the caller gets a delay, an error status or a dropped connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar, get_args

from starlette.requests import Request
from starlette.responses import Response

from tillsync.emulators.connection import DroppedConnection, sleep_unless_disconnected

RuleAction = Literal[
    "delay_before", "fail_before", "reset_before", "delay_after", "fail_after", "reset_after"
]
RULE_ACTIONS: tuple[str, ...] = get_args(RuleAction)
Moment = Literal["before", "after"]


class CountedRule(Protocol):
    times: int | None


class Outcome(Protocol):
    """What a call's rule says: an action (or none), how long a delay, which failure status."""

    @property
    def action(self) -> RuleAction | None: ...

    @property
    def seconds(self) -> float: ...

    @property
    def status(self) -> int: ...


R = TypeVar("R", bound=CountedRule)


def check_action(action: str) -> None:
    if action not in RULE_ACTIONS:
        raise ValueError(f"action must be one of {', '.join(RULE_ACTIONS)}")


def check_times(times: int | None) -> None:
    if times is not None and times < 1:
        raise ValueError("times must be at least 1, or null for every call")


@dataclass(slots=True)
class RouteRule:
    """A fault for the next `times` calls matching method and path (`times=None`: every call).

    `*` matches any method; paths match exactly, so a provider's rule writes them the
    way its gateway does.
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

    def matches(self, method: str, path: str) -> bool:
        return self.method in (method, "*") and self.path == path


@dataclass(slots=True)
class PathRule(RouteRule):
    """A `RouteRule` whose path is kept with one leading slash and none trailing, the way
    a gateway that strips the request's path compares it."""

    def __post_init__(self) -> None:
        RouteRule.__post_init__(self)
        self.path = "/" + self.path.strip("/")


def take_rule(rules: list[R], wanted: Callable[[R], bool]) -> R | None:
    """The first rule wanted, using up one of its `times`; a used-up rule leaves the list."""
    rule = next((r for r in rules if wanted(r)), None)
    if rule is not None and rule.times is not None:
        rule.times -= 1
        if rule.times == 0:
            rules.remove(rule)
    return rule


async def carry_out(
    request: Request,
    rule: Outcome | None,
    *,
    moment: Moment,
    failure: Callable[[int], Response],
) -> Response | None:
    """Do the rule's action if it is due at this moment: None to carry on, else the answer.

    A delay waits (less if the client hangs up) and carries on; a failure answers
    `failure(status)`; a reset drops the connection mid-answer.
    """
    if rule is None or rule.action is None:
        return None
    step, _, due = rule.action.partition("_")
    if due != moment:
        return None
    if step == "delay":
        await sleep_unless_disconnected(request, rule.seconds)
        return None
    return failure(rule.status) if step == "fail" else DroppedConnection()
