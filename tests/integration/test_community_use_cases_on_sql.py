"""The community use cases, unchanged, on the SQLAlchemy unit of work (SQLite and PostgreSQL).

Notices (public, targeted, scheduled, dunning letters) are written, published, read once and
measured; an activity fills up, is cancelled from and checked in; a visitor pass is issued,
used, listed and revoked. Each step is its own unit of work, read back from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
import sqlalchemy as sa
from community_estate_sql import ADMIN, SqlEstate

from adapters.moderation import RuleBasedModerator
from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.persistence.sqlalchemy.tables.community import notice_reads
from estate_core.community.activity import ActivityCounts, ActivityState, SignUpStatus
from estate_core.community.notice import NoticeKind, NoticeState
from estate_core.community.services import activities, dunning, notice_reading, notices, visitors
from estate_core.shared.access import ResidentActor, SystemActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import Conflict
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest

MODERATOR = RuleBasedModerator()


@pytest.fixture
def estate(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], tenant_id: UUID, clock: FixedClock
) -> SqlEstate:
    return SqlEstate(make_uow, tenant_id, clock)


def _draft(estate: SqlEstate, **audience: frozenset[UUID]) -> UUID:
    return notices.create_notice(
        estate.uow,
        estate.clock,
        ADMIN,
        notices.CreateNotice(
            kind=NoticeKind.GENERAL, title="停水通知", body="周六停水，请储水。", **audience
        ),
    )


def _publish(estate: SqlEstate, notice_id: UUID) -> NoticeState:
    return notices.publish_notice(
        estate.uow, estate.clock, MODERATOR, ADMIN, notices.PublishNotice(notice_id=notice_id)
    )


def _visible(estate: SqlEstate, resident: ResidentActor) -> list[tuple[UUID, bool]]:
    page = notice_reading.notices_for_resident(
        estate.uow, estate.clock, resident, estate.community_id, PageRequest()
    )
    return [(n.id, n.read) for n in page.items]


class _Arrears:
    def __init__(self, owing: Sequence[UUID]) -> None:
        self.owing = owing

    def properties_in_arrears(
        self, tenant_id: UUID, community_id: UUID, threshold: Money, on: date
    ) -> Sequence[UUID]:
        return self.owing


def test_notices_are_published_read_once_measured_and_withdrawn(estate: SqlEstate) -> None:
    owner, neighbour = estate.resident("业主"), estate.resident("邻居")
    home = estate.home(owner=owner)
    estate.home(owner=neighbour)
    family = estate.family(home)
    public = _draft(estate, community_ids=frozenset({estate.community_id}))
    assert _publish(estate, public) is NoticeState.PUBLISHED
    estate.clock.advance(timedelta(minutes=1))
    targeted = _draft(estate, property_ids=frozenset({home}))
    _publish(estate, targeted)

    assert _visible(estate, owner) == [(targeted, False), (public, False)]
    assert _visible(estate, neighbour) == [(public, False)]
    for _ in range(2):
        read = notice_reading.read_notice(estate.uow, estate.clock, owner, public)
        assert read.read
    notice_reading.read_notice(estate.uow, estate.clock, family, public)
    assert _visible(estate, owner) == [(targeted, False), (public, True)]
    with estate.uow:
        receipts = estate.uow.session.scalar(sa.select(sa.func.count()).select_from(notice_reads))
    assert receipts == 2

    reach = notice_reading.notice_reach(estate.uow, estate.clock, ADMIN, public)
    assert (reach.audience_size, reach.audience_readers, reach.rate) == (3, 2, Decimal("0.6667"))
    targeted_reach = notice_reading.notice_reach(estate.uow, estate.clock, ADMIN, targeted)
    assert (targeted_reach.audience_size, targeted_reach.readers) == (2, 0)

    notices.withdraw_notice(estate.uow, estate.clock, ADMIN, public)
    assert _visible(estate, owner) == [(targeted, False)]
    staff_list = notices.list_notices(estate.uow, ADMIN, estate.community_id, PageRequest())
    assert [(n.id, n.state) for n in staff_list.items] == [
        (targeted, NoticeState.PUBLISHED),
        (public, NoticeState.WITHDRAWN),
    ]


def test_scheduled_notice_is_published_by_the_worker_when_due(estate: SqlEstate) -> None:
    owner = estate.resident()
    estate.home(owner=owner)
    notice_id = _draft(estate, community_ids=frozenset({estate.community_id}))
    at = estate.clock.now() + timedelta(hours=2)
    state = notices.publish_notice(
        estate.uow,
        estate.clock,
        MODERATOR,
        ADMIN,
        notices.PublishNotice(notice_id=notice_id, at=at),
    )
    assert state is NoticeState.SCHEDULED
    worker = SystemActor(job="publish_due_notices")
    assert notices.publish_due_notices(estate.uow, estate.clock, worker) == []
    assert _visible(estate, owner) == []
    estate.clock.advance(timedelta(hours=2))
    assert notices.publish_due_notices(estate.uow, estate.clock, worker) == [notice_id]
    assert notices.publish_due_notices(estate.uow, estate.clock, worker) == []
    assert _visible(estate, owner) == [(notice_id, False)]


def test_dunning_letter_reaches_only_the_homes_in_arrears(estate: SqlEstate) -> None:
    owing, paid = estate.resident(), estate.resident()
    owing_home = estate.home(owner=owing)
    estate.home(owner=paid)
    letter = dunning.issue_dunning_letter(
        estate.uow,
        estate.clock,
        MODERATOR,
        _Arrears([owing_home]),
        ADMIN,
        dunning.IssueDunningLetter(community_id=estate.community_id, threshold=Money(10_000)),
    )
    assert letter.property_count == 1
    assert _visible(estate, owing) == [(letter.notice_id, False)]
    assert _visible(estate, paid) == []


def _activity(estate: SqlEstate, capacity: int) -> UUID:
    now = estate.clock.now()
    return activities.create_activity(
        estate.uow,
        estate.clock,
        ADMIN,
        activities.CreateActivity(
            community_id=estate.community_id,
            title="中秋游园会",
            description="猜灯谜",
            capacity=capacity,
            starts_at=now + timedelta(days=7),
            ends_at=now + timedelta(days=7, hours=3),
            sign_up_deadline=now + timedelta(days=6),
        ),
    )


def _sign_up(estate: SqlEstate, resident: ResidentActor, activity_id: UUID, heads: int) -> int:
    view = activities.sign_up_for_activity(
        estate.uow,
        estate.clock,
        resident,
        activities.SignUpForActivity(activity_id=activity_id, head_count=heads),
    )
    return view.places_left


def test_an_activity_fills_up_frees_places_and_counts_who_came(estate: SqlEstate) -> None:
    first, second, third = (estate.resident() for _ in range(3))
    for resident in (first, second, third):
        estate.home(owner=resident)
    activity_id = _activity(estate, capacity=5)
    assert _sign_up(estate, first, activity_id, 3) == 2
    with pytest.raises(Conflict) as full:
        _sign_up(estate, second, activity_id, 3)
    assert full.value.code == "activity.full"
    activities.cancel_sign_up(estate.uow, estate.clock, first, activity_id)
    assert _sign_up(estate, second, activity_id, 3) == 2
    assert _sign_up(estate, third, activity_id, 2) == 0

    listed = activities.activities_in_community(
        estate.uow, estate.clock, second, estate.community_id, PageRequest()
    )
    assert [(a.id, a.people, a.my_head_count) for a in listed.items] == [(activity_id, 5, 3)]
    estate.clock.advance(timedelta(days=7))
    counts = activities.check_in(
        estate.uow,
        estate.clock,
        ADMIN,
        activities.CheckIn(activity_id=activity_id, resident_id=second.resident_id),
    )
    assert counts == ActivityCounts(
        capacity=5, sign_ups=2, people=5, checked_in_sign_ups=1, checked_in_people=3
    )
    desk = activities.activity_sign_ups(estate.uow, ADMIN, activity_id, PageRequest())
    assert [(s.resident_id, s.status) for s in desk.items] == [
        (second.resident_id, SignUpStatus.CHECKED_IN),
        (third.resident_id, SignUpStatus.SIGNED_UP),
    ]
    activities.cancel_activity(
        estate.uow,
        estate.clock,
        ADMIN,
        activities.CancelActivity(activity_id=activity_id, reason="暴雨"),
    )
    with estate.uow:
        assert estate.uow.activities.get(activity_id).state is ActivityState.CANCELLED


def test_a_visitor_pass_is_issued_used_listed_and_revoked(estate: SqlEstate) -> None:
    host = estate.resident()
    home = estate.home(owner=host)
    issued = visitors.register_visitor(
        estate.uow,
        estate.clock,
        host,
        visitors.RegisterVisitor(
            property_id=home,
            visitor_name="王阿姨",
            visitor_phone="139 1234 5678",
            head_count=2,
            plate="川a·12345",
            max_entries=2,
        ),
    )
    check = visitors.verify_visitor_pass(
        estate.uow,
        estate.clock,
        ADMIN,
        visitors.VerifyVisitorPass(token=issued.token, community_id=estate.community_id),
    )
    assert (check.visitor_phone, check.plate, check.entries_left) == ("139****5678", "川A12345", 1)
    history = visitors.visitor_history(estate.uow, host, PageRequest()).items
    assert [(p.id, p.visitor_phone, p.token, len(p.entries)) for p in history] == [
        (issued.pass_id, "13912345678", issued.token, 1)
    ]
    gate = visitors.community_visitor_log(estate.uow, ADMIN, estate.community_id, PageRequest())
    assert [(p.id, p.visitor_phone, p.token) for p in gate.items] == [
        (issued.pass_id, "139****5678", None)
    ]
    visitors.revoke_visitor_pass(estate.uow, estate.clock, host, issued.pass_id)
    with pytest.raises(Conflict) as refused:
        visitors.verify_visitor_pass(
            estate.uow, estate.clock, ADMIN, visitors.VerifyVisitorPass(token=issued.token)
        )
    assert refused.value.code == "visitor_pass.revoked"
