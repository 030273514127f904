"""Records: provider objects a connection keeps in sync (suppliers, ingredients, storages...)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tillsync.store.tables.base import Base, id_column, tenant_column


class Record(Base):
    """One provider object, as last read: never deleted, marked removed (`deleted_at`)."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("connection_id", "entity", "external_id"),
        Index(None, "tenant_id", "entity", "name"),
    )
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    remote_updated_at: Mapped[dt.datetime | None]
    deleted_at: Mapped[dt.datetime | None]
    synced_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
