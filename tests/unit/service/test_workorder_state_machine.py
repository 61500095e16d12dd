"""WorkOrder's state machine driven by random valid and invalid commands.

A model (its own table, written independently of the code's) predicts each command's outcome.
After every step: a refused command raised the predicted code and changed nothing at all; an
accepted one moved to the predicted state, added exactly one timeline entry and one event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from estate_core.service.common import ActorRef, Rating
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import RepairKind, ReportChannel, Technician
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id

REPORTER, STRANGER = new_id(), new_id()
TECHNICIANS = [
    Technician(staff_id=new_id(), name="李师傅", phone="13900000001"),
    Technician(staff_id=new_id(), name="王师傅", phone="13900000002"),
]
DESK = ActorRef.staff(new_id())

OPEN = {"pending", "approved", "dispatched", "accepted"}
EXPECTED_SOURCES = {
    "approve": {"pending"},
    "reject": {"pending"},
    "dispatch": {"pending", "approved"},
    "reassign": {"dispatched", "accepted"},
    "accept": {"dispatched"},
    "complete": {"accepted"},
    "rate": {"completed"},
    "auto_close": {"completed"},
    "cancel_by_resident": {"pending", "approved"},
    "cancel_by_staff": OPEN,
    "visit": {"closed"},
}


def _snapshot(order: WorkOrder) -> tuple[dict[str, Any], int]:
    """Every field (lists copied; everything in them is frozen) and the pending events."""
    fields = {field.name: getattr(order, field.name) for field in attrs.fields(WorkOrder)}
    copied = {name: list(v) if isinstance(v, list) else v for name, v in fields.items()}
    return copied, len(order.pending_events)


class WorkOrderMachine(RuleBasedStateMachine):
    order: WorkOrder

    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
        self.status = "pending"
        self.technician: Technician | None = None
        self.completed_at: datetime | None = None
        self.visited = False
        self.steps = 1

    @initialize(appointment=st.booleans())
    def report(self, appointment: bool) -> None:
        self.appointment = appointment
        self.order = WorkOrder.report(
            id=new_id(),
            tenant_id=new_id(),
            community_id=new_id(),
            property_id=new_id(),
            resident_id=REPORTER,
            channel=ReportChannel.ONLINE,
            kind=RepairKind.APPOINTMENT if appointment else RepairKind.FAULT,
            category="水电",
            description="漏水",
            photos=["a.jpg"],
            contact_phone="13800000001",
            preferred_time=self.now + timedelta(days=1) if appointment else None,
            by=ActorRef.resident(REPORTER),
            at=self.now,
        )

    def _refused(self, action: str) -> str | None:
        if self.status not in EXPECTED_SOURCES[action]:
            return "workorder.invalid_transition"
        return None

    def _step(self, command: Callable[[], None], refusal: str | None, target: str) -> None:
        before = _snapshot(self.order)
        event(f"{self.order.status.value} -> {target}: {refusal or 'ok'}")
        if refusal is not None:
            with pytest.raises(DomainError) as raised:
                command()
            assert raised.value.code == refusal
            assert _snapshot(self.order) == before
            return
        command()
        self.status = target
        self.steps += 1
        assert len(self.order.timeline) == len(before[0]["timeline"]) + 1
        assert len(self.order.pending_events) == before[1] + 1
        assert self.order.timeline[-1].status == target

    @rule()
    def approve(self) -> None:
        refusal = self._refused("approve")
        if refusal is None and not self.appointment:
            refusal = "workorder.not_appointment"
        self._step(lambda: self.order.approve(DESK, self.now), refusal, "approved")

    @rule(reason=st.sampled_from(["", "  ", "", "超出服务范围"]))
    def reject(self, reason: str) -> None:
        refusal = self._refused("reject")
        if refusal is None and not self.appointment:
            refusal = "workorder.not_appointment"
        if refusal is None and not reason.strip():
            refusal = "service.reason_required"
        self._step(lambda: self.order.reject(DESK, self.now, reason), refusal, "rejected")

    @rule(technician=st.sampled_from(TECHNICIANS), hours=st.sampled_from([-1, 0, 2]))
    def dispatch(self, technician: Technician, hours: int) -> None:
        refusal = self._refused("dispatch")
        if refusal is None and self.status == "pending" and self.appointment:
            refusal = "workorder.review_required"
        if refusal is None and hours < 0:
            refusal = "workorder.arrival_in_past"
        arrival = self.now + timedelta(hours=hours)
        self._step(
            lambda: self.order.dispatch(technician, arrival, DESK, self.now), refusal, "dispatched"
        )
        if refusal is None:
            self.technician = technician

    @rule(technician=st.sampled_from(TECHNICIANS), hours=st.sampled_from([-1, 3]))
    def reassign(self, technician: Technician, hours: int) -> None:
        refusal = self._refused("reassign")
        if refusal is None and technician == self.technician:
            refusal = "workorder.same_technician"
        if refusal is None and hours < 0:
            refusal = "workorder.arrival_in_past"
        arrival = self.now + timedelta(hours=hours)
        self._step(
            lambda: self.order.reassign(technician, arrival, DESK, self.now), refusal, "dispatched"
        )
        if refusal is None:
            self.technician = technician

    def _not_assignee(self, technician: Technician) -> bool:
        return technician != self.technician

    @rule(technician=st.sampled_from(TECHNICIANS))
    def accept(self, technician: Technician) -> None:
        refusal = self._refused("accept")
        if refusal is None and self._not_assignee(technician):
            refusal = "workorder.not_assignee"
        self._step(lambda: self.order.accept(technician.staff_id, self.now), refusal, "accepted")

    @rule(technician=st.sampled_from(TECHNICIANS), photos=st.sampled_from([[], ["done.jpg"]]))
    def complete(self, technician: Technician, photos: list[str]) -> None:
        refusal = self._refused("complete")
        if refusal is None and self._not_assignee(technician):
            refusal = "workorder.not_assignee"
        if refusal is None and not photos:
            refusal = "workorder.photos_required"
        self._step(
            lambda: self.order.complete(technician.staff_id, photos, self.now),
            refusal,
            "completed",
        )
        if refusal is None:
            self.completed_at = self.now

    @rule(resident=st.sampled_from([REPORTER, STRANGER]), stars=st.sampled_from([0, 1, 4, 5, 6]))
    def rate(self, resident: Any, stars: int) -> None:
        refusal = None if 1 <= stars <= 5 else "service.invalid_rating"
        refusal = refusal or self._refused("rate")
        if refusal is None and resident != REPORTER:
            refusal = "workorder.not_reporter"
        self._step(
            lambda: self.order.rate(resident, Rating(stars=stars, text="好"), self.now),
            refusal,
            "closed",
        )

    @rule()
    def auto_close(self) -> None:
        refusal = self._refused("auto_close")
        if refusal is None:
            assert self.completed_at is not None
            if self.now < self.completed_at + timedelta(days=3):
                refusal = "service.too_early_to_close"
        self._step(lambda: self.order.close_unrated(self.now), refusal, "closed")

    @rule(resident=st.sampled_from([STRANGER, STRANGER, STRANGER, REPORTER]))
    def cancel_by_resident(self, resident: Any) -> None:
        refusal = self._refused("cancel_by_resident")
        if refusal is None and resident != REPORTER:
            refusal = "workorder.not_reporter"
        self._step(lambda: self.order.cancel_by_resident(resident, self.now), refusal, "cancelled")

    @rule(reason=st.sampled_from(["", "", "", "住户联系不上"]))
    def cancel_by_staff(self, reason: str) -> None:
        refusal = self._refused("cancel_by_staff")
        if refusal is None and not reason:
            refusal = "service.reason_required"
        self._step(lambda: self.order.cancel_by_staff(DESK, self.now, reason), refusal, "cancelled")

    @rule(note=st.sampled_from(["", "满意"]))
    def visit(self, note: str) -> None:
        refusal = self._refused("visit")
        if refusal is None and self.visited:
            refusal = "service.already_visited"
        if refusal is None and not note:
            refusal = "workorder.invalid_note"
        staff_id = DESK.id
        assert staff_id is not None
        self._step(lambda: self.order.record_visit(staff_id, self.now, note), refusal, "closed")
        if refusal is None:
            self.visited = True

    @rule(hours=st.sampled_from([1, 47, 72]))
    def wait(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @precondition(lambda self: self.status not in ("rejected", "cancelled"))
    @rule(rated=st.booleans())
    def proceed(self, rated: bool) -> None:
        """The next step of a normal repair, so random walks reach the late states often."""
        assignee = self.technician or TECHNICIANS[0]
        if self.status == "pending" and self.appointment:
            self.approve()
        elif self.status in ("pending", "approved"):
            self.dispatch(TECHNICIANS[0], 2)
        elif self.status == "dispatched":
            self.accept(assignee)
        elif self.status == "accepted":
            self.complete(assignee, ["done.jpg"])
        elif self.status == "completed" and rated:
            self.rate(REPORTER, 5)
        elif self.status == "completed":
            self.wait(72)
            self.auto_close()
        elif self.status == "closed":
            self.visit("满意")

    @invariant()
    def matches_the_model(self) -> None:
        assert self.order.status.value == self.status
        assert len(self.order.timeline) == self.steps
        assert len(self.order.pending_events) == self.steps


WorkOrderMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
test_work_order_state_machine = WorkOrderMachine.TestCase
