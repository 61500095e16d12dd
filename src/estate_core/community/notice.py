"""Notice 公告: general, urgent and holiday notices to communities or to given homes.

Seed 001 §2.2.1 asks for general notices, urgent notices and holiday greetings (一般通知、紧急通知、
节日贺词) to whole communities, and for notices to given owners such as a dunning letter 催缴函.
A notice is written as a draft, then published at once or scheduled; only a published notice is
visible to residents, and withdrawing it hides it again. Its text cannot change once it has left
the draft state, so what the moderation port approved is what residents read.
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.community import events
from estate_core.shared.errors import Conflict, InvalidInput, InvalidTransition
from estate_core.shared.events import Aggregate

TITLE_MAX = 100
BODY_MAX = 20_000


class NoticeKind(enum.StrEnum):
    GENERAL = "general"
    URGENT = "urgent"
    HOLIDAY = "holiday"


class NoticeState(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class NoticeAction(enum.StrEnum):
    REVISE = "revise"
    SCHEDULE = "schedule"
    UNSCHEDULE = "unschedule"
    PUBLISH = "publish"
    WITHDRAW = "withdraw"


NOTICE_TRANSITIONS: dict[tuple[NoticeState, NoticeAction], NoticeState] = {
    (NoticeState.DRAFT, NoticeAction.REVISE): NoticeState.DRAFT,
    (NoticeState.DRAFT, NoticeAction.SCHEDULE): NoticeState.SCHEDULED,
    (NoticeState.DRAFT, NoticeAction.PUBLISH): NoticeState.PUBLISHED,
    (NoticeState.SCHEDULED, NoticeAction.UNSCHEDULE): NoticeState.DRAFT,
    (NoticeState.SCHEDULED, NoticeAction.PUBLISH): NoticeState.PUBLISHED,
    (NoticeState.PUBLISHED, NoticeAction.WITHDRAW): NoticeState.WITHDRAWN,
}
"""The one transition table of a notice: (state, action) -> next state."""


class RejectedByModeration(Conflict):
    """The content-moderation port refused the text (seed 000: 可能包含广告或其他违禁信息)."""

    code = "notice.rejected_by_moderation"


@attrs.frozen(kw_only=True)
class Audience:
    """Who a notice is for.

    Public: every resident of ``community_ids`` (``property_ids`` empty). Targeted: only the
    members of ``property_ids``; ``community_ids`` are then the communities those homes are in, so
    notices are listed and scoped per community either way.
    """

    community_ids: frozenset[UUID]
    property_ids: frozenset[UUID] = frozenset()

    def __attrs_post_init__(self) -> None:
        if not self.community_ids:
            raise InvalidInput("notice.no_audience", "a notice needs at least one community")

    @property
    def targeted(self) -> bool:
        return bool(self.property_ids)


def clean_text(title: str, body: str) -> tuple[str, str]:
    """The title and body trimmed, or InvalidInput when empty or too long."""
    title, body = title.strip(), body.strip()
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput("notice.invalid_title", f"a title has 1 to {TITLE_MAX} characters")
    if not body or len(body) > BODY_MAX:
        raise InvalidInput("notice.invalid_body", f"a body has 1 to {BODY_MAX} characters")
    return title, body


@attrs.define(slots=False, eq=False, kw_only=True)
class Notice(Aggregate):
    """Notice 公告 (state machine in :data:`NOTICE_TRANSITIONS`)."""

    id: UUID
    tenant_id: UUID
    kind: NoticeKind
    title: str
    body: str
    audience: Audience
    created_by: UUID
    created_at: datetime
    state: NoticeState = NoticeState.DRAFT
    publish_at: datetime | None = None
    published_by: UUID | None = None
    published_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def community_ids(self) -> frozenset[UUID]:
        return self.audience.community_ids

    @property
    def text(self) -> str:
        """What moderation checks: the title and the body."""
        return f"{self.title}\n{self.body}"

    def _next(self, action: NoticeAction) -> NoticeState:
        next_state = NOTICE_TRANSITIONS.get((self.state, action))
        if next_state is None:
            raise InvalidTransition("notice", self.state.value, action.value)
        return next_state

    def revise(self, kind: NoticeKind, title: str, body: str) -> None:
        self.state = self._next(NoticeAction.REVISE)
        self.kind = kind
        self.title, self.body = clean_text(title, body)

    def schedule(self, at: datetime, by: UUID, now: datetime) -> None:
        """Publish later, at ``at``; the worker's job publishes it when it falls due."""
        next_state = self._next(NoticeAction.SCHEDULE)
        if at <= now:
            raise InvalidInput("notice.schedule_in_past", "a scheduled time must be in the future")
        self.state, self.publish_at, self.published_by = next_state, at, by
        self.record(events.NoticeScheduled(notice_id=self.id, publish_at=at))

    def unschedule(self) -> None:
        self.state = self._next(NoticeAction.UNSCHEDULE)
        self.publish_at = self.published_by = None

    def is_due(self, now: datetime) -> bool:
        return (
            self.state is NoticeState.SCHEDULED
            and self.publish_at is not None
            and self.publish_at <= now
        )

    def publish(self, now: datetime, by: UUID | None = None) -> None:
        """Publish now; ``by`` is None when the worker publishes a scheduled notice."""
        self.state = self._next(NoticeAction.PUBLISH)
        if by is not None:
            self.published_by = by
        self.published_at = now
        self.record(
            events.NoticePublished(
                notice_id=self.id,
                kind=self.kind.value,
                title=self.title,
                community_ids=self.audience.community_ids,
                property_ids=self.audience.property_ids,
                sms=self.kind is NoticeKind.URGENT,
            )
        )

    def withdraw(self, now: datetime) -> None:
        self.state = self._next(NoticeAction.WITHDRAW)
        self.withdrawn_at = now
        self.record(events.NoticeWithdrawn(notice_id=self.id))

    @property
    def is_visible(self) -> bool:
        return self.state is NoticeState.PUBLISHED


@attrs.define(slots=False, eq=False, kw_only=True)
class NoticeRead(Aggregate):
    """Read receipt 已读回执: one resident opened one notice, stored once.

    A row of its own (unique by notice and resident) rather than a list on the notice, so that
    thousands of residents reading at once never contend for the notice's version.
    """

    id: UUID
    tenant_id: UUID
    notice_id: UUID
    resident_id: UUID
    read_at: datetime
