"""The provider contract: what a provider declares, and what each of its roles can do.

A provider package (`connectors/<name>/provider.py`) declares one `Provider`: its name,
roles, credential fields, settings, rate limit and webhooks, as data, and how to open a
`Connector` for one connection. Shared code depends on this module only, never on a
provider package; the registry (`tillsync.providers`) lists the providers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, Literal, Protocol, TypeVar

import httpx
from pydantic import BaseModel

from tillsync.connectors.budget import DEFAULT_RATE_LIMIT, Gate, RateLimit
from tillsync.connectors.deliveries import Deliveries
from tillsync.connectors.grants import OAuth
from tillsync.connectors.outbound import OutboundPolicy
from tillsync.connectors.records import RecordSource
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.invoices import InvoiceRef, InvoiceRequest
from tillsync.domain.orders import PosOrder
from tillsync.domain.sale_documents import (
    ExternalSale,
    RemoteSale,
    SaleDocument,
    ShippedSale,
)

Role = Literal["warehouse", "pos", "crm", "records"]
"""`records`: a back office kept as records (`Provider.record_entities`); it takes no
orders and no sales, so no flow fans work out to it."""
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CredentialField:
    """One credential the operator gives: `name` in the sealed record, `label` in messages."""

    name: str
    label: str
    secret: bool = True
    """A secret is what a refusal names first; an identifier (an account id) is not."""
    masked: bool = True
    """Shown masked, never whole; False: an identifier shown as is."""
    required: bool = True
    """False: kept when given (a data centre an OAuth callback named), absent otherwise."""


class WebhookAuth(StrEnum):
    NONE = "none"
    BEARER = "bearer"
    """The provider sends back a token we chose when registering."""
    HMAC = "hmac"
    """The provider signs each delivery's bytes with a key it shares with us."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; `total` when the provider says how many there are."""

    rows: Sequence[T]
    last: bool
    total: int | None = None
    raw_count: int = 0
    """Rows as the provider sent them (several may fold into one of ours)."""


@dataclass(frozen=True, slots=True)
class Account:
    """What checking a connection's keys learned about the account."""

    name: str
    settings: Mapping[str, object] = field(default_factory=dict)
    """Settings the provider fills in at connect from what the account says (where orders
    go when none was chosen, the account's id that webhooks name): stored over the
    connection's, so the provider keeps a value that was chosen and valid."""


@dataclass(frozen=True, slots=True)
class RemoteWebhook:
    external_id: str
    event_type: str
    url: str
    active: bool
    token: str | None = None
    """The token the provider sends back with each delivery, when it shows it."""


class Warehouse(Protocol):
    """The source of truth for stock: its catalog, its figures, our sales, its webhooks."""

    page_limit: int
    sale_steps: tuple[str, ...]
    """The calls that make a sale document, in order; each is checkpointed when done."""
    stock_step: str
    """The step after which the warehouse's stock includes the sale."""

    async def products(
        self, *, page: int, limit: int, changed_since: dt.datetime | None
    ) -> Page[ProductFields]: ...

    async def availability(self, *, page: int, limit: int) -> Page[StockRow]: ...

    async def availability_of(self, sku: str) -> list[StockRow]:
        """Every location's figure of exactly this SKU."""
        ...

    async def find_sale(
        self,
        reference: str,
        *,
        external_id: str | None = None,
        document: SaleDocument | None = None,
    ) -> RemoteSale | None:
        """The document with our reference (`document`: what was sent, where only its lines
        can find it); with its `external_id` known, only its steps are read."""
        ...

    async def sale_step(
        self, step: str, document: SaleDocument, *, external_id: str | None
    ) -> str | None:
        """Run one step; the first answers the new document's id."""
        ...

    async def shipped_sales(
        self, *, page: int, limit: int, changed_since: dt.datetime
    ) -> Page[ShippedSale]: ...

    async def sale(self, external_id: str) -> ExternalSale: ...

    async def webhooks(self) -> list[RemoteWebhook]: ...

    async def register_webhook(
        self, event_type: str, *, url: str, token: str, external_id: str | None
    ) -> str | None:
        """Create our hook for `event_type`, or update the one we have (`external_id`)."""
        ...

    async def delete_webhook(self, external_id: str) -> None: ...


class Pos(Protocol):
    """A point of sale that takes the hub's orders and has its own catalog."""

    async def push_order(self, order: PosOrder) -> str:
        """Make the order (our `reference` as the provider's idempotency key where it takes
        one); the POS's id of it."""
        ...

    async def find_order(self, reference: str) -> str | None:
        """The POS's id of the order with our reference, if it has one."""
        ...

    async def catalog(self, *, page: int, limit: int) -> Page[ProductFields]: ...


class Crm(Protocol):
    """Where a known customer's sales become invoices."""

    async def create_invoice(self, invoice: InvoiceRequest) -> InvoiceRef: ...

    async def find_invoice(self, reference: str) -> InvoiceRef | None: ...


Renew = Callable[[str], Awaitable[Mapping[str, str]]]
"""Given the access token a provider refused, the connection's credentials after a refresh."""


@dataclass(frozen=True, slots=True)
class Link:
    """What a provider needs to talk for one connection; every call first passes `gate`."""

    http: httpx.AsyncClient
    base_url: str
    credentials: Mapping[str, str]
    settings: BaseModel
    gate: Gate
    policy: OutboundPolicy
    """Where the address is a tenant's: the rules its connections must pass."""
    renew: Renew | None = None
    """For an OAuth provider's stored connection: ask once for a fresh token after a 401."""


@dataclass(frozen=True, slots=True)
class Connector:
    """One connection's capabilities: `check` the keys, and one object per role."""

    check: Callable[[], Awaitable[Account]]
    revoke: Callable[[], Awaitable[None]] | None = None
    """Give up the connection's grant at the provider (an OAuth token), where it has one."""
    warehouse: Warehouse | None = None
    pos: Pos | None = None
    crm: Crm | None = None
    records: RecordSource | None = None
    """The provider's objects kept as records, for a provider that declares entities."""


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    title: str
    roles: frozenset[Role]
    """Every role the provider can play; a connection plays the ones chosen at connect."""
    credentials: tuple[CredentialField, ...]
    settings: type[BaseModel]
    open: Callable[[Link], Connector]
    default_base_url: str = ""
    rate_limit: RateLimit = DEFAULT_RATE_LIMIT
    webhook_types: tuple[str, ...] = ()
    webhook_auth: WebhookAuth = WebhookAuth.NONE
    deliveries: Deliveries | None = None
    """How its webhook deliveries are read, for a provider that sends them."""

    webhook_header: str = ""
    """For webhooks a user sets up at the provider (no API registers them): the header the
    connection's secret goes in. The connect answer shows the URL, header and secret once."""

    webhook_path: str = ""
    webhook_status: int = 202
    """What a stored delivery is answered with: 202, or 200 for a provider that retries any
    other status."""
    """Where its deliveries arrive: the shared receiver, unless a seed gave it a path."""

    oauth: OAuth | None = None
    """For a provider a merchant authorises through a consent screen rather than keys."""

    default_roles: frozenset[Role] | None = None
    """The roles a connection plays when none are chosen; unset: all of `roles`."""

    record_entities: tuple[str, ...] = ()
    """The entities its connector lists as records (`Connector.records`)."""
    unhooked_entities: tuple[str, ...] = ()
    """Record entities the provider sends no webhook for: kept fresh by the syncs alone."""

    @property
    def usual_roles(self) -> frozenset[Role]:
        return self.default_roles if self.default_roles is not None else self.roles

    @property
    def receiver_path(self) -> str:
        return self.webhook_path or f"/api/webhooks/{self.name}"

    def account_key(
        self, credentials: Mapping[str, str], settings: Mapping[str, object] | None = None
    ) -> str:
        """Which budget the connection's calls count against (the provider counts per this)."""
        return ":".join(
            credentials.get(name) or str((settings or {}).get(name) or "")
            for name in self.rate_limit.per
        )
