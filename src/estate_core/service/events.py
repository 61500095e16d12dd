"""Service events. Each one becomes a message to the resident (and to staff where named).

Every event carries the resident to notify and the community, so the worker can route it without
loading the order.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent


@attrs.frozen(kw_only=True)
class WorkOrderEvent(DomainEvent):
    work_order_id: UUID
    community_id: UUID
    resident_id: UUID


@attrs.frozen(kw_only=True)
class WorkOrderReported(WorkOrderEvent):
    channel: str
    kind: str
    category: str


@attrs.frozen(kw_only=True)
class WorkOrderApproved(WorkOrderEvent):
    note: str


@attrs.frozen(kw_only=True)
class WorkOrderRejected(WorkOrderEvent):
    reason: str


@attrs.frozen(kw_only=True)
class WorkOrderDispatched(WorkOrderEvent):
    """受理结果: the technician responsible and the expected arrival (seed 001 §2.2.2)."""

    technician_id: UUID
    technician_name: str
    technician_phone: str
    expected_arrival: datetime


@attrs.frozen(kw_only=True)
class WorkOrderReassigned(WorkOrderDispatched):
    """改派: the new technician is told, and so is the previous one."""

    previous_technician_id: UUID


@attrs.frozen(kw_only=True)
class WorkOrderAccepted(WorkOrderEvent):
    """The technician confirmed: tell the resident who comes, when, and how to reach them."""

    technician_id: UUID
    technician_name: str
    technician_phone: str
    expected_arrival: datetime


@attrs.frozen(kw_only=True)
class WorkOrderCompleted(WorkOrderEvent):
    """Done: invite the resident to rate the repair (待评价)."""

    technician_id: UUID
    photos: tuple[str, ...]


@attrs.frozen(kw_only=True)
class WorkOrderClosed(WorkOrderEvent):
    """Closed by the resident's rating, or automatically (``stars`` None) after three days."""

    stars: int | None
    automatic: bool


@attrs.frozen(kw_only=True)
class WorkOrderCancelled(WorkOrderEvent):
    by_resident: bool
    reason: str


@attrs.frozen(kw_only=True)
class WorkOrderVisited(WorkOrderEvent):
    staff_id: UUID


@attrs.frozen(kw_only=True)
class ComplaintEvent(DomainEvent):
    complaint_id: UUID
    community_id: UUID
    resident_id: UUID


@attrs.frozen(kw_only=True)
class ComplaintSubmitted(ComplaintEvent):
    kind: str
    category: str


@attrs.frozen(kw_only=True)
class ComplaintAccepted(ComplaintEvent):
    handler_id: UUID


@attrs.frozen(kw_only=True)
class ComplaintReplied(ComplaintEvent):
    staff_id: UUID
    text: str


@attrs.frozen(kw_only=True)
class ComplaintReopened(ComplaintEvent):
    handler_id: UUID | None
    reason: str


@attrs.frozen(kw_only=True)
class ComplaintClosed(ComplaintEvent):
    stars: int | None
    automatic: bool


@attrs.frozen(kw_only=True)
class ComplaintVisited(ComplaintEvent):
    staff_id: UUID
