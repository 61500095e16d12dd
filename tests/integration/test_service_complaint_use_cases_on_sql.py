"""The complaint use cases, unchanged, on the SQLAlchemy unit of work (SQLite, PostgreSQL).

Each command runs in its own unit of work and every answer is read back from the database: a
complaint reopened, answered again, rated and visited; one closed by the worker seven days
after the reply; the lists, the statistics, and privacy (一对一).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import pytest
from service_community import Community, build_community

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.service import complaint_services as complaints
from estate_core.service.complaint import ComplaintCategory, ComplaintKind, ComplaintStatus
from estate_core.shared.clock import FixedClock
from estate_core.shared.pagination import PageRequest
from world_builders import code_of


@pytest.fixture
def community(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> Community:
    return build_community(make_uow(tenant_id), clock)


def _complain(c: Community) -> UUID:
    return complaints.submit_complaint(
        c.uow,
        c.clock,
        c.owner,
        complaints.SubmitComplaint(
            property_id=c.home_id,
            kind=ComplaintKind.COMPLAINT,
            category=ComplaintCategory.ENVIRONMENT,
            text="楼下绿化带很久没有修剪",
            photos=("grass.jpg",),
        ),
    )


def _reply(c: Community, complaint_id: UUID, text: str) -> None:
    complaints.reply_to_complaint(
        c.uow, c.clock, c.desk, complaints.ReplyToComplaint(complaint_id=complaint_id, text=text)
    )


def test_a_complaint_is_reopened_answered_again_rated_and_visited(community: Community) -> None:
    c = community
    complaint_id = _complain(c)
    complaints.accept_complaint(c.uow, c.clock, c.desk, complaint_id)
    _reply(c, complaint_id, "本周修剪")
    c.clock.advance(timedelta(days=1))
    complaints.reopen_complaint(
        c.uow,
        c.clock,
        c.owner,
        complaints.ReopenComplaint(complaint_id=complaint_id, reason="还没修剪"),
    )
    _reply(c, complaint_id, "今天已修剪")
    assert code_of(
        lambda: complaints.reopen_complaint(
            c.uow,
            c.clock,
            c.owner,
            complaints.ReopenComplaint(complaint_id=complaint_id, reason="再来"),
        )
    ) == ("complaint.reopen_used")
    complaints.rate_complaint(
        c.uow, c.clock, c.owner, complaints.RateComplaint(complaint_id=complaint_id, stars=4)
    )
    complaints.record_complaint_visit(
        c.uow,
        c.clock,
        c.desk,
        complaints.RecordComplaintVisit(complaint_id=complaint_id, note="满意"),
    )

    view = complaints.get_complaint(c.uow, c.owner, complaint_id)
    assert view.status is ComplaintStatus.CLOSED
    assert [r.text for r in view.replies] == ["本周修剪", "今天已修剪"]
    assert view.reopen_reason == "还没修剪"
    assert [e.action for e in view.timeline] == [
        "submit",
        "accept",
        "reply",
        "reopen",
        "reply",
        "rate",
        "visit",
    ]
    assert code_of(lambda: complaints.get_complaint(c.uow, c.neighbour, complaint_id)) == (
        "complaint.not_found"
    )


def test_the_worker_closes_an_unanswered_reply_seven_days_on(community: Community) -> None:
    c = community
    left, open_case = _complain(c), _complain(c)
    complaints.accept_complaint(c.uow, c.clock, c.desk, left)
    _reply(c, left, "已处理")
    replied_at = c.clock.now()

    assert complaints.close_unrated_complaints(c.uow, replied_at + timedelta(days=6)) == []
    assert complaints.close_unrated_complaints(c.uow, replied_at + timedelta(days=7)) == [left]

    mine = complaints.my_complaints(c.uow, c.owner, PageRequest())
    assert {m.id for m in mine.items} == {left, open_case}
    closed = complaints.community_complaints(
        c.uow,
        c.desk,
        complaints.ListCommunityComplaints(
            community_id=c.community_id, status=ComplaintStatus.CLOSED
        ),
    )
    assert [m.id for m in closed.items] == [left]
    today = replied_at.date()
    figures = complaints.complaint_statistics(
        c.uow,
        c.desk,
        complaints.ComplaintStatisticsQuery(community_id=c.community_id, start=today, end=today),
    ).overall
    assert (figures.count, figures.completed, figures.rated) == (2, 1, 0)
