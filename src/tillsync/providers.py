"""The registry: the providers tillsync knows, the one list everything else derives from.

Bootstrap derives job handlers and scheduled duties from it, the API its routes, the CLI
its choices. It is the only module outside the provider packages that names them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import Any

from tillsync.connectors.cin7.provider import PROVIDER as CIN7
from tillsync.connectors.contract import Provider, Role
from tillsync.connectors.crm.provider import PROVIDER as CRM
from tillsync.connectors.dine.provider import PROVIDER as DINE
from tillsync.connectors.poster.provider import PROVIDER as POSTER
from tillsync.connectors.square.provider import PROVIDER as SQUARE
from tillsync.connectors.zoho.provider import PROVIDER as ZOHO
from tillsync.errors import NotFound


class Providers:
    """Providers by name; a hub is built with one (tests add their own providers)."""

    def __init__(self, providers: Iterable[Provider]) -> None:
        self._by_name = {provider.name: provider for provider in providers}

    def __iter__(self) -> Iterator[Provider]:
        return iter(self._by_name.values())

    def get(self, name: str) -> Provider:
        provider = self._by_name.get(name)
        if provider is None:
            known = ", ".join(self._by_name)
            raise NotFound(f"no provider '{name}' (known: {known})", field="provider")
        return provider

    def with_role(self, role: Role) -> list[Provider]:
        return [provider for provider in self if role in provider.roles]

    def adding(self, *providers: Provider) -> Providers:
        return Providers([*self, *providers])


def default_providers() -> Providers:
    return Providers([CIN7, CRM, SQUARE, DINE, ZOHO, POSTER])


EMULATORS = {
    CIN7.name: "tillsync.emulators.cin7",
    CRM.name: "tillsync.emulators.crm",
    SQUARE.name: "tillsync.emulators.square",
    DINE.name: "tillsync.emulators.dine",
    ZOHO.name: "tillsync.emulators.zoho",
    POSTER.name: "tillsync.emulators.poster",
}
"""The package of each provider's emulator, imported only when one is run."""


def emulator_app(name: str) -> Any:
    """A fresh emulator of provider `name` (one of `EMULATORS`)."""
    return importlib.import_module(EMULATORS[name]).fresh_app()
