"""In-memory repositories of the community context."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from uuid import UUID

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.community.activity import Activity
from estate_core.community.notice import Notice, NoticeRead, NoticeState
from estate_core.community.visitor import VisitorPass
from estate_core.shared.pagination import Page, PageRequest, paginate

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _newest_first(at: datetime, row_id: UUID) -> tuple[int, str]:
    """A keyset sort key that puts later instants first (negated microseconds, then id)."""
    return -((at - _EPOCH) // timedelta(microseconds=1)), str(row_id)


def _oldest_first(at: datetime, row_id: UUID) -> tuple[int, str]:
    return (at - _EPOCH) // timedelta(microseconds=1), str(row_id)


class InMemoryNoticeRepository(InMemoryRepository[Notice]):
    table = "notices"
    not_found_code = "notice.not_found"

    def in_community(
        self, community_id: UUID, page: PageRequest, states: frozenset[NoticeState] | None = None
    ) -> Page[Notice]:
        return paginate(
            self._select(
                lambda n: (
                    community_id in n.audience.community_ids
                    and (states is None or n.state in states)
                )
            ),
            key=lambda n: _newest_first(n.created_at, n.id),
            request=page,
        )

    def visible_in_community(
        self, community_id: UUID, property_ids: frozenset[UUID], page: PageRequest
    ) -> Page[Notice]:
        return paginate(
            self._select(
                lambda n: (
                    n.state is NoticeState.PUBLISHED
                    and community_id in n.audience.community_ids
                    and (not n.audience.targeted or bool(n.audience.property_ids & property_ids))
                )
            ),
            key=lambda n: _newest_first(n.published_at or n.created_at, n.id),
            request=page,
        )

    def due(self, now: datetime) -> list[Notice]:
        return self._select(lambda n: n.is_due(now))


class InMemoryNoticeReadRepository(InMemoryRepository[NoticeRead]):
    table = "notice_reads"
    unique = (("notice_id", "resident_id"),)
    not_found_code = "notice_read.not_found"

    def has_read(self, notice_id: UUID, resident_id: UUID) -> bool:
        return bool(
            self._select(lambda r: r.notice_id == notice_id and r.resident_id == resident_id)
        )

    def readers(self, notice_id: UUID) -> frozenset[UUID]:
        return frozenset(r.resident_id for r in self._select(lambda r: r.notice_id == notice_id))

    def read_among(self, resident_id: UUID, notice_ids: Collection[UUID]) -> frozenset[UUID]:
        wanted = set(notice_ids)
        return frozenset(
            r.notice_id
            for r in self._select(lambda r: r.resident_id == resident_id and r.notice_id in wanted)
        )


class InMemoryActivityRepository(InMemoryRepository[Activity]):
    table = "activities"
    not_found_code = "activity.not_found"

    def in_community(
        self, community_id: UUID, page: PageRequest, ending_after: datetime | None = None
    ) -> Page[Activity]:
        return paginate(
            self._select(
                lambda a: (
                    a.community_id == community_id
                    and (ending_after is None or a.ends_at > ending_after)
                )
            ),
            key=lambda a: _oldest_first(a.starts_at, a.id),
            request=page,
        )


class InMemoryVisitorPassRepository(InMemoryRepository[VisitorPass]):
    table = "visitor_passes"
    unique = (("token",),)
    not_found_code = "visitor_pass.not_found"

    def find_by_token(self, token: str) -> VisitorPass | None:
        found = self._select(lambda p: p.token == token)
        return found[0] if found else None

    def of_resident(self, resident_id: UUID, page: PageRequest) -> Page[VisitorPass]:
        return paginate(
            self._select(lambda p: p.resident_id == resident_id),
            key=lambda p: _newest_first(p.created_at, p.id),
            request=page,
        )

    def in_community(self, community_id: UUID, page: PageRequest) -> Page[VisitorPass]:
        return paginate(
            self._select(lambda p: p.community_id == community_id),
            key=lambda p: _newest_first(p.created_at, p.id),
            request=page,
        )
