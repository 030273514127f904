"""Poster as a tenant's stock source, beside its records: a `stock` hook moves the ledger only
for a connection that plays `warehouse` (and the ingredient's record either way); kilograms
and litres sell in fractions, pieces whole, and a fractional sale is written off as sold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.depot_world import FAST
from tests.support.poster_world import LOGIN, PosterWorld
from tillsync.emulators.poster.records import INGREDIENTS
from tillsync.store.tables import Connection, Job, StockLevel

MILK, EGGS = "ingredient-1", "ingredient-3"
"""The demo's milk (litres, 24.5 in the kitchen) and eggs (pieces, 120); no barcodes."""


async def _connect(world: PosterWorld, roles: list[str]) -> None:
    body = {
        "credentials": {"access_token": world.account.access_token, "account": LOGIN},
        "roles": roles,
        "settings": {**FAST, "push_mode": "per_sale"},
    }
    answer = await world.api.put("/api/connections/poster", json=body)
    assert answer.status_code == 200, answer.text
    assert sorted(answer.json()["roles"]) == roles
    queued = await world.api.post("/api/connections/poster/records/ingredients/sync")
    assert queued.status_code == 202, queued.text
    await world.work()  # the records' sync, and a stock source's first pull


async def _figures(world: PosterWorld) -> dict[tuple[str, str], Decimal]:
    async with world.hub.uows.read() as session:
        rows = await session.scalars(select(StockLevel))
        return {(row.sku, row.location): row.warehouse_available for row in rows}


@pytest.mark.parametrize("roles", [["records"], ["records", "warehouse"]])
async def test_a_stock_hook_moves_the_ledger_only_for_a_stock_source(
    world: PosterWorld, roles: list[str]
) -> None:
    await _connect(world, roles)
    stocked = "warehouse" in roles
    pulled = {(MILK, "Kitchen"): Decimal("24.5"), (MILK, "Bar"): Decimal(6)}
    assert ((MILK, "Kitchen") in await _figures(world)) is stocked
    await world.change("PUT", "leftovers", {"ingredient_id": 1, "storage_id": 1, "quantity": "20"})

    async def counted() -> bool:
        return (await world.stored("ingredients"))["1"].data["ingredient_left"] == "26"

    assert await world.work_until(counted)  # the record follows in both cases
    await world.work()
    figures = await _figures(world)
    if stocked:
        assert {k: figures[k] for k in pulled} == {**pulled, (MILK, "Kitchen"): Decimal(20)}
    else:
        assert figures == {}
        async with world.hub.uows.read() as session:
            kinds = set(await session.scalars(select(Job.kind)))
        assert "poster.refresh_stock" not in kinds
    assert {e.status for e in await world.inbox()} == {"processed"}


async def _sell(world: PosterWorld, sale_id: str, sku: str, quantity: Any) -> dict[str, Any]:
    body = {
        "saleId": sale_id,
        "location": "Kitchen",
        "items": [{"sku": sku, "quantity": quantity, "price": 2.5}],
    }
    answer = await world.api.post("/api/sales", json=body)
    shown: dict[str, Any] = {"status": answer.status_code, **answer.json()}
    return shown


async def test_litres_sell_in_fractions_and_pieces_whole(world: PosterWorld) -> None:
    await _connect(world, ["records", "warehouse"])
    refused = await _sell(world, "SALE-EGGS", EGGS, 1.5)
    assert (refused["status"], refused["field"]) == (422, "items[0].quantity"), refused
    sold = await _sell(world, "SALE-MILK", MILK, 0.25)
    assert sold["status"] == 200, sold

    def written_off() -> list[tuple[int, str, str]]:
        wastes = world.poster.account(LOGIN).wastes.values()
        return [(w.storage_id, x["weight"], x["reason"]) for w in wastes for x in w.lines]

    async def pushed() -> bool:
        return bool(written_off())

    assert await world.work_until(pushed)
    (storage, weight, reference) = written_off()[0]
    assert (storage, weight) == (1, "0.25")
    assert "SALE-MILK" in reference
    leftovers = world.poster.account(LOGIN).of(INGREDIENTS)[1].left
    assert leftovers[1] == Decimal("24.25")


async def test_a_connection_made_through_consent_becomes_the_stock_source_without_its_token(
    world: PosterWorld,
) -> None:
    answer = await world.callback(await world.consent())
    assert answer.status_code == 200, answer.text
    async with world.hub.uows.read() as session:
        before = await session.scalar(select(Connection))
    assert before is not None
    sealed = world.hub.services.vault.open_json(before.credentials)
    changed = await world.api.put(
        "/api/connections/poster", json={"roles": ["records", "warehouse"], "settings": FAST}
    )
    assert changed.status_code == 200, changed.text
    assert sorted(changed.json()["roles"]) == ["records", "warehouse"]
    async with world.hub.uows.read() as session:
        after = await session.scalar(select(Connection))
    assert after is not None
    assert world.hub.services.vault.open_json(after.credentials) == sealed  # kept whole
    await world.work()  # the stock source's first pull
    assert (MILK, "Kitchen") in await _figures(world)


async def test_no_credentials_and_nothing_stored_is_refused_naming_the_credential(
    world: PosterWorld,
) -> None:
    answer = await world.api.put("/api/connections/poster", json={"roles": ["records"]})
    assert answer.status_code == 422, answer.text
    assert (answer.json()["field"], answer.json()["message"]) == (
        "access_token",
        "access_token is required",
    )
