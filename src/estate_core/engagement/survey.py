"""Satisfaction survey 满意度测评 and the answer of one home (seed 003, seed 001 §2 问卷调查).

Seed 003 runs the year-end survey from 1 to 30 November, one questionnaire per project type
(居住物业, 商用物业, 公建物业), and only the bound owner and family of a home answer it. Here a
survey is drafted by staff (questions, communities, project type, date window), opened, and
closed; it takes answers while open and while the local date of the home's community is in its
window. The answers of a home are their own aggregate, :class:`SurveyResponse`, unique by
(survey, home): residents answering at once never contend for the survey itself, and the
"one answer per home" rule is a unique key the database holds under concurrent submissions.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

import attrs

from estate_core.engagement import events
from estate_core.engagement.errors import NotBoundHere, SurveyNotOpen, TenantsCannotAnswer
from estate_core.engagement.questions import Answer, Question, check_answers, check_questions
from estate_core.properties.model import MemberRole
from estate_core.shared.errors import InvalidInput, InvalidTransition
from estate_core.shared.events import Aggregate

TITLE_MAX = 100
LONGEST_WINDOW = timedelta(days=366)
ANSWERING_ROLES = frozenset({MemberRole.OWNER, MemberRole.FAMILY})


class ProjectType(enum.StrEnum):
    """The project types of seed 003's questionnaires (居住 / 商用 / 公建物业项目)."""

    RESIDENTIAL = "residential"
    COMMERCIAL = "commercial"
    PUBLIC_BUILDING = "public_building"


class SurveyState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class SurveyAction(enum.StrEnum):
    REVISE = "revise"
    OPEN = "open"
    ANSWER = "answer"
    CLOSE = "close"


SURVEY_TRANSITIONS: dict[tuple[SurveyState, SurveyAction], SurveyState] = {
    (SurveyState.DRAFT, SurveyAction.REVISE): SurveyState.DRAFT,
    (SurveyState.DRAFT, SurveyAction.OPEN): SurveyState.OPEN,
    (SurveyState.OPEN, SurveyAction.ANSWER): SurveyState.OPEN,
    (SurveyState.OPEN, SurveyAction.CLOSE): SurveyState.CLOSED,
}
"""A draft is revised until opened; an open survey takes answers until closed; once open its
questions never change (answers refer to them by position)."""


def check_plan(title: str, community_ids: frozenset[UUID], opens_on: date, closes_on: date) -> str:
    title = title.strip()
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput("survey.invalid_title", f"a title has 1 to {TITLE_MAX} characters")
    if not community_ids:
        raise InvalidInput("survey.no_community", "pick at least one community")
    if not opens_on <= closes_on or closes_on - opens_on >= LONGEST_WINDOW:
        raise InvalidInput(
            "survey.invalid_window", "the window opens on or before it closes, within a year"
        )
    return title


@attrs.frozen(kw_only=True)
class SurveyPlan:
    """What staff set on a draft: its title, project type, communities, window and questions."""

    title: str
    project_type: ProjectType
    community_ids: frozenset[UUID]
    opens_on: date
    closes_on: date
    questions: tuple[Question, ...]


@attrs.define(slots=False, eq=False, kw_only=True)
class SurveyResponse(Aggregate):
    """The answers of one home to one survey, given by its owner or a family member."""

    id: UUID
    tenant_id: UUID
    survey_id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    answers: tuple[Answer, ...]
    submitted_at: datetime


@attrs.define(slots=False, eq=False, kw_only=True)
class Survey(Aggregate):
    """Survey 满意度测评问卷 (transition table :data:`SURVEY_TRANSITIONS`)."""

    id: UUID
    tenant_id: UUID
    title: str
    project_type: ProjectType
    community_ids: frozenset[UUID]
    opens_on: date
    closes_on: date
    questions: tuple[Question, ...]
    created_by: UUID
    created_at: datetime
    state: SurveyState = SurveyState.DRAFT
    opened_at: datetime | None = None
    closed_at: datetime | None = None

    @classmethod
    def draft(
        cls, *, id: UUID, tenant_id: UUID, plan: SurveyPlan, created_by: UUID, now: datetime
    ) -> Survey:
        survey = cls(
            id=id,
            tenant_id=tenant_id,
            title="",
            project_type=plan.project_type,
            community_ids=plan.community_ids,
            opens_on=plan.opens_on,
            closes_on=plan.closes_on,
            questions=(),
            created_by=created_by,
            created_at=now,
        )
        survey._apply(plan)
        return survey

    def _next(self, action: SurveyAction) -> SurveyState:
        next_state = SURVEY_TRANSITIONS.get((self.state, action))
        if next_state is None:
            raise InvalidTransition("survey", self.state.value, action.value)
        return next_state

    def _apply(self, plan: SurveyPlan) -> None:
        self.title = check_plan(plan.title, plan.community_ids, plan.opens_on, plan.closes_on)
        self.project_type = ProjectType(plan.project_type)
        self.community_ids = frozenset(plan.community_ids)
        self.opens_on, self.closes_on = plan.opens_on, plan.closes_on
        self.questions = check_questions(plan.questions)

    def revise(self, plan: SurveyPlan) -> None:
        """Staff change a draft, wholly: the plan replaces what was there."""
        self.state = self._next(SurveyAction.REVISE)
        self._apply(plan)

    def open(self, now: datetime) -> None:
        self.state = self._next(SurveyAction.OPEN)
        self.opened_at = now
        self.record(
            events.SurveyOpened(
                survey_id=self.id,
                title=self.title,
                community_ids=self.community_ids,
                opens_on=self.opens_on,
                closes_on=self.closes_on,
            )
        )

    def close(self, now: datetime) -> None:
        self.state = self._next(SurveyAction.CLOSE)
        self.closed_at = now
        self.record(events.SurveyClosed(survey_id=self.id))

    def takes_answers_on(self, local_day: date) -> bool:
        return self.state is SurveyState.OPEN and self.opens_on <= local_day <= self.closes_on

    def answer(
        self,
        *,
        response_id: UUID,
        community_id: UUID,
        property_id: UUID,
        resident_id: UUID,
        role: MemberRole | None,
        answers: Sequence[Answer],
        local_day: date,
        now: datetime,
    ) -> SurveyResponse:
        """The answers of a home, given by a member in ``role`` on the community's ``local_day``.

        Who may answer is checked before the answers, so a tenant learns why they cannot answer
        rather than what to fix in their answers.
        """
        if (self.state, SurveyAction.ANSWER) not in SURVEY_TRANSITIONS or not (
            self.takes_answers_on(local_day)
        ):
            raise SurveyNotOpen(
                f"this survey takes answers from {self.opens_on} to {self.closes_on} while open"
            )
        if community_id not in self.community_ids or role is None:
            raise NotBoundHere("only the owner and family of a home in these communities answer")
        if role not in ANSWERING_ROLES:
            raise TenantsCannotAnswer("only the owner and family of a home answer this survey")
        response = SurveyResponse(
            id=response_id,
            tenant_id=self.tenant_id,
            survey_id=self.id,
            community_id=community_id,
            property_id=property_id,
            resident_id=resident_id,
            answers=check_answers(self.questions, answers),
            submitted_at=now,
        )
        response.record(
            events.SurveyAnswered(
                survey_id=self.id,
                community_id=community_id,
                property_id=property_id,
                resident_id=resident_id,
            )
        )
        return response
