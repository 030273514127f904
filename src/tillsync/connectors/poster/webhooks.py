"""Poster's webhooks: the md5 `verify` inside the JSON body, the account it names, and what
each object's change means to the hub.

`verify` = md5 of account, object, object_id, action, data (only when the hook has it, as
the raw JSON string received), time and the application secret, joined with `;`, in hex.
The docs' prose leaves `time` out; every official code sample puts it between data and the
secret, and so do we. The secret is our application's (the OAuth app's client secret).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from tillsync.connectors.deliveries import (
    Delivery,
    DeliveryRefused,
    Event,
    EventKind,
    UnsupportedMediaType,
    json_object,
)
from tillsync.connectors.poster.mapping import BY_HOOK, INGREDIENTS
from tillsync.domain.records import RecordChange
from tillsync.errors import Permanent

__all__ = ["TIME_TOLERANCE", "PosterDeliveries", "signature"]

TIME_TOLERANCE = dt.timedelta(days=2, hours=1)
"""How old a hook's `time` may be: Poster retries an unanswered hook for two days, and the
notes cannot tell whether a retry is signed at its own time or repeats the first try's, so
a retry of either kind is taken. A hook refused for its age would be retried (and hold back
the account's newer hooks) for two days; within the window, the inbox's dedupe by `verify`
makes a replayed hook harmless."""
STOCK = "stock"
INGREDIENT_TYPE = "1"
ACTIONS = frozenset({"added", "changed", "removed", "transformed", "closed"})
FIELDS = ("account", "object", "object_id", "action", "time", "verify")
_MAX = 200


def signature(document: Mapping[str, Any], secret: str) -> str:
    parts = [str(document.get(name, "")) for name in ("account", "object", "object_id", "action")]
    data = document.get("data")
    if data is not None:
        parts.append(data if isinstance(data, str) else json.dumps(data))
    parts += [str(document.get("time", "")), secret]
    return hashlib.md5(";".join(parts).encode()).hexdigest()  # noqa: S324 - Poster's scheme


def _document(body: bytes) -> dict[str, Any]:
    document = json_object(body)
    for name in FIELDS:
        value = document.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            raise DeliveryRefused(f"{name} is missing", field=name)
        if len(str(value)) > _MAX:
            raise DeliveryRefused(f"{name} is too long", field=name)
    if not str(document["time"]).isdigit():
        raise DeliveryRefused("time must be unix seconds", field="time")
    if document["action"] not in ACTIONS:
        raise DeliveryRefused("action is not one of Poster's", field="action")
    data = document.get("data")
    if data is not None and not isinstance(data, str):
        raise DeliveryRefused("data must be a JSON string", field="data")
    return document


class PosterDeliveries:
    """`SignedDeliveries`: the key is the application secret, the signature in the body."""

    signature_header = "verify"
    account_field = "account"
    time_field = "time"
    replay_window = TIME_TOLERANCE

    def verify(self, headers: Mapping[str, str], *, secret: str) -> bool:
        return False  # Poster signs its hooks: only `verify_signed` can tell

    def verify_signed(self, headers: Mapping[str, str], body: bytes, *, key: str, url: str) -> bool:
        try:
            document = _document(body)
        except DeliveryRefused:
            return False
        expected = signature(document, key)
        return hmac.compare_digest(str(document["verify"]).lower().encode(), expected.encode())

    def check_content_type(self, value: str | None) -> None:
        if value is not None and value.split(";")[0].strip().lower() != "application/json":
            raise UnsupportedMediaType(
                "a Poster hook is sent as application/json", field="Content-Type"
            )

    def parse(self, body: bytes) -> list[Delivery]:
        """One hook is one event, `<object>.<action>`; its `verify` is the dedupe key (the same
        hook sent again has the same one; a retry signed anew is applied again, harmlessly)."""
        document = _document(body)
        kind = f"{document['object']}.{document['action']}"
        return [Delivery(type=kind, dedupe_key=str(document["verify"]).lower(), data=document)]

    def sent_at(self, delivery: Delivery) -> dt.datetime | None:
        time = delivery.data.get("time") if isinstance(delivery.data, dict) else None
        if not str(time).isdigit():
            return None
        try:
            return dt.datetime.fromtimestamp(int(str(time)), dt.UTC)
        except (OverflowError, ValueError, OSError):
            return None

    def account(self, delivery: Delivery) -> str | None:
        login = delivery.data.get("account") if isinstance(delivery.data, dict) else None
        return login if isinstance(login, str) and login else None

    def kind(self, event_type: str) -> EventKind:
        thing = event_type.split(".", maxsplit=1)[0]
        if thing == STOCK:
            return EventKind.STOCK
        return EventKind.RECORD if thing in BY_HOOK else EventKind.OTHER

    def read(self, event_type: str, data: Any) -> Event:
        """A change of a kept object. A `stock` hook of an ingredient (type 1) is a stock hint
        naming the ingredient (its SKU read afresh, for a stock-source connection) and the
        ingredient's record to read afresh (its leftover is in it); other hooks are stored
        and change nothing."""
        if self.kind(event_type) is EventKind.OTHER:
            return Event(EventKind.OTHER)
        if not isinstance(data, dict) or not str(data.get("object_id", "")).strip():
            raise Permanent(f"{event_type} hook without its object_id")
        if data.get("object") == STOCK:
            element = _stock_element(data.get("data"))
            if element is None:
                return Event(EventKind.OTHER)
            change = RecordChange(INGREDIENTS.name, element)
            return Event(EventKind.STOCK, product_refs=[element], record=change)
        entity = BY_HOOK[str(data["object"])]
        removed = data.get("action") == "removed"
        return Event(
            EventKind.RECORD, record=RecordChange(entity.name, str(data["object_id"]), removed)
        )


def _stock_element(text: Any) -> str | None:
    """The ingredient a `stock` hook's `data` (a JSON string) is about; None for another
    type of element (products, dishes, modifiers are not kept)."""
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    if not isinstance(data, dict) or str(data.get("type")) != INGREDIENT_TYPE:
        return None
    element = str(data.get("element_id") or "").strip()
    return element or None
