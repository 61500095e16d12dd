"""The database itself holds the community invariants, on SQLite and PostgreSQL.

A buggy caller that changes an aggregate's lists without going through its methods still
cannot seat more people than an activity holds, sign one resident up twice or let a pass in
more often than it allows. Visitors' phones are stored encrypted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa
from community_samples import AT, STAFF, a_notice, a_visitor_pass, an_activity
from persistence_samples import a_property, a_resident

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.persistence.sqlalchemy.tables.community import (
    activities,
    notice_communities,
    visitor_passes,
)
from estate_core.community.activity import SignUp
from estate_core.community.notice import Audience
from estate_core.community.visitor import VisitorEntry
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest, encode_cursor

MakeUow = Callable[[UUID], SqlAlchemyUnitOfWork]


def _residents(make_uow: MakeUow, tenant_id: UUID, count: int) -> list[UUID]:
    residents = [a_resident(tenant_id, f"138{i:08d}") for i in range(count)]
    with make_uow(tenant_id) as uow:
        for resident in residents:
            uow.residents.add(resident)
        uow.commit()
    return [resident.id for resident in residents]


def test_more_people_than_the_capacity_are_refused_even_past_the_aggregate(
    make_uow: MakeUow, tenant_id: UUID
) -> None:
    [resident] = _residents(make_uow, tenant_id, 1)
    activity = an_activity(tenant_id, new_id(), capacity=2)
    with make_uow(tenant_id) as uow:
        uow.activities.add(activity)
        uow.commit()
    with make_uow(tenant_id) as uow:
        loaded = uow.activities.get(activity.id)
        loaded.sign_ups.append(SignUp(resident_id=resident, head_count=3, signed_up_at=AT))
        with pytest.raises(sa.exc.IntegrityError, match="people_within_capacity"):
            uow.commit()


def test_the_stored_head_count_follows_sign_ups_and_cancellations(
    make_uow: MakeUow, tenant_id: UUID
) -> None:
    first, second = _residents(make_uow, tenant_id, 2)
    activity = an_activity(tenant_id, new_id(), capacity=5)
    activity.sign_up(first, 2, AT)
    with make_uow(tenant_id) as uow:
        uow.activities.add(activity)
        uow.commit()
    with make_uow(tenant_id) as uow:
        loaded = uow.activities.get(activity.id)
        loaded.sign_up(second, 3, AT)
        loaded.cancel_sign_up(first, AT)
        uow.commit()
        people = uow.session.scalar(sa.select(activities.c.people))
    assert people == 3


def test_a_second_live_sign_up_of_one_resident_is_refused_even_past_the_aggregate(
    make_uow: MakeUow, tenant_id: UUID
) -> None:
    [resident] = _residents(make_uow, tenant_id, 1)
    activity = an_activity(tenant_id, new_id(), capacity=5)
    activity.sign_up(resident, 1, AT)
    with make_uow(tenant_id) as uow:
        uow.activities.add(activity)
        uow.commit()
    with make_uow(tenant_id) as uow:
        loaded = uow.activities.get(activity.id)
        loaded.sign_ups.append(SignUp(resident_id=resident, head_count=1, signed_up_at=AT))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "activity.already_signed_up"


def test_more_entries_than_a_pass_allows_are_refused_even_past_the_aggregate(
    make_uow: MakeUow, tenant_id: UUID
) -> None:
    home, host = a_property(tenant_id, new_id()), a_resident(tenant_id)
    issued = a_visitor_pass(tenant_id, home.community_id, home.id, host.id, max_entries=1)
    issued.admit(STAFF, AT)
    with make_uow(tenant_id) as uow:
        uow.properties.add(home)
        uow.residents.add(host)
        uow.visitor_passes.add(issued)
        uow.commit()
    with make_uow(tenant_id) as uow:
        loaded = uow.visitor_passes.get(issued.id)
        loaded.entries.append(VisitorEntry(at=AT, guard_id=STAFF))
        with pytest.raises(sa.exc.IntegrityError, match="entries_within_max"):
            uow.commit()


def test_a_visitors_phone_is_stored_encrypted(make_uow: MakeUow, tenant_id: UUID) -> None:
    home, host = a_property(tenant_id, new_id()), a_resident(tenant_id)
    issued = a_visitor_pass(tenant_id, home.community_id, home.id, host.id)
    with make_uow(tenant_id) as uow:
        uow.properties.add(home)
        uow.residents.add(host)
        uow.visitor_passes.add(issued)
        uow.commit()
        stored = uow.session.execute(
            sa.select(sa.type_coerce(visitor_passes.c.visitor_phone_ciphertext, sa.LargeBinary))
        ).scalar_one()
    assert b"13912345678" not in bytes(stored)


def test_a_notices_community_rows_follow_its_state(make_uow: MakeUow, tenant_id: UUID) -> None:
    first, second = new_id(), new_id()
    notice = a_notice(tenant_id, frozenset({first, second}))
    with make_uow(tenant_id) as uow:
        uow.notices.add(notice)
        uow.commit()
    with make_uow(tenant_id) as uow:
        uow.notices.get(notice.id).publish(AT + timedelta(hours=1), STAFF)
        uow.commit()
        c = notice_communities.c
        rows = uow.session.execute(
            sa.select(c.community_id, c.state, c.published_at, c.targeted).order_by(c.community_id)
        ).all()
    assert [tuple(row) for row in rows] == [
        (community_id, "published", AT + timedelta(hours=1), False)
        for community_id in sorted([first, second])
    ]


def test_a_cursor_of_the_wrong_shape_is_refused(make_uow: MakeUow, tenant_id: UUID) -> None:
    shapes: list[list[object]] = [
        [1, 2],
        ["x", "1"],
        [1, "not-a-uuid"],
        [1],
        [10**30, str(new_id())],
    ]
    with make_uow(tenant_id) as uow:
        for after in shapes:
            request = PageRequest(after=encode_cursor(after))
            with pytest.raises(InvalidInput) as raised:
                uow.visitor_passes.in_community(new_id(), request)
            assert raised.value.code == "page.invalid_cursor"


def test_a_changed_audience_moves_the_notice_between_community_lists(
    make_uow: MakeUow, tenant_id: UUID
) -> None:
    before, after = new_id(), new_id()
    notice = a_notice(tenant_id, frozenset({before}))
    notice.publish(AT, STAFF)
    with make_uow(tenant_id) as uow:
        uow.notices.add(notice)
        uow.commit()
    with make_uow(tenant_id) as uow:
        uow.notices.get(notice.id).audience = Audience(community_ids=frozenset({after}))
        uow.commit()
    with make_uow(tenant_id) as uow:
        assert uow.notices.visible_in_community(before, frozenset(), PageRequest()).items == []
        moved = uow.notices.visible_in_community(after, frozenset(), PageRequest()).items
        assert [n.id for n in moved] == [notice.id]
