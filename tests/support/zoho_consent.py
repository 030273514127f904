"""Connecting a Zoho world through Zoho's consent screen, as a merchant's browser does."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from tests.support.secrets import remember
from tests.support.zoho_world import ZohoWorld
from tillsync.connectors.outbound import tls_context

AUTHORIZE = "/api/v1/pos/oauth/zoho/authorize"
CALLBACK = "/api/v1/pos/oauth/zoho/callback"


async def consent(world: ZohoWorld) -> dict[str, str]:
    """The query Zoho's accounts server sends the browser back to the hub with."""
    answer = await world.api.get(AUTHORIZE)
    assert answer.status_code == 302, answer.text
    screen = answer.headers["location"]
    assert screen.startswith(world.emulator + "/oauth/v2/auth?")
    async with httpx.AsyncClient(verify=tls_context(), timeout=10) as browser:
        back = await browser.get(screen)
    assert back.status_code == 302, back.text
    return {k: v[0] for k, v in parse_qs(urlsplit(back.headers["location"]).query).items()}


async def callback(world: ZohoWorld, query: dict[str, str]) -> httpx.Response:
    """The browser back at the hub with `query`; every token Zoho issued is remembered."""
    async with httpx.AsyncClient(verify=tls_context(), base_url=world.url, timeout=10) as b:
        answer = await b.get(CALLBACK + "?" + urlencode(query))
    tokens = world.zoho.tokens
    remember(*tokens.access, *(t for t in tokens.refresh if t))
    return answer


async def connect_by_consent(world: ZohoWorld) -> None:
    answer = await callback(world, await consent(world))
    assert answer.status_code == 200, answer.text
