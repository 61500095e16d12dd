"""Read models of the service context: what use cases return instead of live aggregates."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from estate_core.service.common import Rating, ReturnVisit, TimelineEntry
from estate_core.service.complaint import (
    Complaint,
    ComplaintCategory,
    ComplaintKind,
    ComplaintStatus,
    Reply,
)
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import (
    RepairKind,
    ReportChannel,
    Technician,
    WorkOrderStatus,
)


@attrs.frozen(kw_only=True)
class WorkOrderSummary:
    """One line of a work-order list (我的报修, 报修派单, a technician's queue)."""

    id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    channel: ReportChannel
    kind: RepairKind
    category: str
    status: WorkOrderStatus
    created_at: datetime
    preferred_time: datetime | None
    technician_id: UUID | None
    expected_arrival: datetime | None


@attrs.frozen(kw_only=True)
class WorkOrderView:
    """One work order in full, with its timeline (报修进度)."""

    id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    channel: ReportChannel
    kind: RepairKind
    category: str
    description: str
    photos: tuple[str, ...]
    contact_phone: str
    preferred_time: datetime | None
    status: WorkOrderStatus
    created_at: datetime
    review_note: str
    technician: Technician | None
    expected_arrival: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    completion_photos: tuple[str, ...]
    completion_note: str
    closed_at: datetime | None
    rating: Rating | None
    cancel_reason: str
    visit: ReturnVisit | None
    timeline: tuple[TimelineEntry, ...]


def work_order_summary(order: WorkOrder) -> WorkOrderSummary:
    return WorkOrderSummary(
        id=order.id,
        community_id=order.community_id,
        property_id=order.property_id,
        resident_id=order.resident_id,
        channel=order.channel,
        kind=order.kind,
        category=order.category,
        status=order.status,
        created_at=order.created_at,
        preferred_time=order.preferred_time,
        technician_id=order.technician_id,
        expected_arrival=order.assignment.expected_arrival if order.assignment else None,
    )


def work_order_view(order: WorkOrder) -> WorkOrderView:
    assignment = order.assignment
    return WorkOrderView(
        id=order.id,
        community_id=order.community_id,
        property_id=order.property_id,
        resident_id=order.resident_id,
        channel=order.channel,
        kind=order.kind,
        category=order.category,
        description=order.description,
        photos=tuple(order.photos),
        contact_phone=order.contact_phone,
        preferred_time=order.preferred_time,
        status=order.status,
        created_at=order.created_at,
        review_note=order.review_note,
        technician=assignment.technician if assignment else None,
        expected_arrival=assignment.expected_arrival if assignment else None,
        accepted_at=order.accepted_at,
        completed_at=order.completed_at,
        completion_photos=tuple(order.completion_photos),
        completion_note=order.completion_note,
        closed_at=order.closed_at,
        rating=order.rating,
        cancel_reason=order.cancel_reason,
        visit=order.visit,
        timeline=tuple(order.timeline),
    )


@attrs.frozen(kw_only=True)
class ComplaintSummary:
    id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    kind: ComplaintKind
    category: ComplaintCategory
    status: ComplaintStatus
    created_at: datetime
    handler_id: UUID | None


@attrs.frozen(kw_only=True)
class ComplaintView:
    """One complaint in full: its replies, progress (办理进度) and the resident's rating."""

    id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    kind: ComplaintKind
    category: ComplaintCategory
    text: str
    photos: tuple[str, ...]
    contact_phone: str
    status: ComplaintStatus
    created_at: datetime
    handler_id: UUID | None
    accepted_at: datetime | None
    replies: tuple[Reply, ...]
    replied_at: datetime | None
    reopened_at: datetime | None
    reopen_reason: str
    closed_at: datetime | None
    rating: Rating | None
    visit: ReturnVisit | None
    timeline: tuple[TimelineEntry, ...]


def complaint_summary(complaint: Complaint) -> ComplaintSummary:
    return ComplaintSummary(
        id=complaint.id,
        community_id=complaint.community_id,
        property_id=complaint.property_id,
        resident_id=complaint.resident_id,
        kind=complaint.kind,
        category=complaint.category,
        status=complaint.status,
        created_at=complaint.created_at,
        handler_id=complaint.handler_id,
    )


def complaint_view(complaint: Complaint) -> ComplaintView:
    return ComplaintView(
        id=complaint.id,
        community_id=complaint.community_id,
        property_id=complaint.property_id,
        resident_id=complaint.resident_id,
        kind=complaint.kind,
        category=complaint.category,
        text=complaint.text,
        photos=tuple(complaint.photos),
        contact_phone=complaint.contact_phone,
        status=complaint.status,
        created_at=complaint.created_at,
        handler_id=complaint.handler_id,
        accepted_at=complaint.accepted_at,
        replies=tuple(complaint.replies),
        replied_at=complaint.replied_at,
        reopened_at=complaint.reopened_at,
        reopen_reason=complaint.reopen_reason,
        closed_at=complaint.closed_at,
        rating=complaint.rating,
        visit=complaint.visit,
        timeline=tuple(complaint.timeline),
    )
