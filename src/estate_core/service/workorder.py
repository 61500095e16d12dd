"""WorkOrder 报修工单: a repair from report to rating (DESIGN.md §4, seed 001 §2.2.2, seed 004).

Seed 004's states with seed 001's dispatch flow: ``pending`` 待处理 → (``approved`` |
``rejected``, appointments only) → ``dispatched`` 待上门 → ``accepted`` → ``completed`` 待评价 →
``closed`` 已完成 (rated, or automatically three days later) → return visit 回访. Staff may
reassign 改派 (``dispatched``/``accepted`` → ``dispatched``) and cancel anything not yet
completed; the resident may cancel until a technician is sent.

Every transition is in :data:`TRANSITIONS`, appends one timeline entry and records one event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypedDict
from uuid import UUID

import attrs

from estate_core.service import events
from estate_core.service.common import (
    ActorRef,
    Rating,
    ReturnVisit,
    TimelineEntry,
    aware,
    optional_text,
    photo_keys,
    required_text,
)
from estate_core.service.errors import (
    AlreadyVisited,
    NotAppointment,
    NotAssignee,
    NotReporter,
    PhotosRequired,
    ReasonRequired,
    ReviewRequired,
    SameTechnician,
    TooEarlyToClose,
)
from estate_core.service.statistics import ServiceRecord
from estate_core.service.workorder_states import (
    AUTO_CLOSE_AFTER,
    TRANSITIONS,
    Assignment,
    RepairKind,
    ReportChannel,
    Technician,
    WorkOrderAction,
    WorkOrderStatus,
)
from estate_core.shared.errors import InvalidInput, InvalidTransition
from estate_core.shared.events import Aggregate

S, A = WorkOrderStatus, WorkOrderAction


class _Refs(TypedDict):
    work_order_id: UUID
    community_id: UUID
    resident_id: UUID


@attrs.define(slots=False, eq=False, kw_only=True)
class WorkOrder(Aggregate):
    """WorkOrder 报修工单: one repair for one property, reported by (or for) one resident."""

    id: UUID
    tenant_id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    channel: ReportChannel
    kind: RepairKind
    category: str
    description: str
    photos: list[str] = attrs.field(factory=list)
    contact_phone: str
    preferred_time: datetime | None = None
    status: WorkOrderStatus = WorkOrderStatus.PENDING
    created_at: datetime
    review_note: str = ""
    assignment: Assignment | None = None
    accepted_at: datetime | None = None
    completed_at: datetime | None = None
    completion_photos: list[str] = attrs.field(factory=list)
    completion_note: str = ""
    closed_at: datetime | None = None
    rating: Rating | None = None
    cancel_reason: str = ""
    visit: ReturnVisit | None = None
    timeline: list[TimelineEntry] = attrs.field(factory=list)

    @classmethod
    def report(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        community_id: UUID,
        property_id: UUID,
        resident_id: UUID,
        channel: ReportChannel,
        kind: RepairKind,
        category: str,
        description: str,
        photos: Sequence[str],
        contact_phone: str,
        preferred_time: datetime | None,
        by: ActorRef,
        at: datetime,
    ) -> WorkOrder:
        """A new order, ``pending``; an appointment needs a preferred time not in the past."""
        if kind is RepairKind.APPOINTMENT:
            if preferred_time is None or aware(preferred_time, "workorder.invalid_time") < at:
                raise InvalidInput(
                    "workorder.preferred_time_required", "an appointment needs a future time"
                )
        elif preferred_time is not None:
            raise InvalidInput(
                "workorder.preferred_time_required", "only appointments carry a preferred time"
            )
        order = cls(
            id=id,
            tenant_id=tenant_id,
            community_id=community_id,
            property_id=property_id,
            resident_id=resident_id,
            channel=channel,
            kind=kind,
            category=required_text(category, "workorder.invalid_category", "a category", 30),
            description=required_text(
                description, "workorder.invalid_description", "a description"
            ),
            photos=photo_keys(photos),
            contact_phone=contact_phone,
            preferred_time=preferred_time,
            created_at=at,
        )
        order.timeline.append(
            TimelineEntry(at=at, action="report", status=order.status.value, actor=by)
        )
        order.record(
            events.WorkOrderReported(
                **order._refs(), channel=channel, kind=kind, category=order.category
            )
        )
        return order

    def _refs(self) -> _Refs:
        return {
            "work_order_id": self.id,
            "community_id": self.community_id,
            "resident_id": self.resident_id,
        }

    def _target(self, action: WorkOrderAction) -> WorkOrderStatus:
        """The state ``action`` leads to, or the error refusing it; changes nothing."""
        target = TRANSITIONS.get((self.status, action))
        if target is None:
            raise InvalidTransition("workorder", self.status.value, action.value)
        appointment = self.kind is RepairKind.APPOINTMENT
        if action in (A.APPROVE, A.REJECT) and not appointment:
            raise NotAppointment("only appointment repairs are reviewed")
        if action is A.DISPATCH and self.status is S.PENDING and appointment:
            raise ReviewRequired("an appointment repair is approved before dispatch")
        return target

    def _move(
        self,
        action: WorkOrderAction,
        target: WorkOrderStatus,
        by: ActorRef,
        at: datetime,
        event: events.WorkOrderEvent,
        note: str = "",
    ) -> None:
        self.status = target
        self.timeline.append(
            TimelineEntry(at=at, action=action.value, status=target.value, actor=by, note=note)
        )
        self.record(event)

    @property
    def technician_id(self) -> UUID | None:
        return self.assignment.technician.staff_id if self.assignment else None

    def approve(self, by: ActorRef, at: datetime, note: str = "") -> None:
        target = self._target(A.APPROVE)
        note = optional_text(note, "workorder.invalid_note", "a note")
        self.review_note = note
        self._move(A.APPROVE, target, by, at, events.WorkOrderApproved(**self._refs(), note=note))

    def reject(self, by: ActorRef, at: datetime, reason: str) -> None:
        target = self._target(A.REJECT)
        reason = _reason(reason)
        self.review_note = reason
        self._move(
            A.REJECT,
            target,
            by,
            at,
            events.WorkOrderRejected(**self._refs(), reason=reason),
            reason,
        )

    def dispatch(
        self, technician: Technician, expected_arrival: datetime, by: ActorRef, at: datetime
    ) -> None:
        """派工: the technician and expected arrival are the 受理结果 the resident is sent."""
        target = self._target(A.DISPATCH)
        assignment = self._assign(technician, expected_arrival, at)
        event = events.WorkOrderDispatched(**self._refs(), **assignment.notice())
        self._move(A.DISPATCH, target, by, at, event)

    def reassign(
        self,
        technician: Technician,
        expected_arrival: datetime,
        by: ActorRef,
        at: datetime,
        note: str = "",
    ) -> None:
        """改派 to another technician; the order waits for the new one's confirmation."""
        target = self._target(A.REASSIGN)
        previous = self.technician_id
        if previous is None or technician.staff_id == previous:
            raise SameTechnician("the order is already with this technician")
        note = optional_text(note, "workorder.invalid_note", "a note")
        assignment = self._assign(technician, expected_arrival, at)
        self.accepted_at = None
        event = events.WorkOrderReassigned(
            **self._refs(), **assignment.notice(), previous_technician_id=previous
        )
        self._move(A.REASSIGN, target, by, at, event, note)

    def _assign(
        self, technician: Technician, expected_arrival: datetime, at: datetime
    ) -> Assignment:
        _check_arrival(expected_arrival, at)
        self.assignment = Assignment(
            technician=technician, expected_arrival=expected_arrival, dispatched_at=at
        )
        return self.assignment

    def _require_assignee(self, staff_id: UUID) -> Assignment:
        if self.assignment is None or staff_id != self.assignment.technician.staff_id:
            raise NotAssignee("only the technician this order is dispatched to may do this")
        return self.assignment

    def accept(self, staff_id: UUID, at: datetime, arrival: datetime | None = None) -> None:
        """The technician confirms (possibly after phoning the resident, with a new time)."""
        target = self._target(A.ACCEPT)
        assignment = self._require_assignee(staff_id)
        if arrival is not None:
            _check_arrival(arrival, at)
            assignment = attrs.evolve(assignment, expected_arrival=arrival)
        self.assignment = assignment
        self.accepted_at = at
        event = events.WorkOrderAccepted(**self._refs(), **assignment.notice())
        self._move(A.ACCEPT, target, ActorRef.staff(staff_id), at, event)

    def complete(self, staff_id: UUID, photos: Sequence[str], at: datetime, note: str = "") -> None:
        """完成: the technician uploads photos of the finished repair."""
        target = self._target(A.COMPLETE)
        self._require_assignee(staff_id)
        keys = photo_keys(photos)
        if not keys:
            raise PhotosRequired("a completed repair needs at least one photo")
        note = optional_text(note, "workorder.invalid_note", "a note")
        self.completion_photos = keys
        self.completion_note = note
        self.completed_at = at
        event = events.WorkOrderCompleted(
            **self._refs(), technician_id=staff_id, photos=tuple(keys)
        )
        self._move(A.COMPLETE, target, ActorRef.staff(staff_id), at, event, note)

    def rate(self, resident_id: UUID, rating: Rating, at: datetime) -> None:
        """The reporting resident rates the repair (星级评价 + 文字), which closes it."""
        target = self._target(A.RATE)
        if resident_id != self.resident_id:
            raise NotReporter("only the resident who reported the repair rates it")
        self.rating = rating
        self.closed_at = at
        event = events.WorkOrderClosed(**self._refs(), stars=rating.stars, automatic=False)
        self._move(A.RATE, target, ActorRef.resident(resident_id), at, event, rating.text)

    def auto_close_due(self, now: datetime) -> bool:
        return (
            self.status is S.COMPLETED
            and self.completed_at is not None
            and now >= self.completed_at + AUTO_CLOSE_AFTER
        )

    def close_unrated(self, at: datetime) -> None:
        """The system closes an order left unrated three days after completion."""
        target = self._target(A.AUTO_CLOSE)
        if not self.auto_close_due(at):
            raise TooEarlyToClose("the resident may still rate this repair")
        self.closed_at = at
        event = events.WorkOrderClosed(**self._refs(), stars=None, automatic=True)
        self._move(A.AUTO_CLOSE, target, ActorRef.system("workorder.auto_close"), at, event)

    def cancel_by_resident(self, resident_id: UUID, at: datetime, reason: str = "") -> None:
        """The reporting resident withdraws the report; only before a technician is sent."""
        target = self._target(A.CANCEL_BY_RESIDENT)
        if resident_id != self.resident_id:
            raise NotReporter("only the resident who reported the repair may cancel it")
        reason = optional_text(reason, "workorder.invalid_note", "a reason")
        self.cancel_reason = reason
        event = events.WorkOrderCancelled(**self._refs(), by_resident=True, reason=reason)
        self._move(A.CANCEL_BY_RESIDENT, target, ActorRef.resident(resident_id), at, event, reason)

    def cancel_by_staff(self, by: ActorRef, at: datetime, reason: str) -> None:
        """Staff cancel any order not yet completed, always with a reason the resident sees."""
        target = self._target(A.CANCEL_BY_STAFF)
        reason = _reason(reason)
        self.cancel_reason = reason
        event = events.WorkOrderCancelled(**self._refs(), by_resident=False, reason=reason)
        self._move(A.CANCEL_BY_STAFF, target, by, at, event, reason)

    def record_visit(self, staff_id: UUID, at: datetime, note: str) -> None:
        """回访: customer service phones the resident after closing and records the result."""
        target = self._target(A.VISIT)
        if self.visit is not None:
            raise AlreadyVisited("the return visit is already recorded")
        note = required_text(note, "workorder.invalid_note", "the visit's result")
        self.visit = ReturnVisit(at=at, staff_id=staff_id, note=note)
        event = events.WorkOrderVisited(**self._refs(), staff_id=staff_id)
        self._move(A.VISIT, target, ActorRef.staff(staff_id), at, event, note)

    def service_record(self) -> ServiceRecord:
        """This order as the statistics see it: response = accepted, resolution = completed."""
        return ServiceRecord(
            reported_at=self.created_at,
            assignee_id=self.technician_id,
            responded_at=self.accepted_at,
            resolved_at=self.completed_at,
            stars=self.rating.stars if self.rating else None,
            void=self.status in (S.CANCELLED, S.REJECTED),
        )


def _check_arrival(arrival: datetime, at: datetime) -> None:
    if aware(arrival, "workorder.invalid_time") < at:
        raise InvalidInput("workorder.arrival_in_past", "the expected arrival has passed")


def _reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise ReasonRequired("a reason is required")
    return optional_text(cleaned, "workorder.invalid_note", "a reason")
