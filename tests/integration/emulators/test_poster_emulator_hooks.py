"""The Poster emulator's webhooks over real loopback HTTP: the md5 `verify`, which changes
send one, Poster's retries, and newer hooks held back behind an unanswered one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.support.poster import ACCOUNT, Served, World, poster_emulator
from tests.support.square import Receiver, eventually, webhook_receiver
from tillsync.emulators.poster.hooks import retry_delays_minutes

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOOK_PATH = "/api/poster/webhooks"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served() -> AsyncIterator[Served]:
    async with poster_emulator() as served:
        yield served


@pytest.fixture
def poster(served: Served) -> World:
    return served.fresh()


async def _hooks_to(poster: World, receiver: Receiver, *, time_scale: float = 1.0) -> None:
    app = {"webhook_url": receiver.url + HOOK_PATH}
    assert (await poster.control.put("/application", json=app)).status_code == 200
    await poster.control.put("/settings", json={"time_scale": time_scale})


def _expected_verify(hook: dict[str, Any], secret: str) -> str:
    """Poster's rule, written out: account;object;object_id;action[;data];time;secret."""
    parts = [hook["account"], hook["object"], str(hook["object_id"]), hook["action"]]
    if "data" in hook:
        parts.append(hook["data"])
    parts += [hook["time"], secret]
    return hashlib.md5(";".join(parts).encode()).hexdigest()  # noqa: S324 - Poster's scheme


def _hooks(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(delivery.body) for delivery in receiver.received]


async def test_changes_are_posted_signed_and_suppliers_send_nothing(poster: World) -> None:
    async with webhook_receiver() as receiver:
        await _hooks_to(poster, receiver)
        await poster.change("PUT", "suppliers/1", {"supplier_phone": "+380500000000"})
        await poster.change("PUT", "storages/1", {"storage_name": "Main kitchen"})
        await poster.change("POST", "ingredients", {"fields": {"ingredient_name": "Oat milk"}})
        leftover = {"ingredient_id": 1, "storage_id": 2, "quantity": "4.5"}
        await poster.change("PUT", "leftovers", leftover)
        await eventually(lambda: len(receiver.received) == 3)
    hooks = _hooks(receiver)
    assert [(h["object"], h["object_id"], h["action"]) for h in hooks] == [
        ("storage", 1, "changed"),
        ("ingredient", 4, "added"),
        ("stock", 1, "changed"),
    ]
    assert {receiver.received[0].path} == {HOOK_PATH}
    for hook in hooks:
        assert hook["verify"] == _expected_verify(hook, poster.secret)
        assert (hook["account"], hook["account_number"]) == (ACCOUNT, poster.account.account_number)
        assert hook["time"] == str(int(poster.served.clock.now().timestamp()))
    assert "data" not in hooks[0]
    data = json.loads(hooks[2]["data"])  # a JSON string inside the JSON body
    assert data == {
        "type": 1,
        "element_id": 1,
        "storage_id": 2,
        "value_relative": -1.5,
        "value_absolute": 4.5,
    }
    forged = {**hooks[2], "data": hooks[2]["data"].replace("4.5", "45")}
    assert _expected_verify(forged, poster.secret) != hooks[2]["verify"]


async def test_installing_the_application_sends_its_token_in_an_application_hook(
    poster: World,
) -> None:
    async with webhook_receiver() as receiver:
        await _hooks_to(poster, receiver)
        objects = {"webhook_objects": ["application", "storage"]}
        await poster.control.put("/application", json=objects)
        code = (await poster.authorize())["code"][0]
        token = (await poster.exchange(code)).json()["access_token"]
        await eventually(lambda: len(receiver.received) == 1)
    [hook] = _hooks(receiver)
    assert (hook["object"], hook["action"]) == ("application", "added")
    assert hook["object_id"] == int(
        (await poster.control.get("/application")).json()["application_id"]
    )
    assert json.loads(hook["data"]) == {"user_id": 1, "access_token": token}
    assert hook["verify"] == _expected_verify(hook, poster.secret)


async def test_an_account_without_our_application_sends_no_hooks(poster: World) -> None:
    personal = {"account": "other-cafe", "installed": False}
    assert (await poster.control.post("/accounts", json=personal)).status_code == 200
    async with webhook_receiver() as receiver:
        await _hooks_to(poster, receiver)
        await poster.control.put("/accounts/other-cafe/storages/1", json={"storage_name": "X"})
        await poster.change("PUT", "storages/2", {"storage_name": "Bar 2"})
        await eventually(lambda: len(receiver.received) == 1)
    assert [h["account"] for h in _hooks(receiver)] == [ACCOUNT]


async def test_a_failed_hook_is_retried_and_holds_back_the_next(poster: World) -> None:
    async with webhook_receiver(500, 503, 200) as receiver:
        await _hooks_to(poster, receiver, time_scale=0.0005)  # a minute is 30 ms
        await poster.change("PUT", "storages/1", {"storage_name": "A"})
        await poster.change("PUT", "storages/2", {"storage_name": "B"})
        waiting = (await poster.control.get("/hooks")).json()[ACCOUNT]
        assert [h["object_id"] for h in waiting] == [1, 2]
        await eventually(lambda: len(receiver.received) == 4)
        assert (await poster.control.get("/hooks")).json() == {}
    assert [h["object_id"] for h in _hooks(receiver)] == [1, 1, 1, 2]
    tries = (await poster.control.get("/deliveries")).json()
    assert [(t["object_id"], t["attempt"], t["status"]) for t in tries] == [
        (1, 1, 500),
        (1, 2, 503),
        (1, 3, 200),
        (2, 1, 200),
    ]


async def test_a_hook_is_tried_sixteen_times_then_the_next_one_goes(poster: World) -> None:
    async with webhook_receiver(*([500] * 16), 200) as receiver:
        await _hooks_to(poster, receiver, time_scale=0.000002)  # two days in 0.35 s
        await poster.change("PUT", "storages/1", {"storage_name": "A"})
        await poster.change("PUT", "storages/2", {"storage_name": "B"})
        await eventually(lambda: len(receiver.received) == 17)
    assert [h["object_id"] for h in _hooks(receiver)] == [1] * 16 + [2]
    assert sum(retry_delays_minutes()) == 48 * 60  # Poster: 15 more tries over two days


async def test_saving_the_webhook_settings_drops_held_hooks(poster: World) -> None:
    async with webhook_receiver(500, 200) as receiver:
        await _hooks_to(poster, receiver)  # the first retry would wait a real minute
        await poster.change("PUT", "storages/1", {"storage_name": "A"})
        await poster.change("PUT", "storages/2", {"storage_name": "B"})
        await eventually(lambda: len(receiver.received) == 1)
        saved = await poster.control.put("/application", json={"webhook_objects": ["storage"]})
        assert saved.json()["webhook_objects"] == ["storage"]
        assert (await poster.control.get("/hooks")).json() == {}
        await poster.change("PUT", "storages/1", {"storage_name": "C"})
        await eventually(lambda: len(receiver.received) == 2)
    # Storage 2's hook was dropped; the new one did not wait for the first one's retry.
    assert [h["object_id"] for h in _hooks(receiver)] == [1, 1]
    tries = (await poster.control.get("/deliveries")).json()
    assert [(t["object_id"], t["status"]) for t in tries] == [(1, 500), (1, 200)]


@pytest.mark.parametrize("resign", [True, False])
async def test_a_retry_is_signed_at_its_own_time_unless_told_otherwise(
    poster: World, resign: bool
) -> None:
    await poster.control.put("/settings", json={"resign_retries": resign})
    async with webhook_receiver(500, 200) as receiver:
        await _hooks_to(poster, receiver, time_scale=0.005)  # the retry after 0.3 s
        await poster.change("PUT", "storages/1", {"storage_name": "A"})
        await eventually(lambda: len(receiver.received) == 1)
        poster.served.clock.advance(60)
        await eventually(lambda: len(receiver.received) == 2)
    first, retry = _hooks(receiver)
    assert retry["verify"] == _expected_verify(retry, poster.secret)
    assert int(retry["time"]) - int(first["time"]) == (60 if resign else 0)
