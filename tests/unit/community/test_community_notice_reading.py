"""Who reads which notice: drafts hidden, public and targeted audiences, read marks, paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from community_estate import Estate, draft_notice, publish_now, visible_notices

from adapters.moderation import RuleBasedModerator
from estate_core.community.notice import NoticeState
from estate_core.community.services.notice_reading import notices_for_resident, read_notice
from estate_core.shared.errors import DomainError
from estate_core.shared.pagination import PageRequest


def test_residents_do_not_see_adraft_notice(estate: Estate) -> None:
    notice_id = draft_notice(estate)
    reader = estate.resident()
    assert visible_notices(estate, reader) == []
    with pytest.raises(DomainError) as refused:
        read_notice(estate.uow, estate.clock, reader, notice_id)
    assert refused.value.code == "notice.not_found"


def test_public_notice_is_readable_by_an_unbound_resident(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    notice_id = draft_notice(estate)
    assert publish_now(estate, notice_id, moderator) is NoticeState.PUBLISHED
    unbound = estate.resident()
    assert visible_notices(estate, unbound) == [notice_id]
    assert read_notice(estate.uow, estate.clock, unbound, notice_id).title == "停水通知"


def test_public_notice_is_listed_only_in_its_community(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    publish_now(estate, draft_notice(estate), moderator)
    assert visible_notices(estate, estate.resident(), estate.other_community_id) == []


def test_targeted_notice_is_readable_only_by_members_of_the_targeted_homes(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    owner, neighbour = estate.resident(), estate.resident()
    home = estate.home(owner=owner)
    estate.home(owner=neighbour)
    family = estate.family(home)
    notice_id = draft_notice(estate, property_ids=frozenset({home}))
    publish_now(estate, notice_id, moderator)

    assert visible_notices(estate, owner) == [notice_id]
    assert visible_notices(estate, family) == [notice_id]
    assert visible_notices(estate, neighbour) == []
    with pytest.raises(DomainError) as refused:
        read_notice(estate.uow, estate.clock, neighbour, notice_id)
    assert refused.value.code == "notice.not_found"


def test_disabled_resident_reads_no_notice(estate: Estate, moderator: RuleBasedModerator) -> None:
    publish_now(estate, draft_notice(estate), moderator)
    reader = estate.resident()
    estate.disable(reader)
    with pytest.raises(DomainError) as refused:
        visible_notices(estate, reader)
    assert refused.value.code == "resident.disabled"


def test_resident_list_marks_the_notices_already_read(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    first, second = draft_notice(estate), draft_notice(estate)
    publish_now(estate, first, moderator)
    estate.clock.advance(timedelta(minutes=1))
    publish_now(estate, second, moderator)
    reader = estate.resident()
    read_notice(estate.uow, estate.clock, reader, first)
    page = notices_for_resident(
        estate.uow, estate.clock, reader, estate.community_id, PageRequest()
    )
    assert [(n.id, n.read) for n in page.items] == [(second, False), (first, True)]


def test_resident_list_pages_newest_first(estate: Estate, moderator: RuleBasedModerator) -> None:
    published = []
    for _ in range(5):
        notice_id = draft_notice(estate)
        publish_now(estate, notice_id, moderator)
        published.append(notice_id)
        estate.clock.advance(timedelta(minutes=1))
    reader, seen, cursor = estate.resident(), [], None
    while True:
        page = notices_for_resident(
            estate.uow,
            estate.clock,
            reader,
            estate.community_id,
            PageRequest(limit=2, after=cursor),
        )
        seen += [n.id for n in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == published[::-1]
