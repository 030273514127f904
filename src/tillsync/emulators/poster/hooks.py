"""Webhooks as Poster builds and queues them: the body, its md5 `verify`, the retry
schedule, and one queue per account in which an unanswered hook holds back newer ones.

`verify` = md5 of account, object, object_id, action, data (only when the hook has it),
time and the application secret, joined with `;`. The docs' prose leaves `time` out;
every official sample puts it between data and the secret, and so does the emulator.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from dataclasses import dataclass
from typing import Any

from tillsync.emulators.poster.wire import dump_json

RETRIES = 15
RETRY_SPAN_MINUTES = 48 * 60
FIRST_RETRIES_MINUTES = (1, 5, 15, 30, 60, 120, 240)


def retry_delays_minutes() -> list[float]:
    """The waits between tries: Poster says 15 more tries over two days and no more. The
    emulator's GUESS: 1, 5, 15, 30 minutes, 1, 2, 4 hours, then evenly to 48 hours."""
    left = RETRIES - len(FIRST_RETRIES_MINUTES)
    even = (RETRY_SPAN_MINUTES - sum(FIRST_RETRIES_MINUTES)) / left
    return [float(m) for m in FIRST_RETRIES_MINUTES] + [even] * left


@dataclass(slots=True)
class Hook:
    """One change to tell the application about; `data` is already a JSON string."""

    id: int
    account: str
    account_number: str
    object: str
    object_id: int
    action: str
    data: str | None = None
    dropped: bool = False
    woken: asyncio.Event | None = None
    """Set when the hook is dropped, to cut short its wait for the next try."""

    def document(self) -> dict[str, Any]:
        return {
            "hook_id": self.id,
            "account": self.account,
            "object": self.object,
            "object_id": self.object_id,
            "action": self.action,
            "data": self.data,
        }


def verify(
    *,
    account: str,
    object: str,
    object_id: int | str,
    action: str,
    data: str | None,
    time: str,
    secret: str,
) -> str:
    parts = [account, object, str(object_id), action]
    if data is not None:
        parts.append(data)
    parts += [time, secret]
    return hashlib.md5(";".join(parts).encode()).hexdigest()  # noqa: S324 - Poster's scheme


def body(hook: Hook, *, time: str, secret: str) -> bytes:
    """The JSON Poster posts: `object_id` a number, `time` and `account_number` strings."""
    document: dict[str, Any] = {
        "account": hook.account,
        "account_number": hook.account_number,
        "object": hook.object,
        "object_id": hook.object_id,
        "action": hook.action,
        "time": time,
    }
    if hook.data is not None:
        document["data"] = hook.data
    document["verify"] = verify(
        account=hook.account,
        object=hook.object,
        object_id=hook.object_id,
        action=hook.action,
        data=hook.data,
        time=time,
        secret=secret,
    )
    return dump_json(document)


def data_text(data: dict[str, Any] | None) -> str | None:
    """`data` as Poster sends it: a JSON string inside the JSON body."""
    return None if data is None else dump_json(data).decode()


class HookQueues:
    """Hooks per account, oldest first: only the head is being delivered."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Hook]] = {}
        self._last_id = 0

    def new_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def enqueue(self, hook: Hook) -> None:
        self._queues.setdefault(hook.account, deque()).append(hook)

    def head(self, account: str) -> Hook | None:
        queue = self._queues.get(account)
        return queue[0] if queue else None

    def done(self, hook: Hook) -> None:
        """The hook was accepted or given up: the next one of its account may go."""
        queue = self._queues.get(hook.account)
        if queue and queue[0] is hook:
            queue.popleft()

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        return {account: [h.document() for h in q] for account, q in self._queues.items() if q}

    def drop(self) -> int:
        """Forget every queued hook (the one being tried stops after its try)."""
        dropped = 0
        for queue in self._queues.values():
            for hook in queue:
                hook.dropped = True
                if hook.woken is not None:
                    hook.woken.set()
            dropped += len(queue)
            queue.clear()
        return dropped
