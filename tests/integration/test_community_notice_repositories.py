"""The notice and read-receipt repositories keep one contract on memory, SQLite and PostgreSQL.

What a use case can observe (what is found, in which order a list pages, which duplicates are
refused with which code, which events reach the outbox) is the same on every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from community_samples import AT, STAFF, a_notice, newest_first, save, walk
from persistence_samples import Backend, a_property, a_resident

from estate_core.community.notice import Audience, NoticeKind, NoticeRead, NoticeState
from estate_core.shared.errors import Conflict, InvalidInput, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest


def _read(notice_id: UUID, resident_id: UUID, tenant_id: UUID) -> NoticeRead:
    return NoticeRead(
        id=new_id(), tenant_id=tenant_id, notice_id=notice_id, resident_id=resident_id, read_at=AT
    )


def test_missing_community_aggregates_raise_their_not_found_codes(
    backend: Backend, tenant_id: UUID
) -> None:
    codes = []
    with backend.uow(tenant_id) as uow:
        for repository in (uow.notices, uow.activities, uow.visitor_passes):
            assert repository.find(new_id()) is None
            with pytest.raises(NotFound) as raised:
                repository.get(new_id())
            codes.append(raised.value.code)
    assert codes == ["notice.not_found", "activity.not_found", "visitor_pass.not_found"]


def test_notice_keeps_its_audience_kind_and_times_through_publish_and_withdraw(
    backend: Backend, tenant_id: UUID
) -> None:
    community_id = new_id()
    home = a_property(tenant_id, community_id)
    notice = a_notice(tenant_id, frozenset({community_id}), frozenset({home.id}))
    notice.revise(NoticeKind.URGENT, " 催缴函 ", "请缴费")
    save(backend, tenant_id, home, notice)
    with backend.uow(tenant_id) as uow:
        loaded = uow.notices.get(notice.id)
        assert loaded.audience == Audience(
            community_ids=frozenset({community_id}), property_ids=frozenset({home.id})
        )
        assert (loaded.kind, loaded.title, loaded.state) == (
            NoticeKind.URGENT,
            "催缴函",
            NoticeState.DRAFT,
        )
        loaded.schedule(AT + timedelta(hours=2), STAFF, AT)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.notices.get(notice.id)
        assert (loaded.state, loaded.publish_at, loaded.published_by) == (
            NoticeState.SCHEDULED,
            AT + timedelta(hours=2),
            STAFF,
        )
        loaded.publish(AT + timedelta(hours=2))
        loaded.withdraw(AT + timedelta(hours=3))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.notices.get(notice.id)
        assert (loaded.state, loaded.published_at, loaded.withdrawn_at) == (
            NoticeState.WITHDRAWN,
            AT + timedelta(hours=2),
            AT + timedelta(hours=3),
        )


def test_staff_list_walks_every_notice_of_a_community_newest_first_in_any_state(
    backend: Backend, tenant_id: UUID
) -> None:
    community_id, elsewhere = new_id(), new_id()
    minutes = [0, 5, 5, 5, 9, 2, 7]
    notices = [
        a_notice(tenant_id, frozenset({community_id}), created_at=AT + timedelta(minutes=m))
        for m in minutes
    ]
    shared = a_notice(tenant_id, frozenset({community_id, elsewhere}), created_at=AT)
    other = a_notice(tenant_id, frozenset({elsewhere}), created_at=AT + timedelta(minutes=3))
    notices[1].publish(AT, STAFF)
    notices[4].publish(AT, STAFF)
    notices[4].withdraw(AT)
    save(backend, tenant_id, *notices, shared, other)
    mine = [*notices, shared]
    expected = [n.id for n in sorted(mine, key=lambda n: newest_first(n.created_at, n.id))]
    with backend.uow(tenant_id) as uow:
        assert walk(lambda page: uow.notices.in_community(community_id, page)) == expected
        published = walk(
            lambda page: uow.notices.in_community(
                community_id, page, states=frozenset({NoticeState.PUBLISHED})
            )
        )
        assert published == [notices[1].id]
        assert set(walk(lambda page: uow.notices.in_community(elsewhere, page))) == {
            shared.id,
            other.id,
        }


def test_resident_list_shows_published_public_notices_and_those_for_their_homes_only(
    backend: Backend, tenant_id: UUID
) -> None:
    community_id, elsewhere = new_id(), new_id()
    mine, neighbours = (
        a_property(tenant_id, community_id),
        a_property(tenant_id, community_id, room="102"),
    )
    public = [a_notice(tenant_id, frozenset({community_id})) for _ in range(3)]
    for_me = a_notice(tenant_id, frozenset({community_id}), frozenset({mine.id, neighbours.id}))
    for_neighbours = a_notice(tenant_id, frozenset({community_id}), frozenset({neighbours.id}))
    draft = a_notice(tenant_id, frozenset({community_id}))
    other_community = a_notice(tenant_id, frozenset({elsewhere}))
    published = [*public, for_me, for_neighbours, other_community]
    for minutes, notice in enumerate(published):
        notice.publish(AT + timedelta(minutes=minutes % 3), STAFF)
    save(backend, tenant_id, mine, neighbours, *published, draft)
    visible = [*public, for_me]
    expected = [
        n.id for n in sorted(visible, key=lambda n: newest_first(n.published_at or AT, n.id))
    ]
    with backend.uow(tenant_id) as uow:
        listed = walk(
            lambda page: uow.notices.visible_in_community(community_id, frozenset({mine.id}), page)
        )
        assert listed == expected
        unbound = walk(
            lambda page: uow.notices.visible_in_community(community_id, frozenset(), page)
        )
        assert set(unbound) == {n.id for n in public}


def test_withdrawn_notice_leaves_the_resident_list_and_a_published_one_joins_it(
    backend: Backend, tenant_id: UUID
) -> None:
    community_id = new_id()
    shown, hidden = (
        a_notice(tenant_id, frozenset({community_id})),
        a_notice(tenant_id, frozenset({community_id})),
    )
    shown.publish(AT, STAFF)
    save(backend, tenant_id, shown, hidden)
    with backend.uow(tenant_id) as uow:
        uow.notices.get(shown.id).withdraw(AT + timedelta(hours=1))
        uow.notices.get(hidden.id).publish(AT + timedelta(hours=1), STAFF)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        page = uow.notices.visible_in_community(community_id, frozenset(), PageRequest())
        assert [n.id for n in page.items] == [hidden.id]


def test_due_finds_the_scheduled_notices_whose_time_has_come(
    backend: Backend, tenant_id: UUID
) -> None:
    community = frozenset({new_id()})
    early, later, draft = (a_notice(tenant_id, community) for _ in range(3))
    early.schedule(AT + timedelta(hours=1), STAFF, AT)
    later.schedule(AT + timedelta(hours=5), STAFF, AT)
    save(backend, tenant_id, early, later, draft)
    with backend.uow(tenant_id) as uow:
        assert uow.notices.due(AT) == []
        assert [n.id for n in uow.notices.due(AT + timedelta(hours=1))] == [early.id]
        due = uow.notices.due(AT + timedelta(hours=6))
        assert sorted(n.id for n in due) == sorted([early.id, later.id])


def test_read_receipts_answer_who_read_what(backend: Backend, tenant_id: UUID) -> None:
    community = frozenset({new_id()})
    first, second, unread = (a_notice(tenant_id, community) for _ in range(3))
    reader, other = a_resident(tenant_id, "13800000001"), a_resident(tenant_id, "13800000002")
    save(backend, tenant_id, first, second, unread, reader, other)
    save(
        backend,
        tenant_id,
        _read(first.id, reader.id, tenant_id),
        _read(second.id, reader.id, tenant_id),
        _read(first.id, other.id, tenant_id),
    )
    with backend.uow(tenant_id) as uow:
        reads = uow.notice_reads
        assert reads.has_read(first.id, reader.id)
        assert not reads.has_read(unread.id, reader.id)
        assert reads.readers(first.id) == {reader.id, other.id}
        assert reads.readers(unread.id) == frozenset()
        assert reads.read_among(reader.id, [first.id, unread.id, second.id]) == {
            first.id,
            second.id,
        }
        assert reads.read_among(other.id, []) == frozenset()


def test_a_receipt_added_in_the_unit_of_work_is_seen_before_commit(
    backend: Backend, tenant_id: UUID
) -> None:
    notice, reader = a_notice(tenant_id, frozenset({new_id()})), a_resident(tenant_id)
    save(backend, tenant_id, notice, reader)
    with backend.uow(tenant_id) as uow:
        uow.notice_reads.add(_read(notice.id, reader.id, tenant_id))
        assert uow.notice_reads.has_read(notice.id, reader.id)
        assert uow.notice_reads.readers(notice.id) == {reader.id}


def test_second_receipt_of_one_resident_for_one_notice_is_refused(
    backend: Backend, tenant_id: UUID
) -> None:
    notice, reader = a_notice(tenant_id, frozenset({new_id()})), a_resident(tenant_id)
    save(backend, tenant_id, notice, reader, _read(notice.id, reader.id, tenant_id))
    with backend.uow(tenant_id) as uow:
        uow.notice_reads.add(_read(notice.id, reader.id, tenant_id))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "notice_reads.duplicate"


def test_publishing_a_notice_puts_one_event_in_the_outbox(
    backend: Backend, tenant_id: UUID
) -> None:
    community_id = new_id()
    notice = a_notice(tenant_id, frozenset({community_id}), kind=NoticeKind.URGENT)
    save(backend, tenant_id, notice)
    with backend.uow(tenant_id) as uow:
        uow.notices.get(notice.id).publish(AT, STAFF)
        uow.commit()
    [message] = [m for m in backend.outbox() if m.event_name == "NoticePublished"]
    assert message.payload["notice_id"] == str(notice.id)
    assert message.payload["community_ids"] == [str(community_id)]
    assert message.payload["sms"] is True


def test_a_cursor_this_service_did_not_give_is_refused_by_the_time_ordered_lists(
    backend: Backend, tenant_id: UUID
) -> None:
    request = PageRequest(after="not a cursor!")
    with backend.uow(tenant_id) as uow:
        lists: list[Callable[[], Page[Any]]] = [
            lambda: uow.notices.in_community(new_id(), request),
            lambda: uow.notices.visible_in_community(new_id(), frozenset(), request),
            lambda: uow.activities.in_community(new_id(), request),
            lambda: uow.visitor_passes.of_resident(new_id(), request),
            lambda: uow.visitor_passes.in_community(new_id(), request),
        ]
        for fetch in lists:
            with pytest.raises(InvalidInput) as raised:
                fetch()
            assert raised.value.code == "page.invalid_cursor"
