"""Notice use cases for staff: write, moderate, publish (now or on schedule), withdraw, list.

Publishing (now or on schedule) must pass the content-moderation port; the refusal carries the
port's reason. Moderation runs when staff publish or schedule, since the text is frozen from then
on. Residents' side (reading, receipts, reach rate) is in ``notice_reading``; dunning letters are
in ``dunning``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from estate_core.community.notice import (
    Audience,
    Notice,
    NoticeKind,
    NoticeState,
    RejectedByModeration,
    clean_text,
)
from estate_core.community.ports import CommunityUnitOfWork, ContentModerator
from estate_core.community.services.common import aware, require_communities
from estate_core.shared.access import Actor, Permission, StaffActor, SystemActor, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import InvalidInput, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class NoticeView:
    """A notice as staff see it."""

    id: UUID
    kind: NoticeKind
    title: str
    body: str
    state: NoticeState
    community_ids: frozenset[UUID]
    property_ids: frozenset[UUID]
    created_at: datetime
    publish_at: datetime | None
    published_at: datetime | None
    withdrawn_at: datetime | None


def _view(notice: Notice) -> NoticeView:
    return NoticeView(
        id=notice.id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        state=notice.state,
        community_ids=notice.audience.community_ids,
        property_ids=notice.audience.property_ids,
        created_at=notice.created_at,
        publish_at=notice.publish_at,
        published_at=notice.published_at,
        withdrawn_at=notice.withdrawn_at,
    )


def require_publisher(actor: Actor, community_ids: frozenset[UUID]) -> StaffActor:
    """Staff with notice.publish for every community the notice reaches."""
    staff = require_staff(actor, Permission.NOTICE_PUBLISH)
    for community_id in community_ids:
        staff.require(Permission.NOTICE_PUBLISH, community_id)
    return staff


def moderate(moderator: ContentModerator, tenant_id: UUID, notice: Notice) -> None:
    """Refuse with ``notice.rejected_by_moderation`` and the port's reason (seed 000)."""
    verdict = moderator.check(tenant_id, notice.text)
    if not verdict.allowed:
        raise RejectedByModeration(
            f"content moderation refused this notice: {verdict.reason}", reason=verdict.reason
        )


def build_audience(
    uow: CommunityUnitOfWork, community_ids: frozenset[UUID], property_ids: frozenset[UUID]
) -> Audience:
    """Whole communities of this tenant, or given homes (their communities are derived)."""
    if community_ids and property_ids:
        raise InvalidInput(
            "notice.ambiguous_audience", "address either whole communities or given homes"
        )
    if property_ids:
        communities = frozenset(uow.properties.get(pid).community_id for pid in property_ids)
        return Audience(community_ids=communities, property_ids=property_ids)
    audience = Audience(community_ids=community_ids)
    require_communities(uow, community_ids)
    return audience


@attrs.frozen(kw_only=True)
class CreateNotice:
    """Write a draft to whole communities (``community_ids``) or given homes (``property_ids``)."""

    kind: NoticeKind
    title: str
    body: str
    community_ids: frozenset[UUID] = frozenset()
    property_ids: frozenset[UUID] = frozenset()


def create_notice(uow: CommunityUnitOfWork, clock: Clock, actor: Actor, cmd: CreateNotice) -> UUID:
    title, body = clean_text(cmd.title, cmd.body)
    with uow:
        audience = build_audience(uow, cmd.community_ids, cmd.property_ids)
        staff = require_publisher(actor, audience.community_ids)
        notice = Notice(
            id=new_id(),
            tenant_id=uow.tenant_id,
            kind=cmd.kind,
            title=title,
            body=body,
            audience=audience,
            created_by=staff.staff_id,
            created_at=clock.now(),
        )
        uow.notices.add(notice)
        uow.commit()
        return notice.id


@attrs.frozen(kw_only=True)
class ReviseNotice:
    notice_id: UUID
    kind: NoticeKind
    title: str
    body: str


def revise_notice(uow: CommunityUnitOfWork, actor: Actor, cmd: ReviseNotice) -> None:
    """Change a draft's kind and text (a scheduled notice must be unscheduled first)."""
    with uow:
        notice = uow.notices.get(cmd.notice_id)
        require_publisher(actor, notice.community_ids)
        notice.revise(cmd.kind, cmd.title, cmd.body)
        uow.commit()


@attrs.frozen(kw_only=True)
class PublishNotice:
    """Publish now, or at ``at`` when that is in the future (定时发布)."""

    notice_id: UUID
    at: datetime | None = None


def publish_notice(
    uow: CommunityUnitOfWork,
    clock: Clock,
    moderator: ContentModerator,
    actor: Actor,
    cmd: PublishNotice,
) -> NoticeState:
    """Moderate, then publish or schedule; returns the notice's new state.

    Moderation runs when staff publish or schedule, since the text is frozen from then on.
    """
    now = clock.now()
    with uow:
        notice = uow.notices.get(cmd.notice_id)
        staff = require_publisher(actor, notice.community_ids)
        moderate(moderator, uow.tenant_id, notice)
        if cmd.at is not None and aware(cmd.at, "at") > now:
            notice.schedule(cmd.at, staff.staff_id, now)
        else:
            notice.publish(now, staff.staff_id)
        uow.commit()
        return notice.state


def unschedule_notice(uow: CommunityUnitOfWork, actor: Actor, notice_id: UUID) -> None:
    with uow:
        notice = uow.notices.get(notice_id)
        require_publisher(actor, notice.community_ids)
        notice.unschedule()
        uow.commit()


def withdraw_notice(uow: CommunityUnitOfWork, clock: Clock, actor: Actor, notice_id: UUID) -> None:
    """Take a published notice down: residents no longer see it."""
    with uow:
        notice = uow.notices.get(notice_id)
        require_publisher(actor, notice.community_ids)
        notice.withdraw(clock.now())
        uow.commit()


def publish_due_notices(uow: CommunityUnitOfWork, clock: Clock, actor: Actor) -> list[UUID]:
    """Worker job: publish every scheduled notice whose time has come. Idempotent."""
    if not isinstance(actor, SystemActor):
        raise PermissionDenied("permission.system_only", "only the worker runs this job")
    now = clock.now()
    with uow:
        due = uow.notices.due(now)
        for notice in due:
            notice.publish(now)
        uow.commit()
        return [notice.id for notice in due]


def list_notices(
    uow: CommunityUnitOfWork, actor: Actor, community_id: UUID, page: PageRequest
) -> Page[NoticeView]:
    """Staff: every notice of a community in any state, newest first."""
    require_staff(actor, Permission.NOTICE_PUBLISH, community_id)
    with uow:
        found = uow.notices.in_community(community_id, page)
        return Page(items=[_view(n) for n in found.items], next_cursor=found.next_cursor)


def get_notice(uow: CommunityUnitOfWork, actor: Actor, notice_id: UUID) -> NoticeView:
    with uow:
        notice = uow.notices.get(notice_id)
        require_publisher(actor, notice.community_ids)
        return _view(notice)
