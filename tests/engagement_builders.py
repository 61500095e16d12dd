"""Builders of the engagement tests, in memory and on SQL: questionnaires, answers, an estate."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from estate_core.engagement.questions import Answer, Question, QuestionKind
from estate_core.engagement.services.surveys import (
    AnswerSurvey,
    answer_survey,
    draft_survey,
    open_survey,
)
from estate_core.engagement.survey import ProjectType, SurveyPlan
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from world_builders import EstateBase

QUESTIONS = (
    Question(text="您对物业服务总体满意吗？", kind=QuestionKind.SCALE),
    Question(
        text="您最常使用哪项服务？",
        kind=QuestionKind.SINGLE_CHOICE,
        options=("缴费", "报修", "投诉"),
    ),
    Question(
        text="哪些方面需要改进？",
        kind=QuestionKind.MULTIPLE_CHOICE,
        options=("保洁", "安保", "绿化", "维修"),
        required=False,
    ),
    Question(text="其他意见", kind=QuestionKind.TEXT, required=False),
)

GOOD_ANSWERS = (
    Answer(question=0, score=5),
    Answer(question=1, choices=(1,)),
    Answer(question=2, choices=(0, 3)),
    Answer(question=3, text="电梯维修很及时"),
)


def staff(*permissions: Permission, communities: frozenset[UUID] | None = None) -> StaffActor:
    return StaffActor(
        staff_id=new_id(), permissions=frozenset(permissions), community_ids=communities
    )


def a_plan(
    community_ids: frozenset[UUID],
    opens_on: date = date(2026, 3, 1),
    closes_on: date = date(2026, 3, 31),
) -> SurveyPlan:
    return SurveyPlan(
        title="2026年度居住物业项目满意度测评问卷",
        project_type=ProjectType.RESIDENTIAL,
        community_ids=community_ids,
        opens_on=opens_on,
        closes_on=closes_on,
        questions=QUESTIONS,
    )


class Estate(EstateBase):
    def open_survey(self, community_ids: frozenset[UUID] | None = None, **window: date) -> UUID:
        plan = a_plan(community_ids or frozenset({self.community_id}), **window)
        survey_id = draft_survey(self.uow, self.clock, self.admin, plan)
        open_survey(self.uow, self.clock, self.admin, survey_id)
        return survey_id


def answer(estate: EstateBase, who: ResidentActor, survey_id: UUID, home: UUID) -> str:
    """What became of a home's answer: ``answered`` or the refusal's code."""
    try:
        answer_survey(
            estate.uow,
            estate.clock,
            who,
            AnswerSurvey(survey_id=survey_id, property_id=home, answers=GOOD_ANSWERS),
        )
    except DomainError as refused:
        return refused.code
    return "answered"
