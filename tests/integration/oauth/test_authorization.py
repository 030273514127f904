"""Connecting through a provider's consent screen: the state out, the code back, sealed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.tally import CLIENT_ID
from tests.support.tally_world import CALLBACK, TallyWorld
from tillsync.services.connections import oauth


async def test_authorize_redirects_to_the_provider_with_a_state(world: TallyWorld) -> None:
    location = await world.authorize()

    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == world.tally_url + "/oauth/authorize"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == world.url + CALLBACK
    assert query["scope"] == "INVOICES_READ INVOICES_WRITE"
    assert len(query["state"]) > 40
    [issued] = await world.states()
    assert issued.tenant_id == world.tenant_id
    assert issued.used_at is None


async def test_authorize_needs_the_tenants_key(world: TallyWorld) -> None:
    answer = await world.browser.get("/api/v1/pos/oauth/tally/authorize")

    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("provider", "status"), [("crm", 404), ("nosuch", 404)], ids=["no-oauth", "unknown"]
)
async def test_authorize_names_a_provider_without_oauth(
    world: TallyWorld, provider: str, status: int
) -> None:
    answer = await world.api.get(f"/api/v1/pos/oauth/{provider}/authorize")

    assert answer.status_code == status
    assert answer.json()["field"] == "provider"


async def test_callback_seals_the_tokens_and_connects(world: TallyWorld) -> None:
    answer = await world.connect()

    assert answer["success"] is True
    data = answer["data"]
    assert data["connected"] is True
    assert data["status"] == "active"
    assert data["accountName"] == "Tally Books Ltd"
    [(access, (grant, expires))] = world.tally.access.items()
    assert access not in str(answer)
    assert grant.refresh_token not in str(answer)
    assert data["credentials"]["accountId"] == grant.account_id
    assert data["credentials"]["accessToken"].startswith("tal_")  # masked, not whole
    connection = await world.connection()
    assert connection is not None
    assert access not in connection.credentials
    assert world.hub.services.vault.open_json(connection.credentials)["access_token"] == access
    assert connection.token_expires_at == expires.replace(microsecond=0)


async def _forged(world: TallyWorld) -> dict[str, str]:
    query = await world.consent()
    return {**query, "state": query["state"][:-4] + "AAAA"}


async def _missing(world: TallyWorld) -> dict[str, str]:
    query = await world.consent()
    return {"code": query["code"]}


async def _expired(world: TallyWorld) -> dict[str, str]:
    query = await world.consent()
    world.clock.skip(world.hub.settings.oauth_state_seconds + 1)
    return query


async def _reused(world: TallyWorld) -> dict[str, str]:
    query = await world.consent()
    first = await world.callback(query)
    assert first.status_code == 200
    async with (
        world.hub.uows.begin() as uow
    ):  # forget the first connection: only the reuse can refuse
        connection = await world.connection()
        assert connection is not None
        await uow.session.delete(await uow.session.get(type(connection), connection.id))
        await uow.commit()
    return {**query, "code": (await world.consent())["code"]}


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (_missing, "state is missing"),
        (_forged, "state is not one this hub issued"),
        (_expired, "state has expired"),
        (_reused, "state was already used"),
    ],
    ids=["missing", "forged", "expired", "reused"],
)
async def test_a_callback_with_a_bad_state_is_refused_and_stores_nothing(
    world: TallyWorld, make: object, problem: str
) -> None:
    query = await make(world)  # type: ignore[operator]

    answer = await world.callback(query)

    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "state"
    assert problem in answer.json()["message"]
    assert await world.connection() is None


async def test_a_state_is_used_once_even_by_the_same_browser(world: TallyWorld) -> None:
    query = await world.consent()
    assert (await world.callback(query)).status_code == 200

    again = await world.callback(query)

    assert again.status_code == 400
    assert "already used" in again.json()["message"]


async def test_a_merchant_who_declines_is_told_and_nothing_is_stored(world: TallyWorld) -> None:
    world.tally.deny = True

    answer = await world.callback(await world.consent())

    assert answer.status_code == 422
    assert answer.json()["field"] == "error"
    assert "access_denied" in answer.json()["message"]
    assert await world.connection() is None


async def test_a_code_the_provider_refuses_is_a_400_naming_the_code(world: TallyWorld) -> None:
    query = await world.consent()

    answer = await world.callback({**query, "code": "tal_code_made_up"})

    assert answer.status_code == 400
    assert answer.json()["field"] == "code"
    assert await world.connection() is None


async def test_disconnecting_revokes_the_grant_at_the_provider(world: TallyWorld) -> None:
    await world.connect()
    [grant] = world.tally.grants

    answer = await world.api.delete("/api/connections/tally")

    assert answer.status_code == 200, answer.text
    assert grant.revoked
    connection = await world.connection()
    assert connection is not None
    assert connection.status == "disconnected"
    assert connection.credentials == ""


@pytest.mark.parametrize("back", ["//elsewhere.example/pos", "https://elsewhere.example/", "pos"])
async def test_a_page_to_come_back_to_is_a_path_of_this_hub(world: TallyWorld, back: str) -> None:
    with pytest.raises(ValueError, match="path of this hub"):
        await oauth.start(
            world.hub.services, tenant_id=world.tenant_id, provider="tally", back=back
        )

    assert await world.states() == []
