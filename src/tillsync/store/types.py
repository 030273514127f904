"""Column types that keep Python values exact on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

SCALE = 10_000


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware UTC datetimes; SQLite returns them naive, so they are made aware on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Scaled(TypeDecorator[Decimal]):
    """A Decimal with four places kept as an integer count of ten-thousandths.

    Integer arithmetic inside SQL (the conditional stock updates) stays exact on SQLite,
    which has no decimal type of its own.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than 4 decimal places")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / SCALE).quantize(Decimal("0.0001"))

    def process_literal_param(self, value: Decimal | None, dialect: Dialect) -> str:
        return "NULL" if value is None else str(int(Decimal(value) * SCALE))
