"""Read receipts 已读回执 and the reach rate 传达率 of a notice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from community_estate import Estate, staff

from adapters.moderation import RuleBasedModerator
from estate_core.community.notice import NoticeKind
from estate_core.community.services.notice_reading import (
    notice_reach,
    read_notice,
)
from estate_core.community.services.notices import (
    CreateNotice,
    PublishNotice,
    create_notice,
    publish_notice,
)
from estate_core.properties.model import MemberRole
from estate_core.properties.services import AddMember, add_member
from estate_core.shared.access import Permission
from estate_core.shared.errors import DomainError


def _published(
    estate: Estate,
    moderator: RuleBasedModerator,
    *,
    homes: frozenset[UUID] = frozenset(),
) -> UUID:
    notice_id = create_notice(
        estate.uow,
        estate.clock,
        estate.admin,
        CreateNotice(
            kind=NoticeKind.HOLIDAY,
            title="春节祝福",
            body="祝全体业主新春快乐，阖家幸福！",
            community_ids=frozenset() if homes else frozenset({estate.community_id}),
            property_ids=homes,
        ),
    )
    publish_notice(
        estate.uow, estate.clock, moderator, estate.admin, PublishNotice(notice_id=notice_id)
    )
    return notice_id


def test_reach_rate_counts_each_reader_once(estate: Estate, moderator: RuleBasedModerator) -> None:
    owners = [estate.resident() for _ in range(4)]
    for owner in owners:
        estate.home(owner=owner)
    notice_id = _published(estate, moderator)
    for _ in range(3):
        read_notice(estate.uow, estate.clock, owners[0], notice_id)
    read_notice(estate.uow, estate.clock, owners[1], notice_id)

    reach = notice_reach(estate.uow, estate.clock, estate.admin, notice_id)
    assert (reach.audience_size, reach.audience_readers, reach.readers) == (4, 2, 2)
    assert reach.rate == Decimal("0.5000")
    with estate.uow:
        assert len(estate.uow.notice_reads.readers(notice_id)) == 2


def test_readers_outside_the_audience_do_not_raise_the_rate(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    owner = estate.resident()
    estate.home(owner=owner)
    estate.home(estate.other_community_id, owner=estate.resident())
    notice_id = _published(estate, moderator)
    read_notice(estate.uow, estate.clock, estate.resident(), notice_id)

    reach = notice_reach(estate.uow, estate.clock, estate.admin, notice_id)
    assert (reach.audience_size, reach.audience_readers, reach.readers) == (1, 0, 1)
    assert reach.rate == Decimal("0.0000")


def test_targeted_audience_is_the_active_members_of_those_homes(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    owner, other_owner = estate.resident(), estate.resident()
    home = estate.home(owner=owner)
    estate.home(owner=other_owner)
    family = estate.family(home)
    lapsed = estate.resident()
    with estate.uow:
        phone = estate.uow.residents.get(lapsed.resident_id).phone
    add_member(
        estate.uow,
        estate.clock,
        estate.admin,
        AddMember(
            property_id=home,
            phone=phone,
            name="租户",
            role=MemberRole.TENANT,
            lease_end=date(2026, 3, 1),
        ),
    )
    notice_id = _published(estate, moderator, homes=frozenset({home}))
    read_notice(estate.uow, estate.clock, family, notice_id)

    reach = notice_reach(estate.uow, estate.clock, estate.admin, notice_id)
    assert (reach.audience_size, reach.audience_readers) == (2, 1)
    assert reach.rate == Decimal("0.5000")


def test_reach_rate_of_a_notice_with_no_audience_is_zero(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    notice_id = _published(estate, moderator)
    reach = notice_reach(estate.uow, estate.clock, estate.admin, notice_id)
    assert (reach.audience_size, reach.rate) == (0, Decimal("0.0000"))


def test_reach_rate_is_for_staff_with_notice_publish(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    notice_id = _published(estate, moderator)
    with pytest.raises(DomainError) as refused:
        notice_reach(estate.uow, estate.clock, staff(Permission.VISITOR_VERIFY), notice_id)
    assert refused.value.code == "permission.missing"


def test_read_receipt_keeps_the_first_read_time(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    reader = estate.resident()
    notice_id = _published(estate, moderator)
    first = estate.clock.now()
    read_notice(estate.uow, estate.clock, reader, notice_id)
    estate.clock.advance(timedelta(hours=1))
    read_notice(estate.uow, estate.clock, reader, notice_id)
    receipts = [row.value for row in estate.store.table("notice_reads").values()]
    assert [(r.resident_id, r.read_at) for r in receipts] == [(reader.resident_id, first)]
