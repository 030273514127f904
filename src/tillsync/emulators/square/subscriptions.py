"""Webhook subscriptions: the application's, each with its own signature key."""

from __future__ import annotations

import copy
import datetime as dt
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tillsync.emulators.square.errors import SquareError, invalid, missing, not_found
from tillsync.emulators.square.events import EVENT_TYPES
from tillsync.emulators.square.wire import format_time, list_field, object_field, text_field

API_VERSION = "2026-09-16"


@dataclass(slots=True)
class Subscription:
    id: str
    name: str
    event_types: list[str]
    notification_url: str
    api_version: str
    signature_key: str
    enabled: bool
    created_at: dt.datetime

    def document(self, *, with_key: bool) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "enabled": self.enabled,
            "event_types": list(self.event_types),
            "notification_url": self.notification_url,
            "api_version": self.api_version,
            "created_at": format_time(self.created_at),
            "updated_at": format_time(self.created_at),
        }
        if with_key:
            document["signature_key"] = self.signature_key
        return document


class Subscriptions:
    def __init__(self) -> None:
        self.by_id: dict[str, Subscription] = {}
        self._answers: dict[str, tuple[Any, dict[str, Any]]] = {}

    def create(self, body: Mapping[str, Any], *, now: dt.datetime) -> dict[str, Any]:
        key = text_field(body, "idempotency_key", field="idempotency_key", max_length=45)
        if key is not None and key in self._answers:
            request, answer = self._answers[key]
            if request != body:
                raise SquareError(
                    "The idempotency key can only be retried with the same request data.",
                    code="IDEMPOTENCY_KEY_REUSED",
                    field="idempotency_key",
                )
            return copy.deepcopy(answer)
        data = object_field(body, "subscription", field="subscription")
        types = list_field(data, "event_types", field="subscription.event_types")
        if not types:
            raise missing("subscription.event_types")
        for kind in types:
            if kind not in EVENT_TYPES:
                raise invalid("subscription.event_types", f"Event type `{kind}` is not emulated.")
        url = text_field(
            data,
            "notification_url",
            field="subscription.notification_url",
            max_length=2048,
            required=True,
        )
        assert url is not None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise invalid("subscription.notification_url", "The notification URL is not valid.")
        subscription = Subscription(
            id="wbhk_" + uuid.uuid4().hex,
            name=str(data.get("name") or ""),
            event_types=[str(t) for t in types],
            notification_url=url,
            api_version=str(data.get("api_version") or API_VERSION),
            signature_key=secrets.token_urlsafe(16),
            enabled=data.get("enabled", True) is not False,
            created_at=now,
        )
        self.by_id[subscription.id] = subscription
        answer = {"subscription": subscription.document(with_key=True)}
        if key is not None:
            self._answers[key] = (copy.deepcopy(dict(body)), copy.deepcopy(answer))
        return answer

    def listing(self) -> dict[str, Any]:
        listed = [s.document(with_key=False) for s in self.by_id.values()]
        return {"subscriptions": listed} if listed else {}

    def get(self, subscription_id: str) -> dict[str, Any]:
        found = self.by_id.get(subscription_id)
        if found is None:
            raise not_found(f"Subscription `{subscription_id}` not found.")
        return {"subscription": found.document(with_key=False)}

    def delete(self, subscription_id: str) -> dict[str, Any]:
        if self.by_id.pop(subscription_id, None) is None:
            raise not_found(f"Subscription `{subscription_id}` not found.")
        return {}

    def wanting(self, event_type: str) -> list[Subscription]:
        return [s for s in self.by_id.values() if s.enabled and event_type in s.event_types]

    def clear(self) -> None:
        self.by_id.clear()
        self._answers.clear()
