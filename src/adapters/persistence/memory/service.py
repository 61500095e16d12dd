"""In-memory repositories of the service context."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from uuid import UUID

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.service.complaint import Complaint, ComplaintStatus
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import WorkOrderStatus
from estate_core.shared.pagination import Page, PageRequest, paginate

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def _newest_first(created_at: datetime, row_id: UUID) -> tuple[int, str]:
    """Keyset key of newest-first lists (ORDER BY created_at DESC, id DESC in SQL)."""
    return (-_micros(created_at), str(row_id))


class InMemoryWorkOrderRepository(InMemoryRepository[WorkOrder]):
    table = "work_orders"
    not_found_code = "workorder.not_found"

    def of_resident(self, resident_id: UUID, page: PageRequest) -> Page[WorkOrder]:
        return paginate(
            self._select(lambda o: o.resident_id == resident_id),
            key=lambda o: _newest_first(o.created_at, o.id),
            request=page,
        )

    def in_community(
        self, community_id: UUID, status: WorkOrderStatus | None, page: PageRequest
    ) -> Page[WorkOrder]:
        return paginate(
            self._select(lambda o: o.community_id == community_id and status in (None, o.status)),
            key=lambda o: _newest_first(o.created_at, o.id),
            request=page,
        )

    def assigned_to(
        self, technician_id: UUID, statuses: Collection[WorkOrderStatus], page: PageRequest
    ) -> Page[WorkOrder]:
        return paginate(
            self._select(lambda o: o.technician_id == technician_id and o.status in statuses),
            key=lambda o: (
                _micros(o.assignment.expected_arrival) if o.assignment else 0,
                str(o.id),
            ),
            request=page,
        )

    def completed_before(self, cutoff: datetime) -> list[WorkOrder]:
        return self._select(
            lambda o: (
                o.status is WorkOrderStatus.COMPLETED
                and o.completed_at is not None
                and o.completed_at <= cutoff
            )
        )

    def reported_between(
        self, community_id: UUID, since: datetime, until: datetime
    ) -> list[WorkOrder]:
        return self._select(
            lambda o: o.community_id == community_id and since <= o.created_at < until
        )


class InMemoryComplaintRepository(InMemoryRepository[Complaint]):
    table = "complaints"
    not_found_code = "complaint.not_found"

    def of_resident(self, resident_id: UUID, page: PageRequest) -> Page[Complaint]:
        return paginate(
            self._select(lambda c: c.resident_id == resident_id),
            key=lambda c: _newest_first(c.created_at, c.id),
            request=page,
        )

    def in_community(
        self, community_id: UUID, status: ComplaintStatus | None, page: PageRequest
    ) -> Page[Complaint]:
        return paginate(
            self._select(lambda c: c.community_id == community_id and status in (None, c.status)),
            key=lambda c: _newest_first(c.created_at, c.id),
            request=page,
        )

    def replied_before(self, cutoff: datetime) -> list[Complaint]:
        return self._select(
            lambda c: (
                c.status is ComplaintStatus.REPLIED
                and c.replied_at is not None
                and c.replied_at <= cutoff
            )
        )

    def submitted_between(
        self, community_id: UUID, since: datetime, until: datetime
    ) -> list[Complaint]:
        return self._select(
            lambda c: c.community_id == community_id and since <= c.created_at < until
        )
