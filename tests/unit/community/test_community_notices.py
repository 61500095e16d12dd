"""Notice 公告 use cases: drafts, moderation, scheduling, audiences and who may read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from community_estate import Estate, draft_notice, publish_now, staff, visible_notices

from adapters.moderation import RuleBasedModerator, TenantRules
from estate_core.community.notice import (
    NOTICE_TRANSITIONS,
    Audience,
    Notice,
    NoticeAction,
    NoticeKind,
    NoticeState,
)
from estate_core.community.services.notices import (
    CreateNotice,
    PublishNotice,
    ReviseNotice,
    create_notice,
    list_notices,
    publish_due_notices,
    publish_notice,
    revise_notice,
    unschedule_notice,
    withdraw_notice,
)
from estate_core.shared.access import Permission, SystemActor
from estate_core.shared.errors import DomainError, InvalidTransition
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

WORKER = SystemActor(job="publish_due_notices")


def test_targeted_notice_is_listed_in_the_community_of_its_homes(estate: Estate) -> None:
    home = estate.home(estate.other_community_id)
    notice_id = draft_notice(estate, property_ids=frozenset({home}))
    in_other = list_notices(estate.uow, estate.admin, estate.other_community_id, PageRequest())
    assert [n.id for n in in_other.items] == [notice_id]
    assert list_notices(estate.uow, estate.admin, estate.community_id, PageRequest()).items == []


def test_notice_addresses_communities_or_homes_not_both(estate: Estate) -> None:
    home = estate.home()
    with pytest.raises(DomainError) as refused:
        draft_notice(
            estate, community_ids=frozenset({estate.community_id}), property_ids=frozenset({home})
        )
    assert refused.value.code == "notice.ambiguous_audience"
    with pytest.raises(DomainError) as empty:
        draft_notice(estate, community_ids=frozenset())
    assert empty.value.code == "notice.no_audience"


def test_moderation_refuses_advertising_with_phone_number(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    notice_id = draft_notice(estate, body="家电清洗特价优惠，预约请致电 138-0013-8000")
    with pytest.raises(DomainError) as refused:
        publish_now(estate, notice_id, moderator)
    assert refused.value.code == "notice.rejected_by_moderation"
    assert "phone number" in refused.value.details["reason"]
    with estate.uow:
        assert estate.uow.notices.get(notice_id).state is NoticeState.DRAFT
    assert estate.events("NoticePublished") == []


def test_moderation_also_guards_scheduled_publication(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    notice_id = draft_notice(estate, body="优惠活动详见 www.example-shop.com")
    at = estate.clock.now() + timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        publish_notice(
            estate.uow,
            estate.clock,
            moderator,
            estate.admin,
            PublishNotice(notice_id=notice_id, at=at),
        )
    assert refused.value.code == "notice.rejected_by_moderation"


def test_tenant_may_allow_its_own_hotline(estate: Estate) -> None:
    moderator = RuleBasedModerator(
        tenants={estate.uow.tenant_id: TenantRules(allowed_patterns=(r"028-8888 ?6666",))}
    )
    notice_id = draft_notice(estate, body="如有疑问请致电物业服务中心 028-8888 6666。")
    assert publish_now(estate, notice_id, moderator) is NoticeState.PUBLISHED


def test_scheduled_notice_is_published_by_the_worker_when_due(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    notice_id = draft_notice(estate)
    at = estate.clock.now() + timedelta(hours=3)
    state = publish_notice(
        estate.uow, estate.clock, moderator, estate.admin, PublishNotice(notice_id=notice_id, at=at)
    )
    assert state is NoticeState.SCHEDULED
    reader = estate.resident()
    assert visible_notices(estate, reader) == []
    assert publish_due_notices(estate.uow, estate.clock, WORKER) == []

    estate.clock.advance(timedelta(hours=3))
    assert publish_due_notices(estate.uow, estate.clock, WORKER) == [notice_id]
    assert publish_due_notices(estate.uow, estate.clock, WORKER) == []
    assert visible_notices(estate, reader) == [notice_id]
    assert len(estate.events("NoticePublished")) == 1


def test_only_the_worker_runs_the_scheduled_publication_job(estate: Estate) -> None:
    with pytest.raises(DomainError) as refused:
        publish_due_notices(estate.uow, estate.clock, estate.admin)
    assert refused.value.code == "permission.system_only"


def test_scheduled_notice_can_be_unscheduled_and_revised(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    notice_id = draft_notice(estate)
    at = estate.clock.now() + timedelta(days=2)
    publish_notice(
        estate.uow, estate.clock, moderator, estate.admin, PublishNotice(notice_id=notice_id, at=at)
    )
    revise = ReviseNotice(
        notice_id=notice_id, kind=NoticeKind.URGENT, title="紧急停水", body="今日停水"
    )
    with pytest.raises(InvalidTransition):
        revise_notice(estate.uow, estate.admin, revise)

    unschedule_notice(estate.uow, estate.admin, notice_id)
    revise_notice(estate.uow, estate.admin, revise)
    with estate.uow:
        notice = estate.uow.notices.get(notice_id)
        assert (notice.state, notice.title, notice.publish_at) == (
            NoticeState.DRAFT,
            "紧急停水",
            None,
        )


def test_published_notice_cannot_be_revised(estate: Estate, moderator: RuleBasedModerator) -> None:
    notice_id = draft_notice(estate)
    publish_now(estate, notice_id, moderator)
    with pytest.raises(DomainError) as refused:
        revise_notice(
            estate.uow,
            estate.admin,
            ReviseNotice(notice_id=notice_id, kind=NoticeKind.GENERAL, title="改", body="改"),
        )
    assert refused.value.code == "notice.invalid_transition"


def test_withdrawn_notice_disappears_for_residents(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    notice_id = draft_notice(estate)
    publish_now(estate, notice_id, moderator)
    reader = estate.resident()
    withdraw_notice(estate.uow, estate.clock, estate.admin, notice_id)
    assert visible_notices(estate, reader) == []
    assert len(estate.events("NoticeWithdrawn")) == 1
    with pytest.raises(DomainError) as again:
        withdraw_notice(estate.uow, estate.clock, estate.admin, notice_id)
    assert again.value.code == "notice.invalid_transition"


def test_urgent_notice_asks_the_worker_for_sms(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    general = draft_notice(estate)
    urgent = create_notice(
        estate.uow,
        estate.clock,
        estate.admin,
        CreateNotice(
            kind=NoticeKind.URGENT,
            title="燃气泄漏紧急通知",
            body="3号楼燃气管道检修，请勿使用明火。",
            community_ids=frozenset({estate.community_id}),
        ),
    )
    publish_now(estate, general, moderator)
    publish_now(estate, urgent, moderator)
    sms = {e["notice_id"]: e["sms"] for e in estate.events("NoticePublished")}
    assert sms == {str(general): False, str(urgent): True}


def test_staff_need_notice_publish_in_every_community_reached(estate: Estate) -> None:
    scoped = staff(Permission.NOTICE_PUBLISH, communities=frozenset({estate.community_id}))
    both = frozenset({estate.community_id, estate.other_community_id})
    with pytest.raises(DomainError) as out_of_scope:
        create_notice(
            estate.uow,
            estate.clock,
            scoped,
            CreateNotice(kind=NoticeKind.GENERAL, title="通知", body="内容", community_ids=both),
        )
    assert out_of_scope.value.code == "permission.out_of_scope"
    with pytest.raises(DomainError) as missing:
        create_notice(
            estate.uow,
            estate.clock,
            staff(Permission.ACTIVITY_MANAGE),
            CreateNotice(kind=NoticeKind.GENERAL, title="通知", body="内容", community_ids=both),
        )
    assert missing.value.code == "permission.missing"


def test_resident_cannotpublish_now(estate: Estate, moderator: RuleBasedModerator) -> None:
    notice_id = draft_notice(estate)
    with pytest.raises(DomainError) as refused:
        publish_notice(
            estate.uow,
            estate.clock,
            moderator,
            estate.resident(),
            PublishNotice(notice_id=notice_id),
        )
    assert refused.value.code == "permission.staff_only"


_REFUSED = [
    (state, action)
    for state in NoticeState
    for action in NoticeAction
    if (state, action) not in NOTICE_TRANSITIONS
]


@pytest.mark.parametrize(("state", "action"), _REFUSED)
def test_every_refused_notice_transition_raises_and_changes_nothing(
    state: NoticeState, action: NoticeAction
) -> None:
    now = datetime(2026, 3, 15, tzinfo=UTC)
    notice = Notice(
        id=new_id(),
        tenant_id=new_id(),
        kind=NoticeKind.GENERAL,
        title="t",
        body="b",
        audience=Audience(community_ids=frozenset({new_id()})),
        created_by=new_id(),
        created_at=now,
        state=state,
    )
    attempt = {
        NoticeAction.REVISE: lambda: notice.revise(NoticeKind.URGENT, "x", "y"),
        NoticeAction.SCHEDULE: lambda: notice.schedule(now + timedelta(days=1), new_id(), now),
        NoticeAction.UNSCHEDULE: notice.unschedule,
        NoticeAction.PUBLISH: lambda: notice.publish(now, new_id()),
        NoticeAction.WITHDRAW: lambda: notice.withdraw(now),
    }[action]
    before = (notice.state, notice.title, notice.publish_at, notice.published_at)
    with pytest.raises(InvalidTransition) as refused:
        attempt()
    assert refused.value.code == "notice.invalid_transition"
    assert (notice.state, notice.title, notice.publish_at, notice.published_at) == before
    assert notice.pending_events == ()


def test_notice_to_an_unknown_community_is_refused(estate: Estate) -> None:
    with pytest.raises(DomainError) as refused:
        draft_notice(estate, community_ids=frozenset({new_id()}))
    assert refused.value.code == "community.not_found"
