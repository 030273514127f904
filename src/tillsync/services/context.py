"""What use cases and job handlers need from the running hub, wired once in bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field

from tillsync.config import Settings
from tillsync.connectors.metered import ProviderClients
from tillsync.jobs.budget import RateBudgets
from tillsync.providers import Providers, default_providers
from tillsync.store.uow import UnitsOfWork
from tillsync.vault import Vault


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    uows: UnitsOfWork
    vault: Vault
    http: ProviderClients
    budgets: RateBudgets
    providers: Providers = field(default_factory=default_providers)
