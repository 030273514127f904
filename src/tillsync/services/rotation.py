"""Re-encrypting every sealed secret with the vault's first key, while the hub keeps running.

Rows are read outside any transaction and rewritten in short batches, each row only if it
still holds the value that was read (compare and set): a reader always finds a value some
key of the hub opens, and a credential replaced meanwhile is never overwritten by its old
self. Every process of the hub must know the new key (anywhere in its list) before this
runs, or it could not read the rewritten values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update

from tillsync.errors import ConfigurationError
from tillsync.store.tables import Connection
from tillsync.store.uow import UnitsOfWork
from tillsync.vault import Vault

SEALED: tuple[tuple[Any, str], ...] = ((Connection, "credentials"),)
"""Every (table, column) holding a vault-sealed value; a new sealed column is listed here."""
BATCH = 50

Progress = Callable[[int, int], None]
"""Told (rows looked at, rows in all) after each batch."""


@dataclass
class Rotation:
    looked_at: int = 0
    rewritten: int = 0
    current: int = 0
    changed_meanwhile: int = 0
    unreadable: list[str] = field(default_factory=list)
    """`table id` of values no key opens: sealed with a key the hub no longer has, or damaged."""

    @property
    def complete(self) -> bool:
        return not self.unreadable and not self.changed_meanwhile


async def rotate_secrets(
    uows: UnitsOfWork, vault: Vault, *, batch: int = BATCH, progress: Progress | None = None
) -> Rotation:
    result = Rotation()
    total = await _count(uows)
    for model, name in SEALED:
        column = getattr(model, name)
        after = ""
        while True:
            async with uows.read() as session:
                rows = (
                    await session.execute(
                        select(model.id, column)
                        .where(model.id > after)
                        .order_by(model.id)
                        .limit(batch)
                    )
                ).all()
            if not rows:
                break
            after = rows[-1][0]
            await _rotate_batch(uows, vault, model=model, name=name, rows=rows, result=result)
            if progress is not None:
                progress(result.looked_at, total)
    return result


async def _rotate_batch(
    uows: UnitsOfWork,
    vault: Vault,
    *,
    model: Any,
    name: str,
    rows: Sequence[Any],
    result: Rotation,
) -> None:
    column = getattr(model, name)
    resealed: list[tuple[str, str, str]] = []
    for row_id, sealed in rows:
        result.looked_at += 1
        if not sealed or not vault.needs_rotation(sealed):
            result.current += 1
            continue
        try:
            resealed.append((row_id, sealed, vault.seal(vault.open(sealed))))
        except ConfigurationError:
            result.unreadable.append(f"{model.__tablename__} {row_id}")
    if not resealed:
        return
    async with uows.begin() as uow:
        for row_id, old, new in resealed:
            changed = await uow.session.execute(
                update(model)
                .where(model.id == row_id, column == old)
                .values({name: new})
                .execution_options(synchronize_session=False)
            )
            if changed.rowcount == 1:  # type: ignore[attr-defined]
                result.rewritten += 1
            else:
                result.changed_meanwhile += 1
        await uow.commit()


async def _count(uows: UnitsOfWork) -> int:
    async with uows.read() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model)) for model, _ in SEALED
        ]
    return sum(int(count or 0) for count in counts)
