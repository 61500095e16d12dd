"""The vocabulary of WorkOrder 报修工单: kinds, channels, states, the one transition table
(DESIGN.md §4) and the assignment of a technician."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import TypedDict
from uuid import UUID

import attrs

AUTO_CLOSE_AFTER = timedelta(days=3)
"""Seed 004: unrated three days after completion, the order becomes 已完成 by itself."""


class RepairKind(enum.StrEnum):
    FAULT = "fault"
    """故障报修: dispatched as soon as customer service has a technician."""
    APPOINTMENT = "appointment"
    """预约维修: at a preferred time, possibly beyond routine repairs, so reviewed first."""


class ReportChannel(enum.StrEnum):
    ONLINE = "online"
    """在线报修: the resident reported it themselves."""
    PHONE = "phone"
    """电话报修: customer service entered it for the resident who called."""


class WorkOrderStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class WorkOrderAction(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    DISPATCH = "dispatch"
    REASSIGN = "reassign"
    ACCEPT = "accept"
    COMPLETE = "complete"
    RATE = "rate"
    AUTO_CLOSE = "auto_close"
    CANCEL_BY_RESIDENT = "cancel_by_resident"
    CANCEL_BY_STAFF = "cancel_by_staff"
    VISIT = "visit"


S, A = WorkOrderStatus, WorkOrderAction

TRANSITIONS: dict[tuple[WorkOrderStatus, WorkOrderAction], WorkOrderStatus] = {
    (S.PENDING, A.APPROVE): S.APPROVED,
    (S.PENDING, A.REJECT): S.REJECTED,
    (S.PENDING, A.DISPATCH): S.DISPATCHED,
    (S.APPROVED, A.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.REASSIGN): S.DISPATCHED,
    (S.ACCEPTED, A.REASSIGN): S.DISPATCHED,
    (S.DISPATCHED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.COMPLETE): S.COMPLETED,
    (S.COMPLETED, A.RATE): S.CLOSED,
    (S.COMPLETED, A.AUTO_CLOSE): S.CLOSED,
    (S.PENDING, A.CANCEL_BY_RESIDENT): S.CANCELLED,
    (S.APPROVED, A.CANCEL_BY_RESIDENT): S.CANCELLED,
    (S.PENDING, A.CANCEL_BY_STAFF): S.CANCELLED,
    (S.APPROVED, A.CANCEL_BY_STAFF): S.CANCELLED,
    (S.DISPATCHED, A.CANCEL_BY_STAFF): S.CANCELLED,
    (S.ACCEPTED, A.CANCEL_BY_STAFF): S.CANCELLED,
    (S.CLOSED, A.VISIT): S.CLOSED,
}
"""The one table of allowed transitions. Two rules depend on the kind as well as the state:
approve and reject apply to appointments only, and an appointment is dispatched from
``approved``, never straight from ``pending`` (see :meth:`WorkOrder._target`)."""

OPEN_STATUSES = frozenset({S.PENDING, S.APPROVED, S.DISPATCHED, S.ACCEPTED})
QUEUE_STATUSES = frozenset({S.DISPATCHED, S.ACCEPTED})
"""A technician's queue (我的派单): orders assigned to them and not yet completed."""


@attrs.frozen(kw_only=True)
class Technician:
    """The technician (维修员) an order is dispatched to, as the resident will be told."""

    staff_id: UUID
    name: str
    phone: str


@attrs.frozen(kw_only=True)
class Assignment:
    """派工: who was sent, when they are expected, and when they were sent."""

    technician: Technician
    expected_arrival: datetime
    dispatched_at: datetime

    def notice(self) -> AssignmentNotice:
        return {
            "technician_id": self.technician.staff_id,
            "technician_name": self.technician.name,
            "technician_phone": self.technician.phone,
            "expected_arrival": self.expected_arrival,
        }


class AssignmentNotice(TypedDict):
    technician_id: UUID
    technician_name: str
    technician_phone: str
    expected_arrival: datetime
