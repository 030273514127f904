"""Stock rows: availability listing, allocation for sales, and absolute adjustments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from tillsync.emulators.cin7.commands import AdjustmentInput, AdjustmentLineInput
from tillsync.emulators.cin7.errors import Cin7Error, required
from tillsync.emulators.cin7.events import EventBus
from tillsync.emulators.cin7.records import (
    ZERO,
    Account,
    Adjustment,
    AdjustmentLine,
    Allocation,
    Location,
    Product,
    SaleLine,
    StockRow,
)

ADJUSTMENT_STATUSES = ("DRAFT", "COMPLETED")
FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class AvailabilityFilter:
    id: str | None = None
    name: str | None = None
    sku: str | None = None
    location: str | None = None
    batch: str | None = None
    category: str | None = None

    def accepts_product(self, product: Product) -> bool:
        return (
            (self.id is None or product.id == self.id)
            and (self.name is None or product.name.casefold().startswith(self.name.casefold()))
            and (self.sku is None or product.sku.casefold() == self.sku.casefold())
            and (self.category is None or product.category.casefold() == self.category.casefold())
        )

    def accepts_row(self, row: StockRow) -> bool:
        return (
            self.location is None or row.location.name.casefold() == self.location.casefold()
        ) and (self.batch is None or row.batch == self.batch)


def find_product(account: Account, *, product_id: str | None, sku: str | None) -> Product:
    if product_id:
        product = account.products.get(product_id)
        if product is None:
            raise Cin7Error(f"Product with ID '{product_id}' was not found")
        return product
    if sku:
        found = account.product_by_sku(sku)
        if found is None:
            raise Cin7Error(f"Product with SKU '{sku}' was not found")
        return found
    raise required("ProductID", line=True)


def find_location(account: Account, *, location_id: str | None, name: str | None) -> Location:
    location = account.locations.get(location_id) if location_id else None
    if location is None and name:
        location = account.location_named(name)
    if location is None:
        if not (location_id or name):
            raise required("Location")
        raise Cin7Error(
            f"Location '{name or location_id}' was not found in Locations reference book"
        )
    return location


class Stock:
    def __init__(self, *, events: EventBus) -> None:
        self._events = events

    def availability(
        self, account: Account, where: AvailabilityFilter
    ) -> list[tuple[Product, StockRow]]:
        """One entry per product x location x bin x batch; rows all at zero are left out."""
        return [
            (product, row)
            for product in account.products.values()
            if where.accepts_product(product)
            for row in product.rows
            if not row.is_empty() and where.accepts_row(row)
        ]

    def allocate(self, account: Account, line: SaleLine, location: Location) -> None:
        """Allocate what is available at the location; the rest is a silent backorder."""
        if line.product.type != "Stock":
            return
        wanted = line.quantity
        for row in line.product.rows_at(location):
            if wanted <= 0:
                break
            take = min(wanted, max(row.available, ZERO))
            if take > 0:
                row.allocated += take
                line.allocations.append(Allocation(row=row, quantity=take))
                wanted -= take
        line.backorder = wanted
        if line.allocations:
            self._events.stock_changed(account, line.product, location)

    def release(self, account: Account, line: SaleLine) -> None:
        for allocation in line.allocations:
            allocation.row.allocated -= allocation.quantity
            self._events.stock_changed(account, line.product, allocation.row.location)
        line.allocations.clear()

    def pick(self, account: Account, line: SaleLine) -> None:
        """GUESS (cin7-core.md §4): on-hand falls when the pick is authorised."""
        for allocation in line.allocations:
            allocation.row.on_hand -= allocation.quantity
            allocation.row.allocated -= allocation.quantity
            self._events.stock_changed(account, line.product, allocation.row.location)

    def save_adjustment(self, account: Account, data: AdjustmentInput) -> Adjustment:
        """POST (no TaskID) or PUT of a DRAFT adjustment; stock moves only when COMPLETED."""
        existing = None
        if data.task_id:
            existing = account.adjustments.get(data.task_id)
            if existing is None:
                raise Cin7Error("Stock adjustment not found")
            if existing.status != "DRAFT":
                raise Cin7Error(
                    f"Stock adjustment with status '{existing.status}' cannot be changed"
                )
        if data.effective_date is None:
            raise required("EffectiveDate")
        if not data.status:
            raise required("Status")
        status = data.status.upper()
        if status not in ADJUSTMENT_STATUSES:
            raise Cin7Error(f"Status '{data.status}' is not valid")
        if not data.lines:
            raise required("Lines")
        lines = [self._line(account, line) for line in data.lines]
        if existing is None:
            account.adjustment_counter += 1
            existing = Adjustment(
                task_id=str(uuid.uuid4()),
                number=f"ST-{account.adjustment_counter:05d}",
                effective_date=data.effective_date,
                status=status,
                reference="",
                comment="",
                account_code="",
                update_on_hand=False,
                lines=[],
            )
            account.adjustments[existing.task_id] = existing
        existing.effective_date, existing.status, existing.lines = (
            data.effective_date,
            status,
            lines,
        )
        existing.reference, existing.comment = data.reference, data.comment
        existing.account_code, existing.update_on_hand = data.account_code, data.update_on_hand
        if status == "COMPLETED":
            for line in lines:
                self._apply(account, line)
        return existing

    def _line(self, account: Account, data: AdjustmentLineInput) -> AdjustmentLine:
        product = find_product(account, product_id=data.product_id, sku=data.sku)
        if product.type != "Stock":
            raise Cin7Error(f"Product '{product.sku}' is not a stock product")
        if data.quantity is None:
            raise required("Quantity", line=True)
        if data.quantity < 0:
            raise Cin7Error("'Quantity' should not be negative for 'Lines' line")
        if data.unit_cost is None:
            raise required("UnitCost", line=True)
        if not (data.location or data.location_id):
            raise required("Location", line=True)
        location = find_location(account, location_id=data.location_id, name=data.location)
        if not data.batch and product.costing_method != "FIFO":
            raise required("BatchSN", line=True)
        bin_name = None
        if data.bin:
            found = location.bin_named(data.bin)
            if found is None:
                raise Cin7Error(f"Bin '{data.bin}' was not found in location '{location.name}'")
            bin_name = found.name
        row = product.row(location, bin_name, data.batch or None)
        line = AdjustmentLine(
            product=product,
            location=location,
            bin=bin_name,
            batch=data.batch or None,
            expiry=data.expiry,
            quantity=data.quantity,
            unit_cost=data.unit_cost,
            comment=data.comment,
        )
        if row is not None and not row.is_empty():
            line.existing_on_hand, line.existing_available = row.on_hand, row.available
        return line

    def _apply(self, account: Account, line: AdjustmentLine) -> None:
        """`Quantity` is the row's new on-hand, not a delta (cin7-core.md §5)."""
        product = line.product
        row = product.row(line.location, line.bin, line.batch)
        if row is None:
            row = StockRow(
                location=line.location, bin=line.bin, batch=line.batch, expiry=line.expiry
            )
            product.rows.append(row)
        added = line.quantity - row.on_hand
        if added > 0:
            held = sum((r.on_hand for r in product.rows), ZERO)
            value = held * product.average_cost + added * line.unit_cost
            product.average_cost = (value / (held + added)).quantize(FOUR_PLACES)
        row.on_hand = line.quantity
        if added:
            self._events.stock_changed(account, product, line.location)

    def list_adjustments(self, account: Account, *, status: str | None) -> list[Adjustment]:
        return [
            adjustment
            for adjustment in account.adjustments.values()
            if status is None or adjustment.status == status.upper()
        ]

    def get_adjustment(self, account: Account, task_id: str | None) -> Adjustment:
        if not task_id:
            raise required("TaskID")
        adjustment = account.adjustments.get(task_id)
        if adjustment is None:
            raise Cin7Error("Stock adjustment not found")
        return adjustment
