"""No community repository method returns a row of another tenant, on any backend.

Two tenants hold look-alike data: the same community id, notices, receipts, activities and
passes (even the same pass token). Every method is called from the second tenant's unit of work
with the first tenant's ids and keys, and must only ever see the second tenant's rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import attrs
import pytest
from community_samples import AT, STAFF, a_notice, a_visitor_pass, an_activity
from isolation import (
    assert_adding_is_refused,
    assert_all_of,
    assert_every_public_method_is_covered,
    assert_unseen,
)
from persistence_samples import Backend, a_property, a_resident

from adapters.persistence.sqlalchemy.repositories.community import (
    SqlActivityRepository,
    SqlNoticeReadRepository,
    SqlNoticeRepository,
    SqlVisitorPassRepository,
)
from estate_core.community.activity import Activity
from estate_core.community.notice import Notice, NoticeRead, NoticeState
from estate_core.community.visitor import VisitorPass
from estate_core.identity.model import Resident
from estate_core.properties.model import Property
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

COMMUNITY = new_id()
"""Shared on purpose: a query filtering on the community but not the tenant would leak."""

TOKEN = "the-same-token-in-both-tenants-0"
PAGE = PageRequest(limit=50)

COVERED = {
    SqlNoticeRepository: {"add", "get", "find", "in_community", "visible_in_community", "due"},
    SqlNoticeReadRepository: {"add", "get", "find", "has_read", "readers", "read_among"},
    SqlActivityRepository: {"add", "get", "find", "in_community"},
    SqlVisitorPassRepository: {
        "add",
        "get",
        "find",
        "find_by_token",
        "of_resident",
        "in_community",
    },
}


@attrs.frozen
class Tenant:
    id: UUID
    resident: Resident
    home: Property
    public: Notice
    targeted: Notice
    scheduled: Notice
    receipt: NoticeRead
    activity: Activity
    visitor_pass: VisitorPass


def _populate(backend: Backend) -> Tenant:
    tenant_id = new_id()
    resident = a_resident(tenant_id)
    home = a_property(tenant_id, COMMUNITY)
    public = a_notice(tenant_id, frozenset({COMMUNITY}))
    targeted = a_notice(tenant_id, frozenset({COMMUNITY}), frozenset({home.id}))
    public.publish(AT, STAFF)
    targeted.publish(AT, STAFF)
    scheduled = a_notice(tenant_id, frozenset({COMMUNITY}))
    scheduled.schedule(AT, STAFF, AT - timedelta(hours=1))
    receipt = NoticeRead(
        id=new_id(), tenant_id=tenant_id, notice_id=public.id, resident_id=resident.id, read_at=AT
    )
    activity = an_activity(tenant_id, COMMUNITY)
    activity.sign_up(resident.id, 1, AT)
    visitor_pass = a_visitor_pass(tenant_id, COMMUNITY, home.id, resident.id)
    visitor_pass.token = TOKEN
    with backend.uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.properties.add(home)
        for notice in (public, targeted, scheduled):
            uow.notices.add(notice)
        uow.notice_reads.add(receipt)
        uow.activities.add(activity)
        uow.visitor_passes.add(visitor_pass)
        uow.commit()
    return Tenant(
        tenant_id, resident, home, public, targeted, scheduled, receipt, activity, visitor_pass
    )


@pytest.fixture
def tenants(backend: Backend) -> tuple[Tenant, Tenant]:
    return _populate(backend), _populate(backend)


def _ids(items: Any) -> set[UUID]:
    return {item.id for item in items}


def test_every_community_repository_method_is_covered_here() -> None:
    assert_every_public_method_is_covered(COVERED)


def test_notices_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.notices, first.public.id)
        listed = uow.notices.in_community(COMMUNITY, PAGE).items
        assert _ids(listed) == {second.public.id, second.targeted.id, second.scheduled.id}
        published = uow.notices.in_community(
            COMMUNITY, PAGE, states=frozenset({NoticeState.PUBLISHED})
        ).items
        assert _ids(published) == {second.public.id, second.targeted.id}
        homes = frozenset({first.home.id, second.home.id})
        visible = uow.notices.visible_in_community(COMMUNITY, homes, PAGE).items
        assert _ids(visible) == {second.public.id, second.targeted.id}
        due = uow.notices.due(AT)
        assert _ids(due) == {second.scheduled.id}
        assert_all_of(second.id, [*listed, *visible, *due])


def test_read_receipts_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        reads = uow.notice_reads
        assert_unseen(reads, first.receipt.id)
        assert reads.get(second.receipt.id).tenant_id == second.id
        assert not reads.has_read(first.public.id, first.resident.id)
        assert reads.readers(first.public.id) == frozenset()
        assert reads.read_among(first.resident.id, [first.public.id]) == frozenset()
        assert reads.readers(second.public.id) == {second.resident.id}
        both = [first.public.id, second.public.id]
        assert reads.read_among(second.resident.id, both) == {second.public.id}


def test_activities_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.activities, first.activity.id)
        listed = uow.activities.in_community(COMMUNITY, PAGE, ending_after=AT).items
        assert _ids(listed) == {second.activity.id}
        assert [s.resident_id for s in listed[0].sign_ups] == [second.resident.id]
        assert_all_of(second.id, listed)


def test_visitor_passes_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        passes = uow.visitor_passes
        assert_unseen(passes, first.visitor_pass.id)
        by_token = passes.find_by_token(TOKEN)
        assert by_token is not None
        assert by_token.id == second.visitor_pass.id
        assert passes.of_resident(first.resident.id, PAGE).items == []
        history = passes.of_resident(second.resident.id, PAGE).items
        gate = passes.in_community(COMMUNITY, PAGE).items
        assert _ids(history) == _ids(gate) == {second.visitor_pass.id}
        assert_all_of(second.id, [by_token, *history, *gate])


def test_adding_a_community_aggregate_of_another_tenant_is_refused(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_adding_is_refused(
            [
                (uow.notices, a_notice(first.id, frozenset({COMMUNITY}))),
                (
                    uow.notice_reads,
                    NoticeRead(
                        id=new_id(),
                        tenant_id=first.id,
                        notice_id=first.public.id,
                        resident_id=first.resident.id,
                        read_at=AT,
                    ),
                ),
                (uow.activities, an_activity(first.id, COMMUNITY)),
                (
                    uow.visitor_passes,
                    a_visitor_pass(first.id, COMMUNITY, first.home.id, first.resident.id),
                ),
            ]
        )
