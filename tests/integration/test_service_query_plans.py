"""Every service query is served by the index meant for it, in index order, at any depth.

Each repository query, exactly as the repository sends it, is explained by the database: it
must read the index named for it, in the index's order (no sort step), on SQLite and on
PostgreSQL, for a first page and for a later one (after a cursor). So the cost of a page does
not grow with its depth, and the worker's jobs and the statistics read a range of an index.
The DESC columns matter here: Alembic's comparison does not see an index's sort order, this does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from query_plans import Plan, explain, statements_sent
from service_samples import AT
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.service.complaint import ComplaintStatus
from estate_core.service.workorder_states import QUEUE_STATUSES, WorkOrderStatus
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest, encode_cursor

MakeUow = Callable[[UUID], SqlAlchemyUnitOfWork]

LATER = PageRequest(limit=3, after=encode_cursor([-1_773_540_000_000_000, str(new_id())]))
"""A page after a newest-first cursor (the in-memory format: minus microseconds, id)."""
LATER_IN_QUEUE = PageRequest(limit=3, after=encode_cursor([1_773_540_000_000_000, str(new_id())]))
FIRST = PageRequest(limit=3)
SEQUENTIAL_SCANS = ("enable_seqscan",)
"""What PostgreSQL is told to avoid: on the nearly empty tables a sequential scan is rightly
cheapest; avoiding it, the plan shows whether an index can answer the query in order, as it
must once the table is large."""


_MAIN_SELECT = re.compile(r"\bFROM (work_orders|complaints)\b")


def _main_query(engine: Engine, call: Callable[[], object]) -> tuple[str, Any]:
    """The statement (and parameters) a repository call sends for its aggregates' rows."""
    with statements_sent(engine) as sent:
        call()
    main = [
        (statement, parameters)
        for statement, parameters in sent
        if statement.lstrip().upper().startswith("SELECT") and _MAIN_SELECT.search(statement)
    ]
    assert len(main) == 1, main
    return main[0]


LIST_QUERIES: dict[str, tuple[str, Callable[[Any, UUID], object]]] = {
    "my orders": (
        "ix_work_orders_resident_newest",
        lambda uow, some: uow.work_orders.of_resident(some, FIRST),
    ),
    "my orders, a later page": (
        "ix_work_orders_resident_newest",
        lambda uow, some: uow.work_orders.of_resident(some, LATER),
    ),
    "a community's orders": (
        "ix_work_orders_community_newest",
        lambda uow, some: uow.work_orders.in_community(some, None, LATER),
    ),
    "a community's pending orders": (
        "ix_work_orders_community_status_newest",
        lambda uow, some: uow.work_orders.in_community(some, WorkOrderStatus.PENDING, LATER),
    ),
    "a technician's queue": (
        "ix_work_orders_technician_queue",
        lambda uow, some: uow.work_orders.assigned_to(some, QUEUE_STATUSES, FIRST),
    ),
    "a technician's queue, a later page": (
        "ix_work_orders_technician_queue",
        lambda uow, some: uow.work_orders.assigned_to(some, QUEUE_STATUSES, LATER_IN_QUEUE),
    ),
    "my complaints": (
        "ix_complaints_resident_newest",
        lambda uow, some: uow.complaints.of_resident(some, LATER),
    ),
    "a community's complaints": (
        "ix_complaints_community_newest",
        lambda uow, some: uow.complaints.in_community(some, None, LATER),
    ),
    "a community's replied complaints": (
        "ix_complaints_community_status_newest",
        lambda uow, some: uow.complaints.in_community(some, ComplaintStatus.REPLIED, LATER),
    ),
}

RANGE_QUERIES: dict[str, tuple[str, Callable[[Any, UUID], object]]] = {
    "orders to auto-close": (
        "ix_work_orders_tenant_id_status_completed_at",
        lambda uow, some: uow.work_orders.completed_before(AT),
    ),
    "orders for statistics": (
        "ix_work_orders_community_newest",
        lambda uow, some: uow.work_orders.reported_between(some, AT, AT + timedelta(days=31)),
    ),
    "complaints to auto-close": (
        "ix_complaints_tenant_id_status_replied_at",
        lambda uow, some: uow.complaints.replied_before(AT),
    ),
    "complaints for statistics": (
        "ix_complaints_community_newest",
        lambda uow, some: uow.complaints.submitted_between(some, AT, AT + timedelta(days=31)),
    ),
}


def test_every_query_reads_its_index_in_order_at_any_depth(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    """Lists (first and later pages), the worker's jobs and the statistics alike."""
    misread: dict[str, Plan] = {}
    for name, (index, call) in {**LIST_QUERIES, **RANGE_QUERIES}.items():
        with make_uow(tenant_id) as uow:
            statement, parameters = _main_query(engine, functools.partial(call, uow, new_id()))
        plan = explain(engine, statement, parameters, avoid=SEQUENTIAL_SCANS)
        if index not in plan.indexes or plan.sorts:
            misread[name] = plan
    assert misread == {}
