"""Complaint 投诉建议 rules (DESIGN.md §4, seed 001 §2.2.3 and §2.3.4, seed 004)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from uuid import UUID

from service_world import World

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.service import complaint_services as complaints
from estate_core.service.complaint import ComplaintCategory, ComplaintKind, ComplaintStatus
from estate_core.service.views import ComplaintView
from estate_core.shared.access import Actor, Permission, StaffActor
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest
from world_builders import code_of


def _view(world: World, complaint_id: UUID) -> ComplaintView:
    return complaints.get_complaint(world.uow, world.service_desk, complaint_id)


def _reopen(world: World, complaint_id: UUID, actor: Actor | None = None) -> None:
    complaints.reopen_complaint(
        world.uow,
        world.clock,
        actor or world.owner,
        complaints.ReopenComplaint(complaint_id=complaint_id, reason="还是没有修剪"),
    )


def _rate(world: World, complaint_id: UUID, stars: int = 5, actor: Actor | None = None) -> None:
    complaints.rate_complaint(
        world.uow,
        world.clock,
        actor or world.owner,
        complaints.RateComplaint(complaint_id=complaint_id, stars=stars, text="处理及时"),
    )


def _visit(world: World, complaint_id: UUID) -> None:
    complaints.record_complaint_visit(
        world.uow,
        world.clock,
        world.service_desk,
        complaints.RecordComplaintVisit(complaint_id=complaint_id, note="电话回访, 业主满意"),
    )


def test_bound_resident_submits_a_complaint_that_starts_submitted(
    world: World, store: InMemoryStore
) -> None:
    complaint_id = world.complain(kind=ComplaintKind.SUGGESTION, contact_phone="13911112222")

    view = complaints.get_complaint(world.uow, world.owner, complaint_id)
    assert view.status is ComplaintStatus.SUBMITTED
    assert view.kind is ComplaintKind.SUGGESTION
    assert view.category is ComplaintCategory.ENVIRONMENT
    assert view.contact_phone == "13911112222"
    assert [entry.action for entry in view.timeline] == ["submit"]
    assert [m.event_name for m in store.outbox][-1] == "ComplaintSubmitted"


def test_unbound_resident_cannot_complain(world: World) -> None:
    assert code_of(lambda: world.complain(world.unbound)) == "household.not_member"


def test_complaint_needs_text(world: World) -> None:
    assert code_of(lambda: world.complain(text="   ")) == "complaint.invalid_text"


def test_complaint_is_invisible_to_other_residents(world: World) -> None:
    complaint_id = world.complain()
    no_handle = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.REPORT_READ}))

    outsiders: list[Actor] = [
        world.neighbour,
        world.family,
        world.far_desk,
        no_handle,
        world.technician,
    ]
    codes = [
        code_of(partial(complaints.get_complaint, world.uow, outsider, complaint_id))
        for outsider in outsiders
    ]
    assert codes == ["complaint.not_found"] * len(outsiders)
    assert complaints.get_complaint(world.uow, world.owner, complaint_id).id == complaint_id
    assert _view(world, complaint_id).id == complaint_id


def test_other_residents_and_staff_out_of_scope_cannot_act_on_a_complaint(world: World) -> None:
    complaint_id = world.replied_complaint()

    assert code_of(lambda: _reopen(world, complaint_id, world.neighbour)) == "complaint.not_found"
    assert code_of(lambda: _rate(world, complaint_id, actor=world.family)) == "complaint.not_found"
    assert (
        code_of(
            lambda: complaints.accept_complaint(
                world.uow, world.clock, world.far_desk, complaint_id
            )
        )
        == "complaint.not_found"
    )


def test_accepting_staff_member_becomes_the_handler(world: World, store: InMemoryStore) -> None:
    complaint_id = world.complain()
    world.accept_complaint(complaint_id)

    view = _view(world, complaint_id)
    assert view.status is ComplaintStatus.ACCEPTED
    assert view.handler_id == world.service_desk.staff_id
    assert store.outbox[-1].event_name == "ComplaintAccepted"


def test_reply_comes_after_acceptance(world: World) -> None:
    complaint_id = world.complain()

    assert code_of(lambda: world.reply(complaint_id)) == "complaint.invalid_transition"
    world.accept_complaint(complaint_id)
    assert code_of(lambda: world.reply(complaint_id, "  ")) == "complaint.invalid_reply"
    world.reply(complaint_id)

    view = _view(world, complaint_id)
    assert view.status is ComplaintStatus.REPLIED
    assert [reply.text for reply in view.replies] == ["已安排绿化班组本周修剪"]


def test_reply_can_be_reopened_only_once_within_seven_days(world: World) -> None:
    complaint_id = world.replied_complaint()
    world.clock.advance(timedelta(days=6, hours=23))

    _reopen(world, complaint_id)
    assert _view(world, complaint_id).status is ComplaintStatus.ACCEPTED
    world.reply(complaint_id, "已修剪完毕, 请查看")

    assert code_of(lambda: _reopen(world, complaint_id)) == "complaint.reopen_used"
    view = _view(world, complaint_id)
    assert view.status is ComplaintStatus.REPLIED
    assert len(view.replies) == 2


def test_reply_cannot_be_reopened_seven_days_later(world: World) -> None:
    complaint_id = world.replied_complaint()
    world.clock.advance(timedelta(days=7))

    assert code_of(lambda: _reopen(world, complaint_id)) == "complaint.reopen_window_closed"


def test_replied_complaint_closes_seven_days_after_the_latest_reply(
    world: World, store: InMemoryStore
) -> None:
    complaint_id = world.replied_complaint()
    world.clock.advance(timedelta(days=2))
    _reopen(world, complaint_id)
    world.clock.advance(timedelta(days=1))
    world.reply(complaint_id, "已修剪完毕")
    second_reply = world.clock.now()

    early = second_reply + timedelta(days=7, seconds=-1)
    assert complaints.close_unrated_complaints(world.uow, early) == []
    closed = complaints.close_unrated_complaints(world.uow, second_reply + timedelta(days=7))

    assert closed == [complaint_id]
    view = _view(world, complaint_id)
    assert view.status is ComplaintStatus.CLOSED
    assert view.rating is None
    assert store.outbox[-1].payload["automatic"] is True


def test_complainant_rates_the_reply_which_closes_it(world: World) -> None:
    complaint_id = world.replied_complaint()

    assert code_of(lambda: _rate(world, complaint_id, stars=9)) == "service.invalid_rating"
    _rate(world, complaint_id, stars=3)

    view = _view(world, complaint_id)
    assert view.status is ComplaintStatus.CLOSED
    assert view.rating is not None
    assert view.rating.stars == 3
    assert complaints.close_unrated_complaints(world.uow, world.later(days=30)) == []


def test_return_visit_is_recorded_once_after_closing(world: World) -> None:
    complaint_id = world.replied_complaint()

    assert code_of(lambda: _visit(world, complaint_id)) == "complaint.invalid_transition"
    _rate(world, complaint_id)
    _visit(world, complaint_id)

    view = _view(world, complaint_id)
    assert view.visit is not None
    assert [entry.action for entry in view.timeline] == [
        "submit",
        "accept",
        "reply",
        "rate",
        "visit",
    ]
    assert code_of(lambda: _visit(world, complaint_id)) == "service.already_visited"


def test_resident_lists_only_their_own_complaints_newest_first(world: World) -> None:
    first = world.complain()
    world.clock.advance(timedelta(minutes=5))
    second = world.complain(category=ComplaintCategory.SECURITY)
    world.complain(world.neighbour, property_id=world.neighbour_home_id)

    page = complaints.my_complaints(world.uow, world.owner, PageRequest())

    assert [c.id for c in page.items] == [second, first]


def test_staff_follow_progress_by_status_within_their_scope(world: World) -> None:
    waiting, handled = world.complain(), world.complain()
    world.accept_complaint(handled)
    world.complain(property_id=world.far_home_id)

    def listed(actor: StaffActor, status: ComplaintStatus | None) -> list[UUID]:
        query = complaints.ListCommunityComplaints(community_id=world.community_id, status=status)
        return [c.id for c in complaints.community_complaints(world.uow, actor, query).items]

    assert listed(world.service_desk, ComplaintStatus.SUBMITTED) == [waiting]
    assert listed(world.service_desk, ComplaintStatus.ACCEPTED) == [handled]
    assert code_of(lambda: listed(world.far_desk, None)) == "permission.out_of_scope"


def test_complaints_of_another_tenant_are_invisible(
    world: World, store: InMemoryStore, admin: StaffActor
) -> None:
    complaint_id = world.replied_complaint()
    other_tenant = InMemoryUnitOfWork(store, new_id(), world.clock)

    assert code_of(lambda: complaints.get_complaint(other_tenant, admin, complaint_id)) == (
        "complaint.not_found"
    )
    assert complaints.close_unrated_complaints(other_tenant, world.later(days=30)) == []
    assert _view(world, complaint_id).status is ComplaintStatus.REPLIED
