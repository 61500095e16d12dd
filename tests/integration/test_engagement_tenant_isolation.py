"""No engagement repository method returns a row of another tenant, on any backend.

Two tenants hold look-alike data: the same community id, an open survey each, a home with a
bound owner who answered. Every method is called from the second tenant's unit of work with
the first tenant's ids, and must only ever see the second tenant's rows.
"""

from __future__ import annotations

from uuid import UUID

import attrs
import pytest
from community_samples import AT
from isolation import (
    assert_adding_is_refused,
    assert_all_of,
    assert_every_public_method_is_covered,
    assert_unseen,
)
from persistence_samples import Backend, a_resident, add_owners

from adapters.persistence.sqlalchemy.repositories.engagement import (
    SqlCommunityDirectoryRepository,
    SqlFeedbackRepository,
    SqlSurveyRepository,
    SqlSurveyResponseRepository,
)
from engagement_builders import GOOD_ANSWERS, a_plan
from estate_core.engagement.directory import CommunityDirectory, Hotline, HotlineKind
from estate_core.engagement.feedback import (
    Feedback,
    FeedbackCategory,
    FeedbackState,
    FeedbackTeam,
    ReporterKind,
)
from estate_core.engagement.survey import Survey, SurveyResponse
from estate_core.identity.model import Community
from estate_core.properties.model import MemberRole, Property
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

COMMUNITY = new_id()
"""Shared on purpose: a query filtering on the community but not the tenant would leak."""

REPORTER = new_id()
"""The same reporter id in both tenants: a list filtering on it but not the tenant would leak."""

COVERED = {
    SqlSurveyRepository: {"add", "get", "find", "newest_first", "open_in"},
    SqlSurveyResponseRepository: {
        "add",
        "get",
        "find",
        "for_home",
        "answered_homes",
        "submitted",
        "bound_homes",
    },
    SqlFeedbackRepository: {"add", "get", "find", "listed", "of_reporter"},
    SqlCommunityDirectoryRepository: {"add", "get", "find", "for_community"},
}


@attrs.frozen
class Tenant:
    id: UUID
    survey: Survey
    home: Property
    response: SurveyResponse
    reporter_id: UUID
    feedback: Feedback
    directory: CommunityDirectory


def _populate(backend: Backend) -> Tenant:
    tenant_id = new_id()
    owner = a_resident(tenant_id)
    survey = Survey.draft(
        id=new_id(),
        tenant_id=tenant_id,
        plan=a_plan(frozenset({COMMUNITY})),
        created_by=owner.id,
        now=AT,
    )
    survey.open(AT)
    with backend.uow(tenant_id) as uow:
        [home] = add_owners(uow, COMMUNITY, [owner], AT, rooms=["101"])
        response = survey.answer(
            response_id=new_id(),
            community_id=COMMUNITY,
            property_id=home.id,
            resident_id=owner.id,
            role=MemberRole.OWNER,
            answers=GOOD_ANSWERS,
            local_day=AT.date(),
            now=AT,
        )
        uow.surveys.add(survey)
        uow.survey_responses.add(response)
        feedback = Feedback.report(
            id=new_id(),
            tenant_id=tenant_id,
            reporter_kind=ReporterKind.RESIDENT,
            reporter_id=REPORTER,
            community_id=COMMUNITY,
            category=FeedbackCategory.FAULT,
            description="打不开缴费页面",
            screenshots=["uploads/1.png"],
            now=AT,
        )
        feedback.triage(FeedbackTeam.PLATFORM, owner.id, AT)
        uow.feedback.add(feedback)
        uow.communities.add(Community(id=COMMUNITY, tenant_id=tenant_id, name="翠苑小区"))
        directory = CommunityDirectory(id=new_id(), tenant_id=tenant_id, community_id=COMMUNITY)
        hotline = Hotline(kind=HotlineKind.REPAIR, name="报修", phone="0571-88886666")
        directory.replace(
            hotlines=[hotline], office_hours=(), nearby=(), roster=(), staff_id=owner.id, now=AT
        )
        uow.directories.add(directory)
        uow.commit()
    return Tenant(tenant_id, survey, home, response, REPORTER, feedback, directory)


@pytest.fixture
def tenants(backend: Backend) -> tuple[Tenant, Tenant]:
    return _populate(backend), _populate(backend)


def test_every_engagement_repository_method_is_covered_here() -> None:
    assert_every_public_method_is_covered(COVERED)


def test_surveys_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.surveys, first.survey.id)
        listed = uow.surveys.newest_first(PageRequest(limit=50)).items
        opened = uow.surveys.open_in([COMMUNITY])
        assert [s.id for s in listed] == [second.survey.id]
        assert [s.id for s in opened] == [second.survey.id]
        assert_all_of(second.id, [*listed, *opened])
        assert_adding_is_refused([(uow.surveys, first.survey)])


def test_answers_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        responses = uow.survey_responses
        assert_unseen(responses, first.response.id)
        assert responses.for_home(first.survey.id, first.home.id) is None
        assert responses.answered_homes(first.survey.id, [first.home.id]) == frozenset()
        assert responses.submitted(first.survey.id) == []
        assert len(responses.submitted(second.survey.id)) == 1
        assert responses.bound_homes([COMMUNITY]) == {COMMUNITY: 1}
        assert_all_of(second.id, [responses.get(second.response.id)])
        assert_adding_is_refused([(responses, first.response)])


def test_feedback_of_another_tenant_is_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.feedback, first.feedback.id)
        listed = uow.feedback.listed(PageRequest(limit=50)).items
        triaged = uow.feedback.listed(PageRequest(limit=50), FeedbackState.TRIAGED).items
        mine = uow.feedback.of_reporter(REPORTER, PageRequest(limit=50)).items
        for found in (listed, triaged, mine):
            assert [f.id for f in found] == [second.feedback.id]
        assert_all_of(second.id, [*listed, *triaged, *mine])
        assert_adding_is_refused([(uow.feedback, first.feedback)])


def test_directories_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.directories, first.directory.id)
        found = uow.directories.for_community(COMMUNITY)
        assert found is not None
        assert found.id == second.directory.id
        assert found.hotlines == second.directory.hotlines
        assert_adding_is_refused([(uow.directories, first.directory)])
