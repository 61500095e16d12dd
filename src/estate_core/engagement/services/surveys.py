"""Survey use cases (满意度测评): staff draft, open and close; owners and family answer.

The date window is in local dates: a home answers while the local date of its community (in
the community's time zone) is inside the window, so 1–30 November means those days in 小区's
own calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import attrs

from estate_core.community.services.common import active_resident, require_communities
from estate_core.engagement.errors import AlreadyAnswered, NotBoundHere
from estate_core.engagement.ports import EngagementUnitOfWork
from estate_core.engagement.questions import Answer, Question
from estate_core.engagement.survey import (
    ANSWERING_ROLES,
    ProjectType,
    Survey,
    SurveyPlan,
)
from estate_core.shared.access import Actor, Permission, ResidentActor, StaffActor, require_staff
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import PermissionDenied
from estate_core.shared.ids import new_id


def _require_scope(staff: StaffActor, community_ids: frozenset[UUID]) -> None:
    """A survey is staff's only if every one of its communities is in their data scope."""
    for community_id in community_ids:
        staff.require(Permission.SURVEY_MANAGE, community_id)


def _home_day(uow: EngagementUnitOfWork, community_id: UUID, clock: Clock) -> date:
    return local_date(clock.now(), uow.communities.get(community_id).zone)


def draft_survey(uow: EngagementUnitOfWork, clock: Clock, actor: Actor, plan: SurveyPlan) -> UUID:
    staff = require_staff(actor, Permission.SURVEY_MANAGE)
    _require_scope(staff, plan.community_ids)
    with uow:
        require_communities(uow, plan.community_ids)
        survey = Survey.draft(
            id=new_id(),
            tenant_id=uow.tenant_id,
            plan=plan,
            created_by=staff.staff_id,
            now=clock.now(),
        )
        uow.surveys.add(survey)
        uow.commit()
        return survey.id


def revise_survey(
    uow: EngagementUnitOfWork, actor: Actor, survey_id: UUID, plan: SurveyPlan
) -> None:
    staff = require_staff(actor, Permission.SURVEY_MANAGE)
    _require_scope(staff, plan.community_ids)
    with uow:
        survey = uow.surveys.get(survey_id)
        _require_scope(staff, survey.community_ids)
        require_communities(uow, plan.community_ids)
        survey.revise(plan)
        uow.commit()


def open_survey(uow: EngagementUnitOfWork, clock: Clock, actor: Actor, survey_id: UUID) -> None:
    staff = require_staff(actor, Permission.SURVEY_MANAGE)
    with uow:
        survey = uow.surveys.get(survey_id)
        _require_scope(staff, survey.community_ids)
        survey.open(clock.now())
        uow.commit()


def close_survey(uow: EngagementUnitOfWork, clock: Clock, actor: Actor, survey_id: UUID) -> None:
    staff = require_staff(actor, Permission.SURVEY_MANAGE)
    with uow:
        survey = uow.surveys.get(survey_id)
        _require_scope(staff, survey.community_ids)
        survey.close(clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class AnswerSurvey:
    survey_id: UUID
    property_id: UUID
    answers: Sequence[Answer]


def answer_survey(
    uow: EngagementUnitOfWork, clock: Clock, actor: ResidentActor, cmd: AnswerSurvey
) -> UUID:
    """A home's one answer. A second one is ``survey.already_answered``: here when the first is
    committed, and from the unique key when both arrive at once."""
    with uow:
        active_resident(uow, actor.resident_id)
        survey = uow.surveys.get(cmd.survey_id)
        household = uow.households.for_property(cmd.property_id)
        if household is None:
            raise NotBoundHere("only the owner and family of a home in these communities answer")
        day = _home_day(uow, household.community_id, clock)
        response = survey.answer(
            response_id=new_id(),
            community_id=household.community_id,
            property_id=cmd.property_id,
            resident_id=actor.resident_id,
            role=household.role_of(actor.resident_id, day),
            answers=cmd.answers,
            local_day=day,
            now=clock.now(),
        )
        if uow.survey_responses.for_home(survey.id, cmd.property_id) is not None:
            raise AlreadyAnswered("your home has already answered this survey")
        uow.survey_responses.add(response)
        uow.commit()
        return response.id


@attrs.frozen(kw_only=True)
class HomeStanding:
    """Whether one of the resident's homes may answer, and if not, the code that says why."""

    property_id: UUID
    community_id: UUID
    may_answer: bool
    reason: str = ""


@attrs.frozen(kw_only=True)
class SurveyForResident:
    """An open survey as a resident sees it: its questions and where each home stands."""

    id: UUID
    title: str
    project_type: ProjectType
    opens_on: date
    closes_on: date
    questions: tuple[Question, ...]
    homes: tuple[HomeStanding, ...]


def surveys_for_resident(
    uow: EngagementUnitOfWork, clock: Clock, actor: ResidentActor
) -> list[SurveyForResident]:
    """The open surveys of the resident's communities; a tenant or a home that answered
    sees the survey with the reason it cannot answer (seed 003: 显示访客或无法打开问卷)."""
    with uow:
        active_resident(uow, actor.resident_id)
        households = uow.households.of_resident(actor.resident_id)
        days = {h.community_id: _home_day(uow, h.community_id, clock) for h in households}
        members = [
            (h, role)
            for h in households
            if (role := h.role_of(actor.resident_id, days[h.community_id])) is not None
        ]
        found = []
        for survey in uow.surveys.open_in({h.community_id for h, _ in members}):
            mine = [(h, role) for h, role in members if h.community_id in survey.community_ids]
            answered = uow.survey_responses.answered_homes(
                survey.id, [h.property_id for h, _ in mine]
            )
            homes = []
            for household, role in mine:
                reason = ""
                if household.property_id in answered:
                    reason = AlreadyAnswered.code
                elif role not in ANSWERING_ROLES:
                    reason = "survey.tenants_cannot_answer"
                elif not survey.takes_answers_on(days[household.community_id]):
                    reason = "survey.not_open"
                homes.append(
                    HomeStanding(
                        property_id=household.property_id,
                        community_id=household.community_id,
                        may_answer=not reason,
                        reason=reason,
                    )
                )
            found.append(
                SurveyForResident(
                    id=survey.id,
                    title=survey.title,
                    project_type=survey.project_type,
                    opens_on=survey.opens_on,
                    closes_on=survey.closes_on,
                    questions=survey.questions,
                    homes=tuple(homes),
                )
            )
        return found


def require_survey_reader(actor: Actor, survey: Survey) -> None:
    """Results are for staff managing surveys or reading reports, in every survey community."""
    if not isinstance(actor, StaffActor):
        raise PermissionDenied("permission.staff_only", "only staff may do this")
    permission = (
        Permission.SURVEY_MANAGE
        if Permission.SURVEY_MANAGE in actor.permissions
        else Permission.REPORT_READ
    )
    for community_id in survey.community_ids:
        actor.require(permission, community_id)
