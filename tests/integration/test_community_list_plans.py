"""Each community list is served by its index, in the index's order: no sort, at any depth.

The statement a repository runs for a page (here a page after a cursor) is explained on the
real database. PostgreSQL is told to avoid sequential scans, bitmap scans and sorts whenever it
can, so a plan that still sorts means no index gives the list's order; SQLite says when it
would sort in a temporary B-tree. Walking the index from the cursor is what makes page 10,000
cost what page 1 costs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from community_samples import AT
from query_plans import plan_of_query
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
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


def test_a_page_of_each_list_is_read_in_index_order(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork],
    engine: Engine,
    tenant_id: UUID,
) -> None:
    wrong: dict[str, tuple[set[str], bool]] = {}
    for name, (query, expected) in QUERIES.items():
        indexes, sorts = plan_of_query(make_uow, engine, tenant_id, query)
        acceptable = {expected} if isinstance(expected, str) else expected
        if sorts or not indexes & acceptable:
            wrong[name] = (indexes, sorts)
    assert wrong == {}, "lists read through another index, or sorted"
