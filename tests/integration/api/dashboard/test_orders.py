"""The orders pages: each order's sync to the POS, an order's pushes and attempts, sync now."""

from __future__ import annotations

import html

import httpx
import pytest

from tests.support.dashboard import HTML, Visitor, visiting
from tests.support.secrets import remember
from tests.support.square_world import SquareWorld
from tillsync.services.tenants import create_tenant


@pytest.fixture
def world(pos_world: SquareWorld) -> SquareWorld:
    return pos_world


@pytest.fixture
def visitor(pos_visitor: Visitor) -> Visitor:
    return pos_visitor


async def _sync_now(visitor: Visitor, order_id: str, *, token: str | None = None) -> httpx.Response:
    path = f"/orders/{order_id}"
    token = token if token is not None else await visitor.csrf(path)
    return await visitor.http.post(f"{path}/sync", data={"csrf_token": token}, headers=HTML)


async def test_a_synced_order_shows_its_pos_order_and_attempts(
    world: SquareWorld, visitor: Visitor
) -> None:
    await world.connect_fast()
    assert (await world.place(world.order("ORD-DASH-1"))).status_code == 201
    shown = await world.synced("ORD-DASH-1")
    assert shown["sync_state"] == "success"
    pos_order_id = shown["pos_order_id"]

    listing = await visitor.page("/orders")
    assert listing.status_code == 200
    assert 'data-order="ORD-DASH-1" data-sync-state="success"' in listing.text
    assert pos_order_id in listing.text
    assert "hx-trigger" not in listing.text  # settled: nothing polls

    detail = await visitor.page("/orders/ORD-DASH-1")
    assert detail.status_code == 200
    assert "Paneer Butter Masala" in detail.text
    assert "dish-1" in detail.text
    assert 'data-sync-state="success"' in detail.text
    assert pos_order_id in detail.text
    assert "outcome-success" in detail.text  # the push's attempt
    assert 'name="csrf_token"' in detail.text


async def test_syncing_an_order_the_pos_has_makes_no_second_order(
    world: SquareWorld, visitor: Visitor
) -> None:
    await world.connect_fast()
    await world.place(world.order("ORD-DASH-2"))
    await world.synced("ORD-DASH-2")
    before = len(world.orders)

    answer = await _sync_now(visitor, "ORD-DASH-2")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/orders/ORD-DASH-2?synced=already"
    page = await visitor.page("/orders/ORD-DASH-2", synced="already")
    assert "already has this order" in html.unescape(page.text)
    await world.work()
    assert len(world.orders) == before


async def test_an_order_not_sent_is_synced_now(world: SquareWorld, visitor: Visitor) -> None:
    await world.connect_fast(auto_sync_orders=False)
    await world.place(world.order("ORD-DASH-3"))
    page = await visitor.page("/orders/ORD-DASH-3")
    assert 'data-sync-state="not_synced"' in page.text
    assert "No push yet" in page.text

    answer = await _sync_now(visitor, "ORD-DASH-3")
    assert answer.headers["location"] == "/orders/ORD-DASH-3?synced=queued"
    shown = await world.synced("ORD-DASH-3")
    assert shown["sync_state"] == "success"
    page = await visitor.page("/orders/ORD-DASH-3")
    assert shown["pos_order_id"] in page.text


async def test_sync_now_without_a_pos_is_a_conflict(world: SquareWorld, visitor: Visitor) -> None:
    await world.place(world.order("ORD-DASH-4"))
    answer = await _sync_now(visitor, "ORD-DASH-4")
    assert answer.status_code == 409
    assert "no connected POS" in answer.text


async def test_sync_now_needs_the_csrf_token(world: SquareWorld, visitor: Visitor) -> None:
    await world.place(world.order("ORD-DASH-5"))
    for token in ("", "forged"):
        answer = await _sync_now(visitor, "ORD-DASH-5", token=token)
        assert answer.status_code == 403
        assert answer.json()["field"] == "csrf_token"


async def test_another_tenants_order_is_not_found(world: SquareWorld, visitor: Visitor) -> None:
    await world.place(world.order("ORD-THEIRS"))
    other = await create_tenant(world.hub.uows, name="Other Kitchen")
    remember(other.api_key)
    async with visiting(world.url) as theirs:
        assert (await theirs.sign_in(other.api_key)).status_code == 303
        assert "ORD-THEIRS" not in (await theirs.page("/orders")).text
        assert (await theirs.page("/orders/ORD-THEIRS")).status_code == 404
        token = await theirs.csrf("/orders")
        answer = await theirs.http.post(
            "/orders/ORD-THEIRS/sync", data={"csrf_token": token}, headers=HTML
        )
        assert answer.status_code == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/orders?page=0", 422),
        ("/orders?page=x", 422),
        ("/orders/NO-SUCH", 404),
        ("/orders/" + "x" * 201, 422),
    ],
)
async def test_bad_input_is_refused(visitor: Visitor, path: str, status: int) -> None:
    assert (await visitor.http.get(path, headers=HTML)).status_code == status
