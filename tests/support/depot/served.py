"""A Depot emulator served on loopback with one account, for tests to connect a hub to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from tests.support.depot.emulator import create_depot_emulator
from tests.support.depot.state import DepotState
from tillsync.serving import serve


@dataclass(frozen=True, slots=True)
class ServedDepot:
    state: DepotState
    url: str
    account_id: str
    api_key: str

    @property
    def credentials(self) -> dict[str, str]:
        """As `PROVIDER.credentials` names them (`account_id`, `api_key`)."""
        return {"account_id": self.account_id, "api_key": self.api_key}


@asynccontextmanager
async def served_depot(
    state: DepotState | None = None, *, name: str = "Depot Demo"
) -> AsyncIterator[ServedDepot]:
    depot = state or DepotState()
    account_id, api_key = depot.add_account(name)
    async with serve(create_depot_emulator(depot)) as url:
        yield ServedDepot(depot, url, account_id, api_key)
