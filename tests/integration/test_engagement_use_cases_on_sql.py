"""Survey and feedback use cases, unchanged, on the SQLAlchemy unit of work (SQLite, PostgreSQL).

A survey is drafted, revised, opened; owners and family answer once per home, a tenant and a
stranger are refused; the results count the answers per community and question against the
bound homes read from the household tables; closing stops the answers. Feedback is reported,
triaged, answered and listed by status. A directory is saved twice and read with who is on duty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from decimal import Decimal
from uuid import UUID

import pytest
from community_estate_sql import ADMIN, SqlEstate

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from engagement_builders import QUESTIONS, Estate, a_plan, answer
from estate_core.engagement.directory import (
    DutyShift,
    Hotline,
    HotlineKind,
    NearbyService,
    OfficeHours,
)
from estate_core.engagement.feedback import FeedbackCategory, FeedbackState, FeedbackTeam
from estate_core.engagement.queries import survey_results
from estate_core.engagement.services.directory import (
    DirectoryContent,
    community_directory,
    edit_directory,
)
from estate_core.engagement.services.feedback import (
    ReportFeedback,
    answer_feedback,
    feedback_list,
    my_feedback,
    report_feedback,
    triage_feedback,
)
from estate_core.engagement.services.surveys import (
    close_survey,
    draft_survey,
    revise_survey,
    surveys_for_resident,
)
from estate_core.engagement.survey import SurveyState
from estate_core.properties.model import MemberRole
from estate_core.shared.clock import FixedClock
from estate_core.shared.pagination import PageRequest
from world_builders import add_technician


class SqlSurveyEstate(SqlEstate, Estate):
    """The SQL estate with the survey helpers of the unit tests."""


@pytest.fixture
def estate(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], tenant_id: UUID, clock: FixedClock
) -> SqlSurveyEstate:
    return SqlSurveyEstate(make_uow, tenant_id, clock)


def test_a_draft_is_revised_then_opened_and_read_back(estate: SqlSurveyEstate) -> None:
    plan = a_plan(frozenset({estate.community_id}))
    survey_id = draft_survey(estate.uow, estate.clock, ADMIN, plan)
    both = frozenset({estate.community_id, estate.other_community_id})
    revise_survey(estate.uow, ADMIN, survey_id, a_plan(both))
    with estate.uow:
        survey = estate.uow.surveys.get(survey_id)
        assert survey.community_ids == both
        assert survey.questions == QUESTIONS
        assert survey.state is SurveyState.DRAFT
        assert [s.id for s in estate.uow.surveys.newest_first(PageRequest()).items] == [survey_id]


def test_homes_answer_once_and_the_results_count_them(estate: SqlSurveyEstate) -> None:
    owner, second_owner, far_owner = estate.resident(), estate.resident(), estate.resident()
    home, second_home = estate.home(owner=owner), estate.home(owner=second_owner)
    family = estate.family(home)
    tenant = estate.family(second_home, MemberRole.TENANT)
    estate.home()
    far_home = estate.home(estate.other_community_id, owner=far_owner)
    survey_id = estate.open_survey(frozenset({estate.community_id, estate.other_community_id}))

    assert answer(estate, owner, survey_id, home) == "answered"
    assert answer(estate, family, survey_id, home) == "survey.already_answered"
    assert answer(estate, tenant, survey_id, second_home) == "survey.tenants_cannot_answer"
    assert answer(estate, estate.resident(), survey_id, second_home) == "survey.not_bound_here"
    assert answer(estate, far_owner, survey_id, far_home) == "answered"

    [seen] = surveys_for_resident(estate.uow, estate.clock, family)
    assert [h.reason for h in seen.homes] == ["survey.already_answered"]
    results = survey_results(estate.uow, ADMIN, survey_id)
    rates = {c.community_id: (c.bound_homes, c.answered_homes) for c in results.communities}
    assert rates == {estate.community_id: (2, 1), estate.other_community_id: (1, 1)}
    here = next(c for c in results.communities if c.community_id == estate.community_id)
    assert here.response_rate == Decimal("0.5")
    assert here.questions[0].counts == (0, 0, 0, 0, 1)
    assert here.questions[3].texts == ("电梯维修很及时",)

    close_survey(estate.uow, estate.clock, ADMIN, survey_id)
    assert answer(estate, second_owner, survey_id, second_home) == "survey.not_open"
    assert surveys_for_resident(estate.uow, estate.clock, second_owner) == []


def test_feedback_is_triaged_answered_and_listed_by_status(estate: SqlSurveyEstate) -> None:
    resident = estate.resident()
    feedback_id = report_feedback(
        estate.uow,
        estate.clock,
        resident,
        ReportFeedback(
            category=FeedbackCategory.ACCOUNT,
            description="绑定了房产，还是显示访客",
            screenshots=("uploads/a.png", "uploads/b.png"),
            community_id=estate.community_id,
        ),
    )
    triage_feedback(estate.uow, estate.clock, ADMIN, feedback_id, FeedbackTeam.PROPERTY)
    triaged = feedback_list(estate.uow, ADMIN, PageRequest(), FeedbackState.TRIAGED).items
    assert [f.id for f in triaged] == [feedback_id]
    answer_feedback(estate.uow, estate.clock, ADMIN, feedback_id, "已核对业主信息，请重新进入")
    [mine] = my_feedback(estate.uow, resident, PageRequest()).items
    assert (mine.state, mine.team, mine.screenshots) == (
        FeedbackState.ANSWERED,
        FeedbackTeam.PROPERTY,
        ("uploads/a.png", "uploads/b.png"),
    )
    assert feedback_list(estate.uow, ADMIN, PageRequest(), FeedbackState.TRIAGED).items == []


def test_the_directory_is_saved_and_read_with_who_is_on_duty(estate: SqlSurveyEstate) -> None:
    with estate.uow:
        tech = add_technician(
            estate.uow, estate.clock, "王师傅", "13900001111", estate.community_id
        )
        estate.uow.commit()
    content = DirectoryContent(
        hotlines=(Hotline(kind=HotlineKind.REPAIR, name="报修电话", phone="0571-88886666"),),
        office_hours=(OfficeHours(weekday=6, opens=time(9), closes=time(17)),),
        nearby=(NearbyService(name="便利店", category="购物", address="南门"),),
        roster=(DutyShift(staff_id=tech.staff_id, weekday=5, starts=time(20), ends=time(12)),),
    )
    edit_directory(estate.uow, estate.clock, ADMIN, estate.community_id, content)
    edit_directory(estate.uow, estate.clock, ADMIN, estate.community_id, content)
    owner = estate.resident()
    estate.home(owner=owner)
    view = community_directory(estate.uow, estate.clock, owner, estate.community_id)
    assert (view.hotlines, view.office_hours, view.nearby) == (
        tuple(content.hotlines),
        tuple(content.office_hours),
        tuple(content.nearby),
    )
    assert [t.phone for t in view.on_duty] == ["13900001111"]  # Saturday 20:00 to Sunday 12:00
