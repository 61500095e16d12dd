"""A small estate on a SQL database for the community use-case tests: one tenant, two
communities, residents and homes made through the identity and properties use cases' data."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.identity.model import Community, Resident
from estate_core.properties.model import MemberRole, PropertyKind
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
from estate_core.shared.ids import new_id

ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))


class SqlEstate:
    """Communities, residents and homes of one tenant, each made in its own unit of work."""

    def __init__(
        self, make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], tenant_id: UUID, clock: FixedClock
    ) -> None:
        self.uow = make_uow(tenant_id)
        self.make_uow, self.tenant_id, self.clock = make_uow, tenant_id, clock
        self._numbers = itertools.count(1)
        self.community_id = self.community("翠苑小区")
        self.other_community_id = self.community("金桂园")

    def community(self, name: str) -> UUID:
        community = Community(id=new_id(), tenant_id=self.tenant_id, name=name)
        with self.uow:
            self.uow.communities.add(community)
            self.uow.commit()
        return community.id

    def resident(self, name: str = "住户") -> ResidentActor:
        resident = Resident(
            id=new_id(),
            tenant_id=self.tenant_id,
            phone=f"139{next(self._numbers):08d}",
            name=name,
            phone_verified_at=self.clock.now(),
            created_at=self.clock.now(),
        )
        with self.uow:
            self.uow.residents.add(resident)
            self.uow.commit()
        return ResidentActor(resident_id=resident.id)

    def home(self, owner: ResidentActor, community_id: UUID | None = None) -> UUID:
        """A new home in the estate's community (or ``community_id``), ``owner`` bound to it."""
        property_id = register_property(
            self.uow,
            ADMIN,
            RegisterProperty(
                community_id=community_id or self.community_id,
                kind=PropertyKind.RESIDENCE,
                building="1",
                unit="1",
                room=str(100 + next(self._numbers)),
                area=Decimal("88.50"),
            ),
        )
        with self.uow:
            phone = self.uow.residents.get(owner.resident_id).phone
        assert record_owner(
            self.uow,
            self.clock,
            ADMIN,
            RecordOwner(property_id=property_id, name="业主", phone=phone),
        )
        return property_id

    def family(self, property_id: UUID) -> ResidentActor:
        resident = self.resident("家人")
        with self.uow:
            phone = self.uow.residents.get(resident.resident_id).phone
        add_member(
            self.uow,
            self.clock,
            ADMIN,
            AddMember(property_id=property_id, phone=phone, name="家人", role=MemberRole.FAMILY),
        )
        return resident
