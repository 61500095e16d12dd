"""Each community list is served by its index, in the index's order: no sort, at any depth.

The statement a repository runs for a page (here a page after a cursor) is explained on the
real database. PostgreSQL is told to avoid sequential scans, bitmap scans and sorts whenever it
can, so a plan that still sorts means no index gives the list's order; SQLite says when it
would sort in a temporary B-tree. Walking the index from the cursor is what makes page 10,000
cost what page 1 costs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from community_samples import AT
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, metadata
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest, encode_cursor

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROS = (AT - _EPOCH) // timedelta(microseconds=1)
NEWER = PageRequest(limit=20, after=encode_cursor([-_MICROS, str(new_id())]))
LATER = PageRequest(limit=20, after=encode_cursor([_MICROS, str(new_id())]))

Query = Callable[[SqlAlchemyUnitOfWork], object]

QUERIES: dict[str, tuple[Query, str | frozenset[str]]] = {
    "staff notice list": (
        lambda uow: uow.notices.in_community(new_id(), NEWER),
        "ix_notice_communities_staff_list",
    ),
    "resident notice list": (
        lambda uow: uow.notices.visible_in_community(new_id(), frozenset({new_id()}), NEWER),
        "ix_notice_communities_resident_list",
    ),
    "notices due": (lambda uow: uow.notices.due(AT), "ix_notices_due"),
    "unread dots": (
        lambda uow: uow.notice_reads.read_among(new_id(), [new_id(), new_id()]),
        frozenset(
            {
                "ix_notice_reads_tenant_id_resident_id_notice_id",
                "uq_notice_reads_tenant_id_notice_id_resident_id",
            }
        ),
    ),
    "readers": (
        lambda uow: uow.notice_reads.readers(new_id()),
        "uq_notice_reads_tenant_id_notice_id_resident_id",
    ),
    "activities": (
        lambda uow: uow.activities.in_community(new_id(), LATER),
        "ix_activities_tenant_id_community_id_starts_at_id",
    ),
    "visitor history": (
        lambda uow: uow.visitor_passes.of_resident(new_id(), NEWER),
        "ix_visitor_passes_resident_history",
    ),
    "gate log": (
        lambda uow: uow.visitor_passes.in_community(new_id(), NEWER),
        "ix_visitor_passes_gate_log",
    ),
}


@pytest.fixture
def capture(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements and parameters sent to the database while the test runs."""
    sent: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        sent.append((args[2], args[3]))

    sa.event.listen(engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(engine, "before_cursor_execute", record)


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _unique_constraint(connection: sa.Connection, autoindex: str) -> str:
    """The name of the primary or unique key SQLite made ``autoindex`` for."""
    columns = [row[2] for row in connection.exec_driver_sql(f"PRAGMA index_info({autoindex})")]
    table = autoindex.removeprefix("sqlite_autoindex_").rsplit("_", 1)[0]
    return next(
        str(constraint.name)
        for constraint in metadata.tables[table].constraints
        if isinstance(constraint, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
        and [column.name for column in constraint.columns] == columns
    )


def _explain(engine: Engine, statement: str, parameters: Any) -> tuple[set[str], bool]:
    """The indexes the plan reads, and whether it sorts."""
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        if engine.dialect.name == "postgresql":
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                connection.exec_driver_sql(f"SET LOCAL {setting} = off")
            [[document]] = connection.exec_driver_sql(
                f"EXPLAIN (FORMAT JSON) {statement}", parameters
            ).all()
            nodes = list(_nodes(document[0]["Plan"]))
            indexes = {node["Index Name"] for node in nodes if "Index Name" in node}
            return indexes, any("Sort" in node["Node Type"] for node in nodes)
        details = [
            str(row[-1])
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
        words = {word for detail in details for word in detail.split()}
        indexes = {word for word in words if word.startswith(("ix_", "uq_"))}
        indexes |= {
            _unique_constraint(connection, word)
            for word in words
            if word.startswith("sqlite_autoindex_")
        }
        return indexes, any("TEMP B-TREE" in detail for detail in details)


def test_a_page_of_each_list_is_read_in_index_order(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork],
    engine: Engine,
    capture: list[tuple[str, Any]],
    tenant_id: UUID,
) -> None:
    wrong: dict[str, tuple[set[str], bool]] = {}
    for name, (query, expected) in QUERIES.items():
        capture.clear()
        with make_uow(tenant_id) as uow:
            query(uow)
        statement, parameters = next((s, p) for s, p in capture if s.lstrip().startswith("SELECT"))
        indexes, sorts = _explain(engine, statement, parameters)
        acceptable = {expected} if isinstance(expected, str) else expected
        if sorts or not indexes & acceptable:
            wrong[name] = (indexes, sorts)
    assert wrong == {}, "lists read through another index, or sorted"
