"""Database errors as domain errors, so callers see the same codes as with the memory store.

- A unique key violated → ``Conflict`` with the code in the constraint's ``info`` (e.g. the
  one-owner index → ``household.already_bound``) or ``<table>.duplicate``.
- A versioned UPDATE that matched no row (``StaleDataError``), a PostgreSQL serialization
  failure or deadlock, or SQLite still locked after the busy timeout → ``ConcurrencyConflict``:
  someone else changed the data first; the command can be retried.
Anything else (a CHECK or foreign key violation: a bug, not a user's conflict) is re-raised.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from adapters.persistence.sqlalchemy.metadata import CONFLICT_CODE
from adapters.persistence.sqlalchemy.tables import metadata
from estate_core.shared.errors import ConcurrencyConflict, Conflict

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$")
_PG_UNIQUE_VIOLATION = "23505"
_PG_RETRYABLE = {"40001", "40P01"}


@functools.cache
def _unique_keys() -> tuple[dict[str, tuple[str, str]], dict[tuple[str, ...], tuple[str, str]]]:
    """Unique keys of the metadata: by name, and by ``(table, *columns)`` (SQLite's report)."""
    by_name: dict[str, tuple[str, str]] = {}
    by_columns: dict[tuple[str, ...], tuple[str, str]] = {}
    for table in metadata.tables.values():
        keys: list[Any] = [table.primary_key]
        keys += [c for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
        keys += [index for index in table.indexes if index.unique]
        for key in keys:
            code = key.info.get(CONFLICT_CODE, f"{table.name}.duplicate")
            columns = tuple(column.name for column in key.columns)
            by_name[str(key.name)] = (table.name, code)
            by_columns[(table.name, *columns)] = (table.name, code)
    return by_name, by_columns


def unique_violation(error: IntegrityError) -> Conflict | None:
    """The Conflict a unique-key violation means, or None if it is another integrity error.

    PostgreSQL names the violated constraint; SQLite lists the table's columns instead.
    """
    by_name, by_columns = _unique_keys()
    original = error.orig
    if getattr(original, "sqlstate", None) == _PG_UNIQUE_VIOLATION:
        diag = getattr(original, "diag", None)
        name = getattr(diag, "constraint_name", None) or ""
        table = getattr(diag, "table_name", None) or "row"
        table, code = by_name.get(name, (table, f"{table}.duplicate"))
    else:
        found = _SQLITE_UNIQUE.search(str(original))
        if found is None:
            return None
        qualified = [part.strip() for part in found["columns"].split(",")]
        table = qualified[0].split(".")[0]
        columns = tuple(part.split(".", 1)[-1] for part in qualified)
        table, code = by_columns.get((table, *columns), (table, f"{table}.duplicate"))
    return Conflict(code, f"another {table} row already has this key", table=table)


def _retryable(error: DBAPIError) -> bool:
    if getattr(error.orig, "sqlstate", None) in _PG_RETRYABLE:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


@contextmanager
def database_errors() -> Iterator[None]:
    """Translate what a flush, query or commit raises into the domain's errors."""
    try:
        yield
    except StaleDataError as error:
        raise ConcurrencyConflict(
            "this was changed by someone else since it was loaded; retry the command"
        ) from error
    except IntegrityError as error:
        conflict = unique_violation(error)
        if conflict is None:
            raise
        raise conflict from error
    except DBAPIError as error:
        if _retryable(error):
            raise ConcurrencyConflict("the database is busy with a conflicting change") from error
        raise
