"""Column types that keep the domain's value rules at the database boundary.

- :class:`MoneyType`: ``Money`` as BIGINT fen; never a float, never a decimal.
- :class:`UtcDateTime`: an aware instant in, an aware UTC instant out, on every backend.
  SQLite has no time zones, so the UTC wall time is stored and UTC is put back on read; a
  naive datetime is refused rather than guessed.
- :class:`ExactDecimal`: NUMERIC(p, s) that refuses to round; on SQLite (no decimal type) the
  value travels as a float, which is exact for the 15 significant digits it allows.
- :func:`str_enum`: a ``StrEnum`` as a VARCHAR holding its values, with a CHECK constraint.
- :data:`JsonDocument`: JSON, stored as JSONB on PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from estate_core.shared.money import Money

MAX_EXACT_DIGITS = 15
"""Significant digits a float (SQLite's only non-integer number) carries exactly."""


class MoneyType(sa.types.TypeDecorator[Money]):
    """``Money`` as a whole number of fen in a BIGINT column."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Money | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Money):
            raise TypeError(f"a money column takes Money, got {type(value).__name__}")
        return value.fen

    def process_result_value(self, value: int | None, dialect: Dialect) -> Money | None:
        return None if value is None else Money(int(value))


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC and always read back as aware UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"a time column takes a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("refusing a naive datetime: estate stores aware UTC instants")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ExactDecimal(sa.types.TypeDecorator[Decimal]):
    """NUMERIC(precision, scale) for ``Decimal`` (areas, rates, unit prices), never rounded.

    A value with more decimals than ``scale`` is refused: rounding is the domain's job
    (``round_half_up``), never the database's.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        if precision > MAX_EXACT_DIGITS:
            raise ValueError(f"at most {MAX_EXACT_DIGITS} digits stay exact on SQLite")
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)
        self._limit = Decimal(1).scaleb(precision - scale)

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(
                sa.Numeric(precision=self.precision, scale=self.scale, asdecimal=False)
            )
        return dialect.type_descriptor(
            sa.Numeric(precision=self.precision, scale=self.scale, asdecimal=True)
        )

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal | int):
            raise TypeError(f"a decimal column takes Decimal, got {type(value).__name__}")
        exact = Decimal(value)
        if exact != exact.quantize(self._quantum):
            raise ValueError(f"{value} has more than {self.scale} decimals")
        if abs(exact) >= self._limit:
            raise ValueError(f"{value} does not fit NUMERIC({self.precision}, {self.scale})")
        return float(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(self._quantum)


def str_enum(enum_class: type[enum.StrEnum], name: str, length: int = 32) -> sa.Enum:
    """A VARCHAR of the enum's values with a CHECK constraint ``ck_<table>_<name>``.

    Not a native PostgreSQL enum: adding a state is then a new CHECK in a migration, the same
    on both backends, instead of ``ALTER TYPE`` (which SQLite lacks).
    """
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


JsonDocument = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
