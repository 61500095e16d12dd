"""Service: work orders 报修 and complaints 投诉建议, with their timelines."""

from __future__ import annotations

import datetime
from uuid import UUID

import msgspec

from entrypoints.http.schemas import Body, View
from estate_core.service.common import ActorKind
from estate_core.service.complaint import ComplaintCategory, ComplaintKind, ComplaintStatus
from estate_core.service.workorder_states import RepairKind, ReportChannel, WorkOrderStatus


class UploadView(View):
    key: str
    media_type: str
    size: int


class TechnicianView(View):
    staff_id: UUID
    name: str
    phone: str


class RatingView(View):
    stars: int
    text: str


class VisitView(View):
    at: datetime.datetime
    staff_id: UUID
    note: str


class ActorRefView(View):
    kind: ActorKind
    id: UUID | None
    job: str


class TimelineView(View):
    at: datetime.datetime
    action: str
    status: str
    actor: ActorRefView
    note: str


class WorkOrderSummaryView(View):
    id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    channel: ReportChannel
    kind: RepairKind
    category: str
    status: WorkOrderStatus
    created_at: datetime.datetime
    preferred_time: datetime.datetime | None
    technician_id: UUID | None
    expected_arrival: datetime.datetime | None


class WorkOrderView(View):
    """Phones stay whole here: the technician and the resident call each other."""

    id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    channel: ReportChannel
    kind: RepairKind
    category: str
    description: str
    photos: list[str]
    contact_phone: str
    preferred_time: datetime.datetime | None
    status: WorkOrderStatus
    created_at: datetime.datetime
    review_note: str
    technician: TechnicianView | None
    expected_arrival: datetime.datetime | None
    accepted_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    completion_photos: list[str]
    completion_note: str
    closed_at: datetime.datetime | None
    rating: RatingView | None
    cancel_reason: str
    visit: VisitView | None
    timeline: list[TimelineView]


class NewWorkOrder(Body):
    property_id: UUID
    category: str
    description: str
    photos: list[str] = msgspec.field(default_factory=list)
    contact_phone: str | None = None
    kind: RepairKind = RepairKind.FAULT
    preferred_time: datetime.datetime | None = None


class Note(Body):
    note: str = ""


class Reason(Body):
    reason: str


class Rate(Body):
    stars: int
    text: str = ""


class Dispatch(Body):
    technician_id: UUID
    expected_arrival: datetime.datetime
    note: str = ""


class Accept(Body):
    expected_arrival: datetime.datetime | None = None


class Complete(Body):
    photos: list[str]
    note: str = ""


class ComplaintSummaryView(View):
    id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    kind: ComplaintKind
    category: ComplaintCategory
    status: ComplaintStatus
    created_at: datetime.datetime
    handler_id: UUID | None


class ReplyView(View):
    at: datetime.datetime
    staff_id: UUID
    text: str


class ComplaintView(View):
    id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    kind: ComplaintKind
    category: ComplaintCategory
    text: str
    photos: list[str]
    contact_phone: str
    status: ComplaintStatus
    created_at: datetime.datetime
    handler_id: UUID | None
    accepted_at: datetime.datetime | None
    replies: list[ReplyView]
    replied_at: datetime.datetime | None
    reopened_at: datetime.datetime | None
    reopen_reason: str
    closed_at: datetime.datetime | None
    rating: RatingView | None
    visit: VisitView | None
    timeline: list[TimelineView]


class NewComplaint(Body):
    property_id: UUID
    kind: ComplaintKind
    category: ComplaintCategory
    text: str
    photos: list[str] = msgspec.field(default_factory=list)
    contact_phone: str | None = None


class ReplyText(Body):
    text: str
