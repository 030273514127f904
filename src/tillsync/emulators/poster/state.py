"""The emulator's state: one application, the accounts that installed it, their objects;
no HTTP.

Rules live in the modules by noun (`catalog`, `tokens`, `hooks`); this class wires them to
one clock and one event bus and offers the control surface in Python. Every change made
here announces itself; webhook delivery (`webhooks.py`) decides who hears of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tillsync.clock import Clock
from tillsync.emulators.poster import catalog
from tillsync.emulators.poster.events import Event, EventBus
from tillsync.emulators.poster.faults import Faults
from tillsync.emulators.poster.hooks import HookQueues
from tillsync.emulators.poster.logs import CallRecord, DeliveryRecord
from tillsync.emulators.poster.records import (
    CATEGORIES,
    INGREDIENTS,
    KINDS,
    STORAGES,
    SUPPLIERS,
    Account,
    Record,
)
from tillsync.emulators.poster.seeding import (
    DEMO_CATEGORIES,
    DEMO_INGREDIENTS,
    DEMO_STORAGES,
    DEMO_SUPPLIERS,
)
from tillsync.emulators.poster.settings import Settings
from tillsync.emulators.poster.tokens import APPLICATION, PERSONAL, Access, Tokens
from tillsync.emulators.poster.wire import hex_token
from tillsync.emulators.state import EmulatorState

HOOK_OBJECTS = ("ingredient", "ingredients_category", "storage", "stock", "application")
"""The webhook objects the emulator sends; Poster has more, and none for suppliers."""
DEFAULT_OBJECTS = ("ingredient", "ingredients_category", "storage", "stock")
USER_ID = 1


@dataclass(slots=True)
class Application:
    """Our application as registered in Poster's developer cabinet: its id and secret, the
    redirect URI (None: any), and the one webhook URL with the objects it receives."""

    application_id: str
    application_secret: str
    redirect_uri: str | None = None
    webhook_url: str | None = None
    webhook_objects: tuple[str, ...] = DEFAULT_OBJECTS

    def validate(self) -> None:
        if not self.application_id.isdigit():
            raise ValueError("application_id: digits, as Poster numbers applications")
        unknown = sorted(set(self.webhook_objects) - set(HOOK_OBJECTS))
        if "supplier" in unknown:
            raise ValueError("webhook_objects: Poster has no supplier webhook")
        if unknown:
            raise ValueError(f"webhook_objects: one of {', '.join(HOOK_OBJECTS)}")


@dataclass(frozen=True, slots=True)
class Connected:
    """What the control surface hands out for a new account."""

    account: str
    account_number: str
    access_token: str


class UnknownAccountError(LookupError):
    pass


class PosterState(EmulatorState[Settings, Faults, CallRecord, DeliveryRecord]):
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        settings: Settings | None = None,
        application: Application | None = None,
    ) -> None:
        super().__init__(clock=clock, settings=settings or Settings(), faults=Faults())
        self.application = application or Application(
            str(secrets.choice(range(1000, 10000))), hex_token()
        )
        self.application.validate()
        self._initial_application = dataclasses.replace(self.application)
        self.events = EventBus()
        self.tokens = Tokens()
        self.hooks = HookQueues()
        self.accounts: dict[str, Account] = {}

    # --- accounts and tokens ---------------------------------------------------------------

    def create_account(
        self,
        *,
        login: str | None = None,
        number: str | None = None,
        company_name: str = "Demo Cafe",
        installed: bool = True,
        access_token: str | None = None,
    ) -> Connected:
        """An account with a live token: our application's (installed: webhooks are sent)
        or a personal one (not installed: none are)."""
        number = number or self._free_number()
        login = login or f"cafe-{number}"
        if login in self.accounts or any(a.number == number for a in self.accounts.values()):
            raise ValueError(f"account {login!r} or number {number!r} is taken")
        if not number.isdigit():
            raise ValueError("account_number must be digits")
        self.accounts[login] = Account(login, number, company_name)
        if installed:
            access = self.install(login, token=access_token)
        else:
            access = self._issue(login, kind=PERSONAL, token=access_token)
        return Connected(login, number, access.token)

    def install(self, login: str, *, token: str | None = None) -> Access:
        """Our application installed on the account (the OAuth exchange's effect): a token,
        and the `application` hook Poster sends on install."""
        account = self.account(login)
        account.installed = True
        access = self._issue(login, kind=APPLICATION, token=token)
        data = {"user_id": USER_ID, "access_token": access.token}
        app_id = int(self.application.application_id)
        self.events.publish(Event(login, "application", app_id, "added", data))
        return access

    def _issue(self, login: str, *, kind: str, token: str | None) -> Access:
        lifetime = dt.timedelta(days=self.settings.token_lifetime_days)
        number = self.account(login).number
        return self.tokens.issue(
            account=login,
            number=number,
            kind=kind,
            expires_at=self.clock.now() + lifetime,
            token=token,
        )

    def _free_number(self) -> str:
        taken = {a.number for a in self.accounts.values()}
        while (number := str(secrets.choice(range(100_000, 1_000_000)))) in taken:
            pass
        return number

    def account(self, login: str) -> Account:
        try:
            return self.accounts[login]
        except KeyError:
            raise UnknownAccountError(f"unknown account {login!r}") from None

    # --- the back office: every change announces itself ----------------------------------------

    def add(
        self,
        login: str,
        kind: str,
        fields: Mapping[str, object],
        *,
        prime_cost: int = 0,
        left: Mapping[int, Decimal] | None = None,
    ) -> Record:
        record = catalog.add(
            self.account(login), KINDS[kind], fields, prime_cost=prime_cost, left=left
        )
        self._announce(login, record, "added")
        return record

    def change(self, login: str, kind: str, object_id: int, fields: Mapping[str, object]) -> Record:
        record = catalog.change(self.account(login), KINDS[kind], object_id, fields)
        self._announce(login, record, "changed")
        return record

    def remove(self, login: str, kind: str, object_id: int) -> Record:
        record = catalog.remove(self.account(login), KINDS[kind], object_id)
        self._announce(login, record, "removed")
        return record

    def set_left(self, login: str, ingredient_id: int, storage_id: int, value: Decimal) -> Record:
        """An ingredient's leftover at a storage, as a stocktake or a sale leaves it: the
        `stock` hook carries the change and the new value."""
        record, delta = catalog.set_left(self.account(login), ingredient_id, storage_id, value)
        data = {
            "type": 1,
            "element_id": ingredient_id,
            "storage_id": storage_id,
            "value_relative": delta,
            "value_absolute": value,
        }
        self.events.publish(Event(login, "stock", ingredient_id, "changed", data))
        return record

    def _announce(self, login: str, record: Record, action: str) -> None:
        if record.kind.hook is not None:
            self.events.publish(Event(login, record.kind.hook, record.id, action))

    def seed_demo(self, login: str) -> None:
        """The demo restaurant's storages, categories, ingredients and suppliers, made
        quietly (a back office that existed before our application came)."""
        account = self.account(login)
        storages = [catalog.add(account, STORAGES, f).id for f in DEMO_STORAGES]
        for fields in DEMO_CATEGORIES:
            catalog.add(account, CATEGORIES, fields)
        for seed in DEMO_INGREDIENTS:
            left = {storages[at]: value for at, value in seed["left"].items()}
            catalog.add(
                account, INGREDIENTS, seed["fields"], prime_cost=seed["prime_cost"], left=left
            )
        for fields in DEMO_SUPPLIERS:
            catalog.add(account, SUPPLIERS, fields)

    # --- the application, reset, counts ----------------------------------------------------

    def configure_application(self, **changes: Any) -> Application:
        """Change the application's registration, all or nothing. Saving webhook settings
        drops every held-back hook, as Poster's docs advise for hooks that cannot be taken."""
        candidate = dataclasses.replace(self.application, **changes)
        candidate.webhook_objects = tuple(candidate.webhook_objects)
        candidate.validate()
        self.application = candidate
        if {"webhook_url", "webhook_objects"} & set(changes):
            self.hooks.drop()
        return candidate

    def reset(self) -> None:
        """Back to no accounts, the first registration, default settings, no faults, no
        held hooks, empty logs."""
        self.application = dataclasses.replace(self._initial_application)
        self.accounts.clear()
        self.tokens = Tokens()
        self.hooks.drop()
        super().reset()

    def counts(self) -> dict[str, Any]:
        return {
            "accounts": {
                login: {"installed": a.installed, "number": a.number, **a.counts()}
                for login, a in self.accounts.items()
            },
            "pending_hooks": {login: len(h) for login, h in self.hooks.pending().items()},
            "calls": len(self.calls),
            "deliveries": len(self.deliveries),
        }
