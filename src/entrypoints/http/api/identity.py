"""Identity routes: the resident's profile and phone change; communities; staff, roles and the
resident blacklist for staff with ``staff.manage`` / ``resident.manage`` / ``community.manage``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Router, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller, client_ip
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.auth import CodeSentView
from entrypoints.http.schemas.identity import (
    CommunityView,
    Created,
    NewCommunity,
    NewRole,
    NewStaff,
    PhoneChange,
    PhoneChangeCodes,
    ProfileView,
    Reason,
    Rename,
    RoleView,
    StaffAccess,
    StaffView,
)
from entrypoints.http.views import masked, page_request, paged, view
from estate_core.identity import login_services, staff_services
from estate_core.identity import services as identity
from estate_core.shared.access import Permission, ResidentActor

STAFF_MANAGE = {"permission": Permission.STAFF_MANAGE}
RESIDENT_MANAGE = {"permission": Permission.RESIDENT_MANAGE}
COMMUNITY_MANAGE = {"permission": Permission.COMMUNITY_MANAGE}


def _profile(
    estate: NamedDependency[Estate], caller: NamedDependency[Caller], resident_id: FromPath[UUID]
) -> ProfileView:
    found = identity.get_resident(estate.uow(caller.tenant_id), caller.actor, resident_id)
    return view(ProfileView, found, phone=masked(found.phone))


@get("/me", sync_to_thread=True, summary="My profile (resident)")
def my_profile(resident: NamedDependency[Caller], estate: NamedDependency[Estate]) -> ProfileView:
    return _profile(estate, resident, resident.resident_id)


@patch("/me", sync_to_thread=True, summary="Change my name (resident)")
def rename_me(
    data: JSONBody[Rename], resident: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> ProfileView:
    identity.rename_resident(
        estate.uow(resident.tenant_id),
        resident.actor,
        identity.RenameResident(resident_id=resident.resident_id, name=data.name),
    )
    return _profile(estate, resident, resident.resident_id)


@post(
    "/me/phone/codes",
    status_code=HTTP_202_ACCEPTED,
    sync_to_thread=True,
    summary="Send codes to my old and new phone",
)
def phone_change_codes(
    request: Request[Any, Any, Any],
    data: JSONBody[PhoneChangeCodes],
    resident: NamedDependency[Caller],
    estate: NamedDependency[Estate],
) -> CodeSentView:
    sent = login_services.request_phone_change_codes(
        estate.uow(resident.tenant_id),
        estate.clock,
        estate.sms,
        estate.code_secret,
        ResidentActor(resident_id=resident.resident_id),
        login_services.RequestPhoneChangeCodes(new_phone=data.new_phone, ip=client_ip(request)),
    )
    return CodeSentView(expires_at=sent.expires_at, resend_after=sent.resend_after)


@post(
    "/me/phone",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    summary="Change my phone; ends every session of the account",
)
def change_phone(
    data: JSONBody[PhoneChange], resident: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> None:
    login_services.change_phone(
        estate.uow(resident.tenant_id),
        estate.clock,
        estate.code_secret,
        ResidentActor(resident_id=resident.resident_id),
        login_services.ChangePhone(
            new_phone=data.new_phone, old_code=data.old_code, new_code=data.new_code
        ),
    )


@get("/communities", sync_to_thread=True, summary="The company's communities")
def communities(
    caller: NamedDependency[Caller],
    estate: NamedDependency[Estate],
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[CommunityView]:
    found = identity.list_communities(estate.uow(caller.tenant_id), page_request(limit, after))
    return paged(CommunityView, found)


@post("/communities", sync_to_thread=True, opt=COMMUNITY_MANAGE, summary="Create a community")
def create_community(
    data: JSONBody[NewCommunity], staff: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> Created:
    created = identity.create_community(
        estate.uow(staff.tenant_id),
        staff.actor,
        identity.CreateCommunity(name=data.name, address=data.address, time_zone=data.time_zone),
    )
    return Created(id=created)


@put(
    "/communities/{community_id:uuid}",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=COMMUNITY_MANAGE,
    summary="Change a community",
)
def change_community(
    community_id: FromPath[UUID],
    data: JSONBody[NewCommunity],
    staff: NamedDependency[Caller],
    estate: NamedDependency[Estate],
) -> None:
    identity.change_community(
        estate.uow(staff.tenant_id),
        staff.actor,
        identity.ChangeCommunity(
            community_id=community_id,
            name=data.name,
            address=data.address,
            time_zone=data.time_zone,
        ),
    )


@get(
    "/residents/{resident_id:uuid}",
    sync_to_thread=True,
    opt=RESIDENT_MANAGE,
    summary="A resident account",
)
def resident_account(
    resident_id: FromPath[UUID], staff: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> ProfileView:
    return _profile(estate, staff, resident_id)


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
        my_profile,
        rename_me,
        phone_change_codes,
        change_phone,
        communities,
        create_community,
        change_community,
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
    tags=["identity"],
)
