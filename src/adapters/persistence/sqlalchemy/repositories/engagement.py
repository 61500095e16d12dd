"""Repositories of the engagement context.

The results read the answers with a Core select of two columns (no aggregate loaded), and
count the bound homes of each community from the household tables in one grouped query.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.repositories.base import SqlRepository
from adapters.persistence.sqlalchemy.repositories.community import _TimeOrderedRepository
from adapters.persistence.sqlalchemy.tables.engagement import (
    community_directories,
    feedback,
    survey_responses,
    surveys,
)
from adapters.persistence.sqlalchemy.tables.properties import household_members, households
from estate_core.engagement.directory import CommunityDirectory
from estate_core.engagement.feedback import Feedback, FeedbackState
from estate_core.engagement.ports import SubmittedAnswers
from estate_core.engagement.survey import Survey, SurveyResponse
from estate_core.properties.model import MemberRole
from estate_core.shared.pagination import Page, PageRequest

_OPEN = sa.text("surveys.state = 'open'")
"""Written as the partial index's predicate, so PostgreSQL matches ``ix_surveys_open``."""


class SqlSurveyRepository(_TimeOrderedRepository[Survey]):
    model = Survey
    table = surveys
    not_found_code = "survey.not_found"

    def newest_first(self, page: PageRequest) -> Page[Survey]:
        c = surveys.c
        return self._time_page(
            self._select(), c.created_at, c.id, lambda s: s.created_at, page, newest_first=True
        )

    def open_in(self, community_ids: Collection[UUID]) -> list[Survey]:
        """The tenant's open surveys (a handful at a time), kept if they reach a community."""
        wanted = set(community_ids)
        found = self._all(
            self._select().where(_OPEN).order_by(surveys.c.created_at.desc(), surveys.c.id)
        )
        return [survey for survey in found if survey.community_ids & wanted]


class SqlSurveyResponseRepository(_TimeOrderedRepository[SurveyResponse]):
    model = SurveyResponse
    table = survey_responses
    not_found_code = "survey_response.not_found"

    def for_home(self, survey_id: UUID, property_id: UUID) -> SurveyResponse | None:
        c = survey_responses.c
        return self._one(
            self._select().where(c.survey_id == survey_id, c.property_id == property_id)
        )

    def answered_homes(self, survey_id: UUID, property_ids: Collection[UUID]) -> frozenset[UUID]:
        if not property_ids:
            return frozenset()
        c = survey_responses.c
        statement = sa.select(c.property_id).where(
            c.tenant_id == self._tenant_id,
            c.survey_id == survey_id,
            c.property_id.in_(list(property_ids)),
        )
        with database_errors():
            self._session.flush()
            return frozenset(self._session.scalars(statement))

    def submitted(self, survey_id: UUID) -> list[SubmittedAnswers]:
        c = survey_responses.c
        statement = (
            sa.select(c.community_id, c.answers)
            .where(c.tenant_id == self._tenant_id, c.survey_id == survey_id)
            .order_by(c.submitted_at, c.id)
        )
        with database_errors():
            self._session.flush()
            rows = self._session.execute(statement).all()
        return [SubmittedAnswers(community_id=row[0], answers=row[1]) for row in rows]

    def bound_homes(self, community_ids: Collection[UUID]) -> dict[UUID, int]:
        counts = dict.fromkeys(community_ids, 0)
        if not counts:
            return counts
        h, m = households.c, household_members.c
        statement = (
            sa.select(h.community_id, sa.func.count())
            .select_from(households)
            .join(household_members, sa.and_(m.tenant_id == h.tenant_id, m.household_id == h.id))
            .where(
                h.tenant_id == self._tenant_id,
                h.community_id.in_(list(counts)),
                m.role == MemberRole.OWNER,
            )
            .group_by(h.community_id)
        )
        with database_errors():
            self._session.flush()
            for community_id, count in self._session.execute(statement):
                counts[community_id] = int(count)
        return counts


class SqlFeedbackRepository(_TimeOrderedRepository[Feedback]):
    model = Feedback
    table = feedback
    not_found_code = "feedback.not_found"

    def listed(self, page: PageRequest, state: FeedbackState | None = None) -> Page[Feedback]:
        """Newest first, through ``ix_feedback_staff_list`` or ``ix_feedback_by_state``."""
        c = feedback.c
        statement = self._select()
        if state is not None:
            statement = statement.where(c.state == state)
        return self._time_page(
            statement, c.created_at, c.id, lambda f: f.created_at, page, newest_first=True
        )

    def of_reporter(self, reporter_id: UUID, page: PageRequest) -> Page[Feedback]:
        c = feedback.c
        return self._time_page(
            self._select().where(c.reporter_id == reporter_id),
            c.created_at,
            c.id,
            lambda f: f.created_at,
            page,
            newest_first=True,
        )


class SqlCommunityDirectoryRepository(SqlRepository[CommunityDirectory]):
    model = CommunityDirectory
    table = community_directories
    not_found_code = "directory.not_found"

    def for_community(self, community_id: UUID) -> CommunityDirectory | None:
        return self._one(self._select().where(community_directories.c.community_id == community_id))
