"""Poster's hooks: a change in the back office reaches the records through the verified,
stored hook and one fetch; forged, foreign and stale hooks are refused with nothing stored,
a replay changes nothing, and a fetch that fails is retried without holding back the next."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select

from tests.support.poster_world import LOGIN, PosterWorld
from tillsync.connectors.poster.webhooks import signature
from tillsync.emulators.poster import FaultRule
from tillsync.store.tables import Job


async def _synced(world: PosterWorld) -> None:
    assert (await world.connect_token()).status_code == 200
    queued = await world.api.post("/api/connections/poster/records/ingredients/sync")
    assert queued.status_code == 202, queued.text
    await world.work()


def _hook(world: PosterWorld, **changes: Any) -> dict[str, Any]:
    hook: dict[str, Any] = {
        "account": LOGIN,
        "account_number": world.account.account_number,
        "object": "ingredient",
        "object_id": 1,
        "action": "changed",
        "time": str(int(time.time())),
        **changes,
    }
    hook.setdefault("verify", signature(hook, world.secret))
    return hook


async def test_a_changed_ingredient_reaches_its_record_through_the_hook(world: PosterWorld) -> None:
    await _synced(world)
    await world.change(
        "PUT", "ingredients/1", {"ingredient_name": "Milk 2.5%", "limit_value": "4.5"}
    )
    await world.change(
        "POST", "ingredients", {"fields": {"ingredient_name": "Oat milk", "ingredient_unit": "l"}}
    )
    await world.change("DELETE", "ingredients/2")

    async def applied() -> dict[str, Any] | None:
        rows = await world.stored("ingredients")
        done = "4" in rows and rows["2"].deleted_at is not None and rows["1"].name != "Milk 3.2%"
        return rows if done else None

    rows = await world.work_until(applied)
    assert (rows["1"].name, rows["1"].data["limit_value"]) == ("Milk 2.5%", "4.5")
    assert (rows["4"].name, rows["4"].deleted_at) == ("Oat milk", None)
    assert rows["1"].data["ingredient_left"] == "30.5"

    # A stocktake sends only a `stock` hook: the ingredient is read afresh for its leftover.
    await world.change("PUT", "leftovers", {"ingredient_id": 1, "storage_id": 1, "quantity": "20"})

    async def counted() -> bool:
        return (await world.stored("ingredients"))["1"].data["ingredient_left"] == "26"

    assert await world.work_until(counted)  # 20 in the kitchen + 6 at the bar
    statuses = {d.status for d in world.poster.deliveries_since()}
    assert statuses == {200}  # Poster takes nothing else
    assert {e.status for e in await world.inbox()} == {"processed"}


async def test_forged_foreign_stale_or_replayed_hooks_change_nothing(world: PosterWorld) -> None:
    await _synced(world)
    stale = _hook(world, time=str(int(time.time()) - 3 * 86_400))
    cases: list[tuple[dict[str, Any], int, str]] = [
        (_hook(world, verify="0" * 32), 401, "verify"),
        ({**_hook(world), "object_id": 2}, 401, "verify"),  # signed for another object
        (_hook(world, account="someone-else"), 404, "account"),
        (stale, 422, "time"),
        ({k: v for k, v in _hook(world).items() if k != "action"}, 401, "verify"),
    ]
    for hook, status, field in cases:
        refused = await world.post_hook(json.dumps(hook).encode())
        assert (refused.status_code, refused.json()["field"]) == (status, field), hook
    assert await world.inbox() == []

    world.poster.configure_application(webhook_url=None)  # only the hooks sent here
    await world.change("PUT", "ingredients/1", {"ingredient_name": "Milk 2.5%"})
    hook = _hook(world)
    first = await world.post_hook(json.dumps(hook).encode())
    again = await world.post_hook(json.dumps(hook).encode())  # the same hook, sent again
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["stored"], again.json()["duplicates"]) == (1, 1)
    await world.work()
    rows = await world.stored("ingredients")
    assert rows["1"].name == "Milk 2.5%"
    assert [e.event_type for e in await world.inbox()] == ["ingredient.changed"]


async def test_a_failing_fetch_is_retried_without_holding_back_the_next_hook(
    world: PosterWorld,
) -> None:
    await _synced(world)
    world.poster.faults.add_rule(
        FaultRule("GET", "/api/menu.getIngredient", "fail_before", status=500, times=1)
    )
    await world.change("PUT", "ingredients/1", {"ingredient_name": "Milk 2.5%"})
    await world.change("PUT", "ingredients/2", {"ingredient_name": "Cherry tomatoes"})

    async def both() -> dict[str, Any] | None:
        rows = await world.stored("ingredients")
        names = (rows["1"].name, rows["2"].name)
        return rows if names == ("Milk 2.5%", "Cherry tomatoes") else None

    await world.work_until(both)
    assert [d.status for d in world.poster.deliveries_since()] == [200, 200]  # none held back
    async with world.hub.uows.read() as session:
        applies = list(await session.scalars(select(Job).where(Job.kind == "poster.apply_webhook")))
    assert sorted(j.attempts for j in applies) == [1, 2]
    assert {j.state for j in applies} == {"success"}
