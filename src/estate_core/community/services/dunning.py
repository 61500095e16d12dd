"""Dunning letters 催缴函: a targeted notice to the homes whose arrears pass a threshold.

Seed 001 §2.2.4: 挑选欠费金额较大的业主，通过平台发送催费函. The arrears come through the
:class:`~estate_core.community.ports.ArrearsQuery` port, so this needs no billing internals.
"""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.community.notice import Notice, NoticeKind, clean_text
from estate_core.community.ports import ArrearsQuery, CommunityUnitOfWork, ContentModerator
from estate_core.community.services.common import require_communities
from estate_core.community.services.notices import build_audience, moderate
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

DUNNING_TITLE = "物业费催缴函"
DUNNING_BODY = (
    "尊敬的业主：您的房产尚有到期未缴的物业费用。请尽快在线缴纳，或前往物业服务中心办理。"
    "如您已缴纳，请忽略本通知。"
)


@attrs.frozen(kw_only=True)
class DunningLetter:
    """What a dunning run produced: the notice (None when no home owed enough) and its homes."""

    notice_id: UUID | None
    property_count: int


@attrs.frozen(kw_only=True)
class IssueDunningLetter:
    """Send a dunning letter 催缴函 to every home of a community owing at least ``threshold``."""

    community_id: UUID
    threshold: Money
    title: str = DUNNING_TITLE
    body: str = DUNNING_BODY


def issue_dunning_letter(
    uow: CommunityUnitOfWork,
    clock: Clock,
    moderator: ContentModerator,
    arrears: ArrearsQuery,
    actor: Actor,
    cmd: IssueDunningLetter,
) -> DunningLetter:
    """Publish one targeted notice to the homes in arrears; nothing when no home owes that much.

    The letter is moderated like any notice, and its publication event lets the worker push it.
    """
    staff = require_staff(actor, Permission.NOTICE_PUBLISH, cmd.community_id)
    if not cmd.threshold.is_positive:
        raise InvalidInput("notice.invalid_threshold", "the arrears threshold must be positive")
    title, body = clean_text(cmd.title, cmd.body)
    now = clock.now()
    with uow:
        require_communities(uow, frozenset({cmd.community_id}))
        owing = frozenset(
            arrears.properties_in_arrears(
                uow.tenant_id, cmd.community_id, cmd.threshold, local_date(now)
            )
        )
        if not owing:
            return DunningLetter(notice_id=None, property_count=0)
        audience = build_audience(uow, frozenset(), owing)
        if audience.community_ids != {cmd.community_id}:
            raise Conflict("notice.arrears_outside_community", "arrears query left the community")
        notice = Notice(
            id=new_id(),
            tenant_id=uow.tenant_id,
            kind=NoticeKind.GENERAL,
            title=title,
            body=body,
            audience=audience,
            created_by=staff.staff_id,
            created_at=now,
        )
        moderate(moderator, uow.tenant_id, notice)
        notice.publish(now, staff.staff_id)
        uow.notices.add(notice)
        uow.commit()
        return DunningLetter(notice_id=notice.id, property_count=len(owing))
