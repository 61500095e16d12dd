"""The work-order use cases, unchanged, on the SQLAlchemy unit of work (SQLite, PostgreSQL).

Each command runs in its own unit of work and every answer is read back from the database: a
repair from appointment to return visit, one closed by the worker three days on, one rated,
one cancelled, the lists, the statistics, and privacy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from service_community import Community, build_community

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.service import workorder_queries as queries
from estate_core.service import workorder_services as workorders
from estate_core.service.workorder_states import RepairKind, ReportChannel, WorkOrderStatus
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.pagination import PageRequest
from world_builders import code_of


@pytest.fixture
def community(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> Community:
    return build_community(make_uow(tenant_id), clock)


def _report(c: Community, actor: ResidentActor, **changes: Any) -> UUID:
    cmd = workorders.ReportRepair(
        property_id=c.home_id, category="水电", description="厨房水管漏水", photos=("leak.jpg",)
    )
    return workorders.report_repair(c.uow, c.clock, actor, attrs.evolve(cmd, **changes))


def _dispatch_accept_complete(c: Community, order_id: UUID) -> None:
    arrival = c.clock.now() + timedelta(hours=2)
    workorders.dispatch_repair(
        c.uow,
        c.clock,
        c.desk,
        workorders.DispatchRepair(
            work_order_id=order_id,
            technician_id=c.technician.staff_id,
            expected_arrival=arrival,
        ),
    )
    workorders.accept_repair(
        c.uow, c.clock, c.technician, workorders.AcceptRepair(work_order_id=order_id)
    )
    workorders.complete_repair(
        c.uow,
        c.clock,
        c.technician,
        workorders.CompleteRepair(work_order_id=order_id, photos=("fixed.jpg",)),
    )


def test_a_repair_goes_from_appointment_to_return_visit(community: Community) -> None:
    c = community
    order_id = _report(
        c,
        c.owner,
        kind=RepairKind.APPOINTMENT,
        preferred_time=c.clock.now() + timedelta(days=2),
    )
    workorders.approve_repair(
        c.uow, c.clock, c.desk, workorders.ApproveRepair(work_order_id=order_id, note="已确认")
    )
    arrival = c.clock.now() + timedelta(days=2)
    workorders.dispatch_repair(
        c.uow,
        c.clock,
        c.desk,
        workorders.DispatchRepair(
            work_order_id=order_id, technician_id=c.technician.staff_id, expected_arrival=arrival
        ),
    )
    workorders.reassign_repair(
        c.uow,
        c.clock,
        c.desk,
        workorders.ReassignRepair(
            work_order_id=order_id,
            technician_id=c.second_technician.staff_id,
            expected_arrival=arrival,
            note="原师傅休假",
        ),
    )
    queue = queries.technician_queue(c.uow, c.second_technician, PageRequest())
    assert [o.id for o in queue.items] == [order_id]
    assert queries.technician_queue(c.uow, c.technician, PageRequest()).items == []
    assert code_of(
        lambda: workorders.accept_repair(
            c.uow, c.clock, c.technician, workorders.AcceptRepair(work_order_id=order_id)
        )
    ) == ("workorder.not_assignee")
    workorders.accept_repair(
        c.uow, c.clock, c.second_technician, workorders.AcceptRepair(work_order_id=order_id)
    )
    workorders.complete_repair(
        c.uow,
        c.clock,
        c.second_technician,
        workorders.CompleteRepair(work_order_id=order_id, photos=("a.jpg", "b.jpg"), note="好了"),
    )
    workorders.rate_repair(
        c.uow, c.clock, c.owner, workorders.RateRepair(work_order_id=order_id, stars=5, text="好")
    )
    workorders.record_repair_visit(
        c.uow, c.clock, c.desk, workorders.RecordRepairVisit(work_order_id=order_id, note="满意")
    )

    view = queries.get_work_order(c.uow, c.owner, order_id)
    assert view.status is WorkOrderStatus.CLOSED
    assert view.technician is not None
    assert (view.technician.name, view.technician.phone) == ("王师傅", "13900000002")
    assert view.completion_photos == ("a.jpg", "b.jpg")
    assert view.rating is not None
    assert view.rating.stars == 5
    assert view.visit is not None
    assert view.visit.note == "满意"
    assert [e.action for e in view.timeline] == [
        "report",
        "approve",
        "dispatch",
        "reassign",
        "accept",
        "complete",
        "rate",
        "visit",
    ]
    assert code_of(lambda: queries.get_work_order(c.uow, c.neighbour, order_id)) == (
        "workorder.not_found"
    )


def test_the_worker_closes_an_unrated_repair_three_days_on_and_statistics_count_it(
    community: Community,
) -> None:
    c = community
    done_at = c.clock.now()
    closed_by_job = _report(c, c.owner)
    _dispatch_accept_complete(c, closed_by_job)
    rated = _report(c, c.family, contact_phone="13700000000")
    _dispatch_accept_complete(c, rated)
    workorders.rate_repair(
        c.uow, c.clock, c.family, workorders.RateRepair(work_order_id=rated, stars=2)
    )
    c.clock.advance(timedelta(minutes=1))
    cancelled = workorders.report_repair_by_phone(
        c.uow,
        c.clock,
        c.desk,
        workorders.ReportRepairByPhone(
            property_id=c.home_id,
            resident_id=c.owner.resident_id,
            category="门窗",
            description="窗户关不上",
        ),
    )
    workorders.cancel_repair(
        c.uow, c.clock, c.owner, workorders.CancelRepair(work_order_id=cancelled, reason="好了")
    )

    assert workorders.close_unrated(c.uow, done_at + timedelta(days=3, seconds=-1)) == []
    assert workorders.close_unrated(c.uow, done_at + timedelta(days=3)) == [closed_by_job]
    assert workorders.close_unrated(c.uow, done_at + timedelta(days=4)) == []

    mine = queries.my_work_orders(c.uow, c.owner, PageRequest(limit=1))
    second = queries.my_work_orders(c.uow, c.owner, PageRequest(after=mine.next_cursor))
    assert [o.id for o in [*mine.items, *second.items]] == [cancelled, closed_by_job]
    by_phone = queries.get_work_order(c.uow, c.desk, cancelled)
    assert (by_phone.channel, by_phone.status) == (ReportChannel.PHONE, WorkOrderStatus.CANCELLED)
    closed = queries.community_work_orders(
        c.uow,
        c.desk,
        queries.ListCommunityWorkOrders(community_id=c.community_id, status=WorkOrderStatus.CLOSED),
    )
    assert {o.id for o in closed.items} == {closed_by_job, rated}

    today = done_at.date()
    figures = queries.work_order_statistics(
        c.uow,
        c.desk,
        queries.WorkOrderStatisticsQuery(community_id=c.community_id, start=today, end=today),
    ).overall
    assert (figures.count, figures.void, figures.completed, figures.rated) == (3, 1, 2, 1)
    assert figures.satisfaction_rate == Decimal("0")
    outside = queries.work_order_statistics(
        c.uow,
        c.desk,
        queries.WorkOrderStatisticsQuery(
            community_id=c.community_id, start=date(2025, 1, 1), end=date(2025, 1, 31)
        ),
    ).overall
    assert outside.count == 0
