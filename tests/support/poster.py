"""A served Poster emulator on a settable clock, with one demo restaurant per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tillsync.clock import FakeClock
from tillsync.emulators.poster import Connected, PosterState, create_poster_emulator
from tillsync.serving import serve

BEGIN = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
ACCOUNT = "mykava"


@dataclass
class Served:
    """The emulator and a client for its API and its controls, kept for a whole module."""

    url: str
    state: PosterState
    clock: FakeClock
    client: httpx.AsyncClient
    control: httpx.AsyncClient

    def fresh(self) -> World:
        """Back to one demo restaurant with our application installed, at the start time."""
        self.state.reset()
        self.clock.set(BEGIN)
        connected = self.state.create_account(login=ACCOUNT, company_name="My Kava")
        self.state.seed_demo(connected.account)
        return World(self, connected)


@asynccontextmanager
async def poster_emulator() -> AsyncIterator[Served]:
    clock = FakeClock(BEGIN)
    state = PosterState(clock=clock)
    async with (
        serve(create_poster_emulator(state)) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
        httpx.AsyncClient(base_url=url + "/_emulator", timeout=10) as control,
    ):
        yield Served(url, state, clock, client, control)


@dataclass
class World:
    served: Served
    account: Connected

    @property
    def control(self) -> httpx.AsyncClient:
        return self.served.control

    @property
    def secret(self) -> str:
        return self.served.state.application.application_secret

    async def call(self, method: str, **params: Any) -> httpx.Response:
        """A Poster API method with the account's token in the query, as Poster takes it."""
        query = {"token": self.account.access_token, "format": "json", **params}
        return await self.served.client.get(f"/api/{method}", params=query)

    async def response(self, method: str, **params: Any) -> Any:
        """The `response` of a successful call (failing the test on an error body)."""
        answer = await self.call(method, **params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert "error" not in body, body
        return body["response"]

    async def change(self, verb: str, path: str, body: dict[str, Any]) -> httpx.Response:
        """A back-office change on the control surface, under `/accounts/<account>/`."""
        url = f"/accounts/{self.account.account}/{path}"
        answer = await self.control.request(verb, url, json=body)
        assert answer.status_code == 200, answer.text
        return answer


def error_of(response: httpx.Response) -> tuple[int, int]:
    """(HTTP status, Poster's error code) of a refusal."""
    code = response.json()["error"]["code"]
    assert isinstance(code, int)
    return response.status_code, code
