"""Feedback use cases (问题反馈): anyone reports, staff with ``feedback.handle`` triage and
answer. A reporter sees their own feedback; handlers see all, by status (seed 003 §6).

Feedback tied to a community is handled by staff whose data scope covers it; feedback about the
platform in general (no community) by any handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.community.services.common import active_resident, require_communities
from estate_core.engagement.feedback import (
    Feedback,
    FeedbackCategory,
    FeedbackState,
    FeedbackTeam,
    ReporterKind,
)
from estate_core.engagement.ports import EngagementUnitOfWork
from estate_core.shared.access import Actor, Permission, ResidentActor, StaffActor, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import NotFound, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest


class FeedbackNotFound(NotFound):
    """No such feedback, or the caller may not see it (only its reporter and handlers do)."""

    code = "feedback.not_found"


@attrs.frozen(kw_only=True)
class FeedbackView:
    id: UUID
    reporter_kind: ReporterKind
    community_id: UUID | None
    category: FeedbackCategory
    description: str
    screenshots: tuple[str, ...]
    created_at: datetime
    state: FeedbackState
    team: FeedbackTeam | None
    answer: str
    answered_at: datetime | None


def _view(feedback: Feedback) -> FeedbackView:
    return FeedbackView(
        id=feedback.id,
        reporter_kind=feedback.reporter_kind,
        community_id=feedback.community_id,
        category=feedback.category,
        description=feedback.description,
        screenshots=tuple(feedback.screenshots),
        created_at=feedback.created_at,
        state=feedback.state,
        team=feedback.team,
        answer=feedback.answer,
        answered_at=feedback.answered_at,
    )


@attrs.frozen(kw_only=True)
class ReportFeedback:
    category: FeedbackCategory
    description: str
    screenshots: Sequence[str] = ()
    community_id: UUID | None = None


def _reporter(uow: EngagementUnitOfWork, actor: Actor) -> tuple[ReporterKind, UUID]:
    if isinstance(actor, ResidentActor):
        active_resident(uow, actor.resident_id)
        return ReporterKind.RESIDENT, actor.resident_id
    if isinstance(actor, StaffActor):
        return ReporterKind.STAFF, actor.staff_id
    raise PermissionDenied("permission.denied", "only residents and staff report feedback")


def report_feedback(
    uow: EngagementUnitOfWork, clock: Clock, actor: Actor, cmd: ReportFeedback
) -> UUID:
    with uow:
        kind, reporter_id = _reporter(uow, actor)
        if cmd.community_id is not None:
            require_communities(uow, frozenset({cmd.community_id}))
        feedback = Feedback.report(
            id=new_id(),
            tenant_id=uow.tenant_id,
            reporter_kind=kind,
            reporter_id=reporter_id,
            community_id=cmd.community_id,
            category=cmd.category,
            description=cmd.description,
            screenshots=cmd.screenshots,
            now=clock.now(),
        )
        uow.feedback.add(feedback)
        uow.commit()
        return feedback.id


def _handled(
    uow: EngagementUnitOfWork, actor: Actor, feedback_id: UUID
) -> tuple[StaffActor, Feedback]:
    staff = require_staff(actor, Permission.FEEDBACK_HANDLE)
    feedback = uow.feedback.find(feedback_id)
    if feedback is None or (
        feedback.community_id is not None and not staff.sees(feedback.community_id)
    ):
        raise FeedbackNotFound("no such feedback")
    return staff, feedback


def triage_feedback(
    uow: EngagementUnitOfWork, clock: Clock, actor: Actor, feedback_id: UUID, team: FeedbackTeam
) -> None:
    """分派: hand the feedback to the team that owns that part of the platform."""
    with uow:
        staff, feedback = _handled(uow, actor, feedback_id)
        feedback.triage(team, staff.staff_id, clock.now())
        uow.commit()


def answer_feedback(
    uow: EngagementUnitOfWork, clock: Clock, actor: Actor, feedback_id: UUID, answer: str
) -> None:
    """答复: the answer goes to the reporter's inbox (event ``FeedbackAnswered``)."""
    with uow:
        staff, feedback = _handled(uow, actor, feedback_id)
        feedback.reply(answer, staff.staff_id, clock.now())
        uow.commit()


def feedback_detail(uow: EngagementUnitOfWork, actor: Actor, feedback_id: UUID) -> FeedbackView:
    with uow:
        feedback = uow.feedback.find(feedback_id)
        if feedback is not None and _reporter_of(actor) == feedback.reporter_id:
            return _view(feedback)
        if isinstance(actor, StaffActor) and Permission.FEEDBACK_HANDLE in actor.permissions:
            return _view(_handled(uow, actor, feedback_id)[1])
        raise FeedbackNotFound("no such feedback")


def _reporter_of(actor: Actor) -> UUID | None:
    if isinstance(actor, ResidentActor):
        return actor.resident_id
    if isinstance(actor, StaffActor):
        return actor.staff_id
    return None


def my_feedback(uow: EngagementUnitOfWork, actor: Actor, page: PageRequest) -> Page[FeedbackView]:
    """我的反馈: what the actor reported, newest first, with the answers."""
    reporter_id = _reporter_of(actor)
    if reporter_id is None:
        raise PermissionDenied("permission.denied", "only residents and staff report feedback")
    with uow:
        found = uow.feedback.of_reporter(reporter_id, page)
        return Page(items=[_view(f) for f in found.items], next_cursor=found.next_cursor)


def feedback_list(
    uow: EngagementUnitOfWork, actor: Actor, page: PageRequest, state: FeedbackState | None = None
) -> Page[FeedbackView]:
    """Staff's list by status; feedback of communities outside the data scope is left out."""
    staff = require_staff(actor, Permission.FEEDBACK_HANDLE)
    with uow:
        found = uow.feedback.listed(page, state)
        return Page(
            items=[
                _view(f)
                for f in found.items
                if f.community_id is None or staff.sees(f.community_id)
            ],
            next_cursor=found.next_cursor,
        )
