"""What the database plans for a repository's statement: the indexes it reads, whether it sorts.

The plan tests run a repository query, take the statement it sent, exactly as sent, and have the
real database explain it. A list must read the index named for it in the index's order: a
plan that still sorts means no index gives the list's order, and then page 10,000 costs more
than page 1. On the nearly empty test tables a sequential scan is rightly cheapest, so
PostgreSQL is told to avoid the plan kinds in ``avoid`` whenever it can (``SET LOCAL``, for this
one explain only); SQLite says when it would sort in a temporary B-tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, metadata

AVOIDED = ("enable_seqscan", "enable_bitmapscan", "enable_sort")
"""What PostgreSQL is told to avoid unless nothing else answers the query."""


class Plan(NamedTuple):
    indexes: set[str]
    """The indexes (and unique keys) the plan reads."""
    sorts: bool


@contextmanager
def statements_sent(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements and parameters sent to the database inside the ``with`` block."""
    sent: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        sent.append((args[2], args[3]))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def plan_of_query(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork],
    engine: Engine,
    tenant_id: UUID,
    query: Callable[[Any], object],
) -> Plan:
    """The plan of the first SELECT that ``query(uow)`` sends, in a unit of work of the tenant."""
    with statements_sent(engine) as sent, make_uow(tenant_id) as uow:
        query(uow)
    statement, parameters = next((s, p) for s, p in sent if s.lstrip().startswith("SELECT"))
    return explain(engine, statement, parameters)


def explain(
    engine: Engine, statement: str, parameters: Any, *, avoid: Iterable[str] = AVOIDED
) -> Plan:
    """The indexes the plan of ``statement`` reads, and whether it sorts."""
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        if engine.dialect.name == "postgresql":
            for setting in avoid:
                connection.exec_driver_sql(f"SET LOCAL {setting} = off")
            [[document]] = connection.exec_driver_sql(
                f"EXPLAIN (FORMAT JSON) {statement}", parameters
            ).all()
            nodes = list(_nodes(document[0]["Plan"]))
            indexes = {node["Index Name"] for node in nodes if "Index Name" in node}
            return Plan(indexes, any("Sort" in node["Node Type"] for node in nodes))
        details = [
            str(row[-1])
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
        words = {word for detail in details for word in detail.split()}
        indexes = {word for word in words if word.startswith(("ix_", "uq_"))}
        indexes |= {
            _unique_key(connection, word) for word in words if word.startswith("sqlite_autoindex_")
        }
        return Plan(indexes, any("TEMP B-TREE" in detail for detail in details))


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _unique_key(connection: sa.Connection, autoindex: str) -> str:
    """The name of the primary or unique key SQLite made ``autoindex`` for."""
    columns = [row[2] for row in connection.exec_driver_sql(f"PRAGMA index_info({autoindex})")]
    table = autoindex.removeprefix("sqlite_autoindex_").rsplit("_", 1)[0]
    return next(
        str(key.name)
        for key in metadata.tables[table].constraints
        if isinstance(key, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
        and [column.name for column in key.columns] == columns
    )
