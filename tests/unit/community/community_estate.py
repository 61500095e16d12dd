"""A small estate of communities, homes and residents for the community tests."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any
from uuid import UUID

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.community.notice import NoticeKind, NoticeState
from estate_core.community.ports import ContentModerator
from estate_core.community.services.notice_reading import notices_for_resident
from estate_core.community.services.notices import (
    CreateNotice,
    PublishNotice,
    create_notice,
    publish_notice,
)
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
from estate_core.shared.pagination import PageRequest


def staff(*permissions: Permission, communities: frozenset[UUID] | None = None) -> StaffActor:
    """A staff member holding only ``permissions``, in ``communities`` (None: every one)."""
    return StaffActor(
        staff_id=new_id(), permissions=frozenset(permissions), community_ids=communities
    )


class Estate:
    """Builds residents and homes through the properties use cases."""

    def __init__(
        self, store: InMemoryStore, uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor
    ) -> None:
        self.store, self.uow, self.clock, self.admin = store, uow, clock, admin
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
        """A new home, with ``owner`` bound to it when given."""
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

    def disable(self, resident: ResidentActor) -> None:
        with self.uow:
            self.uow.residents.get(resident.resident_id).disabled = True
            self.uow.commit()

    def events(self, name: str) -> list[dict[str, Any]]:
        """The payloads of the committed events called ``name``, oldest first."""
        return [m.payload for m in self.store.outbox if m.event_name == name]


DEFAULT_BODY = "本周六上午9点至12点停水，请提前储水。"


def draft_notice(estate: Estate, body: str = DEFAULT_BODY, **audience: Any) -> UUID:
    """A general draft notice, to the estate's community unless an audience is given."""
    if not audience:
        audience = {"community_ids": frozenset({estate.community_id})}
    return create_notice(
        estate.uow,
        estate.clock,
        estate.admin,
        CreateNotice(kind=NoticeKind.GENERAL, title="停水通知", body=body, **audience),
    )


def publish_now(estate: Estate, notice_id: UUID, moderator: ContentModerator) -> NoticeState:
    return publish_notice(
        estate.uow, estate.clock, moderator, estate.admin, PublishNotice(notice_id=notice_id)
    )


def visible_notices(
    estate: Estate, resident: ResidentActor, community_id: UUID | None = None
) -> list[UUID]:
    """The ids of the notices the resident's list shows for a community, newest first."""
    page = notices_for_resident(
        estate.uow, estate.clock, resident, community_id or estate.community_id, PageRequest()
    )
    return [n.id for n in page.items]
