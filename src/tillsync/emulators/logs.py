"""The logs every emulator keeps: each call it answered and each webhook try it made.

A provider's `CallRecord` and `DeliveryRecord` add to `Call` and `Delivery` what its calls
and webhooks carry; `Log` holds the newest `LOG_SIZE` of either.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from typing import Protocol, TypeVar

LOG_SIZE = 10_000


class Timed(Protocol):
    @property
    def time(self) -> dt.datetime: ...


R = TypeVar("R", bound=Timed)


class Log(deque[R]):
    """The newest `LOG_SIZE` records, oldest first."""

    def __init__(self) -> None:
        super().__init__(maxlen=LOG_SIZE)

    def since(self, moment: dt.datetime | None = None) -> list[R]:
        return [record for record in self if moment is None or record.time >= moment]


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    time: dt.datetime
    method: str
    path: str
    status: int
    """0 when the connection was dropped instead of answered."""
    throttled: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    time: dt.datetime
    url: str
    attempt: int
    status: int | None
    error: str | None
