"""The service repositories' contract, on the in-memory store, a SQLite file and PostgreSQL.

What a use case can observe of a work order or complaint (every field after each step of its
life, lost updates refused, events in the outbox) is the same on every backend. The queries'
side of the contract is in ``test_service_repository_queries.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from persistence_samples import Backend
from service_samples import (
    AT,
    DESK,
    Home,
    add_home,
    auto_close_time,
    completed,
    dispatched,
    replied,
    report,
    submit,
    technician,
)

from estate_core.service.common import Rating
from estate_core.service.complaint import REPLY_WINDOW, ComplaintStatus
from estate_core.service.views import complaint_view, work_order_view
from estate_core.service.workorder_states import RepairKind
from estate_core.shared.errors import ConcurrencyConflict, NotFound
from estate_core.shared.ids import new_id


@pytest.fixture
def home(backend: Backend, tenant_id: UUID) -> Home:
    return add_home(backend.uow, tenant_id)


def test_a_work_order_keeps_every_field_through_its_whole_life(
    backend: Backend, home: Home
) -> None:
    order = report(home, kind=RepairKind.APPOINTMENT, photos=("a.jpg", "b.jpg"))
    first, second = technician(), technician("王师傅", "13900000002")
    with backend.uow(home.tenant_id) as uow:
        uow.work_orders.add(order)
        uow.commit()
    steps: list[Callable[[Any], None]] = [
        lambda o: dispatched(o, first, AT + timedelta(minutes=5), timedelta(hours=2)),
        lambda o: o.reassign(
            second, AT + timedelta(hours=3), DESK, AT + timedelta(minutes=9), "休假"
        ),
        lambda o: o.accept(second.staff_id, AT + timedelta(minutes=20), AT + timedelta(hours=4)),
        lambda o: o.complete(second.staff_id, ["f1.jpg"], AT + timedelta(hours=5), "换了阀门"),
        lambda o: o.rate(home.resident_id, Rating(stars=4, text="还行"), AT + timedelta(hours=6)),
        lambda o: o.record_visit(DESK.id, AT + timedelta(days=1), "住户满意"),
    ]
    expected = work_order_view(order)
    for step in steps:
        with backend.uow(home.tenant_id) as uow:
            loaded = uow.work_orders.get(order.id)
            assert work_order_view(loaded) == expected
            step(loaded)
            expected = work_order_view(loaded)
            uow.commit()
    with backend.uow(home.tenant_id) as uow:
        final = work_order_view(uow.work_orders.get(order.id))
    assert final == expected
    assert final.technician == second
    assert final.rating == Rating(stars=4, text="还行")
    assert [entry.action for entry in final.timeline] == [
        "report",
        "approve",
        "dispatch",
        "reassign",
        "accept",
        "complete",
        "rate",
        "visit",
    ]


def test_cancelled_and_automatically_closed_orders_round_trip(backend: Backend, home: Home) -> None:
    cancelled = dispatched(report(home), technician(), AT, timedelta(hours=1))
    cancelled.cancel_by_staff(DESK, AT + timedelta(minutes=1), "住户已自行修好")
    auto = completed(report(home), AT)
    auto.close_unrated(auto_close_time(auto))
    with backend.uow(home.tenant_id) as uow:
        uow.work_orders.add(cancelled)
        uow.work_orders.add(auto)
        uow.commit()
        expected = [work_order_view(cancelled), work_order_view(auto)]
    with backend.uow(home.tenant_id) as uow:
        loaded = [uow.work_orders.get(cancelled.id), uow.work_orders.get(auto.id)]
        assert [work_order_view(o) for o in loaded] == expected
        assert loaded[1].rating is None
    closing = expected[1].timeline[-1]
    assert (closing.action, closing.actor.id, closing.actor.job) == (
        "auto_close",
        None,
        "workorder.auto_close",
    )


def test_a_complaint_keeps_every_field_through_reopen_rating_and_visit(
    backend: Backend, home: Home
) -> None:
    complaint = submit(home)
    handler = new_id()
    expected = complaint_view(complaint)
    with backend.uow(home.tenant_id) as uow:
        uow.complaints.add(complaint)
        uow.commit()
    steps: list[Callable[[Any], None]] = [
        lambda c: c.accept(handler, AT + timedelta(minutes=5)),
        lambda c: c.reply(handler, "已安排修剪", AT + timedelta(hours=1)),
        lambda c: c.reopen(home.resident_id, "还是没有修剪", AT + timedelta(days=2)),
        lambda c: c.reply(handler, "今天已修剪完毕", AT + timedelta(days=3)),
        lambda c: c.rate(home.resident_id, Rating(stars=5), AT + timedelta(days=4)),
        lambda c: c.record_visit(handler, AT + timedelta(days=5), "住户满意"),
    ]
    for step in steps:
        with backend.uow(home.tenant_id) as uow:
            loaded = uow.complaints.get(complaint.id)
            assert complaint_view(loaded) == expected
            step(loaded)
            expected = complaint_view(loaded)
            uow.commit()
    with backend.uow(home.tenant_id) as uow:
        final = complaint_view(uow.complaints.get(complaint.id))
    assert final == expected
    assert [reply.text for reply in final.replies] == ["已安排修剪", "今天已修剪完毕"]
    assert final.reopen_reason == "还是没有修剪"
    assert final.status is ComplaintStatus.CLOSED


def test_getting_a_missing_case_raises_its_not_found_code(backend: Backend, home: Home) -> None:
    with backend.uow(home.tenant_id) as uow:
        assert uow.work_orders.find(new_id()) is None
        assert uow.complaints.find(new_id()) is None
        with pytest.raises(NotFound) as order:
            uow.work_orders.get(new_id())
        with pytest.raises(NotFound) as complaint:
            uow.complaints.get(new_id())
    assert (order.value.code, complaint.value.code) == (
        "workorder.not_found",
        "complaint.not_found",
    )


def test_a_rating_and_the_auto_close_of_one_order_cannot_both_win(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    home = add_home(interleaving_backend.uow, tenant_id)
    order = completed(report(home), AT)
    with interleaving_backend.uow(tenant_id) as uow:
        uow.work_orders.add(order)
        uow.commit()
    due = auto_close_time(order)
    resident, job = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with resident, job:
        resident.work_orders.get(order.id).rate(home.resident_id, Rating(stars=2), due)
        job.work_orders.get(order.id).close_unrated(due)
        resident.commit()
        with pytest.raises(ConcurrencyConflict):
            job.commit()
    with interleaving_backend.uow(tenant_id) as uow:
        stored = uow.work_orders.get(order.id)
        assert stored.rating == Rating(stars=2)
        assert [e.action for e in stored.timeline][-2:] == ["complete", "rate"]


def test_a_reopen_and_the_auto_close_of_one_complaint_cannot_both_win(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    home = add_home(interleaving_backend.uow, tenant_id)
    complaint = replied(submit(home), AT)
    with interleaving_backend.uow(tenant_id) as uow:
        uow.complaints.add(complaint)
        uow.commit()
    job, resident = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with job, resident:
        resident.complaints.get(complaint.id).reopen(
            home.resident_id, "没解决", AT + REPLY_WINDOW - timedelta(seconds=1)
        )
        job.complaints.get(complaint.id).close_unrated(AT + REPLY_WINDOW)
        job.commit()
        with pytest.raises(ConcurrencyConflict):
            resident.commit()
    with interleaving_backend.uow(tenant_id) as uow:
        stored = uow.complaints.get(complaint.id)
        assert (stored.status, stored.reopened_at) == (ComplaintStatus.CLOSED, None)


def test_every_step_of_a_case_reaches_the_outbox_once(backend: Backend, home: Home) -> None:
    order = report(home)
    complaint = submit(home)
    with backend.uow(home.tenant_id) as uow:
        uow.work_orders.add(order)
        uow.complaints.add(complaint)
        uow.commit()
    with backend.uow(home.tenant_id) as uow:
        completed(uow.work_orders.get(order.id), AT + timedelta(hours=1))
        replied(uow.complaints.get(complaint.id), AT + timedelta(hours=1))
        uow.commit()
    names = [m.event_name for m in backend.outbox()]
    assert sorted(names) == sorted(
        [
            "WorkOrderReported",
            "ComplaintSubmitted",
            "WorkOrderDispatched",
            "WorkOrderAccepted",
            "WorkOrderCompleted",
            "ComplaintAccepted",
            "ComplaintReplied",
        ]
    )
    done = next(m for m in backend.outbox() if m.event_name == "WorkOrderCompleted")
    assert done.payload["photos"] == ["uploads/fixed-1.jpg", "uploads/fixed-2.jpg"]
