"""Repositories of the community context.

Lists page on a time and the id, as the in-memory repositories do: the cursor is
``[±microseconds since the epoch, str(id)]`` (negated for newest first), so a cursor means the
same position on every backend. Newest-first lists order by ``time DESC, id ASC``, which the
``(..., time DESC, id)`` indexes serve in one forward range scan.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.repositories.base import SqlRepository, Stored
from adapters.persistence.sqlalchemy.tables.community import (
    activities,
    notice_communities,
    notice_properties,
    notice_reads,
    notices,
    visitor_passes,
)
from estate_core.community.activity import Activity
from estate_core.community.notice import Notice, NoticeRead, NoticeState
from estate_core.community.visitor import VisitorPass
from estate_core.shared.errors import InvalidInput
from estate_core.shared.pagination import Page, PageRequest, decode_cursor, encode_cursor

A = TypeVar("A", bound=Stored)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

_PUBLISHED_IN_LIST = sa.text("notice_communities.state = 'published'")
"""Written as the partial index's predicate, so PostgreSQL matches the index in every plan."""

_SCHEDULED = sa.text("notices.state = 'scheduled'")


def _invalid_cursor() -> InvalidInput:
    return InvalidInput("page.invalid_cursor", "the cursor is not one this service gave")


class _TimeOrderedRepository(SqlRepository[A]):
    """A repository whose lists page on an instant and the id (see the module)."""

    def _time_page(
        self,
        statement: sa.Select[Any],
        at: sa.ColumnElement[datetime],
        row_id: sa.ColumnElement[UUID],
        at_of: Callable[[A], datetime],
        page: PageRequest,
        *,
        newest_first: bool,
    ) -> Page[A]:
        """Keyset pagination on ``(at, row_id)``: newest first (``at`` descending) or oldest."""
        sign = -1 if newest_first else 1
        if page.after is not None:
            after = decode_cursor(page.after)
            if len(after) != 2 or type(after[0]) is not int or not isinstance(after[1], str):
                raise _invalid_cursor()
            try:
                bound_at = _EPOCH + _MICROSECOND * (sign * after[0])
                bound_id = uuid.UUID(after[1])
            except (ValueError, OverflowError):
                raise _invalid_cursor() from None
            if newest_first:
                statement = statement.where(
                    at <= bound_at, sa.or_(at < bound_at, row_id > bound_id)
                )
            else:
                statement = statement.where(
                    at >= bound_at, sa.or_(at > bound_at, row_id > bound_id)
                )
        order: list[sa.ColumnElement[Any]] = [at.desc() if newest_first else at, row_id]
        rows = self._all(statement.order_by(*order).limit(page.limit + 1))
        items = rows[: page.limit]
        next_cursor = None
        if len(rows) > page.limit:
            last = items[-1]
            micros = (at_of(last) - _EPOCH) // _MICROSECOND
            next_cursor = encode_cursor([sign * micros, str(last.id)])
        return Page(items=items, next_cursor=next_cursor)


class SqlNoticeRepository(_TimeOrderedRepository[Notice]):
    model = Notice
    table = notices
    not_found_code = "notice.not_found"

    def _of_community(self, community_id: UUID) -> sa.Select[Any]:
        nc = notice_communities.c
        return (
            self._select()
            .join(
                notice_communities,
                sa.and_(nc.tenant_id == notices.c.tenant_id, nc.notice_id == notices.c.id),
            )
            .where(nc.tenant_id == self._tenant_id, nc.community_id == community_id)
        )

    def in_community(
        self, community_id: UUID, page: PageRequest, states: frozenset[NoticeState] | None = None
    ) -> Page[Notice]:
        """Newest first, through ``ix_notice_communities_staff_list``."""
        nc = notice_communities.c
        statement = self._of_community(community_id)
        if states is not None:
            statement = statement.where(nc.state.in_(sorted(states)))
        return self._time_page(
            statement, nc.created_at, nc.notice_id, lambda n: n.created_at, page, newest_first=True
        )

    def visible_in_community(
        self, community_id: UUID, property_ids: frozenset[UUID], page: PageRequest
    ) -> Page[Notice]:
        """Newest publication first, through ``ix_notice_communities_resident_list``: public
        notices, and targeted ones whose homes include one of ``property_ids``."""
        nc, np = notice_communities.c, notice_properties.c
        for_one_of_the_homes = (
            sa.select(np.notice_id)
            .where(
                np.tenant_id == self._tenant_id,
                np.notice_id == nc.notice_id,
                np.property_id.in_(sorted(property_ids)),
            )
            .exists()
        )
        statement = self._of_community(community_id).where(
            _PUBLISHED_IN_LIST, sa.or_(nc.targeted.is_(False), for_one_of_the_homes)
        )
        return self._time_page(
            statement,
            nc.published_at,
            nc.notice_id,
            lambda n: n.published_at or n.created_at,
            page,
            newest_first=True,
        )

    def due(self, now: datetime) -> list[Notice]:
        """Through the partial index ``ix_notices_due``, oldest publication time first."""
        c = notices.c
        return self._all(
            self._select().where(_SCHEDULED, c.publish_at <= now).order_by(c.publish_at, c.id)
        )


class SqlNoticeReadRepository(SqlRepository[NoticeRead]):
    """Read receipts; the queries return ids, never receipts, so they read columns only."""

    model = NoticeRead
    table = notice_reads
    not_found_code = "notice_read.not_found"

    def _ids(self, statement: sa.Select[Any]) -> frozenset[UUID]:
        with database_errors():
            self._session.flush()
            return frozenset(self._session.scalars(statement))

    def has_read(self, notice_id: UUID, resident_id: UUID) -> bool:
        c = notice_reads.c
        return bool(
            self._ids(
                sa.select(c.notice_id)
                .where(
                    c.tenant_id == self._tenant_id,
                    c.notice_id == notice_id,
                    c.resident_id == resident_id,
                )
                .limit(1)
            )
        )

    def readers(self, notice_id: UUID) -> frozenset[UUID]:
        c = notice_reads.c
        return self._ids(
            sa.select(c.resident_id).where(c.tenant_id == self._tenant_id, c.notice_id == notice_id)
        )

    def read_among(self, resident_id: UUID, notice_ids: Collection[UUID]) -> frozenset[UUID]:
        if not notice_ids:
            return frozenset()
        c = notice_reads.c
        return self._ids(
            sa.select(c.notice_id).where(
                c.tenant_id == self._tenant_id,
                c.resident_id == resident_id,
                c.notice_id.in_(sorted(set(notice_ids))),
            )
        )


class SqlActivityRepository(_TimeOrderedRepository[Activity]):
    model = Activity
    table = activities
    not_found_code = "activity.not_found"

    def in_community(
        self, community_id: UUID, page: PageRequest, ending_after: datetime | None = None
    ) -> Page[Activity]:
        """By start time, through ``(tenant_id, community_id, starts_at, id)``."""
        c = activities.c
        statement = self._select().where(c.community_id == community_id)
        if ending_after is not None:
            statement = statement.where(c.ends_at > ending_after)
        return self._time_page(
            statement, c.starts_at, c.id, lambda a: a.starts_at, page, newest_first=False
        )


class SqlVisitorPassRepository(_TimeOrderedRepository[VisitorPass]):
    model = VisitorPass
    table = visitor_passes
    not_found_code = "visitor_pass.not_found"

    def find_by_token(self, token: str) -> VisitorPass | None:
        return self._one(self._select().where(visitor_passes.c.token == token))

    def of_resident(self, resident_id: UUID, page: PageRequest) -> Page[VisitorPass]:
        """访客记录, newest first, through ``ix_visitor_passes_resident_history``."""
        c = visitor_passes.c
        return self._time_page(
            self._select().where(c.resident_id == resident_id),
            c.created_at,
            c.id,
            lambda p: p.created_at,
            page,
            newest_first=True,
        )

    def in_community(self, community_id: UUID, page: PageRequest) -> Page[VisitorPass]:
        """The gate's log, newest first, through ``ix_visitor_passes_gate_log``."""
        c = visitor_passes.c
        return self._time_page(
            self._select().where(c.community_id == community_id),
            c.created_at,
            c.id,
            lambda p: p.created_at,
            page,
            newest_first=True,
        )
