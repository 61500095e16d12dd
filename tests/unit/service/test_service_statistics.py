"""Work-order and complaint statistics (seed 001 §2.2.2: 次数, 完成率, 满意率) equal a naive
recomputation from what happened to each case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from service_world import World

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.service import complaint_services as complaints
from estate_core.service import workorder_queries as queries
from estate_core.service import workorder_services as workorders
from estate_core.service.common import ActorRef, Rating
from estate_core.service.statistics import ServiceFigures, ServiceReport
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import RepairKind, ReportChannel, Technician
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import CHINA
from estate_core.shared.ids import new_id
from world_builders import code_of


def _statistics(world: World, start: date, end: date) -> ServiceReport:
    query = queries.WorkOrderStatisticsQuery(community_id=world.community_id, start=start, end=end)
    return queries.work_order_statistics(world.uow, world.service_desk, query)


def test_work_order_statistics_per_community_and_per_technician(world: World) -> None:
    first, second, waiting, withdrawn = (world.report() for _ in range(4))
    world.dispatch(first)
    world.dispatch(second, world.second_technician)
    world.dispatch(waiting)
    workorders.cancel_repair(
        world.uow, world.clock, world.owner, workorders.CancelRepair(work_order_id=withdrawn)
    )
    world.clock.advance(timedelta(hours=1))
    world.accept(first)
    world.clock.advance(timedelta(hours=2))
    world.accept(second, world.second_technician)
    world.clock.advance(timedelta(hours=2))
    world.complete(first)
    world.clock.advance(timedelta(hours=2))
    world.complete(second, world.second_technician)
    world.rate(first, stars=5)
    world.rate(second, stars=3)
    world.report(property_id=world.far_home_id)
    world.clock.advance(timedelta(days=1))
    world.report()

    report = _statistics(world, date(2026, 3, 1), date(2026, 3, 15))

    assert report.overall == ServiceFigures(
        count=4,
        void=1,
        completed=2,
        completion_rate=Decimal("0.6667"),
        rated=2,
        satisfied=1,
        satisfaction_rate=Decimal("0.5000"),
        average_response=timedelta(hours=2),
        average_resolution=timedelta(hours=6),
    )
    by_staff = {entry.staff_id: entry.figures for entry in report.by_staff}
    mine = by_staff[world.technician.staff_id]
    theirs = by_staff[world.second_technician.staff_id]
    assert (mine.count, mine.completed, mine.completion_rate) == (2, 1, Decimal("0.5000"))
    assert (mine.satisfaction_rate, mine.average_response) == (Decimal(1), timedelta(hours=1))
    assert (theirs.count, theirs.satisfaction_rate) == (1, Decimal(0))
    assert theirs.average_resolution == timedelta(hours=7)


def test_statistics_need_report_read_and_at_most_a_year(world: World) -> None:
    query = queries.WorkOrderStatisticsQuery(
        community_id=world.community_id, start=date(2026, 1, 1), end=date(2026, 3, 1)
    )
    assert code_of(lambda: queries.work_order_statistics(world.uow, world.technician, query)) == (
        "permission.missing"
    )
    too_long = attrs.evolve(query, start=date(2025, 1, 1))
    backwards = attrs.evolve(query, end=date(2025, 12, 31))
    desk = world.service_desk
    assert code_of(lambda: queries.work_order_statistics(world.uow, desk, too_long)) == (
        "report.range_too_long"
    )
    assert code_of(lambda: queries.work_order_statistics(world.uow, desk, backwards)) == (
        "report.invalid_range"
    )


def test_complaint_statistics_count_replies_and_ratings_per_handler(world: World) -> None:
    rated, reopened, untouched = world.complain(), world.complain(), world.complain()
    world.accept_complaint(rated)
    world.accept_complaint(reopened)
    world.clock.advance(timedelta(hours=4))
    world.reply(rated)
    world.reply(reopened)
    complaints.rate_complaint(
        world.uow, world.clock, world.owner, complaints.RateComplaint(complaint_id=rated, stars=4)
    )
    complaints.reopen_complaint(
        world.uow,
        world.clock,
        world.owner,
        complaints.ReopenComplaint(complaint_id=reopened, reason="没有处理"),
    )

    report = complaints.complaint_statistics(
        world.uow,
        world.service_desk,
        complaints.ComplaintStatisticsQuery(
            community_id=world.community_id, start=date(2026, 3, 15), end=date(2026, 3, 15)
        ),
    )

    assert (report.overall.count, report.overall.completed) == (3, 1)
    assert report.overall.completion_rate == Decimal("0.3333")
    assert report.overall.satisfaction_rate == Decimal(1)
    assert report.overall.average_response == timedelta(0)
    assert report.overall.average_resolution == timedelta(hours=4)
    assert [entry.staff_id for entry in report.by_staff] == [world.service_desk.staff_id]
    assert untouched


@attrs.frozen
class Case:
    """What happened to one generated work order, in hours after the range starts."""

    reported: int
    technician: int | None
    response: int | None
    resolution: int | None
    stars: int | None
    cancelled: bool


RANGE_START = date(2026, 3, 1)
RANGE_END = date(2026, 3, 7)
ORIGIN = datetime(2026, 3, 1, tzinfo=CHINA).astimezone(UTC)
TECHNICIANS = [Technician(staff_id=new_id(), name=f"师傅{i}", phone="13900000001") for i in (0, 1)]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    reported = draw(st.integers(min_value=-30, max_value=24 * 7 + 30))
    stage = draw(st.sampled_from(["pending", "dispatched", "accepted", "completed", "rated"]))
    cancelled = stage in ("pending", "dispatched", "accepted") and draw(st.booleans())
    technician = None if stage == "pending" else draw(st.sampled_from([0, 1]))
    response = None
    if stage in ("accepted", "completed", "rated"):
        response = draw(st.integers(min_value=0, max_value=48))
    resolution = None
    if stage in ("completed", "rated"):
        assert response is not None
        resolution = response + draw(st.integers(min_value=0, max_value=48))
    stars = draw(st.integers(min_value=1, max_value=5)) if stage == "rated" else None
    return Case(reported, technician, response, resolution, stars, cancelled)


def _order(tenant_id: UUID, community_id: UUID, case: Case) -> WorkOrder:
    def at(hours: int) -> datetime:
        return ORIGIN + timedelta(hours=case.reported + hours)

    desk, resident = ActorRef.staff(new_id()), new_id()
    order = WorkOrder.report(
        id=new_id(),
        tenant_id=tenant_id,
        community_id=community_id,
        property_id=new_id(),
        resident_id=resident,
        channel=ReportChannel.ONLINE,
        kind=RepairKind.FAULT,
        category="水电",
        description="漏水",
        photos=[],
        contact_phone="13800000001",
        preferred_time=None,
        by=ActorRef.resident(resident),
        at=at(0),
    )
    if case.technician is not None:
        technician = TECHNICIANS[case.technician]
        order.dispatch(technician, at(100), desk, at(0))
        if case.response is not None:
            order.accept(technician.staff_id, at(case.response))
        if case.resolution is not None:
            order.complete(technician.staff_id, ["done.jpg"], at(case.resolution))
    if case.stars is not None:
        order.rate(resident, Rating(stars=case.stars), at(200))
    if case.cancelled:
        order.cancel_by_staff(desk, at(60), "住户取消")
    return order


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _naive(cases: list[Case]) -> ServiceFigures:
    """Straight from the generated cases, without the aggregates or the statistics module."""
    count = len(cases)
    live = [c for c in cases if not c.cancelled]
    done = [c for c in live if c.resolution is not None]
    rated = [c for c in live if c.stars is not None]
    happy = [c for c in rated if c.stars is not None and c.stars >= 4]
    responses = [timedelta(hours=c.response) for c in live if c.response is not None]
    resolutions = [timedelta(hours=c.resolution) for c in done if c.resolution is not None]
    return ServiceFigures(
        count=count,
        void=count - len(live),
        completed=len(done),
        completion_rate=_rate(len(done), len(live)),
        rated=len(rated),
        satisfied=len(happy),
        satisfaction_rate=_rate(len(happy), len(rated)),
        average_response=sum(responses, timedelta()) / len(responses) if responses else None,
        average_resolution=(
            sum(resolutions, timedelta()) / len(resolutions) if resolutions else None
        ),
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(cases(), max_size=25))
def test_work_order_statistics_equal_a_naive_recomputation(generated: list[Case]) -> None:
    store, tenant_id, community_id = InMemoryStore(), new_id(), new_id()
    uow = InMemoryUnitOfWork(store, tenant_id)
    with uow:
        for case in generated:
            uow.work_orders.add(_order(tenant_id, community_id, case))
        uow.work_orders.add(_order(tenant_id, new_id(), Case(1, 0, 1, 2, 5, False)))
        uow.commit()
    reader = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.REPORT_READ}))

    report = queries.work_order_statistics(
        uow,
        reader,
        queries.WorkOrderStatisticsQuery(
            community_id=community_id, start=RANGE_START, end=RANGE_END
        ),
    )

    in_range = [c for c in generated if 0 <= c.reported < 24 * 7]
    assert report.overall == _naive(in_range)
    expected_staff = sorted({c.technician for c in in_range if c.technician is not None})
    assert [entry.staff_id for entry in report.by_staff] == sorted(
        (TECHNICIANS[i].staff_id for i in expected_staff), key=str
    )
    for entry in report.by_staff:
        index = next(i for i, t in enumerate(TECHNICIANS) if t.staff_id == entry.staff_id)
        assert entry.figures == _naive([c for c in in_range if c.technician == index])
