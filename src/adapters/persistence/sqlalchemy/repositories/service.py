"""Repositories of the service context: work orders 报修工单 and complaints 投诉建议.

Lists are keyset-paginated on a time and the id, with cursors made exactly as the in-memory
repositories make them (``[-microseconds since 1970, id]`` for newest-first lists,
``[microseconds, id]`` for the technician's queue), so a cursor means the same position on
every backend. Newest-first orders by ``created_at DESC, id ASC`` (the in-memory order), which
the ``(…, created_at DESC, id)`` indexes return as stored; each query names its index. The
worker's and the statistics' selections are whole lists, in the order of their index.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.repositories.base import SqlRepository, Stored
from adapters.persistence.sqlalchemy.tables.service import complaints, work_orders
from estate_core.service.complaint import Complaint, ComplaintStatus
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import WorkOrderStatus
from estate_core.shared.errors import InvalidInput
from estate_core.shared.pagination import Page, PageRequest, decode_cursor, encode_cursor

A = TypeVar("A", bound=Stored)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


def _invalid_cursor() -> InvalidInput:
    return InvalidInput("page.invalid_cursor", "the cursor is not one this service gave")


def _position(cursor: str, newest_first: bool) -> tuple[datetime, UUID]:
    """The (time, id) a cursor of :func:`_time_page` points after."""
    parts = decode_cursor(cursor)
    if len(parts) != 2 or type(parts[0]) is not int or not isinstance(parts[1], str):
        raise _invalid_cursor()
    try:
        at = _EPOCH + (-parts[0] if newest_first else parts[0]) * _MICROSECOND
        row_id = uuid.UUID(parts[1])
    except (OverflowError, ValueError):
        raise _invalid_cursor() from None
    return at, row_id


class _ServiceRepository(SqlRepository[A]):
    def _time_page(
        self,
        statement: sa.Select[Any],
        time_column: sa.Column[Any],
        time_of: Callable[[A], datetime],
        page: PageRequest,
        *,
        newest_first: bool,
    ) -> Page[A]:
        """One page ordered by ``time_column`` (descending if ``newest_first``), then id.

        After a cursor at (t, i): newest first, ``time <= t AND (time < t OR id > i)``, whose
        first term is the index range and the second drops the rows of page n-1 tied at t;
        oldest first, the row value ``(time, id) > (t, i)``.
        """
        id_column = self.table.c.id
        if page.after is not None:
            at, row_id = _position(page.after, newest_first)
            t = sa.literal(at, time_column.type)
            i = sa.literal(row_id, id_column.type)
            if newest_first:
                statement = statement.where(
                    time_column <= t, sa.or_(time_column < t, id_column > i)
                )
            else:
                statement = statement.where(sa.tuple_(time_column, id_column) > sa.tuple_(t, i))
        order = time_column.desc() if newest_first else time_column.asc()
        rows = self._all(statement.order_by(order, id_column.asc()).limit(page.limit + 1))
        items = rows[: page.limit]
        next_cursor = None
        if len(rows) > page.limit:
            last = items[-1]
            micros = _micros(time_of(last))
            next_cursor = encode_cursor([-micros if newest_first else micros, str(last.id)])
        return Page(items=items, next_cursor=next_cursor)


class SqlWorkOrderRepository(_ServiceRepository[WorkOrder]):
    model = WorkOrder
    table = work_orders
    not_found_code = "workorder.not_found"

    def of_resident(self, resident_id: UUID, page: PageRequest) -> Page[WorkOrder]:
        """我的报修, newest first: ``ix_work_orders_resident_newest``."""
        c = work_orders.c
        return self._time_page(
            self._select().where(c.resident_id == resident_id),
            c.created_at,
            lambda o: o.created_at,
            page,
            newest_first=True,
        )

    def in_community(
        self, community_id: UUID, status: WorkOrderStatus | None, page: PageRequest
    ) -> Page[WorkOrder]:
        """``ix_work_orders_community_status_newest``, or ``…_community_newest`` for all."""
        c = work_orders.c
        statement = self._select().where(c.community_id == community_id)
        if status is not None:
            statement = statement.where(c.status == status)
        return self._time_page(
            statement, c.created_at, lambda o: o.created_at, page, newest_first=True
        )

    def assigned_to(
        self, technician_id: UUID, statuses: Collection[WorkOrderStatus], page: PageRequest
    ) -> Page[WorkOrder]:
        """Soonest expected arrival first: the partial index ``ix_work_orders_technician_queue``.

        The statuses are rendered into the SQL as literals, in the enum's order (the index
        predicate's), so that PostgreSQL proves the query's ``status IN (…)`` implies the index
        predicate whatever plan it caches, and SQLite sees the very same term.
        """
        c = work_orders.c
        values = [status.value for status in WorkOrderStatus if status in statuses]
        in_statuses = sa.bindparam(
            "statuses", values, expanding=True, literal_execute=True, type_=sa.String()
        )
        return self._time_page(
            self._select().where(c.technician_id == technician_id, c.status.in_(in_statuses)),
            c.expected_arrival,
            _expected_arrival,
            page,
            newest_first=False,
        )

    def completed_before(self, cutoff: datetime) -> list[WorkOrder]:
        """The auto-close job's orders: ``ix_work_orders_tenant_id_status_completed_at``."""
        c = work_orders.c
        return self._all(
            self._select()
            .where(c.status == WorkOrderStatus.COMPLETED, c.completed_at <= cutoff)
            .order_by(c.completed_at)
        )

    def reported_between(
        self, community_id: UUID, since: datetime, until: datetime
    ) -> list[WorkOrder]:
        """Statistics over [since, until): a range of ``ix_work_orders_community_newest``."""
        c = work_orders.c
        return self._all(
            self._select()
            .where(c.community_id == community_id, c.created_at >= since, c.created_at < until)
            .order_by(c.created_at)
        )


def _expected_arrival(order: WorkOrder) -> datetime:
    if order.assignment is None:
        raise LookupError(f"work order {order.id} in a technician's queue has no assignment")
    return order.assignment.expected_arrival


class SqlComplaintRepository(_ServiceRepository[Complaint]):
    model = Complaint
    table = complaints
    not_found_code = "complaint.not_found"

    def of_resident(self, resident_id: UUID, page: PageRequest) -> Page[Complaint]:
        """投诉记录, newest first: ``ix_complaints_resident_newest``."""
        c = complaints.c
        return self._time_page(
            self._select().where(c.resident_id == resident_id),
            c.created_at,
            lambda complaint: complaint.created_at,
            page,
            newest_first=True,
        )

    def in_community(
        self, community_id: UUID, status: ComplaintStatus | None, page: PageRequest
    ) -> Page[Complaint]:
        """``ix_complaints_community_status_newest``, or ``…_community_newest`` for all."""
        c = complaints.c
        statement = self._select().where(c.community_id == community_id)
        if status is not None:
            statement = statement.where(c.status == status)
        return self._time_page(
            statement,
            c.created_at,
            lambda complaint: complaint.created_at,
            page,
            newest_first=True,
        )

    def replied_before(self, cutoff: datetime) -> list[Complaint]:
        """The auto-close job's complaints: ``ix_complaints_tenant_id_status_replied_at``."""
        c = complaints.c
        return self._all(
            self._select()
            .where(c.status == ComplaintStatus.REPLIED, c.replied_at <= cutoff)
            .order_by(c.replied_at)
        )

    def submitted_between(
        self, community_id: UUID, since: datetime, until: datetime
    ) -> list[Complaint]:
        """Statistics over [since, until): a range of ``ix_complaints_community_newest``."""
        c = complaints.c
        return self._all(
            self._select()
            .where(c.community_id == community_id, c.created_at >= since, c.created_at < until)
            .order_by(c.created_at)
        )
