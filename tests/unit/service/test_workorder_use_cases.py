"""WorkOrder 报修工单 rules (DESIGN.md §4, seed 001 §2.2.2, seed 004), through the use cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from service_world import World

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.identity.staff import Staff
from estate_core.service import workorder_queries as queries
from estate_core.service import workorder_services as workorders
from estate_core.service.views import WorkOrderView
from estate_core.service.workorder_states import RepairKind, ReportChannel, WorkOrderStatus
from estate_core.shared.access import Actor, Permission, StaffActor
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest
from world_builders import code_of


def _view(world: World, order_id: UUID) -> WorkOrderView:
    return queries.get_work_order(world.uow, world.service_desk, order_id)


def _events(store: InMemoryStore, name: str) -> list[dict[str, Any]]:
    return [m.payload for m in store.outbox if m.event_name == name]


def _cancel(world: World, order_id: UUID, actor: Actor, reason: str = "") -> None:
    workorders.cancel_repair(
        world.uow,
        world.clock,
        actor,
        workorders.CancelRepair(work_order_id=order_id, reason=reason),
    )


def _visit(world: World, order_id: UUID, actor: StaffActor, note: str = "住户满意") -> None:
    workorders.record_repair_visit(
        world.uow,
        world.clock,
        actor,
        workorders.RecordRepairVisit(work_order_id=order_id, note=note),
    )


def _reassign(world: World, order_id: UUID, technician: StaffActor) -> None:
    workorders.reassign_repair(
        world.uow,
        world.clock,
        world.service_desk,
        workorders.ReassignRepair(
            work_order_id=order_id,
            technician_id=technician.staff_id,
            expected_arrival=world.later(hours=3),
            note="原师傅休假",
        ),
    )


def test_bound_resident_reports_a_pending_repair_with_their_phone_as_contact(
    world: World, store: InMemoryStore
) -> None:
    order_id = world.report()

    view = queries.get_work_order(world.uow, world.owner, order_id)
    assert view.status is WorkOrderStatus.PENDING
    assert view.channel is ReportChannel.ONLINE
    assert view.community_id == world.community_id
    assert view.contact_phone == "13800000001"
    assert view.photos == ("uploads/leak-1.jpg",)
    assert [(e.action, e.status) for e in view.timeline] == [("report", "pending")]
    assert _events(store, "WorkOrderReported")[0]["resident_id"] == str(world.owner.resident_id)


def test_unbound_resident_cannot_report_a_repair(world: World) -> None:
    assert code_of(lambda: world.report(world.unbound)) == "household.not_member"


def test_resident_cannot_report_a_repair_for_someone_elses_home(world: World) -> None:
    assert code_of(lambda: world.report(world.neighbour)) == "household.not_member"


def test_family_member_may_report_a_repair_with_another_contact_phone(world: World) -> None:
    order_id = world.report(world.family, contact_phone="139 0000 0009")

    view = queries.get_work_order(world.uow, world.family, order_id)
    assert view.resident_id == world.family.resident_id
    assert view.contact_phone == "13900000009"


def test_customer_service_enters_a_phone_report_for_a_member(world: World) -> None:
    order_id = workorders.report_repair_by_phone(
        world.uow,
        world.clock,
        world.service_desk,
        workorders.ReportRepairByPhone(
            resident_id=world.owner.resident_id,
            property_id=world.home_id,
            category="门窗",
            description="阳台窗户关不上",
        ),
    )

    view = queries.get_work_order(world.uow, world.owner, order_id)
    assert view.channel is ReportChannel.PHONE
    assert view.timeline[0].actor.id == world.service_desk.staff_id


def test_phone_report_needs_workorder_create_in_scope_and_a_member(world: World) -> None:
    def by_phone(actor: StaffActor, resident_id: UUID) -> UUID:
        return workorders.report_repair_by_phone(
            world.uow,
            world.clock,
            actor,
            workorders.ReportRepairByPhone(
                resident_id=resident_id,
                property_id=world.home_id,
                category="门窗",
                description="阳台窗户关不上",
            ),
        )

    owner, unbound = world.owner.resident_id, world.unbound.resident_id
    assert code_of(lambda: by_phone(world.technician, owner)) == "permission.missing"
    assert code_of(lambda: by_phone(world.far_desk, owner)) == "permission.out_of_scope"
    assert code_of(lambda: by_phone(world.service_desk, unbound)) == "household.not_member"


def test_appointment_needs_a_future_preferred_time(world: World) -> None:
    assert (
        code_of(lambda: world.report(kind=RepairKind.APPOINTMENT))
        == "workorder.preferred_time_required"
    )
    past = world.later(hours=-1)
    assert (
        code_of(lambda: world.report(kind=RepairKind.APPOINTMENT, preferred_time=past))
        == "workorder.preferred_time_required"
    )


def test_appointment_is_reviewed_before_dispatch(world: World) -> None:
    order_id = world.report_appointment()
    assert code_of(lambda: world.dispatch(order_id)) == "workorder.review_required"

    workorders.approve_repair(
        world.uow,
        world.clock,
        world.service_desk,
        workorders.ApproveRepair(work_order_id=order_id, note="已电话确认周六上午"),
    )
    world.dispatch(order_id)

    assert _view(world, order_id).status is WorkOrderStatus.DISPATCHED


def test_rejected_appointment_needs_a_reason_and_is_never_dispatched(world: World) -> None:
    order_id = world.report_appointment()

    def reject(reason: str) -> None:
        workorders.reject_repair(
            world.uow,
            world.clock,
            world.service_desk,
            workorders.RejectRepair(work_order_id=order_id, reason=reason),
        )

    assert code_of(lambda: reject("  ")) == "service.reason_required"
    reject("超出物业维修范围, 建议联系厂家")

    view = _view(world, order_id)
    assert view.status is WorkOrderStatus.REJECTED
    assert view.review_note == "超出物业维修范围, 建议联系厂家"
    assert code_of(lambda: world.dispatch(order_id)) == "workorder.invalid_transition"


def test_fault_report_is_not_reviewed(world: World) -> None:
    order_id = world.report()
    approve = workorders.ApproveRepair(work_order_id=order_id)

    assert (
        code_of(
            lambda: workorders.approve_repair(world.uow, world.clock, world.service_desk, approve)
        )
        == "workorder.not_appointment"
    )


def test_reviewing_needs_workorder_review(world: World) -> None:
    order_id = world.report_appointment()
    approve = workorders.ApproveRepair(work_order_id=order_id)

    assert (
        code_of(
            lambda: workorders.approve_repair(world.uow, world.clock, world.technician, approve)
        )
        == "permission.missing"
    )


def test_dispatch_tells_the_resident_the_technician_and_the_arrival(
    world: World, store: InMemoryStore
) -> None:
    order_id = world.report()
    world.dispatch(order_id)

    [event] = _events(store, "WorkOrderDispatched")
    assert event["resident_id"] == str(world.owner.resident_id)
    assert event["technician_name"] == "李师傅"
    assert event["technician_phone"] == "13900000001"
    assert event["expected_arrival"] == world.later(hours=2).isoformat()


def test_dispatch_goes_only_to_a_technician_serving_the_community(world: World) -> None:
    order_id = world.report()
    assert code_of(lambda: world.dispatch(order_id, world.far_technician)) == (
        "workorder.technician_ineligible"
    )
    nobody = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.WORKORDER_WORK}))
    assert code_of(lambda: world.dispatch(order_id, nobody)) == "workorder.technician_ineligible"

    with world.uow:
        clerk = Staff.create(
            id=new_id(),
            tenant_id=world.uow.tenant_id,
            name="陈客服",
            phone="13900000008",
            roles=["customer_service"],
            community_ids=[world.community_id],
            merchant_id=None,
            at=world.clock.now(),
        )
        world.uow.staff.add(clerk)
        world.uow.staff.get(world.second_technician.staff_id).disable("离职", new_id())
        world.uow.commit()
    not_a_technician = StaffActor(staff_id=clerk.id, permissions=frozenset())
    assert code_of(lambda: world.dispatch(order_id, not_a_technician)) == (
        "workorder.technician_ineligible"
    )
    assert code_of(lambda: world.dispatch(order_id, world.second_technician)) == (
        "workorder.technician_ineligible"
    )
    assert _view(world, order_id).status is WorkOrderStatus.PENDING


def test_staff_out_of_scope_cannot_dispatch(world: World) -> None:
    order_id = world.report()
    dispatch = workorders.DispatchRepair(
        work_order_id=order_id,
        technician_id=world.technician.staff_id,
        expected_arrival=world.later(hours=1),
    )

    assert (
        code_of(
            lambda: workorders.dispatch_repair(world.uow, world.clock, world.far_desk, dispatch)
        )
        == "permission.out_of_scope"
    )


def test_only_the_assigned_technician_accepts_and_completes(world: World) -> None:
    order_id = world.report()
    world.dispatch(order_id)

    assert code_of(lambda: world.accept(order_id, world.second_technician)) == (
        "workorder.not_assignee"
    )
    world.accept(order_id)
    assert code_of(lambda: world.complete(order_id, world.second_technician)) == (
        "workorder.not_assignee"
    )


def test_acceptance_tells_the_resident_who_comes_when_and_the_contact(
    world: World, store: InMemoryStore
) -> None:
    order_id = world.report()
    world.dispatch(order_id)
    agreed = world.later(hours=5)

    workorders.accept_repair(
        world.uow,
        world.clock,
        world.technician,
        workorders.AcceptRepair(work_order_id=order_id, expected_arrival=agreed),
    )

    [event] = _events(store, "WorkOrderAccepted")
    assert event["technician_name"] == "李师傅"
    assert event["technician_phone"] == "13900000001"
    assert event["expected_arrival"] == agreed.isoformat()
    assert _view(world, order_id).expected_arrival == agreed


def test_completion_needs_photos(world: World) -> None:
    order_id = world.report()
    world.dispatch(order_id)
    world.accept(order_id)

    assert code_of(lambda: world.complete(order_id, photos=())) == "workorder.photos_required"
    world.complete(order_id)

    view = _view(world, order_id)
    assert view.status is WorkOrderStatus.COMPLETED
    assert view.completion_photos == ("uploads/fixed-1.jpg",)


def test_reporting_resident_rates_the_repair_which_closes_it(world: World) -> None:
    order_id = world.completed_order()

    assert code_of(lambda: world.rate(order_id, stars=6)) == "service.invalid_rating"
    assert code_of(lambda: world.rate(order_id, stars=0)) == "service.invalid_rating"
    assert code_of(lambda: world.rate(order_id, actor=world.family)) == "workorder.not_found"
    world.rate(order_id, stars=4)

    view = _view(world, order_id)
    assert view.status is WorkOrderStatus.CLOSED
    assert view.rating is not None
    assert (view.rating.stars, view.rating.text) == (4, "师傅很专业")


def test_unrated_work_order_closes_three_days_after_completion(
    world: World, store: InMemoryStore
) -> None:
    order_id = world.completed_order()
    completed_at = world.clock.now()

    assert workorders.close_unrated(world.uow, completed_at + timedelta(days=3, seconds=-1)) == []
    assert _view(world, order_id).status is WorkOrderStatus.COMPLETED

    closed = workorders.close_unrated(world.uow, completed_at + timedelta(days=3))

    assert closed == [order_id]
    view = _view(world, order_id)
    assert view.status is WorkOrderStatus.CLOSED
    assert view.rating is None
    assert view.timeline[-1].action == "auto_close"
    assert _events(store, "WorkOrderClosed")[-1]["automatic"] is True
    assert workorders.close_unrated(world.uow, completed_at + timedelta(days=4)) == []
    assert code_of(lambda: world.rate(order_id)) == "workorder.invalid_transition"


def test_rated_work_order_is_left_alone_by_the_automatic_close(world: World) -> None:
    order_id = world.completed_order()
    world.rate(order_id, stars=2)

    assert workorders.close_unrated(world.uow, world.later(days=10)) == []
    view = _view(world, order_id)
    assert view.rating is not None
    assert view.rating.stars == 2


def test_resident_cancels_only_before_a_technician_is_sent(world: World) -> None:
    first, second = world.report(), world.report()
    _cancel(world, first, world.owner, "已自行修好")
    world.dispatch(second)

    assert _view(world, first).status is WorkOrderStatus.CANCELLED
    assert code_of(lambda: _cancel(world, second, world.owner)) == "workorder.invalid_transition"


def test_another_resident_can_neither_see_nor_cancel_an_order(world: World) -> None:
    order_id = world.report()

    assert code_of(lambda: queries.get_work_order(world.uow, world.neighbour, order_id)) == (
        "workorder.not_found"
    )
    assert code_of(lambda: _cancel(world, order_id, world.neighbour)) == "workorder.not_found"


def test_staff_cancel_anything_before_completion_with_a_reason(world: World) -> None:
    accepted, completed = world.report(), world.completed_order()
    world.dispatch(accepted)
    world.accept(accepted)

    assert code_of(lambda: _cancel(world, accepted, world.service_desk)) == (
        "service.reason_required"
    )
    _cancel(world, accepted, world.service_desk, "住户联系不上")
    assert _view(world, accepted).cancel_reason == "住户联系不上"
    assert code_of(lambda: _cancel(world, completed, world.service_desk, "误操作")) == (
        "workorder.invalid_transition"
    )


def test_reassigning_sends_the_order_to_another_technician_to_confirm(
    world: World, store: InMemoryStore
) -> None:
    order_id = world.report()
    world.dispatch(order_id)
    world.accept(order_id)

    assert code_of(lambda: _reassign(world, order_id, world.technician)) == (
        "workorder.same_technician"
    )
    _reassign(world, order_id, world.second_technician)

    view = _view(world, order_id)
    assert view.status is WorkOrderStatus.DISPATCHED
    assert view.technician is not None
    assert view.technician.name == "王师傅"
    assert view.accepted_at is None
    [event] = _events(store, "WorkOrderReassigned")
    assert event["previous_technician_id"] == str(world.technician.staff_id)
    queue = queries.technician_queue(world.uow, world.technician, PageRequest())
    assert queue.items == []
    assert code_of(lambda: world.accept(order_id)) == "workorder.not_assignee"
    world.accept(order_id, world.second_technician)


def test_return_visit_is_recorded_once_after_closing(world: World) -> None:
    order_id = world.completed_order()

    assert code_of(lambda: _visit(world, order_id, world.service_desk)) == (
        "workorder.invalid_transition"
    )
    world.rate(order_id)
    assert code_of(lambda: _visit(world, order_id, world.technician)) == "permission.missing"
    _visit(world, order_id, world.service_desk, "回访: 住户对维修满意")

    view = _view(world, order_id)
    assert view.visit is not None
    assert view.visit.note == "回访: 住户对维修满意"
    assert view.status is WorkOrderStatus.CLOSED
    assert code_of(lambda: _visit(world, order_id, world.service_desk)) == "service.already_visited"


def test_every_transition_is_on_the_timeline_and_notifies_the_resident(
    world: World, store: InMemoryStore
) -> None:
    order_id = world.report_appointment()
    workorders.approve_repair(
        world.uow, world.clock, world.service_desk, workorders.ApproveRepair(work_order_id=order_id)
    )
    world.dispatch(order_id)
    _reassign(world, order_id, world.second_technician)
    world.accept(order_id, world.second_technician)
    world.complete(order_id, world.second_technician)
    world.rate(order_id)
    _visit(world, order_id, world.service_desk)

    view = _view(world, order_id)
    assert [entry.action for entry in view.timeline] == [
        "report",
        "approve",
        "dispatch",
        "reassign",
        "accept",
        "complete",
        "rate",
        "visit",
    ]
    assert [entry.at for entry in view.timeline] == [world.clock.now()] * 8
    order_events = [m for m in store.outbox if m.payload.get("work_order_id") == str(order_id)]
    assert [m.event_name for m in order_events] == [
        "WorkOrderReported",
        "WorkOrderApproved",
        "WorkOrderDispatched",
        "WorkOrderReassigned",
        "WorkOrderAccepted",
        "WorkOrderCompleted",
        "WorkOrderClosed",
        "WorkOrderVisited",
    ]
    assert {m.payload["resident_id"] for m in order_events} == {str(world.owner.resident_id)}


def test_my_work_orders_lists_the_residents_own_newest_first_by_page(world: World) -> None:
    first = world.report()
    world.clock.advance(timedelta(minutes=1))
    second = world.report()
    world.clock.advance(timedelta(minutes=1))
    third = world.report()
    world.report(world.neighbour, property_id=world.neighbour_home_id)

    page = queries.my_work_orders(world.uow, world.owner, PageRequest(limit=2))
    rest = queries.my_work_orders(world.uow, world.owner, PageRequest(after=page.next_cursor))

    assert [o.id for o in page.items] == [third, second]
    assert [o.id for o in rest.items] == [first]
    assert rest.next_cursor is None


def test_staff_list_community_work_orders_by_status_within_their_scope(world: World) -> None:
    waiting, sent = world.report(), world.report()
    world.dispatch(sent)
    world.report(property_id=world.far_home_id)

    def listed(actor: StaffActor, status: WorkOrderStatus | None) -> list[UUID]:
        query = queries.ListCommunityWorkOrders(community_id=world.community_id, status=status)
        return [o.id for o in queries.community_work_orders(world.uow, actor, query).items]

    assert listed(world.service_desk, WorkOrderStatus.PENDING) == [waiting]
    assert set(listed(world.service_desk, None)) == {waiting, sent}
    assert code_of(lambda: listed(world.far_desk, None)) == "permission.out_of_scope"
    assert code_of(lambda: queries.get_work_order(world.uow, world.far_desk, waiting)) == (
        "permission.out_of_scope"
    )


def test_technician_queue_holds_only_their_open_assignments(world: World) -> None:
    mine, theirs, done = world.report(), world.report(), world.completed_order()
    world.dispatch(mine)
    world.dispatch(theirs, world.second_technician)

    queue = queries.technician_queue(world.uow, world.technician, PageRequest())

    assert [o.id for o in queue.items] == [mine]
    assert done not in [o.id for o in queue.items]
    assert code_of(
        lambda: queries.technician_queue(world.uow, world.service_desk, PageRequest())
    ) == ("permission.missing")


def test_work_orders_of_another_tenant_are_invisible(
    world: World, store: InMemoryStore, admin: StaffActor
) -> None:
    order_id = world.report()
    other_tenant = InMemoryUnitOfWork(store, new_id(), world.clock)

    assert code_of(lambda: queries.get_work_order(other_tenant, admin, order_id)) == (
        "workorder.not_found"
    )
    assert workorders.close_unrated(other_tenant, world.later(days=30)) == []


class _RatedMeanwhile(InMemoryUnitOfWork):
    """A unit of work during whose commit the resident's rating lands first."""

    def __init__(self, world: World, order_id: UUID, store: InMemoryStore) -> None:
        super().__init__(store, world.uow.tenant_id, world.clock)
        self._pending_rating: Callable[[], None] | None = lambda: world.rate(order_id, stars=1)

    def commit(self) -> None:
        rating, self._pending_rating = self._pending_rating, None
        if rating is not None:
            rating()
        super().commit()


def test_automatic_close_yields_to_a_rating_committed_meanwhile(
    world: World, store: InMemoryStore
) -> None:
    order_id = world.completed_order()
    racing = _RatedMeanwhile(world, order_id, store)

    assert workorders.close_unrated(racing, world.later(days=3)) == []

    view = _view(world, order_id)
    assert view.status is WorkOrderStatus.CLOSED
    assert view.rating is not None
    assert view.rating.stars == 1
    assert [entry.action for entry in view.timeline][-1] == "rate"
