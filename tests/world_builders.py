"""Builders shared by the unit tests' worlds (in memory) and the integration tests' (on SQL).

The same use cases run on both, so the worlds they start from are built the same way: with
any unit of work, in memory or SQLAlchemy. ``tests/`` is on the import path of every test
(pytest puts it there for tests/conftest.py), so ``from world_builders import ...`` works
from tests/unit/* and tests/integration alike.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from estate_core.identity.model import Community, Resident
from estate_core.identity.staff import Staff
from estate_core.properties.model import Household, MemberRole, Property, PropertyKind
from estate_core.properties.services import (
    AddMember,
    RecordOwner,
    RegisterProperty,
    add_member,
    record_owner,
    register_property,
)
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
"""What customer service 客服 may do with repairs and complaints."""


def code_of(call: Callable[[], object]) -> str:
    """The domain error code ``call`` raises (and the test fails if it raises none)."""
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.code


def add_verified_resident(uow: Any, clock: FixedClock, phone: str) -> ResidentActor:
    """A resident whose phone is verified, added to ``uow`` (the caller commits)."""
    resident = Resident(
        id=new_id(),
        tenant_id=uow.tenant_id,
        phone=phone,
        phone_verified_at=clock.now(),
        created_at=clock.now(),
    )
    uow.residents.add(resident)
    return ResidentActor(resident_id=resident.id)


def add_unbound_home(uow: Any, community_id: UUID, room: str) -> tuple[UUID, Household]:
    """A home in building 3, unit 1 and its household with nobody bound yet, added to ``uow``."""
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


def add_technician(
    uow: Any, clock: FixedClock, name: str, phone: str, community_id: UUID
) -> StaffActor:
    """A technician 维修师傅 serving one community, added to ``uow``: dispatch checks the
    staff account, so it must be stored."""
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


class EstateBase:
    """Communities, residents and homes of one tenant, each made in its own unit of work,
    homes and members through the properties use cases (as an administrator: ``admin``)."""

    def __init__(self, uow: Any, clock: FixedClock, admin: StaffActor) -> None:
        self.uow, self.clock, self.admin = uow, clock, admin
        self._numbers = itertools.count(1)
        self.community_id = self.community("翠苑小区")
        self.other_community_id = self.community("金桂园")

    def community(self, name: str) -> UUID:
        community = Community(id=new_id(), tenant_id=self.uow.tenant_id, name=name)
        with self.uow:
            self.uow.communities.add(community)
            self.uow.commit()
        return community.id

    def _phone(self) -> str:
        return f"139{next(self._numbers):08d}"

    def resident(self, name: str = "住户") -> ResidentActor:
        """A verified resident of the tenant, bound nowhere yet."""
        resident = Resident(
            id=new_id(),
            tenant_id=self.uow.tenant_id,
            phone=self._phone(),
            name=name,
            phone_verified_at=self.clock.now(),
            created_at=self.clock.now(),
        )
        with self.uow:
            self.uow.residents.add(resident)
            self.uow.commit()
        return ResidentActor(resident_id=resident.id)

    def home(self, community_id: UUID | None = None, owner: ResidentActor | None = None) -> UUID:
        """A new home in the estate's community (or ``community_id``), with ``owner`` bound to
        it when given."""
        number = next(self._numbers)
        property_id = register_property(
            self.uow,
            self.admin,
            RegisterProperty(
                community_id=community_id or self.community_id,
                kind=PropertyKind.RESIDENCE,
                building="1",
                unit="1",
                room=str(100 + number),
                area=Decimal("88.50"),
            ),
        )
        if owner is not None:
            with self.uow:
                phone = self.uow.residents.get(owner.resident_id).phone
            bound = record_owner(
                self.uow,
                self.clock,
                self.admin,
                RecordOwner(property_id=property_id, name="业主", phone=phone),
            )
            assert bound
        return property_id

    def family(self, property_id: UUID, role: MemberRole = MemberRole.FAMILY) -> ResidentActor:
        resident = self.resident("家人")
        with self.uow:
            phone = self.uow.residents.get(resident.resident_id).phone
        add_member(
            self.uow,
            self.clock,
            self.admin,
            AddMember(property_id=property_id, phone=phone, name="家人", role=role),
        )
        return resident
