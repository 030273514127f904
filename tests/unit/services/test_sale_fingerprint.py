"""A sale's fingerprint is stored with it: a retry sent years later must still match."""

from decimal import Decimal as D

from tillsync.services.sales import LineInput, SaleInput


def test_a_sale_keeps_the_fingerprint_it_was_stored_with() -> None:
    # Pinned from the stored form: a change of how it is computed would make every
    # retry of a stored sale a conflict.
    plain = SaleInput(
        sale_id="POS-1",
        items=(LineInput(sku="TOMB45", quantity=D(2), price=D("29.99")),),
        reservation_ids=("r-1",),
    )
    full = SaleInput(
        sale_id="POS-2",
        items=(
            LineInput(
                sku="GEL",
                quantity=D("0.5"),
                price=D(3),
                name="Gel",
                tax=D("0.25"),
                product_ref="p-9",
            ),
        ),
        invoice_number="INV-2",
        customer_name="Ana",
        location="Front",
        customer_id="c-1",
        currency="EUR",
        payment_method="card",
    )
    assert plain.fingerprint() == (
        "9506ab34fcd127013bb564e2ed3b07e370615ad016ff46ba6c779a8f43da0de8"
    )
    assert full.fingerprint() == (
        "19b6093ff5c44f0ba2384cdaa1152f3514d20eb05ab1882e0bb1987ff8fbea28"
    )
