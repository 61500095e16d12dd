"""Read models of properties for staff (房产列表, owners of record) and of a household's members.

An outsider asking for a household's members gets ``property.not_found``: another household's
id answers as if it did not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.properties.model import Household, MemberRole, PropertyKind
from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.shared.access import Actor, Permission, ResidentActor, require_staff
from estate_core.shared.errors import NotFound
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class PropertyLine:
    id: UUID
    community_id: UUID
    kind: PropertyKind
    address: str
    area: Decimal
    owner_name: str | None
    owner_phone: str | None


@attrs.frozen(kw_only=True)
class ListProperties:
    community_id: UUID
    page: PageRequest = attrs.field(factory=PageRequest)


def list_properties(
    uow: PropertiesUnitOfWork, actor: Actor, query: ListProperties
) -> Page[PropertyLine]:
    """A community's properties with their owners of record, by address (staff in scope)."""
    require_staff(actor, Permission.PROPERTY_MANAGE, query.community_id)
    with uow:
        found = uow.properties.list_in_community(query.community_id, query.page)
        return Page(
            items=[
                PropertyLine(
                    id=prop.id,
                    community_id=prop.community_id,
                    kind=prop.kind,
                    address=prop.address,
                    area=prop.area,
                    owner_name=prop.owner_of_record.name if prop.owner_of_record else None,
                    owner_phone=prop.owner_of_record.phone if prop.owner_of_record else None,
                )
                for prop in found.items
            ],
            next_cursor=found.next_cursor,
        )


@attrs.frozen(kw_only=True)
class MemberLine:
    resident_id: UUID
    name: str
    phone: str
    role: MemberRole
    since: datetime
    lease_end: date | None


def _visible_household(uow: PropertiesUnitOfWork, actor: Actor, property_id: UUID) -> Household:
    household = uow.households.for_property(property_id)
    if isinstance(actor, ResidentActor):
        if household is None or all(m.resident_id != actor.resident_id for m in household.members):
            raise NotFound("property.not_found", "no such property")
        return household
    prop = uow.properties.find(property_id)
    if prop is None:
        raise NotFound("property.not_found", "no such property")
    require_staff(actor, Permission.HOUSEHOLD_MANAGE, prop.community_id)
    if household is None:
        raise NotFound("property.not_found", "no such property")
    return household


def household_members(
    uow: PropertiesUnitOfWork, actor: Actor, property_id: UUID
) -> list[MemberLine]:
    """The household's members (owner first), for its members and for staff in scope; a
    household has a handful of members, so this list is not paged."""
    with uow:
        household = _visible_household(uow, actor, property_id)
        lines = []
        for member in sorted(
            household.members, key=lambda m: (m.role is not MemberRole.OWNER, m.since)
        ):
            resident = uow.residents.get(member.resident_id)
            lines.append(
                MemberLine(
                    resident_id=member.resident_id,
                    name=resident.name,
                    phone=resident.phone,
                    role=member.role,
                    since=member.since,
                    lease_end=member.lease_end,
                )
            )
        return lines
