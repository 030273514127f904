"""Putting jobs, connections and sales straight into a hub's database, in any state."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from tillsync.jobs import store
from tillsync.store.tables import Connection, Job, Sale, SaleLine
from tillsync.store.uow import UnitsOfWork

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


async def add_job(
    uows: UnitsOfWork,
    *,
    kind: str,
    tenant_id: str | None = None,
    connection_id: str | None = None,
    subject: str | None = None,
    **values: Any,
) -> str:
    """Enqueue a job as the hub does, then set whatever columns the test names."""
    key = uuid.uuid4().hex
    async with uows.begin() as uow:
        new = store.NewJob(
            kind=kind,
            payload={},
            idempotency_key=key,
            tenant_id=tenant_id,
            connection_id=connection_id,
            subject=subject,
        )
        assert await store.enqueue(uow.session, new, now=uow.now)
        job_id = await uow.session.scalar(
            select(Job.id).where(Job.kind == kind, Job.idempotency_key == key)
        )
        assert job_id is not None
        if values:
            await uow.session.execute(update(Job).where(Job.id == job_id).values(**values))
        await uow.commit()
    return job_id


async def add_connection(
    uows: UnitsOfWork, tenant_id: str, *, provider: str = "cin7", role: str = "warehouse"
) -> str:
    async with uows.begin() as uow:
        connection = Connection(
            tenant_id=tenant_id,
            provider=provider,
            role=role,
            base_url="http://127.0.0.1:1",
            account_name=f"{provider} account",
            credentials="not used",
            created_at=uow.now,
            updated_at=uow.now,
        )
        uow.session.add(connection)
        await uow.commit()
    return connection.id


async def add_sale(uows: UnitsOfWork, tenant_id: str, reference: str, *, lines: int = 1) -> str:
    """A POS sale of `lines` lines of 2 × 9.50 each."""
    async with uows.begin() as uow:
        sale = Sale(
            tenant_id=tenant_id,
            source="pos",
            reference=reference,
            location="Main Warehouse",
            total=Decimal("19.00") * lines,
            created_at=T0,
        )
        uow.session.add(sale)
        await uow.session.flush()
        for position in range(lines):
            uow.session.add(
                SaleLine(
                    tenant_id=tenant_id,
                    sale_id=sale.id,
                    position=position,
                    sku=f"SKU-{position}",
                    name=f"Product {position}",
                    quantity=Decimal(2),
                    price=Decimal("9.50"),
                )
            )
        await uow.commit()
    return sale.id
