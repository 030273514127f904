"""The official `squareup` SDK, pointed at the Square emulator on loopback, works as on Square."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from square import AsyncSquare, Square
from square.core.api_error import ApiError
from square.utils.webhooks_helper import verify_signature

from tests.support.square import Emulated, eventually, square_emulator, webhook_receiver
from tillsync.emulators.square import ItemSeed, VariationSeed

NO_RETRIES: Any = {"max_retries": 0}

# The SDK's own models read fields through a Pydantic alias deprecated in v2.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:square")


@pytest.fixture
async def emulated() -> AsyncIterator[Emulated]:
    async with square_emulator() as emulated:
        yield emulated


@pytest.fixture
def sdk(emulated: Emulated) -> AsyncSquare:
    return AsyncSquare(base_url=emulated.url, token=emulated.seller.access_token)


async def _variation(sdk: AsyncSquare, sku: str) -> Any:
    pager = await sdk.catalog.list(types="ITEM_VARIATION")
    async for obj in pager:
        if obj.item_variation_data is not None and obj.item_variation_data.sku == sku:
            return obj
    raise AssertionError(f"no variation with SKU {sku}")


async def test_sdk_lists_locations_and_the_seeded_catalog(
    sdk: AsyncSquare, emulated: Emulated
) -> None:
    locations = (await sdk.locations.list()).locations
    assert [(location.id, location.currency) for location in locations or []] == [
        (emulated.seller.location_id, "USD")
    ]
    items = [obj async for obj in await sdk.catalog.list(types="ITEM")]
    names = {obj.item_data.name for obj in items if obj.item_data is not None}
    assert {"Paneer Butter Masala", "Masala Chai"} <= names
    chai = next(obj for obj in items if obj.item_data and obj.item_data.name == "Masala Chai")
    assert chai.item_data is not None
    assert len(chai.item_data.variations or []) == 2


async def test_sdk_upserts_an_item_and_pages_through_variations(
    sdk: AsyncSquare, emulated: Emulated
) -> None:
    upserted = await sdk.catalog.object.upsert(
        idempotency_key=str(uuid.uuid4()),
        object={
            "type": "ITEM",
            "id": "#biryani",
            "item_data": {
                "name": "Veg Biryani",
                "variations": [
                    {
                        "type": "ITEM_VARIATION",
                        "id": "#biryani-regular",
                        "item_variation_data": {
                            "name": "Regular",
                            "sku": "BIRYANI",
                            "pricing_type": "FIXED_PRICING",
                            "price_money": {"amount": 1200, "currency": "USD"},
                        },
                    }
                ],
            },
        },
        request_options=NO_RETRIES,
    )
    mapped = {m.client_object_id: m.object_id for m in upserted.id_mappings or []}
    assert set(mapped) == {"#biryani", "#biryani-regular"}
    seeds = [ItemSeed(f"Dish {n}", (VariationSeed("Regular", 100 + n),)) for n in range(145)]
    emulated.state.seed_catalog(emulated.seller.merchant_id, seeds)
    pager = await sdk.catalog.list(types="item_variation")
    pages = [page async for page in pager.iter_pages()]
    assert [len(page.items or []) for page in pages] == [100, 51]
    listed = {obj.id for page in pages for obj in page.items or []}
    assert len(listed) == 151
    assert mapped["#biryani-regular"] in listed


async def test_sdk_creates_an_order_and_finds_it_by_search(
    sdk: AsyncSquare, emulated: Emulated
) -> None:
    chai = await _variation(sdk, "CHAI-L")
    created = await sdk.orders.create(
        idempotency_key="menumaker-order-1",
        order={
            "location_id": emulated.seller.location_id,
            "reference_id": "menumaker-order-1",
            "metadata": {"source": "MenuMaker", "menumaker_order_id": "order-1"},
            "line_items": [
                {
                    "name": "Paneer Butter Masala",
                    "quantity": "2",
                    "base_price_money": {"amount": 1500, "currency": "USD"},
                    "note": "Extra spicy",
                },
                {"catalog_object_id": chai.id, "quantity": "1"},
            ],
        },
        request_options=NO_RETRIES,
    )
    order = created.order
    assert order is not None
    assert order.id
    assert order.total_money is not None
    assert order.total_money.amount == 2 * 1500 + 450
    assert order.line_items is not None
    assert [line.name for line in order.line_items] == ["Paneer Butter Masala", "Masala Chai"]
    again = await sdk.orders.get(order_id=order.id)
    assert again.order is not None
    assert again.order.reference_id == "menumaker-order-1"
    found = await sdk.orders.search(
        location_ids=[emulated.seller.location_id],
        query={"filter": {"state_filter": {"states": ["OPEN"]}}},
        request_options=NO_RETRIES,
    )
    assert [o.id for o in found.orders or []] == [order.id]


async def test_sdk_reads_and_changes_inventory_counts(sdk: AsyncSquare, emulated: Emulated) -> None:
    naan = await _variation(sdk, "NAAN-GAR")
    location = emulated.seller.location_id
    counts = [
        c
        async for c in await sdk.inventory.batch_get_counts(
            catalog_object_ids=[naan.id], location_ids=[location]
        )
    ]
    assert [(c.state, c.quantity) for c in counts] == [("IN_STOCK", "60")]
    changed = await sdk.inventory.batch_create_changes(
        idempotency_key=str(uuid.uuid4()),
        changes=[
            {
                "type": "ADJUSTMENT",
                "adjustment": {
                    "catalog_object_id": naan.id,
                    "from_state": "IN_STOCK",
                    "to_state": "SOLD",
                    "from_location_id": location,
                    "to_location_id": location,
                    "quantity": "3",
                },
            },
        ],
        request_options=NO_RETRIES,
    )
    assert [(c.state, c.quantity) for c in changed.counts or []] == [("IN_STOCK", "57")]
    await sdk.inventory.batch_create_changes(
        idempotency_key=str(uuid.uuid4()),
        changes=[
            {
                "type": "PHYSICAL_COUNT",
                "physical_count": {
                    "catalog_object_id": naan.id,
                    "state": "IN_STOCK",
                    "location_id": location,
                    "quantity": "12",
                },
            }
        ],
        request_options=NO_RETRIES,
    )
    counts = [c async for c in await sdk.inventory.batch_get_counts(catalog_object_ids=[naan.id])]
    assert [c.quantity for c in counts] == ["12"]


async def test_sdk_raises_api_error_with_square_errors(
    sdk: AsyncSquare, emulated: Emulated
) -> None:
    with pytest.raises(ApiError) as raised:
        await sdk.orders.get(order_id="NOPE", request_options=NO_RETRIES)
    assert raised.value.status_code == 404
    assert [e.code for e in raised.value.errors] == ["NOT_FOUND"]
    stranger = AsyncSquare(base_url=emulated.url, token="EAAA-unknown")
    with pytest.raises(ApiError) as raised:
        await stranger.locations.list(request_options=NO_RETRIES)
    assert raised.value.status_code == 401
    assert [e.code for e in raised.value.errors] == ["UNAUTHORIZED"]


async def test_the_synchronous_client_works_too(emulated: Emulated) -> None:
    client = Square(base_url=emulated.url, token=emulated.seller.access_token)
    listed = await asyncio.to_thread(client.locations.list)
    assert [location.id for location in listed.locations or []] == [emulated.seller.location_id]


async def test_sdk_verify_signature_accepts_a_real_delivery(
    sdk: AsyncSquare, emulated: Emulated
) -> None:
    async with webhook_receiver() as receiver:
        url = f"{receiver.url}/hooks/square"
        made = await sdk.webhooks.subscriptions.create(
            idempotency_key=str(uuid.uuid4()),
            subscription={
                "name": "tillsync",
                "event_types": ["order.created", "inventory.count.updated"],
                "notification_url": url,
            },
        )
        assert made.subscription is not None
        key = made.subscription.signature_key
        assert key
        await sdk.orders.create(
            idempotency_key="signed-1",
            order={
                "location_id": emulated.seller.location_id,
                "line_items": [
                    {
                        "name": "Tea",
                        "quantity": "1",
                        "base_price_money": {"amount": 300, "currency": "USD"},
                    }
                ],
            },
            request_options=NO_RETRIES,
        )
        await eventually(lambda: len(receiver.received) == 1)
    [delivery] = receiver.received
    signed = delivery.headers["x-square-hmacsha256-signature"]
    body = delivery.body.decode()
    assert verify_signature(
        request_body=body, signature_header=signed, signature_key=key, notification_url=url
    )
    assert not verify_signature(
        request_body=body, signature_header=signed, signature_key=key, notification_url=url + "/"
    )
    assert not verify_signature(
        request_body=body.replace("order.created", "order.updated"),
        signature_header=signed,
        signature_key=key,
        notification_url=url,
    )
