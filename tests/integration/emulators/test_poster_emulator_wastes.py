"""The Poster emulator's write-offs over real loopback HTTP: `storage.createWriteOff` takes
leftovers off whole or not at all, each change sending its `stock` hook; `getWastes` and
`getWaste` read them back, the line's comment included; refusals come inside HTTP 200."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support.poster import Served, World, error_of, poster_emulator
from tests.support.square import eventually, webhook_receiver

pytestmark = pytest.mark.asyncio(loop_scope="module")

KITCHEN, BAR, MILK, EGGS = 1, 2, 1, 3


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served() -> AsyncIterator[Served]:
    async with poster_emulator() as served:
        yield served


@pytest.fixture
def poster(served: Served) -> World:
    return served.fresh()


async def write_off(poster: World, storage_id: Any, *lines: dict[str, Any]) -> httpx.Response:
    """As the PHP SDK posts it: a JSON body, the token in the query."""
    body = {"write_off": {"storage_id": storage_id, "date": "2026-03-01 13:00:00"}}
    return await poster.served.client.post(
        "/api/storage.createWriteOff",
        params={"token": poster.account.access_token, "format": "json"},
        json={**body, "ingredient": list(lines)},
    )


def line(ingredient: int, weight: str, **more: Any) -> dict[str, Any]:
    return {"id": str(ingredient), "type": "4", "weight": weight, "reason": "S-1", **more}


async def left(poster: World, storage_id: int) -> dict[str, str]:
    rows = await poster.response("storage.getStorageLeftovers", storage_id=storage_id)
    return {row["ingredient_id"]: row["storage_ingredient_left"] for row in rows}


async def test_a_write_off_takes_leftovers_and_sends_a_stock_hook_per_line(poster: World) -> None:
    async with webhook_receiver() as receiver:
        app = {"webhook_url": receiver.url + "/api/poster/webhooks"}
        assert (await poster.control.put("/application", json=app)).status_code == 200
        answer = await write_off(poster, "1", line(MILK, "0.5"), line(EGGS, "2"))
        assert (answer.status_code, answer.json()) == (200, {"success": 1, "response": 1})
        await eventually(lambda: len(receiver.received) == 2)
    assert (await left(poster, KITCHEN))[str(MILK)] == "24.00000"
    assert (await left(poster, KITCHEN))[str(EGGS)] == "118.00000"
    hooks = [json.loads(delivery.body) for delivery in receiver.received]
    assert [json.loads(hook["data"]) for hook in hooks] == [
        {"type": 1, "element_id": MILK, "storage_id": 1, "value_relative": -0.5,
         "value_absolute": 24},
        {"type": 1, "element_id": EGGS, "storage_id": 1, "value_relative": -2,
         "value_absolute": 118},
    ]  # fmt: skip


async def test_write_offs_are_listed_by_date_and_read_with_each_lines_comment(
    poster: World,
) -> None:
    assert (await write_off(poster, 2, line(MILK, "1", reason="S-9"))).json()["response"] == 1
    listed = await poster.response("storage.getWastes", dateFrom="20260301", dateTo="20260301")
    assert [(w["waste_id"], w["storage_id"], w["date"], w["delete"]) for w in listed] == [
        (1, BAR, "2026-03-01 13:00:00", 0)
    ]
    assert await poster.response("storage.getWastes", dateFrom="20260302") == []
    waste = await poster.response("storage.getWaste", waste_id=1)
    (element,) = waste["elements"]
    (written,) = element["ingredients"]
    assert (written["ingredient_id"], written["weight"], written["unit"]) == (MILK, "1", "l")
    assert (written["reason"], written["cost"]) == ("S-9", 3850)  # kopecks
    assert await poster.response("storage.getWaste", waste_id=7) is False


@pytest.mark.parametrize(
    ("storage", "lines", "code"),
    [
        ("9", [line(MILK, "1")], 32),  # no such storage
        ("1", [line(MILK, "1"), line(99, "1")], 32),  # no such ingredient
        ("1", [line(MILK, "1"), line(EGGS, "0")], 34),  # no weight
        ("1", [line(MILK, "1", type="1")], 400),  # a product line: not emulated
        ("1", [], 34),
    ],
)
async def test_a_refused_write_off_answers_inside_200_and_takes_nothing(
    poster: World, storage: str, lines: list[dict[str, Any]], code: int
) -> None:
    before = await left(poster, KITCHEN)
    answer = await write_off(poster, storage, *lines)
    assert error_of(answer) == (200, code)
    assert await left(poster, KITCHEN) == before
    assert await poster.response("storage.getWastes") == []
