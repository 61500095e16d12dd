"""Notices 小区通知: residents read the published notices of their community (opening one is
the read receipt); staff with ``notice.publish`` write, publish (moderated) and see the reach."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.community import (
    NewNotice,
    NoticeReachView,
    NoticeStateView,
    NoticeView,
    Publish,
    ResidentNoticeView,
)
from entrypoints.http.schemas.identity import Created
from entrypoints.http.views import page_request, paged, view
from estate_core.community.services import notice_reading as reading
from estate_core.community.services import notices
from estate_core.shared.access import Permission

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]
PUBLISH = {"permission": Permission.NOTICE_PUBLISH}


@get(
    "/communities/{community_id:uuid}/notices",
    sync_to_thread=True,
    summary="The published notices of a community, newest first (resident)",
)
def for_resident(
    community_id: FromPath[UUID],
    resident: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[ResidentNoticeView]:
    found = reading.notices_for_resident(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.as_resident,
        community_id,
        page_request(limit, after),
    )
    return paged(ResidentNoticeView, found)


@post(
    "/notices/{notice_id:uuid}/read",
    status_code=200,
    sync_to_thread=True,
    summary="Open a notice: records the read receipt once (resident)",
)
def read(notice_id: FromPath[UUID], resident: Caller_, estate: Estate_) -> ResidentNoticeView:
    found = reading.read_notice(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.as_resident,
        notice_id,
    )
    return view(ResidentNoticeView, found)


@get(
    "/communities/{community_id:uuid}/notices/all",
    sync_to_thread=True,
    opt=PUBLISH,
    summary="Every notice of a community in any state, newest first (staff)",
)
def in_community(
    community_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[NoticeView]:
    found = notices.list_notices(
        estate.uow(staff.tenant_id), staff.actor, community_id, page_request(limit, after)
    )
    return paged(NoticeView, found)


@post("/notices", sync_to_thread=True, opt=PUBLISH, summary="Write a draft notice (staff)")
def create(data: JSONBody[NewNotice], staff: Caller_, estate: Estate_) -> Created:
    created = notices.create_notice(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        notices.CreateNotice(
            kind=data.kind,
            title=data.title,
            body=data.body,
            community_ids=frozenset(data.community_ids),
            property_ids=frozenset(data.property_ids),
        ),
    )
    return Created(id=created)


@get("/notices/{notice_id:uuid}", sync_to_thread=True, opt=PUBLISH, summary="One notice (staff)")
def one(notice_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> NoticeView:
    return view(NoticeView, notices.get_notice(estate.uow(staff.tenant_id), staff.actor, notice_id))


@put(
    "/notices/{notice_id:uuid}",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=PUBLISH,
    summary="Revise a draft (staff)",
)
def revise(
    notice_id: FromPath[UUID], data: JSONBody[NewNotice], staff: Caller_, estate: Estate_
) -> None:
    notices.revise_notice(
        estate.uow(staff.tenant_id),
        staff.actor,
        notices.ReviseNotice(notice_id=notice_id, kind=data.kind, title=data.title, body=data.body),
    )


@post(
    "/notices/{notice_id:uuid}/publish",
    status_code=200,
    sync_to_thread=True,
    opt=PUBLISH,
    summary="Publish now or schedule; content moderation may refuse it, saying why (staff)",
)
def publish(
    notice_id: FromPath[UUID], data: JSONBody[Publish], staff: Caller_, estate: Estate_
) -> NoticeStateView:
    state = notices.publish_notice(
        estate.uow(staff.tenant_id),
        estate.clock,
        estate.moderator,
        staff.actor,
        notices.PublishNotice(notice_id=notice_id, at=data.at),
    )
    return NoticeStateView(state=state)


@post(
    "/notices/{notice_id:uuid}/withdraw",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=PUBLISH,
    summary="Take a published notice down (staff)",
)
def withdraw(notice_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> None:
    notices.withdraw_notice(estate.uow(staff.tenant_id), estate.clock, staff.actor, notice_id)


@get(
    "/notices/{notice_id:uuid}/reach",
    sync_to_thread=True,
    opt=PUBLISH,
    summary="Reach rate 传达率: audience members who read it (staff)",
)
def reach(notice_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> NoticeReachView:
    found = reading.notice_reach(estate.uow(staff.tenant_id), estate.clock, staff.actor, notice_id)
    return view(NoticeReachView, found)


router = Router(
    path="",
    route_handlers=[
        for_resident,
        read,
        in_community,
        create,
        one,
        revise,
        publish,
        withdraw,
        reach,
    ],
    tags=["notices"],
)
