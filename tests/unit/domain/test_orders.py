"""An order's fingerprint, what a POS is given, one state from many pushes, minor units."""

from decimal import Decimal

import pytest

from tillsync.domain.currencies import known, minor_units
from tillsync.domain.orders import Customer, OrderDraft, OrderItem, pos_order, shown_state


def _draft(quantity: str = "2", note: str | None = "Extra spicy") -> OrderDraft:
    return OrderDraft(
        order_id="ORD-1",
        currency="INR",
        items=(
            OrderItem(
                dish_id="dish-1",
                name="Paneer Butter Masala",
                quantity=Decimal(quantity),
                unit_price=Decimal("300"),
                note=note,
            ),
            OrderItem(
                dish_id="dish-2",
                sku="W-1",
                name="Water",
                quantity=Decimal(1),
                unit_price=Decimal("20.50"),
            ),
        ),
        special_instructions="Ring twice",
        customer=Customer(name="Asha", phone="+91 98765 43210"),
    )


def test_the_same_order_written_differently_has_one_fingerprint() -> None:
    assert _draft("2").fingerprint() == _draft("2.0000").fingerprint()
    assert _draft("2").fingerprint() != _draft("3").fingerprint()
    assert _draft(note=None).fingerprint() != _draft().fingerprint()


def test_only_sku_items_are_stocked_and_the_total_adds_up() -> None:
    draft = _draft()
    assert [(i, item.sku) for i, item in draft.stocked()] == [(1, "W-1")]
    assert draft.total == Decimal("620.50")


@pytest.mark.parametrize("share", [True, False])
def test_the_pos_gets_mapped_dishes_by_catalog_id_and_the_customer_only_if_allowed(
    share: bool,
) -> None:
    order = pos_order(_draft(), item_mapping={"dish-2": "CAT-9"}, sync_customer_info=share)
    assert order.reference == "ORD-1"
    assert [(line.name, line.catalog_id) for line in order.lines] == [
        ("Paneer Butter Masala", None),
        ("Water", "CAT-9"),
    ]
    assert order.note == "Ring twice"
    assert (order.customer is not None) is share


@pytest.mark.parametrize(
    ("states", "shown"),
    [
        ([], "not_synced"),
        (["pending"], "pending"),
        (["syncing"], "syncing"),
        (["batched"], "syncing"),
        (["retry"], "retry"),
        (["success"], "success"),
        (["failed"], "failed"),
        (["success", "retry"], "retry"),
        (["success", "failed"], "failed"),
        (["success", "pending"], "pending"),
    ],
)
def test_an_order_shows_its_least_advanced_push(states: list[str], shown: str) -> None:
    assert shown_state(states) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("300", "INR", 30000), ("12.5", "USD", 1250), ("1500", "JPY", 1500), ("1.234", "KWD", 1234)],
)
def test_money_in_minor_units(amount: str, currency: str, minor: int) -> None:
    assert minor_units(Decimal(amount), currency) == minor


def test_currencies_in_use_are_known_and_others_are_not() -> None:
    assert known("INR")
    assert known("EUR")
    assert known("JPY")
    assert not known("XYZ")
    assert not known("usd")
