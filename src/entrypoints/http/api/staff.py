"""Staff accounts and roles (``staff.manage``) and the resident blacklist
(``resident.manage``, company-wide: a resident account spans the company)."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.api.identity import profile
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.identity import (
    Created,
    NewRole,
    NewStaff,
    ProfileView,
    Reason,
    RoleView,
    StaffAccess,
    StaffView,
)
from entrypoints.http.views import masked, page_request, paged, view
from estate_core.identity import services as identity
from estate_core.identity import staff_services
from estate_core.shared.access import Permission

STAFF_MANAGE = {"permission": Permission.STAFF_MANAGE}
RESIDENT_MANAGE = {"permission": Permission.RESIDENT_MANAGE}


@get(
    "/residents/{resident_id:uuid}",
    sync_to_thread=True,
    opt=RESIDENT_MANAGE,
    summary="A resident account",
)
def resident_account(
    resident_id: FromPath[UUID], staff: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> ProfileView:
    return profile(estate, staff, resident_id)


@post(
    "/residents/{resident_id:uuid}/disable",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=RESIDENT_MANAGE,
    summary="Blacklist a resident; ends their sessions at once",
)
def disable_resident(
    resident_id: FromPath[UUID],
    data: JSONBody[Reason],
    staff: NamedDependency[Caller],
    estate: NamedDependency[Estate],
) -> None:
    identity.disable_resident(
        estate.uow(staff.tenant_id),
        staff.actor,
        identity.DisableResident(resident_id=resident_id, reason=data.reason),
    )


@post(
    "/residents/{resident_id:uuid}/enable",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=RESIDENT_MANAGE,
    summary="Take a resident off the blacklist",
)
def enable_resident(
    resident_id: FromPath[UUID], staff: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> None:
    identity.enable_resident(
        estate.uow(staff.tenant_id),
        staff.actor,
        identity.EnableResident(resident_id=resident_id),
    )


@get("/staff", sync_to_thread=True, opt=STAFF_MANAGE, summary="Staff accounts")
def staff_list(
    staff: NamedDependency[Caller],
    estate: NamedDependency[Estate],
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[StaffView]:
    found = staff_services.list_staff(
        estate.uow(staff.tenant_id), staff.actor, page_request(limit, after)
    )
    page = paged(StaffView, found)
    page.items[:] = [view(StaffView, item, phone=masked(item.phone)) for item in page.items]
    return page


@post("/staff", sync_to_thread=True, opt=STAFF_MANAGE, summary="Create a staff account")
def create_staff(
    data: JSONBody[NewStaff], staff: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> Created:
    created = staff_services.create_staff(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        staff_services.CreateStaff(
            name=data.name,
            phone=data.phone,
            roles=tuple(data.roles),
            community_ids=None if data.community_ids is None else frozenset(data.community_ids),
            merchant_id=data.merchant_id,
        ),
    )
    return Created(id=created)


@put(
    "/staff/{staff_id:uuid}/access",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=STAFF_MANAGE,
    summary="Replace a staff member's roles and data scope",
)
def change_access(
    staff_id: FromPath[UUID],
    data: JSONBody[StaffAccess],
    staff: NamedDependency[Caller],
    estate: NamedDependency[Estate],
) -> None:
    staff_services.change_staff_access(
        estate.uow(staff.tenant_id),
        staff.actor,
        staff_services.ChangeStaffAccess(
            staff_id=staff_id,
            roles=tuple(data.roles),
            community_ids=None if data.community_ids is None else frozenset(data.community_ids),
            merchant_id=data.merchant_id,
        ),
    )


@post(
    "/staff/{staff_id:uuid}/disable",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=STAFF_MANAGE,
    summary="Disable a staff account; ends its sessions at once",
)
def disable_staff(
    staff_id: FromPath[UUID],
    data: JSONBody[Reason],
    staff: NamedDependency[Caller],
    estate: NamedDependency[Estate],
) -> None:
    staff_services.disable_staff(
        estate.uow(staff.tenant_id),
        staff.actor,
        staff_services.DisableStaff(staff_id=staff_id, reason=data.reason),
    )


@post(
    "/staff/{staff_id:uuid}/enable",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=STAFF_MANAGE,
    summary="Enable a staff account",
)
def enable_staff(
    staff_id: FromPath[UUID], staff: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> None:
    staff_services.enable_staff(
        estate.uow(staff.tenant_id), staff.actor, staff_services.EnableStaff(staff_id=staff_id)
    )


@get("/roles", sync_to_thread=True, opt=STAFF_MANAGE, summary="Built-in and company roles")
def roles(staff: NamedDependency[Caller], estate: NamedDependency[Estate]) -> list[RoleView]:
    found = staff_services.list_roles(estate.uow(staff.tenant_id), staff.actor)
    return [view(RoleView, role) for role in found]


@post("/roles", sync_to_thread=True, opt=STAFF_MANAGE, summary="Create a company role")
def create_role(
    data: JSONBody[NewRole], staff: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> Created:
    created = staff_services.create_role(
        estate.uow(staff.tenant_id),
        staff.actor,
        staff_services.CreateRole(
            code=data.code, name=data.name, permissions=frozenset(data.permissions)
        ),
    )
    return Created(id=created)


router = Router(
    path="",
    route_handlers=[
        resident_account,
        disable_resident,
        enable_resident,
        staff_list,
        create_staff,
        change_access,
        disable_staff,
        enable_staff,
        roles,
        create_role,
    ],
    tags=["staff"],
)
