"""The repository base: every query scoped to the unit of work's tenant.

Repositories load aggregates through the ORM to change them (DESIGN.md: lists and screens are
served by read-model queries instead). Each aggregate handed out or added is remembered in
``seen``, which keeps it alive (the session's identity map holds objects only weakly) so that
the unit of work can collect its pending events on commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.persistence.sqlalchemy.errors import database_errors
from estate_core.shared.errors import InvalidInput, NotFound
from estate_core.shared.pagination import Page, PageRequest, decode_cursor, encode_cursor


class Stored(Protocol):
    @property
    def id(self) -> UUID: ...

    @property
    def tenant_id(self) -> UUID: ...


A = TypeVar("A", bound=Stored)

Seen = dict[int, Any]
"""Aggregates of one unit of work, by ``id(obj)`` (they are held, so ids stay unique)."""


def _cursor_part(value: Any) -> Any:
    """A sort-key value as the in-memory store encodes it: ints and strings as they are."""
    return value if isinstance(value, int | str) else str(value)


def _bound(column: sa.ColumnElement[Any], raw: Any) -> sa.ColumnElement[Any]:
    """A cursor value, checked and typed like the column it is compared with (times and dates
    as ISO 8601 text, an instant with its offset)."""
    column_type = column.type
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl_instance
    python_type = column_type.python_type
    try:
        if python_type is uuid.UUID:
            value = uuid.UUID(raw)
        elif python_type in (datetime, date):
            value = python_type.fromisoformat(raw)
        else:
            value = python_type(raw)
    except (TypeError, ValueError):
        raise InvalidInput(
            "page.invalid_cursor", "the cursor is not one this service gave"
        ) from None
    if isinstance(value, datetime) and value.utcoffset() is None:
        raise InvalidInput("page.invalid_cursor", "the cursor is not one this service gave")
    return sa.literal(value, column.type)


class SqlRepository(Generic[A]):
    """``add``/``get``/``find`` by id within the tenant; subclasses add their queries."""

    model: ClassVar[type[Any]]
    table: ClassVar[sa.Table]
    not_found_code: ClassVar[str] = "not_found"

    def __init__(self, session: Session, tenant_id: UUID, seen: Seen) -> None:
        self._session = session
        self._tenant_id = tenant_id
        self._seen = seen

    def add(self, aggregate: A) -> None:
        if aggregate.tenant_id != self._tenant_id:
            raise ValueError("aggregate belongs to another tenant than this unit of work")
        self._session.add(aggregate)
        self._seen[id(aggregate)] = aggregate

    def find(self, aggregate_id: UUID) -> A | None:
        with database_errors():
            self._session.flush()
            found: A | None = self._session.get(self.model, (self._tenant_id, aggregate_id))
        return self._track(found)

    def get(self, aggregate_id: UUID) -> A:
        found = self.find(aggregate_id)
        if found is None:
            raise NotFound(self.not_found_code, f"no {self.table.name} {aggregate_id}")
        return found

    def _select(self) -> sa.Select[Any]:
        """``SELECT`` of this aggregate, already limited to the unit of work's tenant."""
        return sa.select(self.model).where(self.table.c.tenant_id == self._tenant_id)

    def _all(self, statement: sa.Select[Any]) -> list[A]:
        with database_errors():
            self._session.flush()
            found: list[A] = list(self._session.scalars(statement))
        for aggregate in found:
            self._track(aggregate)
        return found

    def _one(self, statement: sa.Select[Any]) -> A | None:
        found = self._all(statement.limit(2))
        if len(found) > 1:
            raise LookupError(f"a unique lookup on {self.table.name} found several rows")
        return found[0] if found else None

    def _page(
        self,
        statement: sa.Select[Any],
        order: Sequence[sa.ColumnElement[Any]],
        key: Callable[[A], Sequence[Any]],
        page: PageRequest,
    ) -> Page[A]:
        """Keyset pagination on the unique sort key ``order`` (``key`` reads it off a row).

        Cursors are encoded like the in-memory store's, so a page means the same on every
        backend; the tuple comparison uses the index whose columns are ``order``.
        """
        if page.after is not None:
            after = decode_cursor(page.after)
            if len(after) != len(order):
                raise InvalidInput("page.invalid_cursor", "the cursor is not one this service gave")
            bounds = [_bound(column, raw) for column, raw in zip(order, after, strict=True)]
            statement = statement.where(sa.tuple_(*order) > sa.tuple_(*bounds))
        rows = self._all(statement.order_by(*order).limit(page.limit + 1))
        items = rows[: page.limit]
        next_cursor = None
        if len(rows) > page.limit:
            next_cursor = encode_cursor([_cursor_part(part) for part in key(items[-1])])
        return Page(items=items, next_cursor=next_cursor)

    def _track(self, aggregate: A | None) -> A | None:
        if aggregate is not None:
            self._seen[id(aggregate)] = aggregate
        return aggregate
