"""A community in the database for the service use cases: homes, residents, staff.

A bound home with its owner and family, a neighbour's home, customer service (an actor only)
and two technicians (staff accounts in the database: dispatch checks them there).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import attrs

from estate_core.properties.model import MemberRole
from estate_core.shared.access import ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from world_builders import (
    CUSTOMER_SERVICE,
    add_technician,
    add_unbound_home,
    add_verified_resident,
)


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


def build_community(uow: Any, clock: FixedClock) -> Community:
    """The community, committed through ``uow`` (a SQLAlchemy unit of work)."""
    community_id = new_id()
    with uow:
        owner = add_verified_resident(uow, clock, "13800000001")
        family = add_verified_resident(uow, clock, "13800000002")
        neighbour = add_verified_resident(uow, clock, "13800000003")
        home_id, home = add_unbound_home(uow, community_id, "101")
        home.bind_owner(owner.resident_id, clock.now())
        home.add_member(family.resident_id, MemberRole.FAMILY, clock.now())
        _, neighbour_home = add_unbound_home(uow, community_id, "102")
        neighbour_home.bind_owner(neighbour.resident_id, clock.now())
        technician = add_technician(uow, clock, "李师傅", "13900000001", community_id)
        second = add_technician(uow, clock, "王师傅", "13900000002", community_id)
        uow.commit()
    desk = StaffActor(
        staff_id=new_id(), permissions=CUSTOMER_SERVICE, community_ids=frozenset({community_id})
    )
    return Community(
        uow, clock, community_id, home_id, owner, family, neighbour, desk, technician, second
    )
