"""Webhook deliveries in the hub's words: what a provider's events mean, however it sends them.

A provider that sends webhooks declares a `Deliveries` (`Provider.deliveries`): the inbox
stores each `Delivery` as sent, and reads it back as an `Event` when it applies it.

A delivery that is not what the provider sends is refused whole, before anything is stored:

    DeliveryRefused             422: a shape or value the provider never sends
    └── UnsupportedMediaType    415: not sent as the provider sends it
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from tillsync.domain.catalog import ProductFields
from tillsync.domain.records import RecordChange
from tillsync.errors import ClientError


class DeliveryRefused(ClientError):
    status_code = 422
    code = "invalid_delivery"


class UnsupportedMediaType(DeliveryRefused):
    status_code = 415
    code = "unsupported_media_type"


def json_object(body: bytes) -> dict[str, Any]:
    """The body read as one JSON object, or `DeliveryRefused`."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DeliveryRefused("the body is not JSON", field="body") from None
    if not isinstance(document, dict):
        raise DeliveryRefused("the body is not a JSON object", field="body")
    return document


class EventKind(StrEnum):
    """What a webhook event means to the hub, whatever the provider calls it."""

    STOCK = "stock"
    """A hint that some SKUs' figures changed: they are read afresh, never taken as sent."""
    PRODUCTS = "products"
    SALE = "sale"
    """A sale the warehouse shipped, from any channel."""
    POS_ORDER = "pos_order"
    """A POS's own state of an order it made for us."""
    RECORD = "record"
    """One object kept as a record changed: it is read afresh, or marked removed."""
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event of a webhook delivery, stored as sent; `dedupe_key` None: repeats apply."""

    type: str
    dedupe_key: str | None
    data: Any


@dataclass(frozen=True, slots=True)
class Event:
    """A stored delivery read in the hub's words."""

    kind: EventKind
    skus: Sequence[str] = ()
    products: Sequence[ProductFields] = ()
    sale_id: str | None = None
    pos_order: PosOrderState | None = None
    product_refs: Sequence[str] = ()
    """For a stock hint that names the provider's product ids, not SKUs (`ProductRefs`)."""
    record: RecordChange | None = None
    """The object kept as a record that changed; with a stock hint, the one its figure is in."""


@dataclass(frozen=True, slots=True)
class PosOrderState:
    """What a POS reported of one of its orders: its id there, its state, as of when."""

    pos_order_id: str
    state: str
    at: dt.datetime


@runtime_checkable
class ProductRefs(Protocol):
    """A warehouse whose stock hints name its own product ids (`Event.product_refs`)."""

    async def product_skus(self, external_ids: Sequence[str]) -> list[str]:
        """The SKUs of the products with these ids (those it knows)."""
        ...


class Deliveries(Protocol):
    """How a provider's webhook deliveries are checked, read and understood."""

    def verify(self, headers: Mapping[str, str], *, secret: str) -> bool:
        """Whether the delivery comes from the provider, by the secret of the connection."""
        ...

    def check_content_type(self, value: str | None) -> None:
        """Refuse (a `ClientError`) a delivery the provider would not send this way."""
        ...

    def parse(self, body: bytes) -> list[Delivery]:
        """The events of one delivery; a `ClientError` for a body the provider would not send."""
        ...

    def kind(self, event_type: str) -> EventKind: ...

    def read(self, event_type: str, data: Any) -> Event: ...


@runtime_checkable
class SignedDeliveries(Deliveries, Protocol):
    """Deliveries a provider signs (`WebhookAuth.HMAC`): the signature covers the body, so
    the body is read before anything is believed of it."""

    signature_header: str
    """Where the signature comes (a header, or a field of the body), named when it is wrong."""
    account_field: str
    """What the provider calls the account a delivery names (in refusals)."""
    time_field: str
    """What the provider calls the delivery's time (in refusals)."""
    replay_window: dt.timedelta
    """How long after an event the provider may still send it (its retries): an older one is
    a replay, refused, and the inbox keeps what it stored at least this long."""

    def sent_at(self, delivery: Delivery) -> dt.datetime | None:
        """When the provider says the event happened."""
        ...

    def account(self, delivery: Delivery) -> str | None:
        """The provider's account (merchant) a delivery is about."""
        ...

    def verify_signed(self, headers: Mapping[str, str], body: bytes, *, key: str, url: str) -> bool:
        """Whether `body`, as received at `url`, carries the provider's signature by `key`."""
        ...
