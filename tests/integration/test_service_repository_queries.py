"""The service repositories' queries, on the in-memory store, a SQLite file and PostgreSQL.

The lists' order and cursors, and the worker's and the statistics' selections, are the same on
every backend. Cursors are compared with the in-memory format itself, so a cursor handed out by
one backend means the same position on another.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from persistence_samples import Backend
from service_samples import (
    AT,
    Home,
    add_home,
    closed_by_rating,
    completed,
    dispatched,
    replied,
    report,
    submit,
    technician,
)

from estate_core.service.complaint import ComplaintStatus
from estate_core.service.workorder_states import QUEUE_STATUSES, WorkOrderStatus
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest, encode_cursor

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


def _newest_first_cursor(created_at: datetime, row_id: UUID) -> str:
    return encode_cursor([-_micros(created_at), str(row_id)])


def _walk(
    list_page: Callable[[PageRequest], Page[Any]], limit: int = 2
) -> tuple[list[UUID], list[str]]:
    """The ids of every item of a list, page by page, and the cursors handed out on the way."""
    items: list[UUID] = []
    cursors: list[str] = []
    cursor: str | None = None
    while True:
        page = list_page(PageRequest(limit=limit, after=cursor))
        items += [item.id for item in page.items]
        if page.next_cursor is None:
            return items, cursors
        cursors.append(page.next_cursor)
        cursor = page.next_cursor


@pytest.fixture
def home(backend: Backend, tenant_id: UUID) -> Home:
    return add_home(backend.uow, tenant_id)


def test_a_resident_s_cases_are_listed_newest_first_with_the_same_cursors_everywhere(
    backend: Backend, home: Home
) -> None:
    neighbour = add_home(backend.uow, home.tenant_id, home.community_id, "13800000002", "102")
    times = [AT + timedelta(minutes=m) for m in (0, 7, 7, 7, 3, 12)]
    orders = [report(home, at) for at in times]
    complaints = [submit(home, at) for at in times]
    with backend.uow(home.tenant_id) as uow:
        for order, complaint in zip(orders, complaints, strict=True):
            uow.work_orders.add(order)
            uow.complaints.add(complaint)
        uow.work_orders.add(report(neighbour, AT + timedelta(minutes=5)))
        uow.complaints.add(submit(neighbour, AT + timedelta(minutes=5)))
        uow.commit()
    with backend.uow(home.tenant_id) as uow:
        listed_orders, order_cursors = _walk(
            lambda page: uow.work_orders.of_resident(home.resident_id, page)
        )
        listed_complaints, complaint_cursors = _walk(
            lambda page: uow.complaints.of_resident(home.resident_id, page)
        )
    for listed, cursors, made in (
        (listed_orders, order_cursors, orders),
        (listed_complaints, complaint_cursors, complaints),
    ):
        newest_first = sorted(made, key=lambda case: (-_micros(case.created_at), str(case.id)))
        assert listed == [case.id for case in newest_first]
        assert cursors == [
            _newest_first_cursor(case.created_at, case.id) for case in newest_first[1:-1:2]
        ]


def test_a_community_s_cases_are_listed_newest_first_optionally_by_status(
    backend: Backend, home: Home
) -> None:
    elsewhere = add_home(backend.uow, home.tenant_id, phone="13800000002", room="909")
    pending = [report(home, AT + timedelta(minutes=m)) for m in range(3)]
    done = [
        completed(report(home, AT + timedelta(minutes=m)), AT + timedelta(hours=1)) for m in (1, 4)
    ]
    submitted = [submit(home, AT + timedelta(minutes=m)) for m in range(3)]
    answered = [
        replied(submit(home, AT + timedelta(minutes=m)), AT + timedelta(hours=1)) for m in (2, 5)
    ]
    with backend.uow(home.tenant_id) as uow:
        for order in [*pending, *done, report(elsewhere)]:
            uow.work_orders.add(order)
        for complaint in [*submitted, *answered, submit(elsewhere)]:
            uow.complaints.add(complaint)
        uow.commit()

    def newest_first(cases: list[Any]) -> list[UUID]:
        return [c.id for c in sorted(cases, key=lambda c: (-_micros(c.created_at), str(c.id)))]

    with backend.uow(home.tenant_id) as uow:
        orders = uow.work_orders
        assert _walk(lambda p: orders.in_community(home.community_id, None, p))[0] == (
            newest_first([*pending, *done])
        )
        by_status = _walk(
            lambda p: orders.in_community(home.community_id, WorkOrderStatus.COMPLETED, p), 1
        )
        assert by_status[0] == newest_first(done)
        assert by_status[1] == [_newest_first_cursor(done[1].created_at, done[1].id)]
        complaints = uow.complaints
        assert _walk(lambda p: complaints.in_community(home.community_id, None, p))[0] == (
            newest_first([*submitted, *answered])
        )
        replied_only = _walk(
            lambda p: complaints.in_community(home.community_id, ComplaintStatus.REPLIED, p)
        )[0]
        assert replied_only == newest_first(answered)


def test_a_technician_s_queue_holds_their_open_orders_soonest_arrival_first(
    backend: Backend, home: Home
) -> None:
    mine, theirs = technician(), technician("王师傅", "13900000002")
    arrivals = [timedelta(hours=h) for h in (5, 1, 3, 3, 2)]
    queued = [dispatched(report(home), mine, AT, arrival) for arrival in arrivals]
    queued[0].accept(mine.staff_id, AT)
    finished = dispatched(report(home), mine, AT, timedelta(minutes=30))
    finished.accept(mine.staff_id, AT)
    finished.complete(mine.staff_id, ["f.jpg"], AT)
    with backend.uow(home.tenant_id) as uow:
        for order in [*queued, finished, dispatched(report(home), theirs, AT, timedelta(hours=1))]:
            uow.work_orders.add(order)
        uow.commit()
    with backend.uow(home.tenant_id) as uow:
        listed, cursors = _walk(
            lambda page: uow.work_orders.assigned_to(mine.staff_id, QUEUE_STATUSES, page)
        )
        done = uow.work_orders.assigned_to(
            mine.staff_id, {WorkOrderStatus.COMPLETED}, PageRequest()
        ).items
        assert [o.id for o in done] == [finished.id]

    def arrival(order: Any) -> datetime:
        assert order.assignment is not None
        return order.assignment.expected_arrival

    soonest_first = sorted(queued, key=lambda o: (_micros(arrival(o)), str(o.id)))
    assert listed == [o.id for o in soonest_first]
    assert cursors == [
        encode_cursor([_micros(arrival(o)), str(o.id)]) for o in soonest_first[1:-1:2]
    ]


def test_the_auto_close_jobs_find_exactly_the_cases_due(backend: Backend, home: Home) -> None:
    early = completed(report(home), AT)
    on_cutoff = completed(report(home), AT + timedelta(hours=1))
    late = completed(report(home), AT + timedelta(hours=2))
    rated = closed_by_rating(report(home), AT)
    answered_early = replied(submit(home), AT)
    answered_late = replied(submit(home), AT + timedelta(hours=2))
    reopened = replied(submit(home), AT)
    reopened.reopen(home.resident_id, "没解决", AT + timedelta(minutes=1))
    with backend.uow(home.tenant_id) as uow:
        for order in (early, on_cutoff, late, rated, report(home)):
            uow.work_orders.add(order)
        for complaint in (answered_early, answered_late, reopened, submit(home)):
            uow.complaints.add(complaint)
        uow.commit()
    cutoff = AT + timedelta(hours=1)
    with backend.uow(home.tenant_id) as uow:
        due_orders = [o.id for o in uow.work_orders.completed_before(cutoff)]
        due_complaints = [c.id for c in uow.complaints.replied_before(cutoff)]
    assert sorted(due_orders) == sorted([early.id, on_cutoff.id])
    assert due_complaints == [answered_early.id]


def test_statistics_read_the_cases_created_in_the_half_open_range(
    backend: Backend, home: Home
) -> None:
    elsewhere = add_home(backend.uow, home.tenant_id, phone="13800000002", room="909")
    since, until = AT, AT + timedelta(days=1)
    moments = [since - timedelta(microseconds=1), since, until - timedelta(microseconds=1), until]
    orders = [report(home, at) for at in moments]
    complaints = [submit(home, at) for at in moments]
    with backend.uow(home.tenant_id) as uow:
        for order, complaint in zip(orders, complaints, strict=True):
            uow.work_orders.add(order)
            uow.complaints.add(complaint)
        uow.work_orders.add(report(elsewhere, since))
        uow.complaints.add(submit(elsewhere, since))
        uow.commit()
    with backend.uow(home.tenant_id) as uow:
        reported = uow.work_orders.reported_between(home.community_id, since, until)
        submitted = uow.complaints.submitted_between(home.community_id, since, until)
        assert {o.id for o in reported} == {orders[1].id, orders[2].id}
        assert {c.id for c in submitted} == {complaints[1].id, complaints[2].id}


def test_a_cursor_this_service_did_not_give_is_refused(backend: Backend, home: Home) -> None:
    garbage = PageRequest(after="not a cursor!")
    with backend.uow(home.tenant_id) as uow:
        calls: list[Callable[[], object]] = [
            lambda: uow.work_orders.of_resident(home.resident_id, garbage),
            lambda: uow.work_orders.in_community(home.community_id, None, garbage),
            lambda: uow.work_orders.assigned_to(new_id(), QUEUE_STATUSES, garbage),
            lambda: uow.complaints.of_resident(home.resident_id, garbage),
            lambda: uow.complaints.in_community(home.community_id, None, garbage),
        ]
        for call in calls:
            with pytest.raises(InvalidInput) as raised:
                call()
            assert raised.value.code == "page.invalid_cursor"


def test_a_tampered_cursor_is_refused_by_the_database_repositories(
    make_uow: Callable[[UUID], Any], tenant_id: UUID
) -> None:
    """Short, a time that is text or a boolean, an id that is not one, a time out of range."""
    tampered = [
        [1],
        ["1", str(new_id())],
        [True, str(new_id())],
        [1, "not an id"],
        [10**30, str(new_id())],
    ]
    with make_uow(tenant_id) as uow:
        for parts in tampered:
            page = PageRequest(after=encode_cursor(parts))
            for call in (
                functools.partial(uow.work_orders.of_resident, new_id(), page),
                functools.partial(uow.work_orders.assigned_to, new_id(), QUEUE_STATUSES, page),
                functools.partial(uow.complaints.in_community, new_id(), None, page),
            ):
                with pytest.raises(InvalidInput) as raised:
                    call()
                assert raised.value.code == "page.invalid_cursor", parts
