"""Activities 小区活动: any resident of the company sees a community's activities, bound residents
sign up with their head count; staff with ``activity.manage`` organise, check in and count."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.community import (
    ActivityCountsView,
    ActivityView,
    CheckInResident,
    HeadCount,
    NewActivity,
    SignUpView,
)
from entrypoints.http.schemas.identity import Created, Reason
from entrypoints.http.views import page_request, paged, view
from estate_core.community.activity import ActivityCounts
from estate_core.community.services import activities
from estate_core.shared.access import Permission

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]
MANAGE = {"permission": Permission.ACTIVITY_MANAGE}


def _counts(counts: ActivityCounts) -> ActivityCountsView:
    return view(ActivityCountsView, counts, places_left=counts.places_left)


@get(
    "/communities/{community_id:uuid}/activities",
    sync_to_thread=True,
    opt=MANAGE,
    summary="Activities not yet over, by start (residents see their own head count)",
)
def in_community(
    community_id: FromPath[UUID],
    caller: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[ActivityView]:
    found = activities.activities_in_community(
        estate.uow(caller.tenant_id),
        estate.clock,
        caller.actor,
        community_id,
        page_request(limit, after),
    )
    return paged(ActivityView, found)


@post(
    "/communities/{community_id:uuid}/activities",
    sync_to_thread=True,
    opt=MANAGE,
    summary="Organise an activity (staff)",
)
def create(
    community_id: FromPath[UUID], data: JSONBody[NewActivity], staff: Caller_, estate: Estate_
) -> Created:
    created = activities.create_activity(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        activities.CreateActivity(
            community_id=community_id,
            title=data.title,
            description=data.description,
            capacity=data.capacity,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            sign_up_deadline=data.sign_up_deadline,
        ),
    )
    return Created(id=created)


@post(
    "/activities/{activity_id:uuid}/sign-up",
    status_code=200,
    sync_to_thread=True,
    summary="Sign up 报名 with a head count (bound resident)",
)
def sign_up(
    activity_id: FromPath[UUID], data: JSONBody[HeadCount], resident: Caller_, estate: Estate_
) -> ActivityView:
    found = activities.sign_up_for_activity(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.as_resident,
        activities.SignUpForActivity(activity_id=activity_id, head_count=data.head_count),
    )
    return view(ActivityView, found)


@delete(
    "/activities/{activity_id:uuid}/sign-up",
    sync_to_thread=True,
    summary="Cancel my sign-up, before the start (resident)",
)
def cancel_sign_up(activity_id: FromPath[UUID], resident: Caller_, estate: Estate_) -> None:
    activities.cancel_sign_up(
        estate.uow(resident.tenant_id), estate.clock, resident.as_resident, activity_id
    )


@post(
    "/activities/{activity_id:uuid}/cancel",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=MANAGE,
    summary="Call an activity off (staff)",
)
def cancel(
    activity_id: FromPath[UUID], data: JSONBody[Reason], staff: Caller_, estate: Estate_
) -> None:
    activities.cancel_activity(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        activities.CancelActivity(activity_id=activity_id, reason=data.reason),
    )


@post(
    "/activities/{activity_id:uuid}/check-in",
    status_code=200,
    sync_to_thread=True,
    opt=MANAGE,
    summary="Check a signed-up party in 签到 (staff)",
)
def check_in(
    activity_id: FromPath[UUID], data: JSONBody[CheckInResident], staff: Caller_, estate: Estate_
) -> ActivityCountsView:
    counts = activities.check_in(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        activities.CheckIn(activity_id=activity_id, resident_id=data.resident_id),
    )
    return _counts(counts)


@get(
    "/activities/{activity_id:uuid}/counts",
    sync_to_thread=True,
    opt=MANAGE,
    summary="Sign-ups and attendance (staff)",
)
def counts(activity_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> ActivityCountsView:
    return _counts(
        activities.activity_counts(estate.uow(staff.tenant_id), staff.actor, activity_id)
    )


@get(
    "/activities/{activity_id:uuid}/sign-ups",
    sync_to_thread=True,
    opt=MANAGE,
    summary="The live sign-ups, in order, for the check-in desk (staff)",
)
def sign_ups(
    activity_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[SignUpView]:
    found = activities.activity_sign_ups(
        estate.uow(staff.tenant_id), staff.actor, activity_id, page_request(limit, after)
    )
    return paged(SignUpView, found)


router = Router(
    path="",
    route_handlers=[
        in_community,
        create,
        sign_up,
        cancel_sign_up,
        cancel,
        check_in,
        counts,
        sign_ups,
    ],
    tags=["activities"],
)
