"""Small lists of plain values kept as one JSON column of their aggregate's row.

For lists that are read and replaced only with their aggregate and never queried on: a staff
member's role codes and data scope, a role's permissions, an SMS throttle's recent sends. A
child table would cost a join and a row per value for nothing. JSONB on PostgreSQL.

The domain replaces these lists (``self.roles = list(roles)``), never changes them in place:
SQLAlchemy sees the new value and writes it. Values are stored in a canonical form (sorted
sets, ISO UTC instants), so equal values compare equal and no UPDATE is issued for nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

T = TypeVar("T")
E = TypeVar("E", bound=enum.StrEnum)


class _JsonList(sa.types.TypeDecorator[T], Generic[T]):
    impl = sa.JSON
    cache_ok = True
    alembic_render = 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        """``None`` is SQL NULL, not the JSON value ``null``: ``IS NULL`` means what it says."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(sa.JSON(none_as_null=True))


class StringList(_JsonList[list[str]]):
    """A list of strings, order kept (role codes, in the order they were granted)."""

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not all(isinstance(item, str) for item in value):
            raise TypeError("a string list column takes a list of str")
        return list(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else [str(item) for item in value]


class UuidList(_JsonList[list[UUID]]):
    """A list of ids; NULL is ``None`` (e.g. a data scope of every community)."""

    def process_bind_param(self, value: list[UUID] | None, dialect: Dialect) -> Any:
        return None if value is None else [str(UUID(str(item))) for item in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> list[UUID] | None:
        return None if value is None else [UUID(item) for item in value]


class StrEnumSet(_JsonList[frozenset[E]], Generic[E]):
    """A frozenset of a ``StrEnum``'s members, stored as the sorted list of their values."""

    def __init__(self, enum_class: type[E]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: Iterable[E] | None, dialect: Dialect) -> Any:
        return None if value is None else sorted(self.enum_class(item).value for item in value)

    def process_result_value(self, value: Any, dialect: Dialect) -> frozenset[E] | None:
        return None if value is None else frozenset(self.enum_class(item) for item in value)


class InstantList(_JsonList[list[datetime]]):
    """A list of aware instants, stored as ISO 8601 UTC strings; naive ones are refused."""

    def process_bind_param(self, value: list[datetime] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        stored = []
        for instant in value:
            if instant.tzinfo is None or instant.utcoffset() is None:
                raise ValueError("refusing a naive datetime: estate stores aware UTC instants")
            stored.append(instant.astimezone(UTC).isoformat())
        return stored

    def process_result_value(self, value: Any, dialect: Dialect) -> list[datetime] | None:
        if value is None:
            return None
        return [datetime.fromisoformat(item).astimezone(UTC) for item in value]
