"""The POS page: the integration's settings, its item mapping onto the POS catalog, and the
Connect buttons of the providers that connect through their consent screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.dashboard import HTML, Visitor, visiting
from tests.support.secrets import remember
from tests.support.square_world import SquareWorld
from tests.support.tally_world import TallyWorld, tally_world
from tillsync.config import Settings
from tillsync.emulators.square.faults import FaultRule
from tillsync.services.tenants import create_tenant


@pytest.fixture
def world(pos_world: SquareWorld) -> SquareWorld:
    return pos_world


@pytest.fixture
def visitor(pos_visitor: Visitor) -> Visitor:
    return pos_visitor


def _catalog(world: SquareWorld) -> dict[str, str]:
    """The emulated seller's item variations: id → name."""
    merchant = world.square.state.merchant(world.square.seller.merchant_id)
    return {
        obj["id"]: obj["item_variation_data"]["name"]
        for obj in merchant.catalog.values()
        if obj["type"] == "ITEM_VARIATION"
    }


async def _post(visitor: Visitor, path: str, data: list[tuple[str, str]]) -> httpx.Response:
    fields: dict[str, list[str]] = {"csrf_token": [await visitor.csrf("/pos")]}
    for name, value in data:
        fields.setdefault(name, []).append(value)
    return await visitor.http.post(path, data=fields, headers=HTML)


async def _follow(visitor: Visitor, redirect: httpx.Response) -> httpx.Response:
    to = urlsplit(redirect.headers["location"])
    return await visitor.page(to.path, **{k: v[0] for k, v in parse_qs(to.query).items()})


async def _integration(world: SquareWorld) -> dict[str, object]:
    answer = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}")
    assert answer.status_code == 200, answer.text
    found: dict[str, object] = answer.json()["data"]["integration"]
    return found


async def test_the_catalog_is_offered_and_a_mapping_is_saved(
    world: SquareWorld, visitor: Visitor
) -> None:
    await world.connect_fast()
    catalog = _catalog(world)
    page = await visitor.page("/pos")
    assert page.status_code == 200
    for item_id in catalog:
        assert f'<option value="{item_id}"' in page.text
    item_id = next(iter(catalog))

    rows = [("dish", "dish-1"), ("item", item_id), ("dish", ""), ("item", "")]
    answer = await _post(visitor, "/pos/item-mapping", rows)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/pos?saved=mapping"
    mapping = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}/item-mapping")
    assert mapping.json()["data"]["item_mapping"] == {"dish-1": item_id}
    page = await visitor.page("/pos", saved="mapping")
    assert "Item mapping saved." in page.text
    assert f'<option value="{item_id}" selected>' in page.text

    answer = await _post(visitor, "/pos/item-mapping", [("dish", "dish-1"), ("item", "")])
    assert answer.status_code == 303
    mapping = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}/item-mapping")
    assert mapping.json()["data"]["item_mapping"] == {}


async def test_a_catalog_that_cannot_be_read_is_said_so(
    world: SquareWorld, visitor: Visitor
) -> None:
    await world.connect_fast()
    rule = FaultRule("GET", "/v2/catalog/list", "fail_before", status=400, times=None)
    world.square.state.faults.configure(rules=[rule])
    page = await visitor.page("/pos")
    assert page.status_code == 200
    assert "The POS catalog could not be read" in page.text
    assert "Save mapping" in page.text  # a mapping may still be typed in


async def test_settings_are_saved(world: SquareWorld, visitor: Visitor) -> None:
    await world.connect_fast()
    data = [("sync_customer_info", "on"), ("location_id", world.square.seller.location_id)]
    answer = await _post(visitor, "/pos/settings", data)
    assert answer.status_code == 303
    shown = await _integration(world)
    assert (shown["auto_sync_orders"], shown["sync_customer_info"]) == (False, True)
    page = await visitor.page("/pos")
    assert 'name="auto_sync_orders">' in page.text  # unchecked now
    assert 'name="sync_customer_info" checked>' in page.text


@pytest.mark.parametrize(
    "rows",
    [
        [("dish", ""), ("item", "ITEM-1")],  # an item with no dish
        [("dish", "dish-1")],  # a dish without its item field
        [("dish", "dish-1"), ("item", "A"), ("dish", "dish-1"), ("item", "B")],
        [("dish", "d" * 201), ("item", "A")],
    ],
)
async def test_a_bad_mapping_is_refused_and_nothing_stored(
    world: SquareWorld, visitor: Visitor, rows: list[tuple[str, str]]
) -> None:
    await world.connect_fast()
    answer = await _post(visitor, "/pos/item-mapping", rows)
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text
    mapping = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}/item-mapping")
    assert mapping.json()["data"]["item_mapping"] == {}


async def test_a_bad_location_is_refused(world: SquareWorld, visitor: Visitor) -> None:
    await world.connect_fast()
    answer = await _post(visitor, "/pos/settings", [("location_id", "L" * 201)])
    assert answer.status_code == 422
    assert (await _integration(world))["auto_sync_orders"] is True


async def test_without_an_integration_nothing_is_saved(visitor: Visitor) -> None:
    page = await visitor.page("/pos")
    assert page.status_code == 200
    assert "no POS integration" in page.text
    assert (await _post(visitor, "/pos/settings", [])).status_code == 404
    answer = await _post(visitor, "/pos/item-mapping", [("dish", "a"), ("item", "b")])
    assert answer.status_code == 404


@pytest.mark.parametrize("path", ["/pos/settings", "/pos/item-mapping", "/pos/connect/tally"])
@pytest.mark.parametrize("token", ["", "forged"])
async def test_actions_need_the_csrf_token(
    world: SquareWorld, visitor: Visitor, path: str, token: str
) -> None:
    await world.connect_fast()
    answer = await visitor.http.post(path, data={"csrf_token": token, "location_id": "X"})
    assert answer.status_code == 403
    assert answer.json()["field"] == "csrf_token"
    assert (await _integration(world))["location_id"] == world.square.seller.location_id


async def test_another_tenant_sees_not_this_integration(world: SquareWorld) -> None:
    await world.connect_fast()
    other = await create_tenant(world.hub.uows, name="Other Kitchen")
    remember(other.api_key)
    async with visiting(world.url) as theirs:
        assert (await theirs.sign_in(other.api_key)).status_code == 303
        page = await theirs.page("/pos")
        assert "no POS integration" in page.text
        assert world.square.seller.merchant_id not in page.text
        assert (
            await _post(theirs, "/pos/item-mapping", [("dish", "a"), ("item", "b")])
        ).status_code == 404
    mapping = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}/item-mapping")
    assert mapping.json()["data"]["item_mapping"] == {}


@pytest.fixture
async def tally(settings: Settings) -> AsyncIterator[TallyWorld]:
    async with tally_world(settings) as opened:
        yield opened


@pytest.fixture
async def merchant(tally: TallyWorld) -> AsyncIterator[Visitor]:
    """Tally's world's tenant signed in to the dashboard: also the browser of its consent."""
    async with visiting(tally.url) as opened:
        key = str(tally.api.headers["Authorization"]).removeprefix("Bearer ")
        assert (await opened.sign_in(key)).status_code == 303
        yield opened


async def test_connect_goes_to_the_consent_screen_and_back_connected(
    tally: TallyWorld, merchant: Visitor
) -> None:
    page = await merchant.page("/pos")
    assert "Connect Tally" in page.text
    tally_origin = "{0.scheme}://{0.netloc}".format(urlsplit(tally.tally_url))
    assert f"form-action 'self' {tally_origin}" in page.headers["content-security-policy"]

    answer = await _post(merchant, "/pos/connect/tally", [])
    assert answer.status_code == 303
    consent = answer.headers["location"]
    assert consent.startswith(tally.tally_url)
    back = await tally.browser.get(consent)
    assert back.status_code == 302
    connected = await tally.browser.get(back.headers["location"])
    assert connected.status_code == 303, connected.text
    assert connected.headers["location"] == "/pos?connected=tally"
    assert (await tally.connection()) is not None
    shown = (await _follow(merchant, connected)).text
    assert "Tally connected." in shown
    assert "Connect Tally" not in shown


async def test_a_refused_consent_comes_back_to_the_page_saying_so(
    tally: TallyWorld, merchant: Visitor
) -> None:
    answer = await _post(merchant, "/pos/connect/tally", [])
    state = parse_qs(urlsplit(answer.headers["location"]).query)["state"][0]

    denied = await tally.callback({"state": state, "error": "access_denied"})
    shown = (await _follow(merchant, denied)).text

    assert (denied.status_code, denied.headers["location"]) == (303, "/pos?refused=tally")
    assert "Tally was not connected" in shown
    assert "Connect Tally" in shown
    assert (await tally.connection()) is None
    forged = await tally.callback({"state": state + "x", "error": "access_denied"})
    assert forged.status_code == 400  # a state this hub did not sign is answered, not followed


@pytest.mark.parametrize(("provider", "status"), [("nobody", 404), ("cin7", 404), ("BAD!", 422)])
async def test_connect_refuses_what_has_no_consent_screen(
    merchant: Visitor, provider: str, status: int
) -> None:
    answer = await _post(merchant, f"/pos/connect/{provider}", [])
    assert answer.status_code == status
