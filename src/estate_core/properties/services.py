"""Use cases of the properties context: registering properties, binding, members.

Every use case runs in one unit of work and returns plain data, never a live aggregate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.identity.model import Resident, normalize_phone
from estate_core.properties.model import (
    OWNER_NAME_MAX,
    Household,
    MemberRole,
    OwnerMismatch,
    OwnerOfRecord,
    Property,
    PropertyKind,
)
from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.shared.access import Actor, Permission, ResidentActor, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.text import check_text


@attrs.frozen(kw_only=True)
class Membership:
    """Read model: one property a resident may act for, and as what."""

    property_id: UUID
    community_id: UUID
    address: str
    kind: PropertyKind
    role: MemberRole


def require_member(
    uow: PropertiesUnitOfWork, resident_id: UUID, property_id: UUID, today: date
) -> tuple[Household, MemberRole]:
    """The household of ``property_id`` and the resident's active role in it.

    Raises ``household.not_member`` for anyone else: unbound residents may read public notices
    but cannot pay, report repairs, complain, register visitors or use coupons (seeds 002, 004).
    """
    resident = uow.residents.find(resident_id)
    if resident is None or resident.disabled:
        raise PermissionDenied("resident.disabled", "this account is disabled")
    household = uow.households.for_property(property_id)
    if household is None:
        raise NotFound("property.not_found", "no such property")
    return household, household.require_member(resident_id, today)


def is_bound_in_community(
    uow: PropertiesUnitOfWork, resident_id: UUID, community_id: UUID, today: date
) -> bool:
    """Whether the resident is an active member of any property in the community."""
    return any(
        household.community_id == community_id and household.role_of(resident_id, today)
        for household in uow.households.of_resident(resident_id)
    )


def memberships(uow: PropertiesUnitOfWork, resident_id: UUID, today: date) -> list[Membership]:
    """The properties a resident may act for today (我的房子), as read data."""
    found = []
    for household in uow.households.of_resident(resident_id):
        role = household.role_of(resident_id, today)
        if role is None:
            continue
        prop = uow.properties.get(household.property_id)
        found.append(
            Membership(
                property_id=prop.id,
                community_id=prop.community_id,
                address=prop.address,
                kind=prop.kind,
                role=role,
            )
        )
    return found


@attrs.frozen(kw_only=True)
class RegisterProperty:
    community_id: UUID
    kind: PropertyKind
    building: str
    unit: str
    room: str
    area: Decimal
    billing_start: date | None = None


def register_property(uow: PropertiesUnitOfWork, actor: Actor, cmd: RegisterProperty) -> UUID:
    require_staff(actor, Permission.PROPERTY_MANAGE, cmd.community_id)
    with uow:
        if uow.properties.find_by_address(cmd.community_id, cmd.building, cmd.unit, cmd.room):
            raise Conflict("property.duplicate", "a property with this address already exists")
        prop = add_property(uow, cmd)
        uow.commit()
        return prop.id


def add_property(uow: PropertiesUnitOfWork, cmd: RegisterProperty) -> Property:
    """A new property with its (empty) household, inside the caller's unit of work; the caller
    has checked the permission and that the address is free."""
    prop = Property(
        id=new_id(),
        tenant_id=uow.tenant_id,
        community_id=cmd.community_id,
        kind=cmd.kind,
        building=cmd.building.strip(),
        unit=cmd.unit.strip(),
        room=cmd.room.strip(),
        area=cmd.area,
        billing_start=cmd.billing_start,
    )
    uow.properties.add(prop)
    uow.households.add(
        Household(
            id=new_id(),
            tenant_id=uow.tenant_id,
            community_id=prop.community_id,
            property_id=prop.id,
        )
    )
    return prop


def _household(uow: PropertiesUnitOfWork, property_id: UUID) -> Household:
    household = uow.households.for_property(property_id)
    if household is None:
        raise NotFound("property.not_found", "no such property")
    return household


def _resident_for_phone(
    uow: PropertiesUnitOfWork, clock: Clock, phone: str, name: str = ""
) -> Resident:
    """The tenant's resident account for a phone, created (unverified) if it does not exist."""
    resident = uow.residents.find_by_phone(phone)
    if resident is None:
        resident = Resident(
            id=new_id(),
            tenant_id=uow.tenant_id,
            phone=phone,
            name=name,
            created_at=clock.now(),
        )
        uow.residents.add(resident)
    return resident


@attrs.frozen(kw_only=True)
class RecordOwner:
    property_id: UUID
    name: str
    phone: str


def record_owner(uow: PropertiesUnitOfWork, clock: Clock, actor: Actor, cmd: RecordOwner) -> bool:
    """Staff record (import) the owner of record; returns whether the home was bound at once.

    When the phone belongs to a verified resident and the home has no bound owner, the binding
    is made automatically (seed 003). An unverified account is created for a new phone so the
    owner can log in with it later (seed 004).
    """
    phone = normalize_phone(cmd.phone)
    name = cmd.name.strip()
    if not name:
        raise InvalidInput("property.owner_name_required", "the owner's name is required")
    check_text(name, "property.invalid_owner_name", "the owner's name", OWNER_NAME_MAX)
    with uow:
        prop = uow.properties.get(cmd.property_id)
        require_staff(actor, Permission.HOUSEHOLD_MANAGE, prop.community_id)
        bound = record_owner_of(uow, clock, prop, OwnerOfRecord(name=name, phone=phone))
        uow.commit()
        return bound


def record_owner_of(
    uow: PropertiesUnitOfWork, clock: Clock, prop: Property, owner: OwnerOfRecord
) -> bool:
    """Record ``owner`` (phone normalised, name cleaned) on ``prop`` inside the caller's unit of
    work; returns whether the home was bound at once (the rule of :func:`record_owner`)."""
    prop.record_owner(owner)
    resident = _resident_for_phone(uow, clock, owner.phone, owner.name)
    household = _household(uow, prop.id)
    if resident.is_verified and not resident.disabled and household.owner_id is None:
        household.bind_owner(resident.id, clock.now(), automatic=True)
        return True
    return False


@attrs.frozen(kw_only=True)
class ClaimProperty:
    """A resident claims a home: its address and the owner-of-record's name and phone."""

    community_id: UUID
    building: str
    unit: str
    room: str
    owner_name: str
    owner_phone: str


def claim_property(
    uow: PropertiesUnitOfWork, clock: Clock, actor: ResidentActor, cmd: ClaimProperty
) -> UUID:
    """Bind the resident as owner when the claim matches the owner of record (业主绑定).

    The claimed phone must be the resident's own verified phone, so knowing an owner's name and
    number is not enough to take their home (seed 002: one home, one owner, against misuse).
    """
    phone = normalize_phone(cmd.owner_phone)
    with uow:
        resident = uow.residents.get(actor.resident_id)
        if resident.disabled:
            raise PermissionDenied("resident.disabled", "this account is disabled")
        if not resident.is_verified or resident.phone != phone:
            raise OwnerMismatch("the owner's phone must be your own verified phone")
        prop = uow.properties.find_by_address(
            cmd.community_id, cmd.building.strip(), cmd.unit.strip(), cmd.room.strip()
        )
        record = prop.owner_of_record if prop else None
        if prop is None or record is None:
            raise OwnerMismatch("no owner of record matches these details")
        if record.phone != phone or record.name != cmd.owner_name.strip():
            raise OwnerMismatch("no owner of record matches these details")
        _household(uow, prop.id).bind_owner(resident.id, clock.now())
        uow.commit()
        return prop.id


@attrs.frozen(kw_only=True)
class AddMember:
    property_id: UUID
    phone: str
    name: str
    role: MemberRole
    lease_end: date | None = None


def add_member(uow: PropertiesUnitOfWork, clock: Clock, actor: Actor, cmd: AddMember) -> UUID:
    """The owner (or staff with household.manage) adds family or a tenant by phone."""
    phone = normalize_phone(cmd.phone)
    with uow:
        household = _household(uow, cmd.property_id)
        _require_manager(household, actor)
        resident = _resident_for_phone(uow, clock, phone, cmd.name.strip())
        if resident.disabled:
            raise PermissionDenied("resident.disabled", "that account is disabled")
        household.add_member(resident.id, cmd.role, clock.now(), cmd.lease_end)
        uow.commit()
        return resident.id


def remove_member(
    uow: PropertiesUnitOfWork, actor: Actor, property_id: UUID, resident_id: UUID
) -> None:
    with uow:
        household = _household(uow, property_id)
        _require_manager(household, actor)
        household.remove_member(resident_id)
        uow.commit()


def unbind(uow: PropertiesUnitOfWork, actor: Actor, property_id: UUID) -> None:
    """The owner unbinds to hand the home over; staff may unbind on the owner's behalf."""
    with uow:
        household = _household(uow, property_id)
        _require_manager(household, actor)
        household.unbind()
        uow.commit()


def _require_manager(household: Household, actor: Actor) -> None:
    """The owner, or staff in scope; a resident outside the household learns nothing of it."""
    if isinstance(actor, ResidentActor):
        if all(member.resident_id != actor.resident_id for member in household.members):
            raise NotFound("property.not_found", "no such property")
        household.require_owner(actor.resident_id)
    else:
        require_staff(actor, Permission.HOUSEHOLD_MANAGE, household.community_id)
