"""Sales: create, order (allocation and silent backorder), pick, pack, ship, invoice, void."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

from tillsync.clock import Clock
from tillsync.emulators.cin7.commands import (
    FulfilmentInput,
    InvoiceInput,
    LineInput,
    OrderInput,
    SaleInput,
)
from tillsync.emulators.cin7.errors import Cin7Error, required
from tillsync.emulators.cin7.events import EventBus
from tillsync.emulators.cin7.records import (
    AUTHORISED,
    ZERO,
    ZERO_GUID,
    Account,
    Invoice,
    Sale,
    SaleLine,
    line_total,
)
from tillsync.emulators.cin7.sale_events import STAGE_EVENTS, sale_event
from tillsync.emulators.cin7.stock import Stock, find_location, find_product

# How many stages (pick, pack, ship) each auto mode authorises with the order.
AUTO_MODES = {"NOPICK": 0, "AUTOPICK": 1, "AUTOPICKPACK": 2, "AUTOPICKPACKSHIP": 3}
DOCUMENT_STATUSES = ("DRAFT", AUTHORISED)
STAGES = ("pick", "pack", "ship")
MAX_TEXT = 256
TOTAL_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class SaleFilter:
    external_id: str | None = None
    search: str | None = None
    status: str | None = None
    order_status: str | None = None
    updated_since: dt.datetime | None = None
    created_since: dt.datetime | None = None

    def accepts(self, sale: Sale) -> bool:
        words = (sale.order_number, sale.status(), sale.customer.name, sale.customer_reference)
        invoice = () if sale.invoice is None else (sale.invoice.number,)
        needle = (self.search or "").casefold()
        return (
            (self.external_id is None or sale.external_id == self.external_id)
            and (not needle or any(needle in w.casefold() for w in (*words, *invoice)))
            and (self.status is None or sale.status() == self.status.upper())
            and (self.order_status is None or sale.order_status == self.order_status.upper())
            and (self.updated_since is None or sale.last_modified >= self.updated_since)
            and (self.created_since is None or sale.created >= self.created_since)
        )


def _document_status(value: str | None) -> str:
    if not value:
        raise required("Status")
    if value.upper() not in DOCUMENT_STATUSES:
        raise Cin7Error(f"Status '{value}' is not valid")
    return value.upper()


def _text(value: str | None, field: str) -> str:
    if value is not None and len(value) > MAX_TEXT:
        raise Cin7Error(f"'{field}' length should not exceed {MAX_TEXT} characters")
    return value or ""


class Sales:
    def __init__(self, *, clock: Clock, events: EventBus, stock: Stock) -> None:
        self._clock = clock
        self._events = events
        self._stock = stock

    def create(self, account: Account, data: SaleInput) -> Sale:
        if data.customer_id:
            customer = account.customers.get(data.customer_id)
            if customer is None:
                raise Cin7Error(f"Customer with ID '{data.customer_id}' not found")
        elif data.customer:
            wanted = data.customer.casefold()
            customer = next(
                (c for c in account.customers.values() if c.name.casefold() == wanted), None
            )
            if customer is None:
                raise Cin7Error(f"Customer '{data.customer}' not found")
        else:
            raise required("Customer")
        location = find_location(account, location_id=None, name=data.location)
        external_id = _text(data.external_id, "ExternalID") or None
        reference = _text(data.customer_reference, "CustomerReference")
        now = self._clock.now()
        account.sale_counter += 1
        sale = Sale(
            id=str(uuid.uuid4()),
            order_number=f"SO-{account.sale_counter:05d}",
            customer=customer,
            location=location,
            created=now,
            last_modified=now,
            order_date=data.sale_order_date or now,
            external_id=external_id,
            customer_reference=reference,
            note=data.note or "",
            skip_quote=data.skip_quote,
            ship_by=data.ship_by,
            tax_rule=data.tax_rule or customer.tax_rule,
            tax_inclusive=data.tax_inclusive,
        )
        account.sales[sale.id] = sale
        self._announce(account, sale, "Sale/Created")
        return sale

    def get(self, account: Account, sale_id: str | None) -> Sale:
        if not sale_id:
            raise required("ID")
        sale = account.sales.get(sale_id)
        if sale is None:
            raise Cin7Error("Sale not found")
        return sale

    def list(self, account: Account, where: SaleFilter) -> list[Sale]:
        return [sale for sale in account.sales.values() if where.accepts(sale)]

    def set_order(self, account: Account, data: OrderInput) -> Sale:
        """Replace the order's lines; on AUTHORISED allocate, then apply the auto mode."""
        if not data.sale_id:
            raise required("SaleID")
        sale = self.get(account, data.sale_id)
        if sale.voided or sale.order_status not in ("NOT AVAILABLE", "DRAFT"):
            raise Cin7Error(f"Sale order with status '{sale.order_status}' cannot be changed")
        status = _document_status(data.status)
        mode = (data.auto_mode or "NOPICK").upper()
        if mode not in AUTO_MODES:
            raise Cin7Error(f"AutoPickPackShipMode '{data.auto_mode}' is not valid")
        lines = [self._line(account, line) for line in data.lines]
        if status == AUTHORISED and not lines:
            raise Cin7Error("Lines is invalid")
        sale.lines, sale.order_status, sale.auto_mode = lines, status, mode
        sale.order_memo = data.memo
        if status == AUTHORISED:
            for line in lines:
                self._stock.allocate(account, line, sale.location)
            sale.pick_status = sale.pack_status = sale.ship_status = "NOT AVAILABLE"
            self._announce(account, sale, "Sale/OrderAuthorised")
            if sale.backordered:
                # cin7-core.md §4: auto modes are for simple sales with no backorder.
                self._announce(account, sale, "Sale/Backordered")
            else:
                for stage in STAGES[: AUTO_MODES[mode]]:
                    self._authorise_stage(account, sale, stage)
        self._touch(sale)
        return sale

    def _line(self, account: Account, data: LineInput) -> SaleLine:
        product = find_product(account, product_id=data.product_id, sku=data.sku)
        for field, value in (
            ("Name", data.name),
            ("Quantity", data.quantity),
            ("Price", data.price),
            ("TaxRule", data.tax_rule),
        ):
            if value is None or value == "":
                raise required(field, line=True)
        assert data.quantity is not None
        assert data.price is not None
        if data.quantity <= 0:
            raise Cin7Error("'Quantity' should be greater than 0 for 'Lines' line")
        total = line_total(data.quantity, data.price, data.discount)
        if data.total is not None and abs(data.total - total) > TOTAL_TOLERANCE:
            raise Cin7Error(
                f"Total for line '{product.sku}' should be {total} (Quantity * Price - Discount)"
            )
        return SaleLine(
            product=product,
            name=data.name or product.name,
            quantity=data.quantity,
            price=data.price,
            discount=data.discount,
            tax=data.tax,
            tax_rule=data.tax_rule or "",
            comment=data.comment,
        )

    def fulfil(self, account: Account, stage: str, data: FulfilmentInput) -> Sale:
        """Pick needs an authorised order, pack an authorised pick, ship an authorised pack."""
        if not data.task_id:
            raise required("TaskID")
        sale = self.get(account, data.task_id)
        if sale.voided or not sale.order_authorised:
            raise Cin7Error("Sale order is not authorised")
        previous = {"pack": sale.pick_status, "ship": sale.pack_status}.get(stage, AUTHORISED)
        if previous != AUTHORISED:
            needed = STAGES[STAGES.index(stage) - 1].title()
            raise Cin7Error(f"{needed} is not authorised")
        if getattr(sale, f"{stage}_status") == AUTHORISED:
            raise Cin7Error(f"{stage.title()} is already authorised")
        status = AUTHORISED if data.auto else _document_status(data.status)
        if status == AUTHORISED:
            self._authorise_stage(account, sale, stage)
        else:
            setattr(sale, f"{stage}_status", status)
        self._touch(sale)
        return sale

    def _authorise_stage(self, account: Account, sale: Sale, stage: str) -> None:
        setattr(sale, f"{stage}_status", AUTHORISED)
        if stage == "pick":
            for line in sale.lines:
                self._stock.pick(account, line)
        self._announce(account, sale, STAGE_EVENTS[stage])

    def invoice(self, account: Account, data: InvoiceInput) -> Sale:
        if not data.sale_id:
            raise required("SaleID")
        sale = self.get(account, data.sale_id)
        if sale.voided or not sale.order_authorised:
            raise Cin7Error("Sale order is not authorised")
        existing = sale.invoice
        if existing is not None and existing.status == AUTHORISED:
            raise Cin7Error("Invoice is already authorised")
        if data.task_id not in (None, "", ZERO_GUID, sale.id):
            raise Cin7Error("Invoice not found")
        status = _document_status(data.status)
        now = self._clock.now()
        # No lines sent: the invoice bills the order's lines, without its stock allocations.
        lines = [self._line(account, line) for line in data.lines] or [
            replace(line, backorder=ZERO, allocations=[]) for line in sale.lines
        ]
        if existing is None:
            account.invoice_counter += 1
            number = f"INV-{account.invoice_counter:05d}"
        else:
            number = existing.number
        invoice_date = data.invoice_date or now
        sale.invoice = Invoice(
            task_id=sale.id,
            number=number,
            status=status,
            invoice_date=invoice_date,
            due_date=data.due_date or invoice_date + dt.timedelta(days=30),
            memo=data.memo,
            lines=lines,
        )
        if status == AUTHORISED:
            self._announce(account, sale, "Sale/InvoiceAuthorised")
        self._touch(sale)
        return sale

    def void(self, account: Account, sale_id: str | None, *, void: bool) -> Sale:
        """`Void=true` voids; the default undoes the order authorisation (emulated only there)."""
        sale = self.get(account, sale_id)
        if sale.voided:
            raise Cin7Error("Sale is voided")
        if sale.pick_status == AUTHORISED or sale.invoiced:
            action = "voided" if void else "undone"
            raise Cin7Error(
                f"Sale with authorised fulfilment or invoice cannot be {action}; undo them first"
            )
        if not void and not sale.order_authorised:
            raise Cin7Error("Nothing to undo")
        for line in sale.lines:
            self._stock.release(account, line)
            line.backorder = Decimal(0)
        if void:
            sale.voided, sale.order_status = True, "VOIDED"
        else:
            sale.order_status = "DRAFT"
            sale.pick_status = sale.pack_status = sale.ship_status = "NOT AVAILABLE"
        self._announce(account, sale, "Sale/Voided" if void else "Sale/Undo")
        self._touch(sale)
        return sale

    def _touch(self, sale: Sale) -> None:
        sale.last_modified = self._clock.now()

    def _announce(self, account: Account, sale: Sale, event_type: str) -> None:
        self._events.emit(account, event_type, lambda: sale_event(account, sale, event_type))
