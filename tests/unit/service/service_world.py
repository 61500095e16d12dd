"""Helpers for the service tests: one community with two homes, their residents, staff and
technicians (and a second community for scope checks)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.identity.model import Resident
from estate_core.identity.staff import Staff
from estate_core.properties.model import Household, MemberRole, Property, PropertyKind
from estate_core.service import complaint_services as complaints
from estate_core.service import workorder_services as workorders
from estate_core.service.complaint import ComplaintCategory, ComplaintKind
from estate_core.service.workorder_states import RepairKind
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id

CUSTOMER_SERVICE = frozenset(
    {
        Permission.WORKORDER_CREATE,
        Permission.WORKORDER_REVIEW,
        Permission.WORKORDER_DISPATCH,
        Permission.WORKORDER_VISIT,
        Permission.COMPLAINT_HANDLE,
        Permission.REPORT_READ,
    }
)


def code_of(call: Callable[[], object]) -> str:
    """The domain error code ``call`` raises (and the test fails if it raises none)."""
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.code


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


def _resident(uow: InMemoryUnitOfWork, clock: FixedClock, phone: str) -> ResidentActor:
    resident = Resident(
        id=new_id(),
        tenant_id=uow.tenant_id,
        phone=phone,
        phone_verified_at=clock.now(),
        created_at=clock.now(),
    )
    uow.residents.add(resident)
    return ResidentActor(resident_id=resident.id)


def _home(uow: InMemoryUnitOfWork, community_id: UUID, room: str) -> tuple[UUID, Household]:
    prop = Property(
        id=new_id(),
        tenant_id=uow.tenant_id,
        community_id=community_id,
        kind=PropertyKind.RESIDENCE,
        building="3",
        unit="1",
        room=room,
        area=Decimal("90.00"),
    )
    household = Household(
        id=new_id(), tenant_id=uow.tenant_id, community_id=community_id, property_id=prop.id
    )
    uow.properties.add(prop)
    uow.households.add(household)
    return prop.id, household


def _technician(
    uow: InMemoryUnitOfWork, clock: FixedClock, name: str, phone: str, community_id: UUID
) -> StaffActor:
    staff = Staff.create(
        id=new_id(),
        tenant_id=uow.tenant_id,
        name=name,
        phone=phone,
        roles=["technician"],
        community_ids=[community_id],
        merchant_id=None,
        at=clock.now(),
    )
    uow.staff.add(staff)
    return staff.actor()


def build_world(uow: InMemoryUnitOfWork, clock: FixedClock) -> World:
    community_id, other_community_id = new_id(), new_id()
    with uow:
        owner = _resident(uow, clock, "13800000001")
        family = _resident(uow, clock, "13800000002")
        neighbour = _resident(uow, clock, "13800000003")
        unbound = _resident(uow, clock, "13800000004")
        home_id, home = _home(uow, community_id, "101")
        home.bind_owner(owner.resident_id, clock.now())
        home.add_member(family.resident_id, MemberRole.FAMILY, clock.now())
        neighbour_home_id, neighbour_home = _home(uow, community_id, "102")
        neighbour_home.bind_owner(neighbour.resident_id, clock.now())
        far_home_id, far_home = _home(uow, other_community_id, "201")
        far_home.bind_owner(owner.resident_id, clock.now())
        technician = _technician(uow, clock, "李师傅", "13900000001", community_id)
        second_technician = _technician(uow, clock, "王师傅", "13900000002", community_id)
        far_technician = _technician(uow, clock, "赵师傅", "13900000003", other_community_id)
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
