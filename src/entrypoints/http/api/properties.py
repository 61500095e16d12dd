"""Properties 房产 and households: a resident's homes, binding, handing over, members; staff
register properties and owners of record. The use cases check ownership and data scope; an
outsider's property id answers ``property.not_found``."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.billing import (
    Bound,
    Claim,
    MembershipView,
    MemberView,
    NewMember,
    NewProperty,
    OwnerOfRecord,
    PropertyView,
)
from entrypoints.http.schemas.identity import Created
from entrypoints.http.views import masked, page_request, paged, view
from estate_core.properties import queries
from estate_core.properties import services as properties
from estate_core.shared.access import Permission, ResidentActor
from estate_core.shared.clock import local_date

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]
PROPERTY_MANAGE = {"permission": Permission.PROPERTY_MANAGE}
HOUSEHOLD_MANAGE = {"permission": Permission.HOUSEHOLD_MANAGE}


@get("/properties/mine", sync_to_thread=True, summary="My homes 我的房子 (resident)")
def mine(resident: Caller_, estate: Estate_) -> list[MembershipView]:
    """A resident's homes: a handful, so not paged."""
    uow = estate.uow(resident.tenant_id)
    with uow:
        found = properties.memberships(uow, resident.resident_id, local_date(estate.clock.now()))
    return [view(MembershipView, membership) for membership in found]


@post("/properties/claim", sync_to_thread=True, summary="Bind my home as its owner 业主绑定")
def claim(data: JSONBody[Claim], resident: Caller_, estate: Estate_) -> Bound:
    bound = properties.claim_property(
        estate.uow(resident.tenant_id),
        estate.clock,
        ResidentActor(resident_id=resident.resident_id),
        properties.ClaimProperty(
            community_id=data.community_id,
            building=data.building,
            unit=data.unit,
            room=data.room,
            owner_name=data.owner_name,
            owner_phone=data.owner_phone,
        ),
    )
    return Bound(property_id=bound)


@post(
    "/properties/{property_id:uuid}/unbind",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=HOUSEHOLD_MANAGE,
    summary="Unbind to hand the home over (its owner, or staff)",
)
def unbind(property_id: FromPath[UUID], caller: Caller_, estate: Estate_) -> None:
    properties.unbind(estate.uow(caller.tenant_id), caller.actor, property_id)


@get(
    "/properties/{property_id:uuid}/members",
    sync_to_thread=True,
    opt=HOUSEHOLD_MANAGE,
    summary="The household's members (its members, or staff)",
)
def members(property_id: FromPath[UUID], caller: Caller_, estate: Estate_) -> list[MemberView]:
    found = queries.household_members(estate.uow(caller.tenant_id), caller.actor, property_id)
    return [view(MemberView, member, phone=masked(member.phone)) for member in found]


@post(
    "/properties/{property_id:uuid}/members",
    sync_to_thread=True,
    opt=HOUSEHOLD_MANAGE,
    summary="Add family or a tenant (the owner, or staff)",
)
def add_member(
    property_id: FromPath[UUID], data: JSONBody[NewMember], caller: Caller_, estate: Estate_
) -> Created:
    added = properties.add_member(
        estate.uow(caller.tenant_id),
        estate.clock,
        caller.actor,
        properties.AddMember(
            property_id=property_id,
            phone=data.phone,
            name=data.name,
            role=data.role,
            lease_end=data.lease_end,
        ),
    )
    return Created(id=added)


@delete(
    "/properties/{property_id:uuid}/members/{resident_id:uuid}",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=HOUSEHOLD_MANAGE,
    summary="Remove a member (the owner, or staff)",
)
def remove_member(
    property_id: FromPath[UUID], resident_id: FromPath[UUID], caller: Caller_, estate: Estate_
) -> None:
    properties.remove_member(estate.uow(caller.tenant_id), caller.actor, property_id, resident_id)


@get(
    "/communities/{community_id:uuid}/properties",
    sync_to_thread=True,
    opt=PROPERTY_MANAGE,
    summary="A community's properties and owners of record (staff)",
)
def in_community(
    community_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[PropertyView]:
    found = queries.list_properties(
        estate.uow(staff.tenant_id),
        staff.actor,
        queries.ListProperties(community_id=community_id, page=page_request(limit, after)),
    )
    page = paged(PropertyView, found)
    page.items[:] = [
        view(PropertyView, item, owner_phone=masked(item.owner_phone) if item.owner_phone else None)
        for item in page.items
    ]
    return page


@post(
    "/communities/{community_id:uuid}/properties",
    sync_to_thread=True,
    opt=PROPERTY_MANAGE,
    summary="Register a property (staff)",
)
def register(
    community_id: FromPath[UUID], data: JSONBody[NewProperty], staff: Caller_, estate: Estate_
) -> Created:
    created = properties.register_property(
        estate.uow(staff.tenant_id),
        staff.actor,
        properties.RegisterProperty(
            community_id=community_id,
            kind=data.kind,
            building=data.building,
            unit=data.unit,
            room=data.room,
            area=data.area,
        ),
    )
    return Created(id=created)


@put(
    "/properties/{property_id:uuid}/owner",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=PROPERTY_MANAGE,
    summary="Record the owner of record (staff)",
)
def record_owner(
    property_id: FromPath[UUID], data: JSONBody[OwnerOfRecord], staff: Caller_, estate: Estate_
) -> None:
    properties.record_owner(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        properties.RecordOwner(property_id=property_id, name=data.name, phone=data.phone),
    )


router = Router(
    path="",
    route_handlers=[
        mine,
        claim,
        unbind,
        members,
        add_member,
        remove_member,
        in_community,
        register,
        record_owner,
    ],
    tags=["properties"],
)
