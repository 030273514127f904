"""The emulator's state: one application, accounts, their organizations and data; no HTTP.

Rules live in the modules by noun (`items`, `adjustments`, `salesorders`, `contacts`,
`tokens`); this class wires them to one clock and one event bus and offers the control
surface in Python.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tillsync.clock import Clock
from tillsync.emulators.state import EmulatorState
from tillsync.emulators.zoho.events import Event, EventBus
from tillsync.emulators.zoho.faults import Faults
from tillsync.emulators.zoho.logs import CallRecord, DeliveryRecord
from tillsync.emulators.zoho.quotas import DailyQuota
from tillsync.emulators.zoho.records import Account, Item, Location, Organization
from tillsync.emulators.zoho.seeding import ItemSeed
from tillsync.emulators.zoho.settings import PLAN_QUOTAS, Settings
from tillsync.emulators.zoho.tokens import Tokens
from tillsync.emulators.zoho.wire import new_id
from tillsync.emulators.zoho.workflows import Workflow

ALL_SCOPES = ("ZohoInventory.FullAccess.all",)


@dataclass(frozen=True, slots=True)
class Application:
    """The OAuth client the emulator plays Zoho's accounts server for."""

    client_id: str
    client_secret: str


@dataclass(frozen=True, slots=True)
class Connected:
    """What the control surface hands out for a new organization."""

    organization_id: str
    account_id: str
    location_id: str
    access_token: str


class UnknownOrganizationError(LookupError):
    pass


class ZohoState(EmulatorState[Settings, Faults, CallRecord, DeliveryRecord]):
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        settings: Settings | None = None,
        application: Application | None = None,
    ) -> None:
        super().__init__(clock=clock, settings=settings or Settings(), faults=Faults())
        self.application = application or Application(
            "1000." + secrets.token_hex(15).upper(), secrets.token_hex(21)
        )
        self.events = EventBus()
        self.quota = DailyQuota()
        self.tokens = Tokens()
        self.accounts: dict[str, Account] = {}
        self.organizations: dict[str, Organization] = {}
        self.workflows: dict[str, Workflow] = {}

    def create_account(self, *, email: str | None = None) -> Account:
        account_id = new_id()
        account = Account(account_id, email or f"owner-{account_id[-4:]}@example.com")
        self.accounts[account.id] = account
        return account

    def create_organization(
        self,
        *,
        name: str = "Demo Store",
        account_id: str | None = None,
        organization_id: str | None = None,
        currency_code: str = "USD",
        plan: str | None = None,
        location_name: str = "Main Warehouse",
        access_token: str | None = None,
    ) -> Connected:
        """An organization with one primary location, under an account (the first one, made
        if there is none), and a non-expiring token of that account."""
        if account_id is None:
            account = next(iter(self.accounts.values()), None) or self.create_account()
        elif account_id in self.accounts:
            account = self.accounts[account_id]
        else:
            raise ValueError(f"unknown account {account_id!r}")
        organization_id = organization_id or new_id()[:9]
        if organization_id in self.organizations or not organization_id.isdigit():
            raise ValueError(f"organization id {organization_id!r} is taken or not digits")
        if access_token is not None and access_token in self.tokens.access:
            raise ValueError("access token already in use")
        plan = plan or self.settings.plan
        if plan not in PLAN_QUOTAS:
            raise ValueError(f"plan must be one of {', '.join(PLAN_QUOTAS)}")
        organization = Organization(
            organization_id, name, account.id, plan, currency_code, self.clock.now()
        )
        self.organizations[organization.id] = organization
        location = self.add_location(organization.id, location_name)
        grant = self.tokens.new_grant(account.id, ALL_SCOPES, refreshable=False)
        token = self.tokens.issue(grant, expires_at=None, token=access_token)
        return Connected(organization.id, account.id, location.id, token.token)

    def add_location(self, organization_id: str, name: str) -> Location:
        organization = self.organization(organization_id)
        location = Location(new_id(), name, is_primary=not organization.locations)
        organization.locations[location.id] = location
        return location

    def organization(self, organization_id: str) -> Organization:
        try:
            return self.organizations[organization_id]
        except KeyError:
            raise UnknownOrganizationError(f"unknown organization {organization_id!r}") from None

    def organizations_of(self, account_id: str) -> list[Organization]:
        return [o for o in self.organizations.values() if o.account_id == account_id]

    def seed_items(self, organization_id: str, seeds: Iterable[ItemSeed]) -> list[Item]:
        organization = self.organization(organization_id)
        now = self.clock.now()
        stored = []
        for seed in seeds:
            item = Item(new_id(), seed.name, seed.sku, seed.rate, now, now)
            item.reorder_level = seed.reorder_level
            for location_id, quantity in seed.stock.items():
                where = location_id or organization.primary.id
                if where not in organization.locations:
                    raise ValueError(f"unknown location {location_id!r}")
                item.on_hand[where] = quantity
            organization.items[item.id] = item
            stored.append(item)
        return stored

    def set_stock(
        self, organization_id: str, item_id: str, location_id: str, quantity: Decimal
    ) -> Item:
        """Set an item's stock on hand at a location, as a user's edit in Zoho would."""
        organization = self.organization(organization_id)
        item = organization.items.get(item_id)
        if item is None:
            raise ValueError(f"unknown item {item_id!r}")
        where = location_id or organization.primary.id
        if where not in organization.locations:
            raise ValueError(f"unknown location {location_id!r}")
        item.on_hand[where] = quantity
        item.modified = self.clock.now()
        self.item_changed(organization, item)
        return item

    def item_changed(self, organization: Organization, item: Item) -> None:
        document = item.document(organization.locations)
        self.events.publish(Event(organization.id, "item", item.id, document))

    def salesorder_changed(self, organization: Organization, salesorder: dict[str, Any]) -> None:
        event = Event(organization.id, "salesorder", salesorder["salesorder_id"], salesorder)
        self.events.publish(event)

    def add_workflow(self, workflow: Workflow) -> Workflow:
        self.organization(workflow.organization_id)
        self.workflows[workflow.id] = workflow
        return workflow

    def quota_of(self, organization: Organization) -> int:
        return self.settings.quota_of(organization.plan)

    def reset(self) -> None:
        """Back to no accounts, default settings, no faults, no workflows, empty logs."""
        self.accounts.clear()
        self.organizations.clear()
        self.tokens = Tokens()
        self.workflows.clear()
        self.quota.clear()
        super().reset()

    def counts(self) -> dict[str, Any]:
        now = self.clock.now()
        return {
            "organizations": {
                o.id: {
                    "locations": len(o.locations),
                    "items": len(o.items),
                    "contacts": len(o.contacts),
                    "salesorders": len(o.salesorders),
                    "inventory_adjustments": len(o.adjustments),
                    "calls_today": self.quota.used(o.id, now=now),
                    "daily_quota": self.quota_of(o),
                }
                for o in self.organizations.values()
            },
            "accounts": len(self.accounts),
            "workflows": len(self.workflows),
            "calls": len(self.calls),
            "deliveries": len(self.deliveries),
        }
