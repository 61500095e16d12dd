"""Activity use cases (小区活动): staff organise and check in, bound residents sign up.

Any resident of the tenant may see a community's activities; only residents bound in that
community (an active member of one of its homes) may sign up (seeds 002, 004).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from estate_core.community.activity import (
    Activity,
    ActivityCounts,
    ActivityState,
    SignUp,
    SignUpStatus,
)
from estate_core.community.ports import CommunityUnitOfWork
from estate_core.community.services.common import active_resident, aware, require_communities
from estate_core.community.visitor import mask_phone
from estate_core.properties.model import NotAMember
from estate_core.properties.services import is_bound_in_community
from estate_core.shared.access import Actor, Permission, ResidentActor, require_staff
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest, paginate

TITLE_MAX = 100
DESCRIPTION_MAX = 5_000


@attrs.frozen(kw_only=True)
class ActivityView:
    """An activity with its places; ``my_head_count`` is the viewer's live sign-up, if any."""

    id: UUID
    community_id: UUID
    title: str
    description: str
    capacity: int
    starts_at: datetime
    ends_at: datetime
    sign_up_deadline: datetime
    state: ActivityState
    cancel_reason: str
    people: int
    places_left: int
    my_head_count: int | None = None


@attrs.frozen(kw_only=True)
class SignUpView:
    """A sign-up as staff see it at the check-in desk (phone masked)."""

    resident_id: UUID
    name: str
    phone: str
    head_count: int
    status: SignUpStatus
    signed_up_at: datetime
    checked_in_at: datetime | None


def _view(activity: Activity, viewer: UUID | None = None) -> ActivityView:
    mine = activity.live_sign_up(viewer) if viewer else None
    return ActivityView(
        id=activity.id,
        community_id=activity.community_id,
        title=activity.title,
        description=activity.description,
        capacity=activity.capacity,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        sign_up_deadline=activity.sign_up_deadline,
        state=activity.state,
        cancel_reason=activity.cancel_reason,
        people=activity.people,
        places_left=activity.capacity - activity.people,
        my_head_count=mine.head_count if mine else None,
    )


@attrs.frozen(kw_only=True)
class CreateActivity:
    community_id: UUID
    title: str
    description: str
    capacity: int
    starts_at: datetime
    ends_at: datetime
    sign_up_deadline: datetime


def create_activity(
    uow: CommunityUnitOfWork, clock: Clock, actor: Actor, cmd: CreateActivity
) -> UUID:
    staff = require_staff(actor, Permission.ACTIVITY_MANAGE, cmd.community_id)
    title, description = cmd.title.strip(), cmd.description.strip()
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput("activity.invalid_title", f"a title has 1 to {TITLE_MAX} characters")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput("activity.invalid_description", "the description is too long")
    with uow:
        require_communities(uow, frozenset({cmd.community_id}))
        activity = Activity.organise(
            id=new_id(),
            tenant_id=uow.tenant_id,
            community_id=cmd.community_id,
            title=title,
            description=description,
            capacity=cmd.capacity,
            starts_at=aware(cmd.starts_at, "starts_at"),
            ends_at=aware(cmd.ends_at, "ends_at"),
            sign_up_deadline=aware(cmd.sign_up_deadline, "sign_up_deadline"),
            created_by=staff.staff_id,
            now=clock.now(),
        )
        uow.activities.add(activity)
        uow.commit()
        return activity.id


@attrs.frozen(kw_only=True)
class SignUpForActivity:
    activity_id: UUID
    head_count: int = 1


def sign_up_for_activity(
    uow: CommunityUnitOfWork, clock: Clock, actor: ResidentActor, cmd: SignUpForActivity
) -> ActivityView:
    """报名: a bound resident of the community takes places for their party."""
    now = clock.now()
    with uow:
        active_resident(uow, actor.resident_id)
        activity = uow.activities.get(cmd.activity_id)
        if not is_bound_in_community(
            uow, actor.resident_id, activity.community_id, local_date(now)
        ):
            raise NotAMember("only residents bound in this community may sign up")
        activity.sign_up(actor.resident_id, cmd.head_count, now)
        uow.commit()
        return _view(activity, actor.resident_id)


def cancel_sign_up(
    uow: CommunityUnitOfWork, clock: Clock, actor: ResidentActor, activity_id: UUID
) -> None:
    """The resident gives their places back, before the activity starts."""
    with uow:
        active_resident(uow, actor.resident_id)
        activity = uow.activities.get(activity_id)
        activity.cancel_sign_up(actor.resident_id, clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class CheckIn:
    activity_id: UUID
    resident_id: UUID


def check_in(uow: CommunityUnitOfWork, clock: Clock, actor: Actor, cmd: CheckIn) -> ActivityCounts:
    """签到: staff mark a signed-up resident's party as arrived; returns the new counts."""
    with uow:
        activity = uow.activities.get(cmd.activity_id)
        staff = require_staff(actor, Permission.ACTIVITY_MANAGE, activity.community_id)
        activity.check_in(cmd.resident_id, staff.staff_id, clock.now())
        uow.commit()
        return activity.counts()


@attrs.frozen(kw_only=True)
class CancelActivity:
    activity_id: UUID
    reason: str


def cancel_activity(
    uow: CommunityUnitOfWork, clock: Clock, actor: Actor, cmd: CancelActivity
) -> None:
    with uow:
        activity = uow.activities.get(cmd.activity_id)
        require_staff(actor, Permission.ACTIVITY_MANAGE, activity.community_id)
        activity.cancel(cmd.reason, clock.now())
        uow.commit()


def activities_in_community(
    uow: CommunityUnitOfWork,
    clock: Clock,
    actor: Actor,
    community_id: UUID,
    page: PageRequest,
) -> Page[ActivityView]:
    """Activities not yet over, by start time. Residents see their own head count."""
    viewer = None
    if isinstance(actor, ResidentActor):
        viewer = actor.resident_id
    else:
        require_staff(actor, Permission.ACTIVITY_MANAGE, community_id)
    with uow:
        if viewer is not None:
            active_resident(uow, viewer)
        found = uow.activities.in_community(community_id, page, ending_after=clock.now())
        return Page(items=[_view(a, viewer) for a in found.items], next_cursor=found.next_cursor)


def activity_counts(uow: CommunityUnitOfWork, actor: Actor, activity_id: UUID) -> ActivityCounts:
    """后台统计报名、参加人数."""
    with uow:
        activity = uow.activities.get(activity_id)
        require_staff(actor, Permission.ACTIVITY_MANAGE, activity.community_id)
        return activity.counts()


def activity_sign_ups(
    uow: CommunityUnitOfWork, actor: Actor, activity_id: UUID, page: PageRequest
) -> Page[SignUpView]:
    """The live sign-ups of an activity in sign-up order, for the check-in desk."""
    with uow:
        activity = uow.activities.get(activity_id)
        require_staff(actor, Permission.ACTIVITY_MANAGE, activity.community_id)
        live = [s for s in activity.sign_ups if s.status is not SignUpStatus.CANCELLED]
        found = paginate(live, key=lambda s: (s.signed_up_at, str(s.resident_id)), request=page)
        return Page(
            items=[_sign_up_view(uow, s) for s in found.items], next_cursor=found.next_cursor
        )


def _sign_up_view(uow: CommunityUnitOfWork, sign_up: SignUp) -> SignUpView:
    resident = uow.residents.find(sign_up.resident_id)
    return SignUpView(
        resident_id=sign_up.resident_id,
        name=resident.name if resident else "",
        phone=mask_phone(resident.phone) if resident else "",
        head_count=sign_up.head_count,
        status=sign_up.status,
        signed_up_at=sign_up.signed_up_at,
        checked_in_at=sign_up.checked_in_at,
    )
