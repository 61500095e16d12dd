"""Reading notices: residents' lists, read receipts 已读回执 and the reach rate 传达率.

Who sees what: a public notice is readable by any resident of the tenant who picked its
community (unbound residents read public notices, seeds 002 and 004); a targeted notice only by
the active members of the targeted homes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

import attrs

from estate_core.community.notice import Audience, Notice, NoticeKind, NoticeRead
from estate_core.community.ports import CommunityUnitOfWork
from estate_core.community.services.common import active_resident, member_property_ids
from estate_core.community.services.notices import require_publisher
from estate_core.shared.access import Actor, ResidentActor
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import Conflict, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import MAX_PAGE_SIZE, Page, PageRequest


@attrs.frozen(kw_only=True)
class ResidentNotice:
    """A notice as a resident sees it: never the list of targeted homes."""

    id: UUID
    kind: NoticeKind
    title: str
    body: str
    published_at: datetime
    read: bool


@attrs.frozen(kw_only=True)
class NoticeReach:
    """Reach rate 传达率 = audience members who read it / audience size (0 for no audience).

    ``readers`` counts everyone who read it, including residents outside the audience (anyone
    of the tenant may read a public notice); only audience members count towards the rate.
    """

    notice_id: UUID
    audience_size: int
    audience_readers: int
    readers: int
    rate: Decimal


def _resident_view(notice: Notice, read: bool) -> ResidentNotice:
    return ResidentNotice(
        id=notice.id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        published_at=notice.published_at or notice.created_at,
        read=read,
    )


def notices_for_resident(
    uow: CommunityUnitOfWork,
    clock: Clock,
    actor: ResidentActor,
    community_id: UUID,
    page: PageRequest,
) -> Page[ResidentNotice]:
    """小区通知: the published notices of the community the resident picked, newest first."""
    with uow:
        active_resident(uow, actor.resident_id)
        homes = member_property_ids(uow, actor.resident_id, local_date(clock.now()), community_id)
        found = uow.notices.visible_in_community(community_id, homes, page)
        read = uow.notice_reads.read_among(actor.resident_id, [n.id for n in found.items])
        return Page(
            items=[_resident_view(n, n.id in read) for n in found.items],
            next_cursor=found.next_cursor,
        )


def read_notice(
    uow: CommunityUnitOfWork, clock: Clock, actor: ResidentActor, notice_id: UUID
) -> ResidentNotice:
    """Open a notice (点击详情查看) and record the read receipt, once per resident.

    The view is made before the commit: when the same resident's other request stored the
    receipt first, the commit fails on the unique key and the unit of work may no longer
    read the notice, but the resident still gets it.
    """
    now = clock.now()
    with uow:
        active_resident(uow, actor.resident_id)
        notice = uow.notices.find(notice_id)
        if notice is None or not _may_read(uow, notice, actor.resident_id, now):
            raise NotFound("notice.not_found", "no such notice")
        view = _resident_view(notice, read=True)
        if not uow.notice_reads.has_read(notice.id, actor.resident_id):
            uow.notice_reads.add(
                NoticeRead(
                    id=new_id(),
                    tenant_id=uow.tenant_id,
                    notice_id=notice.id,
                    resident_id=actor.resident_id,
                    read_at=now,
                )
            )
            try:
                uow.commit()
            except Conflict as clash:
                if clash.code != "notice_reads.duplicate":
                    raise
        return view


def _may_read(uow: CommunityUnitOfWork, notice: Notice, resident_id: UUID, now: datetime) -> bool:
    if not notice.is_visible:
        return False
    if not notice.audience.targeted:
        return True
    homes = member_property_ids(uow, resident_id, local_date(now))
    return bool(homes & notice.audience.property_ids)


def notice_reach(
    uow: CommunityUnitOfWork, clock: Clock, actor: Actor, notice_id: UUID
) -> NoticeReach:
    """The reach rate of a notice, against its audience as it is today."""
    with uow:
        notice = uow.notices.get(notice_id)
        require_publisher(actor, notice.community_ids)
        audience = _audience_members(uow, notice.audience, clock)
        readers = uow.notice_reads.readers(notice.id)
        reached = len(audience & readers)
        rate = (
            (Decimal(reached) / Decimal(len(audience))).quantize(
                Decimal("0.0001"), rounding=ROUND_HALF_UP
            )
            if audience
            else Decimal("0.0000")
        )
        return NoticeReach(
            notice_id=notice.id,
            audience_size=len(audience),
            audience_readers=reached,
            readers=len(readers),
            rate=rate,
        )


def _audience_members(
    uow: CommunityUnitOfWork, audience: Audience, clock: Clock
) -> frozenset[UUID]:
    """The active members (owners, family, tenants within their lease) the notice is for."""
    if audience.targeted:
        property_ids = set(audience.property_ids)
    else:
        property_ids = set()
        for community_id in audience.community_ids:
            request = PageRequest(limit=MAX_PAGE_SIZE)
            while True:
                found = uow.properties.list_in_community(community_id, request)
                property_ids.update(p.id for p in found.items)
                if found.next_cursor is None:
                    break
                request = PageRequest(limit=MAX_PAGE_SIZE, after=found.next_cursor)
    today = local_date(clock.now())
    members: set[UUID] = set()
    for property_id in property_ids:
        household = uow.households.for_property(property_id)
        if household is not None:
            members.update(m.resident_id for m in household.members if m.active_on(today))
    return frozenset(members)
