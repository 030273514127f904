"""The sandbox's Zoho Inventory: the demo cafe's organization and its stock source.

The cafe's connection plays the `warehouse` role only: its stock comes from Zoho and its
sales go there as confirmed sales orders, while its online orders go to its one POS,
Dine. The item workflow webhook the connect answer shows is set up in the emulator, as
the cafe's owner would paste it in Zoho, so a stock change there reaches the hub. Another
business connects by the consent screen (`GET /api/v1/pos/oauth/zoho/authorize`: the hub
has the emulator's OAuth app) or with the access token from `sandbox.json`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tillsync.config import OAuthApp, Settings
from tillsync.connectors.grants import ACCESS_TOKEN, TOKEN_EXPIRES_AT
from tillsync.emulators.zoho import Connected, ItemSeed, Workflow, ZohoState
from tillsync.sandbox.catalog import DemoProduct
from tillsync.services.connections.lifecycle import connect
from tillsync.services.connections.registrations import pasted_webhook
from tillsync.services.connections.roles import WAREHOUSE
from tillsync.services.context import Services

API = "/inventory/v1"
NAME = "zoho"


@dataclass(frozen=True)
class ZohoDemo:
    state: ZohoState
    organization: Connected
    location: str
    """The organization's primary location, by the name the ledger gives it."""
    accounts_url: str = ""
    """The emulator's address: it plays Zoho's accounts server too."""

    @property
    def url(self) -> str:
        """The API base a Zoho client would use in place of `https://www.zohoapis.com/...`."""
        return self.accounts_url + API

    def manifest(self) -> dict[str, Any]:
        application = self.state.application
        return {
            "url": self.url,
            "accounts_url": self.accounts_url,
            "client_id": application.client_id,
            "client_secret": application.client_secret,
            "organization_id": self.organization.organization_id,
            "access_token": self.organization.access_token,  # issued without an expiry
        }

    def set_stock(self, sku: str, on_hand: int) -> None:
        """A count keyed in at Zoho by the cafe's staff: `sku` now has `on_hand`."""
        org = self.organization.organization_id
        items = self.state.organization(org).items.values()
        item = next(item for item in items if item.sku == sku)
        self.state.set_stock(org, item.id, self.organization.location_id, Decimal(on_hand))


def zoho_demo(*, name: str, location: str, items: tuple[DemoProduct, ...]) -> ZohoDemo:
    """The cafe's organization: its shelf at one location."""
    state = ZohoState()
    organization = state.create_organization(name=name, location_name=location)
    state.seed_items(
        organization.organization_id,
        [
            ItemSeed(
                p.name,
                p.sku,
                p.price,
                {"": Decimal(p.stock)} if p.stock else {},
                Decimal(p.reorder_level),
            )
            for p in items
        ],
    )
    return ZohoDemo(state, organization, location)


def with_zoho(settings: Settings, demo: ZohoDemo) -> Settings:
    """The hub knows where Zoho is and has the emulator's OAuth app."""
    application = demo.state.application
    app = OAuthApp(client_id=application.client_id, client_secret=application.client_secret)
    return settings.model_copy(
        update={
            "provider_urls": {**settings.provider_urls, NAME: demo.url},
            "oauth_apps": {**settings.oauth_apps, NAME: app},
        }
    )


async def connect_stock_source(
    services: Services, demo: ZohoDemo, *, tenant_id: str, settings: Mapping[str, object]
) -> None:
    """Connect the organization as the tenant's stock source (no POS), and paste the item
    webhook the hub asks for into a Zoho workflow rule."""
    connection = await connect(
        services,
        provider=NAME,
        tenant_id=tenant_id,
        credentials={
            ACCESS_TOKEN: demo.organization.access_token,
            TOKEN_EXPIRES_AT: "never",
        },
        base_url=demo.url,
        settings={**settings, "organization_id": demo.organization.organization_id},
        roles=[WAREHOUSE],
    )
    pasted = pasted_webhook(services, connection)
    assert pasted is not None  # Zoho's webhooks are set up by the user
    demo.state.add_workflow(
        Workflow(
            demo.organization.organization_id, "item", pasted.url, pasted.header, pasted.secret
        )
    )


@dataclass(frozen=True)
class ZohoStock:
    """The cafe's sales as Zoho holds them, read as its staff see them in Zoho."""

    demo: ZohoDemo
    provider: str = NAME
    title: str = "Zoho"
    noun: str = "Zoho sales order"

    async def details(self, external_id: str) -> str | None:
        organization = self.demo.state.organization(self.demo.organization.organization_id)
        found = organization.salesorders.get(external_id)
        if found is None:
            return None
        return f"{found['salesorder_number']}, {found['status']}"
