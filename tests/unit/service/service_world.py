"""Helpers for the service tests: one community with two homes, their residents, staff and
technicians (and a second community for scope checks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import attrs

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.properties.model import MemberRole
from estate_core.service import complaint_services as complaints
from estate_core.service import workorder_services as workorders
from estate_core.service.complaint import ComplaintCategory, ComplaintKind
from estate_core.service.workorder_states import RepairKind
from estate_core.shared.access import ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from world_builders import (
    CUSTOMER_SERVICE,
    add_technician,
    add_unbound_home,
    add_verified_resident,
)


@attrs.define
class World:
    uow: InMemoryUnitOfWork
    clock: FixedClock
    community_id: UUID
    other_community_id: UUID
    home_id: UUID
    neighbour_home_id: UUID
    far_home_id: UUID
    owner: ResidentActor
    family: ResidentActor
    neighbour: ResidentActor
    unbound: ResidentActor
    service_desk: StaffActor
    """Customer service 客服 of the community."""
    far_desk: StaffActor
    """Customer service of the other community only."""
    technician: StaffActor
    second_technician: StaffActor
    far_technician: StaffActor
    """A technician serving only the other community."""

    def later(self, **delta: float) -> datetime:
        return self.clock.now() + timedelta(**delta)

    def report(self, actor: ResidentActor | None = None, **changes: Any) -> UUID:
        cmd = workorders.ReportRepair(
            property_id=self.home_id,
            category="水电",
            description="厨房水管漏水",
            photos=("uploads/leak-1.jpg",),
        )
        return workorders.report_repair(
            self.uow, self.clock, actor or self.owner, attrs.evolve(cmd, **changes)
        )

    def report_appointment(self) -> UUID:
        return self.report(kind=RepairKind.APPOINTMENT, preferred_time=self.later(days=2))

    def dispatch(self, order_id: UUID, technician: StaffActor | None = None) -> None:
        workorders.dispatch_repair(
            self.uow,
            self.clock,
            self.service_desk,
            workorders.DispatchRepair(
                work_order_id=order_id,
                technician_id=(technician or self.technician).staff_id,
                expected_arrival=self.later(hours=2),
            ),
        )

    def accept(self, order_id: UUID, technician: StaffActor | None = None) -> None:
        workorders.accept_repair(
            self.uow,
            self.clock,
            technician or self.technician,
            workorders.AcceptRepair(work_order_id=order_id),
        )

    def complete(
        self,
        order_id: UUID,
        technician: StaffActor | None = None,
        photos: Sequence[str] = ("uploads/fixed-1.jpg",),
    ) -> None:
        workorders.complete_repair(
            self.uow,
            self.clock,
            technician or self.technician,
            workorders.CompleteRepair(work_order_id=order_id, photos=photos),
        )

    def completed_order(self) -> UUID:
        order_id = self.report()
        self.dispatch(order_id)
        self.accept(order_id)
        self.complete(order_id)
        return order_id

    def rate(self, order_id: UUID, stars: int = 5, actor: ResidentActor | None = None) -> None:
        workorders.rate_repair(
            self.uow,
            self.clock,
            actor or self.owner,
            workorders.RateRepair(work_order_id=order_id, stars=stars, text="师傅很专业"),
        )

    def complain(self, actor: ResidentActor | None = None, **changes: Any) -> UUID:
        cmd = complaints.SubmitComplaint(
            property_id=self.home_id,
            kind=ComplaintKind.COMPLAINT,
            category=ComplaintCategory.ENVIRONMENT,
            text="楼下绿化带很久没有修剪",
            photos=("uploads/grass.jpg",),
        )
        return complaints.submit_complaint(
            self.uow, self.clock, actor or self.owner, attrs.evolve(cmd, **changes)
        )

    def accept_complaint(self, complaint_id: UUID) -> None:
        complaints.accept_complaint(self.uow, self.clock, self.service_desk, complaint_id)

    def reply(self, complaint_id: UUID, text: str = "已安排绿化班组本周修剪") -> None:
        complaints.reply_to_complaint(
            self.uow,
            self.clock,
            self.service_desk,
            complaints.ReplyToComplaint(complaint_id=complaint_id, text=text),
        )

    def replied_complaint(self) -> UUID:
        complaint_id = self.complain()
        self.accept_complaint(complaint_id)
        self.reply(complaint_id)
        return complaint_id


def build_world(uow: InMemoryUnitOfWork, clock: FixedClock) -> World:
    community_id, other_community_id = new_id(), new_id()
    with uow:
        owner = add_verified_resident(uow, clock, "13800000001")
        family = add_verified_resident(uow, clock, "13800000002")
        neighbour = add_verified_resident(uow, clock, "13800000003")
        unbound = add_verified_resident(uow, clock, "13800000004")
        home_id, home = add_unbound_home(uow, community_id, "101")
        home.bind_owner(owner.resident_id, clock.now())
        home.add_member(family.resident_id, MemberRole.FAMILY, clock.now())
        neighbour_home_id, neighbour_home = add_unbound_home(uow, community_id, "102")
        neighbour_home.bind_owner(neighbour.resident_id, clock.now())
        far_home_id, far_home = add_unbound_home(uow, other_community_id, "201")
        far_home.bind_owner(owner.resident_id, clock.now())
        technician = add_technician(uow, clock, "李师傅", "13900000001", community_id)
        second_technician = add_technician(uow, clock, "王师傅", "13900000002", community_id)
        far_technician = add_technician(uow, clock, "赵师傅", "13900000003", other_community_id)
        uow.commit()
    return World(
        uow=uow,
        clock=clock,
        community_id=community_id,
        other_community_id=other_community_id,
        home_id=home_id,
        neighbour_home_id=neighbour_home_id,
        far_home_id=far_home_id,
        owner=owner,
        family=family,
        neighbour=neighbour,
        unbound=unbound,
        service_desk=StaffActor(
            staff_id=new_id(),
            permissions=CUSTOMER_SERVICE,
            community_ids=frozenset({community_id}),
        ),
        far_desk=StaffActor(
            staff_id=new_id(),
            permissions=CUSTOMER_SERVICE,
            community_ids=frozenset({other_community_id}),
        ),
        technician=technician,
        second_technician=second_technician,
        far_technician=far_technician,
    )
