"""The sandbox's Zoho Inventory: an organization with the demo items, not connected.

No demo business is connected to Zoho: the barbershop's stock lives in CIN7 and its online
orders go to Square, and a business with two POS connections has every order pushed to
both. Zoho's part as a stock source waits for a connection to choose that role. A user
connects a business of their own, by the consent screen (`GET /api/v1/pos/oauth/zoho/
authorize`: the hub has the emulator's OAuth app) or with the access token from
`sandbox.json` (`POST /api/v1/pos/connect` with `"provider": "zoho"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tillsync.config import OAuthApp, Settings
from tillsync.emulators.zoho import Connected, ZohoState
from tillsync.emulators.zoho.seeding import DEMO_ITEMS

API = "/inventory/v1"
NAME = "zoho"


@dataclass(frozen=True)
class ZohoDemo:
    state: ZohoState
    organization: Connected
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


def zoho_demo(*, name: str) -> ZohoDemo:
    state = ZohoState()
    organization = state.create_organization(name=name)
    state.seed_items(organization.organization_id, DEMO_ITEMS)
    return ZohoDemo(state, organization)


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
