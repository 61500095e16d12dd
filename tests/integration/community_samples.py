"""Builders of community aggregates (notices, activities, visitor passes) for the SQL tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from persistence_samples import Backend

from estate_core.community.activity import Activity
from estate_core.community.notice import Audience, Notice, NoticeKind
from estate_core.community.visitor import Visit, VisitorPass
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
STAFF = new_id()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def newest_first(at: datetime, row_id: UUID) -> tuple[int, str]:
    """The in-memory repositories' sort key of a newest-first list."""
    return -((at - _EPOCH) // timedelta(microseconds=1)), str(row_id)


def walk(fetch: Callable[[PageRequest], Page[Any]], limit: int = 2) -> list[UUID]:
    """Every id a list gives, page after page."""
    ids: list[UUID] = []
    cursor: str | None = None
    while True:
        page = fetch(PageRequest(limit=limit, after=cursor))
        ids += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return ids


_REPOSITORIES = {
    "Notice": "notices",
    "NoticeRead": "notice_reads",
    "Activity": "activities",
    "VisitorPass": "visitor_passes",
    "Property": "properties",
    "Resident": "residents",
}
"""The unit of work's repository of each aggregate the community tests store."""


def save(backend: Backend, tenant_id: UUID, *aggregates: Any) -> None:
    """Add the aggregates, each to its own repository, and commit them in one unit of work."""
    with backend.uow(tenant_id) as uow:
        for aggregate in aggregates:
            getattr(uow, _REPOSITORIES[type(aggregate).__name__]).add(aggregate)
        uow.commit()


def a_notice(
    tenant_id: UUID,
    community_ids: frozenset[UUID],
    property_ids: frozenset[UUID] = frozenset(),
    created_at: datetime = AT,
    kind: NoticeKind = NoticeKind.GENERAL,
) -> Notice:
    """A draft notice (publish it with ``notice.publish(at, STAFF)``)."""
    return Notice(
        id=new_id(),
        tenant_id=tenant_id,
        kind=kind,
        title="停水通知",
        body="本周六上午9点至12点停水，请提前储水。",
        audience=Audience(community_ids=community_ids, property_ids=property_ids),
        created_by=STAFF,
        created_at=created_at,
    )


def an_activity(
    tenant_id: UUID, community_id: UUID, capacity: int = 10, starts_at: datetime | None = None
) -> Activity:
    """An open activity a week after ``AT`` (or at ``starts_at``), three hours long."""
    starts = starts_at or AT + timedelta(days=7)
    return Activity.organise(
        id=new_id(),
        tenant_id=tenant_id,
        community_id=community_id,
        title="中秋游园会",
        description="猜灯谜、做月饼",
        capacity=capacity,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        sign_up_deadline=starts - timedelta(hours=12),
        created_by=STAFF,
        now=min(AT, starts - timedelta(days=1)),
    )


def a_visitor_pass(
    tenant_id: UUID,
    community_id: UUID,
    property_id: UUID,
    resident_id: UUID,
    created_at: datetime = AT,
    max_entries: int = 1,
) -> VisitorPass:
    return VisitorPass.issue(
        id=new_id(),
        tenant_id=tenant_id,
        community_id=community_id,
        property_id=property_id,
        resident_id=resident_id,
        visit=Visit(
            visitor_name="王阿姨",
            visitor_phone="13912345678",
            head_count=2,
            plate="川A12345",
            valid_from=created_at,
            valid_until=created_at + timedelta(days=2),
            max_entries=max_entries,
        ),
        now=created_at,
    )
