"""A community in the database for the service use cases: homes, residents, staff.

A bound home with its owner and family, a neighbour's home, customer service (an actor only)
and two technicians (staff accounts in the database: dispatch checks them there).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest

from estate_core.identity.model import Resident
from estate_core.identity.staff import Staff
from estate_core.properties.model import Household, MemberRole, Property, PropertyKind
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id

DESK_PERMISSIONS = frozenset(
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
    """The domain error code ``call`` raises (the test fails if it raises none)."""
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.code


@attrs.frozen
class Community:
    uow: Any
    clock: FixedClock
    community_id: UUID
    home_id: UUID
    owner: ResidentActor
    family: ResidentActor
    neighbour: ResidentActor
    desk: StaffActor
    technician: StaffActor
    second_technician: StaffActor


def _resident(uow: Any, clock: FixedClock, phone: str) -> ResidentActor:
    resident = Resident(
        id=new_id(),
        tenant_id=uow.tenant_id,
        phone=phone,
        phone_verified_at=clock.now(),
        created_at=clock.now(),
    )
    uow.residents.add(resident)
    return ResidentActor(resident_id=resident.id)


def _home(uow: Any, community_id: UUID, room: str) -> tuple[UUID, Household]:
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


def _technician(uow: Any, clock: FixedClock, name: str, phone: str, community_id: UUID) -> Any:
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


def build_community(uow: Any, clock: FixedClock) -> Community:
    """The community, committed through ``uow`` (a SQLAlchemy unit of work)."""
    community_id = new_id()
    with uow:
        owner = _resident(uow, clock, "13800000001")
        family = _resident(uow, clock, "13800000002")
        neighbour = _resident(uow, clock, "13800000003")
        home_id, home = _home(uow, community_id, "101")
        home.bind_owner(owner.resident_id, clock.now())
        home.add_member(family.resident_id, MemberRole.FAMILY, clock.now())
        _, neighbour_home = _home(uow, community_id, "102")
        neighbour_home.bind_owner(neighbour.resident_id, clock.now())
        technician = _technician(uow, clock, "李师傅", "13900000001", community_id)
        second = _technician(uow, clock, "王师傅", "13900000002", community_id)
        uow.commit()
    desk = StaffActor(
        staff_id=new_id(), permissions=DESK_PERMISSIONS, community_ids=frozenset({community_id})
    )
    return Community(
        uow, clock, community_id, home_id, owner, family, neighbour, desk, technician, second
    )
