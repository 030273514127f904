"""Connecting Zoho from the dashboard when the account has several organizations: the consent
waits on the POS page for the merchant's choice, which is single-use, expiring and bound to
the business; a choice the account does not offer is refused naming `organization_id`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from tests.support.dashboard import HTML, Visitor, visiting
from tests.support.secrets import remember
from tests.support.zoho_world import ZohoWorld
from tillsync.connectors.outbound import tls_context
from tillsync.emulators.zoho import Connected
from tillsync.services.connections.links import find_connection
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import OAuthState

CHOICE = "/pos/connect/zoho/choice"


@pytest.fixture
async def merchant(world: ZohoWorld) -> AsyncIterator[Visitor]:
    """The world's business signed in to the dashboard: also the browser of its consent."""
    async with visiting(world.url) as opened:
        key = str(world.api.headers["Authorization"]).removeprefix("Bearer ")
        assert (await opened.sign_in(key)).status_code == 303
        yield opened


async def _consent(world: ZohoWorld, merchant: Visitor) -> httpx.Response:
    """Connect Zoho from the POS page; the emulator approves; the hub's callback answers."""
    token = await merchant.csrf("/pos")
    started = await merchant.http.post("/pos/connect/zoho", data={"csrf_token": token})
    assert started.status_code == 303, started.text
    async with httpx.AsyncClient(verify=tls_context(), timeout=10) as browser:
        back = await browser.get(started.headers["location"])
    assert back.status_code == 302, back.text
    answer = await merchant.http.get(back.headers["location"])
    remember(*world.zoho.tokens.access, *(t for t in world.zoho.tokens.refresh if t))
    return answer


def _pending(redirect: httpx.Response) -> str:
    assert redirect.status_code == 303, redirect.text
    to = urlsplit(redirect.headers["location"])
    assert to.path == "/pos"
    (pending,) = parse_qs(to.query)["pending"]
    return pending


async def _choose(visitor: Visitor, pending: str, organization_id: str) -> httpx.Response:
    token = await visitor.csrf("/pos")
    fields = {"csrf_token": token, "pending": pending, "organization_id": organization_id}
    return await visitor.http.post(CHOICE, data=fields, headers=HTML)


async def _connected(world: ZohoWorld) -> str | None:
    async with world.hub.uows.read() as session:
        found = await find_connection(session, world.tenant_id, "zoho")
    return None if found is None else str(found.settings["organization_id"])


async def _second(world: ZohoWorld) -> Connected:
    return world.zoho.create_organization(name="Second Kitchen", account_id=world.org.account_id)


async def test_the_merchant_picks_an_organization_and_the_choice_is_used_once(
    world: ZohoWorld, merchant: Visitor
) -> None:
    second = await _second(world)
    pending = _pending(await _consent(world, merchant))
    assert await _connected(world) is None  # nothing connected until chosen

    page = await merchant.page("/pos", pending=pending)
    assert page.status_code == 200
    assert f'<option value="{world.org.organization_id}">Dine Street Cafe' in page.text
    assert f'<option value="{second.organization_id}">Second Kitchen' in page.text
    for token in (*world.zoho.tokens.access, *world.zoho.tokens.refresh):
        assert not token or token not in page.text

    unknown = await _choose(merchant, pending, "123456789")
    assert unknown.status_code == 422
    assert "organization_id: the account has no organization" in unknown.text
    assert 'name="organization_id" aria-invalid="true"' in unknown.text  # offered again
    assert await _connected(world) is None

    chosen = await _choose(merchant, pending, second.organization_id)
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/pos?connected=zoho")
    assert await _connected(world) == second.organization_id

    again = await _choose(merchant, pending, world.org.organization_id)
    assert again.status_code == 400
    assert "pending was already chosen" in again.text
    assert await _connected(world) == second.organization_id


async def test_a_forged_expired_or_other_business_pending_is_refused(
    world: ZohoWorld, merchant: Visitor
) -> None:
    second = await _second(world)
    pending = _pending(await _consent(world, merchant))

    forged = await _choose(merchant, pending[:-2] + "xx", second.organization_id)
    assert forged.status_code == 400
    assert "pending is not one this hub issued" in forged.text
    shown = await merchant.page("/pos", pending="nonsense")
    assert shown.status_code == 400

    other = await create_tenant(world.hub.uows, name="Other Kitchen")
    remember(other.api_key)
    async with visiting(world.url) as theirs:
        assert (await theirs.sign_in(other.api_key)).status_code == 303
        stolen = await _choose(theirs, pending, second.organization_id)
        assert stolen.status_code == 400
        assert "another business" in stolen.text
        assert "Second Kitchen" not in (await theirs.page("/pos", pending=pending)).text

    async with world.hub.uows.begin() as uow:
        await uow.session.execute(
            update(OAuthState).values(expires_at=uow.now).where(OAuthState.parked_grant.isnot(None))
        )
        await uow.commit()
    expired = await _choose(merchant, pending, second.organization_id)
    assert expired.status_code == 400
    assert "pending has expired" in expired.text
    assert await _connected(world) is None


async def test_a_consent_started_through_the_api_lists_the_organizations_to_name(
    world: ZohoWorld,
) -> None:
    second = await _second(world)
    started = await world.api.get("/api/v1/pos/oauth/zoho/authorize")
    async with httpx.AsyncClient(verify=tls_context(), timeout=10) as browser:
        back = await browser.get(started.headers["location"])
        answer = await browser.get(back.headers["location"])
    remember(*world.zoho.tokens.access, *(t for t in world.zoho.tokens.refresh if t))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["field"] == "organization_id"
    assert {c["value"] for c in problem["choices"]} == {
        world.org.organization_id,
        second.organization_id,
    }
    async with world.hub.uows.read() as session:  # nothing parked: no page to choose on
        parked = await session.scalar(select(OAuthState).where(OAuthState.parked_grant.isnot(None)))
    assert parked is None
