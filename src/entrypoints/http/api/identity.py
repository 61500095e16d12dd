"""Identity routes: the resident's profile and phone change; the company's communities (staff
with ``community.manage`` create and change them). Staff, roles and the blacklist are in
``staff.py``."""

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
    PhoneChange,
    PhoneChangeCodes,
    ProfileView,
    Rename,
)
from entrypoints.http.views import masked, page_request, paged, view
from estate_core.identity import login_services
from estate_core.identity import services as identity
from estate_core.shared.access import Permission, ResidentActor

STAFF_MANAGE = {"permission": Permission.STAFF_MANAGE}
RESIDENT_MANAGE = {"permission": Permission.RESIDENT_MANAGE}
COMMUNITY_MANAGE = {"permission": Permission.COMMUNITY_MANAGE}


def profile(estate: Estate, caller: Caller, resident_id: UUID) -> ProfileView:
    """A resident account with its phone masked: for the resident, or staff company-wide."""
    found = identity.get_resident(estate.uow(caller.tenant_id), caller.actor, resident_id)
    return view(ProfileView, found, phone=masked(found.phone))


@get("/me", sync_to_thread=True, summary="My profile (resident)")
def my_profile(resident: NamedDependency[Caller], estate: NamedDependency[Estate]) -> ProfileView:
    return profile(estate, resident, resident.resident_id)


@patch("/me", sync_to_thread=True, summary="Change my name (resident)")
def rename_me(
    data: JSONBody[Rename], resident: NamedDependency[Caller], estate: NamedDependency[Estate]
) -> ProfileView:
    identity.rename_resident(
        estate.uow(resident.tenant_id),
        resident.actor,
        identity.RenameResident(resident_id=resident.resident_id, name=data.name),
    )
    return profile(estate, resident, resident.resident_id)


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
    ],
    tags=["identity"],
)
