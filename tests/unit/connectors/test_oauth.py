"""OAuth's pure parts: the consent URL, a grant as credentials and back, one renewal per 401."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import cast
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.tally.oauth import OAUTH
from tillsync.connectors.budget import Gate
from tillsync.connectors.contract import Link
from tillsync.connectors.grants import ClientApp, Tokens
from tillsync.connectors.oauth import Bearer, authorize_url, credentials_of, tokens_of
from tillsync.connectors.outbound import OutboundPolicy
from tillsync.connectors.settings import ConnectionSettings
from tillsync.errors import AuthFailed

APP = ClientApp("app-1", "secret-1")


async def _open() -> None:
    return None


def _link(renew: object = None) -> Link:
    gate: Gate = _open
    return Link(
        http=cast(httpx.AsyncClient, None),  # Bearer sends nothing itself
        base_url="https://provider.test",
        credentials={"access_token": "old"},
        settings=ConnectionSettings(),
        gate=gate,
        policy=OutboundPolicy(allow_private=False),
        renew=renew,  # type: ignore[arg-type]
    )


def test_the_consent_url_carries_the_app_the_scopes_the_state_and_the_way_back() -> None:
    url = authorize_url(
        "https://provider.test/", OAUTH, APP, state="s t&x", redirect_uri="https://hub/cb"
    )

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert url.startswith("https://provider.test/oauth/authorize?")
    assert query == {
        "client_id": ["app-1"],
        "response_type": ["code"],
        "redirect_uri": ["https://hub/cb"],
        "state": ["s t&x"],
        "scope": ["INVOICES_READ INVOICES_WRITE"],
    }
    assert "secret-1" not in url


@pytest.mark.parametrize(
    "expires", [dt.datetime(2027, 1, 2, 3, 4, 5, tzinfo=dt.UTC), None], ids=["expiring", "never"]
)
def test_a_grant_survives_being_stored_as_credentials(expires: dt.datetime | None) -> None:
    tokens = Tokens("at", "rt", expires, "acct_9")

    stored = credentials_of(tokens, OAUTH)

    assert stored["account_id"] == "acct_9"
    assert tokens_of(stored, OAUTH) == tokens


def test_an_expiry_that_cannot_be_read_counts_as_none() -> None:
    assert tokens_of({"access_token": "at", "expires_at": "soon"}, OAUTH).expires_at is None


async def test_a_401_is_renewed_once_then_the_call_is_made_again() -> None:
    asked: list[str] = []

    async def renew(refused: str) -> Mapping[str, str]:
        asked.append(refused)
        return {"access_token": "new"}

    bearer = Bearer(_link(renew))
    used: list[str] = []

    async def call(token: str) -> str:
        used.append(token)
        if token == "old":
            raise AuthFailed("401")
        return "done"

    assert await bearer.call(call) == "done"
    assert (asked, used) == (["old"], ["old", "new"])


async def test_a_401_after_the_renewal_is_the_answer() -> None:
    async def renew(refused: str) -> Mapping[str, str]:
        return {"access_token": "new"}

    async def call(token: str) -> str:
        raise AuthFailed("401")

    with pytest.raises(AuthFailed):
        await Bearer(_link(renew)).call(call)


async def test_without_a_way_to_renew_a_401_is_the_answer() -> None:
    async def call(token: str) -> str:
        raise AuthFailed("401")

    with pytest.raises(AuthFailed):
        await Bearer(_link()).call(call)
