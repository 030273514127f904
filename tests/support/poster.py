"""A served Poster emulator on a settable clock, with one demo restaurant per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tillsync.clock import FakeClock
from tillsync.emulators.poster import Connected, PosterState, create_poster_emulator
from tillsync.serving import serve

BEGIN = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
ACCOUNT = "mykava"
REDIRECT = "https://hub.example/api/poster/oauth/callback"
EXCHANGE = "/api/v2/auth/access_token"


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

    async def authorize(self, id_name: str = "application_id") -> dict[str, list[str]]:
        """The authorize redirect's query (`code`, `account`, `state`)."""
        app = (await self.control.get("/application")).json()
        params = {
            id_name: app["application_id"],
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "state": "s-1",
        }
        answer = await self.served.client.get("/api/auth", params=params)
        assert answer.status_code == 302, answer.text
        location = urlsplit(answer.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
        return parse_qs(location.query)

    async def exchange(self, code: str) -> httpx.Response:
        """The code exchange as Poster's docs send it: form-data to `/api/v2/...`."""
        app = (await self.control.get("/application")).json()
        form = {
            "application_id": app["application_id"],
            "application_secret": app["application_secret"],
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT,
            "code": code,
        }
        content, headers = multipart(form)
        return await self.served.client.post(EXCHANGE, content=content, headers=headers)


def multipart(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """A form-data body and its content type."""
    boundary = "tillsync-form-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def error_of(response: httpx.Response) -> tuple[int, int]:
    """(HTTP status, Poster's error code) of a refusal."""
    code = response.json()["error"]["code"]
    assert isinstance(code, int)
    return response.status_code, code
