"""CIN7 Core webhook deliveries: check the bearer token we registered, then read the body.

A delivery that is not what CIN7 sends is refused whole, before anything is stored:

    DeliveryRefused             422: a shape or value CIN7 never sends, named by its path
    ├── UnreadableDelivery      400: not JSON, or nested deeper than `MAX_DEPTH`
    └── UnsupportedMediaType    415: not sent as JSON
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from tillsync.connectors.cin7 import mapping
from tillsync.connectors.cin7.values import InvalidRecord, storable
from tillsync.connectors.deliveries import Delivery, DeliveryRefused, UnsupportedMediaType

__all__ = [
    "MAX_DEPTH",
    "STOCK_EVENT",
    "DeliveryRefused",
    "UnreadableDelivery",
    "UnsupportedMediaType",
    "WebhookEvent",
    "check_content_type",
    "parse",
    "verify",
]

STOCK_EVENT = "Stock/AvailableStockLevelChanged"
MAX_DEPTH = 16
"""CIN7's deepest delivery (a product with its price tiers, in a list) nests 4 levels."""
MAX_NUMBER = 1e15
"""No figure, amount or count in a delivery comes near; stock is held to less (`values`)."""
_BEARER = "bearer "
# Short enough that every dedupe key fits the inbox column (200 characters).
_EVENT_TYPE = re.compile(r"[A-Za-z]{1,30}/[A-Za-z]{1,33}")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_ ]{0,39}")
"""Keys shown in a field's path; any other key is shown as `{…}`, never as sent."""
_JSON_KINDS = {str: "text", int: "number", float: "number", bool: "boolean", type(None): "null"}
_RECORD_IDS = ("SaleID", "SaleTaskID", "TaskID")


class UnreadableDelivery(DeliveryRefused):
    status_code = 400


WebhookEvent = Delivery
"""One delivery. `dedupe_key` is None when repeating the delivery is harmless (see parse)."""


def verify(headers: Mapping[str, str], *, expected_token: str) -> bool:
    """Whether `Authorization: Bearer <token>` carries the token we registered.

    CIN7 signs nothing: the bearer token set on the webhook (`ExternalBearerToken`) is the
    only proof of origin, so it is compared in constant time. Header names are matched
    without regard to case, as HTTP requires, even on a plain dict.
    """
    if not expected_token:
        return False
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if value is None or value[: len(_BEARER)].lower() != _BEARER:
        return False
    token = value[len(_BEARER) :].strip()
    if not token:
        return False
    return hmac.compare_digest(token.encode(), expected_token.encode())


def check_content_type(value: str | None) -> None:
    """CIN7 posts JSON: `application/json` (any charset) or an `application/…+json` type."""
    media = (value or "").split(";")[0].strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        raise UnsupportedMediaType(
            "a CIN7 delivery is sent as application/json", field="Content-Type"
        )


def parse(body: bytes) -> list[WebhookEvent]:
    """The events in one delivery; `DeliveryRefused` for a body CIN7 would not send.

    Every string must be storable (no NUL, no lone surrogate), every number finite and
    within ±`MAX_NUMBER`, nesting within `MAX_DEPTH`; then the shape of its kind is checked.

    A bare JSON array is CIN7's stock-level delivery: absolute Available/OnHand figures per
    product, location, bin and batch, with no event type and no id. It becomes one event
    whose data is the list of rows, kept together because a location's figure is the sum of
    its bin and batch rows (`mapping.stock_rows`, which must read every row); an empty array
    is no event. It gets no dedupe key on purpose: the same figures arriving again later are
    a legitimate later state (stock went 5 → 4 → 5), so dropping them as duplicates would
    lose an update, and applying an absolute figure twice leaves the ledger as applying it
    once did.

    An object with `EventType` is an event about one record, which CIN7 redelivers up to six
    times. Its key is the event type, the sale (`SaleID`, or `SaleTaskID` on task events) when
    there is one, and a hash of the canonical body: a redelivery repeats the body and is
    dropped, while two partial payments on one sale differ in body and both count.
    """
    try:
        payload = json.loads(body)
    except RecursionError:
        raise UnreadableDelivery(_too_deep(), field="body") from None
    except ValueError as exc:  # not JSON, not UTF-8, a number too long to read
        raise UnreadableDelivery("the body is not valid JSON", field="body") from exc
    _check_values(payload)
    if isinstance(payload, list):
        return _stock_delivery(payload)
    if isinstance(payload, dict):
        return [_record_event(payload)]
    kind = _JSON_KINDS.get(type(payload), "value")
    raise DeliveryRefused(f"the body is a JSON {kind}, not an object or array", field="body")


def _stock_delivery(rows: list[Any]) -> list[WebhookEvent]:
    if not rows:
        return []
    if not all(isinstance(row, dict) for row in rows) or not any("SKU" in row for row in rows):
        raise DeliveryRefused("the array is not stock-level rows (objects with SKU)", field="body")
    try:
        mapping.stock_rows(rows)
    except InvalidRecord as exc:
        raise DeliveryRefused(f"body{exc.message}", field=f"body{exc.field}") from None
    return [WebhookEvent(type=STOCK_EVENT, dedupe_key=None, data=rows)]


def _record_event(payload: dict[str, Any]) -> WebhookEvent:
    event_type = payload.get("EventType")
    if not isinstance(event_type, str) or not _EVENT_TYPE.fullmatch(event_type):
        raise DeliveryRefused("the object has no valid EventType", field="body.EventType")
    for name in _RECORD_IDS:
        value = payload.get(name)
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise DeliveryRefused(f"body.{name} must be non-empty text", field=f"body.{name}")
    if "ProductDetailsList" in payload:
        _check_products(payload["ProductDetailsList"])
    return WebhookEvent(type=event_type, dedupe_key=_dedupe_key(payload), data=payload)


def _check_products(products: object) -> None:
    where = "body.ProductDetailsList"
    if not isinstance(products, list):
        raise DeliveryRefused(f"{where} must be a list of products", field=where)
    for index, product in enumerate(products):
        at = f"{where}[{index}]"
        if not isinstance(product, dict):
            raise DeliveryRefused(f"{at} must be a product object", field=at)
        try:
            mapping.product_fields(product)
        except InvalidRecord as exc:
            raise DeliveryRefused(f"{at}.{exc.message}", field=f"{at}.{exc.field}") from None


def _check_values(payload: Any) -> None:
    """Every value storable and finite, every container within `MAX_DEPTH`; iteratively."""
    pending: list[tuple[Any, str, int]] = [(payload, "body", 0)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise UnreadableDelivery(_too_deep(), field="body")
            items = list(value.items() if isinstance(value, dict) else enumerate(value))
            for key, _ in items:
                if isinstance(key, str) and not storable(key):
                    raise DeliveryRefused(f"{path} has a key the hub cannot store", field=path)
            # reversed onto the stack, so the first problem in the body is the one named
            pending.extend((item, _step(path, key), depth + 1) for key, item in reversed(items))
        elif isinstance(value, str) and not storable(value):
            raise DeliveryRefused(f"{path} holds a character the hub cannot store", field=path)
        elif isinstance(value, float) and not (math.isfinite(value) and abs(value) <= MAX_NUMBER):
            raise DeliveryRefused(f"{path} must be a finite number within ±1e15", field=path)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise DeliveryRefused(f"{path} must be a number within ±1e15", field=path)


def _step(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if isinstance(key, str) and _KEY.fullmatch(key) else f"{path}.{{…}}"


def _too_deep() -> str:
    return f"the body nests deeper than {MAX_DEPTH} levels"


def _dedupe_key(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    record = payload.get("SaleID") or payload.get("SaleTaskID")
    if payload["EventType"].startswith("Sale/") and isinstance(record, str) and record:
        return f"{payload['EventType']}:{record[:40]}:{digest}"
    return f"{payload['EventType']}:{digest}"
