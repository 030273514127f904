"""CIN7 Core webhook deliveries: check the bearer token we registered, then classify the body."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["STOCK_EVENT", "WebhookEvent", "parse", "verify"]

STOCK_EVENT = "Stock/AvailableStockLevelChanged"
_BEARER = "bearer "
# Short enough that every dedupe key fits the inbox column (200 characters).
_EVENT_TYPE = re.compile(r"[A-Za-z]{1,30}/[A-Za-z]{1,33}")


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One delivery. `dedupe_key` is None when repeating the delivery is harmless (see parse)."""

    type: str
    dedupe_key: str | None
    data: Any


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


def parse(body: bytes) -> list[WebhookEvent]:
    """The events in one delivery; ValueError for a body that is not a CIN7 delivery.

    A bare JSON array is CIN7's stock-level delivery: absolute Available/OnHand figures per
    product, location, bin and batch, with no event type and no id. It becomes one event
    whose data is the list of rows, kept together because a location's figure is the sum of
    its bin and batch rows (`mapping.stock_rows`); an empty array is no event. It gets no
    dedupe key on purpose: the same figures arriving again later are a legitimate later
    state (stock went 5 → 4 → 5), so dropping them as duplicates would lose an update, and
    applying an absolute figure twice leaves the ledger as applying it once did.

    An object with `EventType` is an event about one record, which CIN7 redelivers up to six
    times. Its key is the event type, the sale (`SaleID`, or `SaleTaskID` on task events) when
    there is one, and a hash of the canonical body: a redelivery repeats the body and is
    dropped, while two partial payments on one sale differ in body and both count.
    """
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("CIN7 webhook body is not valid JSON") from exc
    if isinstance(payload, list):
        if not payload:
            return []
        if not all(isinstance(row, dict) for row in payload) or not any(
            "SKU" in row for row in payload
        ):
            raise ValueError("CIN7 webhook array is not stock-level rows (objects with SKU)")
        return [WebhookEvent(type=STOCK_EVENT, dedupe_key=None, data=payload)]
    if isinstance(payload, dict):
        event_type = payload.get("EventType")
        if not isinstance(event_type, str) or not _EVENT_TYPE.fullmatch(event_type):
            raise ValueError("CIN7 webhook object has no valid EventType")
        return [WebhookEvent(type=event_type, dedupe_key=_dedupe_key(payload), data=payload)]
    raise ValueError(f"CIN7 webhook body is a JSON {type(payload).__name__}, not object or array")


def _dedupe_key(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    record = payload.get("SaleID") or payload.get("SaleTaskID")
    if payload["EventType"].startswith("Sale/") and isinstance(record, str) and record:
        return f"{payload['EventType']}:{record[:40]}:{digest}"
    return f"{payload['EventType']}:{digest}"
