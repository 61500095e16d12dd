"""Property and Household aggregates and the binding rules (DESIGN.md §4, seeds 002, 003, 004)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.identity.model import PERSON_NAME_MAX
from estate_core.properties import events
from estate_core.shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from estate_core.shared.events import Aggregate
from estate_core.shared.text import check_text


class PropertyKind(enum.StrEnum):
    RESIDENCE = "residence"
    PARKING_SPACE = "parking_space"
    SHOP = "shop"


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    FAMILY = "family"
    TENANT = "tenant"


class AlreadyBound(Conflict):
    code = "household.already_bound"


class OwnerMismatch(Conflict):
    code = "household.owner_mismatch"


class NotAMember(PermissionDenied):
    code = "household.not_member"


class NotOwner(PermissionDenied):
    code = "household.not_owner"


BUILDING_MAX = 40
UNIT_MAX = 40
ROOM_MAX = 40
"""Characters of an address part (楼栋, 单元, 房号); the properties table is declared from these."""

OWNER_NAME_MAX = PERSON_NAME_MAX
MAX_AREA = Decimal("99999999.99")
"""m²: what NUMERIC(10, 2) holds."""


def _check_area(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or not 0 <= value <= MAX_AREA
        or value != value.quantize(Decimal("0.01"))
    ):
        raise InvalidInput(
            "property.invalid_area", f"area is 0 to {MAX_AREA} m² with at most two decimals"
        )


def _address_part(limit: int, what: str, *, required: bool = False) -> Callable[..., None]:
    def check(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
        check_text(value, f"property.invalid_{attribute.name}", what, limit, required=required)

    return check


@attrs.frozen(kw_only=True)
class OwnerOfRecord:
    """The owner as the property company's records say (imported by staff). The name is checked
    where it enters (``record_owner``, the owner import), not here: this value is also rebuilt
    from stored rows."""

    name: str
    phone: str


@attrs.define(slots=False, eq=False, kw_only=True)
class Property(Aggregate):
    """Property 房产: a home (楼栋-单元-房号), a parking space or a shop in a community.

    Unique by (community, building, unit, room). ``billing_start`` is the first chargeable day
    (handover / move-in); months before it are not billed and its month is prorated.
    """

    id: UUID
    tenant_id: UUID
    community_id: UUID
    kind: PropertyKind
    building: str = attrs.field(validator=_address_part(BUILDING_MAX, "a building"))
    unit: str = attrs.field(validator=_address_part(UNIT_MAX, "a unit"))
    room: str = attrs.field(validator=_address_part(ROOM_MAX, "a room", required=True))
    area: Decimal = attrs.field(validator=_check_area)
    owner_of_record: OwnerOfRecord | None = None
    billing_start: date | None = None
    billing_end: date | None = None

    @property
    def address(self) -> str:
        return "-".join(part for part in (self.building, self.unit, self.room) if part)

    def record_owner(self, owner: OwnerOfRecord | None) -> None:
        self.owner_of_record = owner


@attrs.frozen(kw_only=True)
class Member:
    resident_id: UUID
    role: MemberRole
    since: datetime
    lease_end: date | None = None

    def active_on(self, day: date) -> bool:
        return self.lease_end is None or day <= self.lease_end


@attrs.define(slots=False, eq=False, kw_only=True)
class Household(Aggregate):
    """Household 住户: the people of one property.

    At most one bound owner; family and tenants are added and removed by the owner only (they are
    authorised passively, seed 004). A tenant's access lapses after ``lease_end``. When the owner
    unbinds (hands the property over), everyone the owner had added goes too.
    """

    id: UUID
    tenant_id: UUID
    community_id: UUID
    property_id: UUID
    members: list[Member] = attrs.field(factory=list)

    @property
    def owner_id(self) -> UUID | None:
        for member in self.members:
            if member.role is MemberRole.OWNER:
                return member.resident_id
        return None

    def role_of(self, resident_id: UUID, today: date) -> MemberRole | None:
        """The resident's role here today, or None (not a member, or a lapsed tenant)."""
        for member in self.members:
            if member.resident_id == resident_id and member.active_on(today):
                return member.role
        return None

    def require_member(self, resident_id: UUID, today: date) -> MemberRole:
        role = self.role_of(resident_id, today)
        if role is None:
            raise NotAMember("you are not a member of this household")
        return role

    def require_owner(self, resident_id: UUID) -> None:
        if self.owner_id != resident_id:
            raise NotOwner("only the bound owner may manage this household")

    def bind_owner(self, resident_id: UUID, at: datetime, *, automatic: bool = False) -> None:
        if self.owner_id is not None:
            if self.owner_id == resident_id:
                return
            raise AlreadyBound("this property already has a bound owner")
        self.members = [m for m in self.members if m.resident_id != resident_id]
        self.members.append(Member(resident_id=resident_id, role=MemberRole.OWNER, since=at))
        self.record(
            events.OwnerBound(
                property_id=self.property_id, resident_id=resident_id, automatic=automatic
            )
        )

    def add_member(
        self,
        resident_id: UUID,
        role: MemberRole,
        at: datetime,
        lease_end: date | None = None,
    ) -> None:
        """Add family or a tenant; the caller has checked who may (the owner, or staff)."""
        if role is MemberRole.OWNER:
            raise InvalidInput("household.invalid_role", "an owner binds, not is added")
        if role is MemberRole.FAMILY and lease_end is not None:
            raise InvalidInput("household.invalid_role", "only tenants have a lease end")
        if any(m.resident_id == resident_id for m in self.members):
            raise Conflict("household.already_member", "this person is already a member")
        self.members.append(
            Member(resident_id=resident_id, role=role, since=at, lease_end=lease_end)
        )
        self.record(
            events.MemberAdded(property_id=self.property_id, resident_id=resident_id, role=role)
        )

    def remove_member(self, resident_id: UUID) -> None:
        """Remove family or a tenant; the owner leaves only by :meth:`unbind`."""
        member = next((m for m in self.members if m.resident_id == resident_id), None)
        if member is None:
            raise NotFound("household.member_not_found", "no such member")
        if member.role is MemberRole.OWNER:
            raise Conflict("household.owner_must_unbind", "the owner leaves by unbinding")
        self.members.remove(member)
        self.record(events.MemberRemoved(property_id=self.property_id, resident_id=resident_id))

    def unbind(self) -> None:
        """The owner leaves, and with them everyone they had authorised (hand-over 移交)."""
        owner_id = self.owner_id
        if owner_id is None:
            raise Conflict("household.not_bound", "this property has no bound owner")
        self.members = []
        self.record(events.OwnerUnbound(property_id=self.property_id, resident_id=owner_id))
