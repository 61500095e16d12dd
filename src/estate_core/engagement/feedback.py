"""Feedback 问题反馈 about the platform itself (seed 003 §6 故障反馈渠道).

Residents and staff report what is wrong with the app or the console: a description, the
screenshots 截图 (file-storage keys) and a category. Staff triage 分派 it to the team that owns
that part (seed 003 lists them: platform R&D, the IT centre for accounts and permissions, the
community-commerce team, the building-devices team for gates and parking, the wallet team, and
the property's own implementation consultants 系统实施顾问), the team answers, and the answer
goes back to the reporter through the app (处理结果将会通过app信息推送进行答复): the
``FeedbackAnswered`` event, which the worker turns into an inbox message. Distinct from a
complaint 投诉, which is about the property service.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.engagement import events
from estate_core.shared.errors import InvalidInput, InvalidTransition
from estate_core.shared.events import Aggregate

DESCRIPTION_MAX = 2_000
ANSWER_MAX = 2_000
MAX_SCREENSHOTS = 9
SCREENSHOT_KEY_MAX = 255


class ReporterKind(enum.StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"


class FeedbackCategory(enum.StrEnum):
    FAULT = "fault"
    """故障: something does not work (an error, a crash 闪退, a page that will not open)."""
    ACCOUNT = "account"
    """账号与权限: login, binding, roles, passwords."""
    PAYMENT = "payment"
    """缴费: a payment that did not go through or was not recorded."""
    SUGGESTION = "suggestion"
    """建议: how the platform could work better."""
    OTHER = "other"


class FeedbackTeam(enum.StrEnum):
    """The teams of seed 003's 各系统负责的部门 that feedback is triaged to."""

    PLATFORM = "platform"
    IT_CENTRE = "it_centre"
    COMMERCE = "commerce"
    DEVICES = "devices"
    WALLET = "wallet"
    PROPERTY = "property"


class FeedbackState(enum.StrEnum):
    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    ANSWERED = "answered"


class FeedbackAction(enum.StrEnum):
    TRIAGE = "triage"
    ANSWER = "answer"


FEEDBACK_TRANSITIONS: dict[tuple[FeedbackState, FeedbackAction], FeedbackState] = {
    (FeedbackState.SUBMITTED, FeedbackAction.TRIAGE): FeedbackState.TRIAGED,
    (FeedbackState.TRIAGED, FeedbackAction.TRIAGE): FeedbackState.TRIAGED,
    (FeedbackState.TRIAGED, FeedbackAction.ANSWER): FeedbackState.ANSWERED,
}
"""Triaged (and re-triaged to another team) until the team answers; the answer is final."""


def screenshot_keys(keys: Sequence[str]) -> list[str]:
    """File-storage keys of the screenshots: at most nine, none empty, no repeats."""
    cleaned = [key.strip() for key in keys]
    if len(cleaned) > MAX_SCREENSHOTS:
        raise InvalidInput("feedback.too_many_screenshots", f"at most {MAX_SCREENSHOTS}")
    if any(not key or len(key) > SCREENSHOT_KEY_MAX for key in cleaned):
        raise InvalidInput("feedback.invalid_screenshot", "a screenshot key is 1 to 255 chars")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("feedback.invalid_screenshot", "the same screenshot is attached twice")
    return cleaned


def _text(value: str, limit: int, code: str, what: str) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(code, f"{what} has 1 to {limit} characters")
    return value


@attrs.define(slots=False, eq=False, kw_only=True)
class Feedback(Aggregate):
    """Feedback 问题反馈 (transition table :data:`FEEDBACK_TRANSITIONS`)."""

    id: UUID
    tenant_id: UUID
    reporter_kind: ReporterKind
    reporter_id: UUID
    community_id: UUID | None
    category: FeedbackCategory
    description: str
    screenshots: list[str]
    created_at: datetime
    state: FeedbackState = FeedbackState.SUBMITTED
    team: FeedbackTeam | None = None
    triaged_by: UUID | None = None
    triaged_at: datetime | None = None
    answer: str = ""
    answered_by: UUID | None = None
    answered_at: datetime | None = None

    @classmethod
    def report(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        reporter_kind: ReporterKind,
        reporter_id: UUID,
        community_id: UUID | None,
        category: FeedbackCategory,
        description: str,
        screenshots: Sequence[str],
        now: datetime,
    ) -> Feedback:
        feedback = cls(
            id=id,
            tenant_id=tenant_id,
            reporter_kind=ReporterKind(reporter_kind),
            reporter_id=reporter_id,
            community_id=community_id,
            category=FeedbackCategory(category),
            description=_text(
                description, DESCRIPTION_MAX, "feedback.invalid_description", "a description"
            ),
            screenshots=screenshot_keys(screenshots),
            created_at=now,
        )
        feedback.record(
            events.FeedbackReported(
                feedback_id=id, category=feedback.category, community_id=community_id
            )
        )
        return feedback

    def _next(self, action: FeedbackAction) -> FeedbackState:
        next_state = FEEDBACK_TRANSITIONS.get((self.state, action))
        if next_state is None:
            raise InvalidTransition("feedback", self.state.value, action.value)
        return next_state

    def triage(self, team: FeedbackTeam, staff_id: UUID, now: datetime) -> None:
        self.state = self._next(FeedbackAction.TRIAGE)
        self.team = FeedbackTeam(team)
        self.triaged_by, self.triaged_at = staff_id, now
        self.record(events.FeedbackTriaged(feedback_id=self.id, team=self.team))

    def reply(self, answer: str, staff_id: UUID, now: datetime) -> None:
        """The team's answer 答复, sent to the reporter's inbox by the worker."""
        next_state = self._next(FeedbackAction.ANSWER)
        self.answer = _text(answer, ANSWER_MAX, "feedback.invalid_answer", "an answer")
        self.state = next_state
        self.answered_by, self.answered_at = staff_id, now
        self.record(
            events.FeedbackAnswered(
                feedback_id=self.id,
                reporter_kind=self.reporter_kind,
                reporter_id=self.reporter_id,
                answer=self.answer,
            )
        )
